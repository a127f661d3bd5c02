//! Data-driven tests over the recorded kube-apiserver transcripts
//! (`tests/transcripts/*.json`): for every successful write, the previous state
//! of the object (from earlier responses) and the request go through this
//! module's code, and the result must equal what the real server answered.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::fields::managed::{Write, record_update};
use crate::fields::schema::lookup;

/// One write step of a transcript, with the object state before it.
pub(crate) struct WriteStep {
    pub(crate) scenario: String,
    pub(crate) step: usize,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) content_type: String,
    pub(crate) request: Value,
    pub(crate) status: u64,
    pub(crate) response: Value,
    pub(crate) old: Option<Value>,
}

impl WriteStep {
    pub(crate) fn name(&self) -> String {
        format!(
            "{} step {} ({} {})",
            self.scenario, self.step, self.method, self.path
        )
    }

    pub(crate) fn query(&self, key: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn subresource(&self) -> Option<&str> {
        let path = self.path.split('?').next().unwrap_or("");
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        // /api/v1/namespaces/NS/RES/NAME/SUB or /apis/G/V/namespaces/NS/RES/NAME/SUB
        let base = if parts.first() == Some(&"api") { 2 } else { 3 };
        let rest = &parts[base.min(parts.len())..];
        let rest = if rest.first() == Some(&"namespaces") && rest.len() > 2 {
            &rest[2..]
        } else {
            rest
        };
        rest.get(2).copied()
    }
}

fn transcripts_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts")
}

fn object_key(object: &Value) -> Option<String> {
    let kind = object.get("kind")?.as_str()?;
    let api_version = object.get("apiVersion")?.as_str()?;
    let name = object.pointer("/metadata/name")?.as_str()?;
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    Some(format!("{api_version}/{kind}/{namespace}/{name}"))
}

/// Every POST/PUT/PATCH step of every transcript whose response is a stored object
/// or an error, with the last known state of the object it targets.
pub(crate) fn write_steps() -> Vec<WriteStep> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(transcripts_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let transcript: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let scenario = transcript["scenario"].as_str().unwrap().to_owned();
        let mut states: HashMap<String, Value> = HashMap::new();
        // Last state by URL path (without query and subresource), for steps answered with errors.
        let mut by_url: HashMap<String, String> = HashMap::new();
        for (i, step) in transcript["steps"].as_array().unwrap().iter().enumerate() {
            let request = &step["request"];
            let method = request["method"].as_str().unwrap().to_owned();
            let path = request["path"].as_str().unwrap().to_owned();
            let response = step["response"]["body"].clone();
            let status = step["response"]["status"].as_u64().unwrap();
            let object_path = path
                .split('?')
                .next()
                .unwrap()
                .trim_end_matches("/status")
                .to_owned();
            let key = object_key(&response);
            if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
                let old = match method.as_str() {
                    "POST" => None,
                    _ => by_url
                        .get(&object_path)
                        .and_then(|k| states.get(k))
                        .cloned(),
                };
                out.push(WriteStep {
                    scenario: scenario.clone(),
                    step: i + 1,
                    method: method.clone(),
                    path: path.clone(),
                    content_type: request["headers"]["Content-Type"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                    request: request["body"].clone(),
                    status,
                    response: response.clone(),
                    old,
                });
            }
            let is_dry_run = path.contains("dryRun=");
            if let Some(key) =
                key.filter(|_| status < 300 && !is_dry_run && response.get("metadata").is_some())
            {
                let url = if method == "POST" {
                    format!(
                        "{}/{}",
                        object_path,
                        response["metadata"]["name"].as_str().unwrap_or("")
                    )
                } else {
                    object_path.clone()
                };
                by_url.insert(url, key.clone());
                states.insert(key, response);
            }
        }
    }
    out
}

/// The object the field manager saw: the recorded response without what
/// admission and the storage strategy add after it (test approximation of the
/// server's pipeline).
fn before_admission(kind: &str, request: &Value, response: &Value, create: bool) -> Value {
    let mut object = response.clone();
    if !create {
        return object;
    }
    let absent = |pointer: &str| request.pointer(pointer).is_none();
    // StorageObjectInUseProtection admission adds the pv/pvc-protection finalizers.
    let requested = request
        .pointer("/metadata/finalizers")
        .cloned()
        .unwrap_or(json!([]));
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut)
        && let Some(Value::Array(finalizers)) = metadata.get_mut("finalizers")
    {
        finalizers.retain(|f| requested.as_array().is_some_and(|r| r.contains(f)));
        if finalizers.is_empty() {
            metadata.remove("finalizers");
        }
    }
    let spec = object.get_mut("spec").and_then(Value::as_object_mut);
    match (kind, spec) {
        ("Pod", Some(spec)) => {
            for field in [
                "serviceAccountName",
                "serviceAccount",
                "priority",
                "preemptionPolicy",
            ] {
                if absent(&format!("/spec/{field}")) {
                    spec.remove(field);
                }
            }
            let requested = request
                .pointer("/spec/tolerations")
                .cloned()
                .unwrap_or(json!([]));
            if let Some(Value::Array(tolerations)) = spec.get_mut("tolerations") {
                tolerations.retain(|t| requested.as_array().is_some_and(|r| r.contains(t)));
                if tolerations.is_empty() {
                    spec.remove("tolerations");
                }
            }
            if let Some(Value::Array(volumes)) = spec.get_mut("volumes") {
                volumes.retain(|v| {
                    !v["name"]
                        .as_str()
                        .unwrap_or("")
                        .starts_with("<generated:kube-api-access-")
                });
                if volumes.is_empty() {
                    spec.remove("volumes");
                }
            }
            for list in ["containers", "initContainers"] {
                for container in spec
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    let container = container.as_object_mut().unwrap();
                    if let Some(Value::Array(mounts)) = container.get_mut("volumeMounts") {
                        mounts.retain(|m| {
                            m["mountPath"] != "/var/run/secrets/kubernetes.io/serviceaccount"
                        });
                        if mounts.is_empty() {
                            container.remove("volumeMounts");
                        }
                    }
                }
            }
        }
        ("Node", Some(spec)) if absent("/spec/taints") => {
            spec.remove("taints");
        }
        ("Namespace", Some(spec)) if absent("/spec/finalizers") => {
            spec.remove("finalizers");
        }
        ("TokenRequest", Some(spec)) => {
            if absent("/spec/audiences") {
                spec.remove("audiences");
            }
            if let Some(bound) = spec
                .get_mut("boundObjectRef")
                .and_then(Value::as_object_mut)
            {
                bound.remove("uid");
            }
        }
        _ => {}
    }
    if matches!(
        kind,
        "TokenRequest" | "SelfSubjectAccessReview" | "SelfSubjectReview"
    ) {
        object.as_object_mut().unwrap().remove("status");
    }
    object
}

/// Sorts managedFields as the transcripts are normalized.
pub(crate) fn normalized(managed: &Value) -> Value {
    let mut list = managed.as_array().cloned().unwrap_or_default();
    let key = |e: &Value| {
        ["operation", "manager", "subresource", "apiVersion"]
            .map(|k| e.get(k).and_then(Value::as_str).unwrap_or("").to_owned())
    };
    list.sort_by_key(key);
    Value::Array(list)
}

#[track_caller]
fn check(step: &WriteStep, computed: Vec<Value>) {
    let expected = normalized(
        step.response
            .pointer("/metadata/managedFields")
            .unwrap_or(&json!([])),
    );
    assert_eq!(
        normalized(&Value::Array(computed)),
        expected,
        "managedFields differ for {}",
        step.name()
    );
}

#[test]
fn update_managed_fields_match_the_real_server() {
    let mut checked = 0;
    for step in write_steps() {
        if step.status >= 300 || step.content_type.starts_with("application/apply-patch") {
            continue;
        }
        let Some(api_version) = step.response.get("apiVersion").and_then(Value::as_str) else {
            continue;
        };
        let kind = step.response["kind"].as_str().unwrap_or("");
        let Some(info) = lookup(api_version, kind) else {
            continue;
        };
        let create = step.method == "POST";
        if !create && step.old.is_none() {
            panic!("no earlier state for {}", step.name());
        }
        let manager = crate::fields::manager::manager_name(
            step.query("fieldManager"),
            Some("k8s-transcript/1.0"),
        );
        let subresource = step.subresource();
        let write = Write {
            info,
            manager: &manager,
            subresource,
            time: "<time>",
        };
        let mut new = before_admission(kind, &step.request, &step.response, create);
        let sent = match step.method.as_str() {
            "PATCH" => step
                .old
                .as_ref()
                .and_then(|o| o.pointer("/metadata/managedFields"))
                .cloned(),
            _ => step.request.pointer("/metadata/managedFields").cloned(),
        };
        crate::fields::managed::set_managed_fields(
            &mut new,
            sent.and_then(|v| v.as_array().cloned()).unwrap_or_default(),
        );
        check(&step, record_update(&write, step.old.as_ref(), &new));
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} steps checked");
}

/// Replaces RFC 3339 timestamps with `<time>`, as the transcripts are normalized.
fn normalize_times(value: &mut Value) {
    match value {
        Value::String(s) => {
            let b = s.as_bytes();
            let digits = |r: std::ops::Range<usize>| {
                r.into_iter()
                    .all(|i| b.get(i).is_some_and(u8::is_ascii_digit))
            };
            if b.len() >= 20
                && digits(0..4)
                && b[4] == b'-'
                && digits(5..7)
                && b[10] == b'T'
                && digits(11..13)
            {
                *s = "<time>".to_owned();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_times),
        Value::Object(map) => map.values_mut().for_each(normalize_times),
        _ => {}
    }
}

/// The parts of a patched object that the patch decides (not server-filled metadata).
fn patched_part(object: &Value) -> Value {
    let mut object = object.clone();
    normalize_times(&mut object);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["managedFields", "resourceVersion", "generation"] {
            metadata.remove(field);
        }
    }
    object
}

#[test]
fn strategic_merge_patches_match_the_real_server() {
    use crate::fields::strategic::strategic_merge_patch;
    let mut checked = 0;
    for step in write_steps() {
        if step.content_type != "application/strategic-merge-patch+json" {
            continue;
        }
        let old = step
            .old
            .as_ref()
            .unwrap_or_else(|| panic!("no earlier state for {}", step.name()));
        let info = lookup(
            old["apiVersion"].as_str().unwrap(),
            old["kind"].as_str().unwrap(),
        )
        .unwrap();
        let result = strategic_merge_patch(info, old, &step.request);
        match (step.status, result) {
            (200, Ok(mut merged)) => {
                let mut expected = step.response.clone();
                // DefaultTolerationSeconds admission re-adds its tolerations after the patch.
                if let Some(Value::Array(tolerations)) = expected.pointer_mut("/spec/tolerations") {
                    let patched = merged
                        .pointer("/spec/tolerations")
                        .cloned()
                        .unwrap_or(json!([]));
                    tolerations.retain(|t| patched.as_array().is_some_and(|p| p.contains(t)));
                }
                if let Some(Value::Array(t)) = merged.pointer_mut("/spec/tolerations") {
                    t.sort_by_key(|v| v.to_string());
                }
                if let Some(Value::Array(t)) = expected.pointer_mut("/spec/tolerations") {
                    t.sort_by_key(|v| v.to_string());
                }
                assert_eq!(
                    patched_part(&merged),
                    patched_part(&expected),
                    "{}",
                    step.name()
                );
            }
            (500, Err(err)) => assert_eq!(err.to_status(), step.response, "{}", step.name()),
            (status, Ok(_)) if status >= 400 => {} // rejected later by validation
            (status, result) => panic!("{}: status {status} but got {result:?}", step.name()),
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} steps checked");
}
