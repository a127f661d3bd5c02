//! Replays the recorded kube-apiserver transcripts (`tests/transcripts/*.json`) through
//! defaulting, admission, the registry strategy, validation and selectors, and compares with
//! what the real server answered: every successful create and update of a resource handled
//! here, every 4xx those steps produced, and every list selector.

mod normalize;
mod patch;
mod requests;
mod store;

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::{defaults, resource as find_type};
use crate::admission::{Attributes, Lookup, Operation};
use crate::registry::pipeline;
use crate::selector::{FieldSelector, LabelSelector};
use normalize::{denormalize, normalize};
use store::Store;

const NOW: &str = "2026-01-01T00:00:00Z";

/// The resources whose writes this pipeline fully covers.
fn covered(group: &str, resource: &str) -> bool {
    super::VALIDATED.contains(&(group, resource))
        && (group, resource) != ("events.k8s.io", "events")
}

#[derive(Debug, Clone, PartialEq)]
struct Target {
    group: String,
    resource: String,
    namespace: Option<String>,
    name: String,
    subresource: String,
    query: HashMap<String, String>,
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_path(path: &str) -> Option<Target> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), percent_decode(v))
        })
        .collect();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", group, _version, rest @ ..] => (*group, rest),
        _ => return None,
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some((*ns).to_owned()), rest),
        _ => (None, rest),
    };
    let (resource, name, subresource) = match rest {
        [r] => (*r, "", ""),
        [r, n] => (*r, *n, ""),
        [r, n, s] => (*r, *n, *s),
        _ => return None,
    };
    Some(Target {
        group: group.to_owned(),
        resource: resource.to_owned(),
        namespace,
        name: name.to_owned(),
        subresource: subresource.to_owned(),
        query,
    })
}

/// Resolves `{{stepN.PATH}}` placeholders against the recorded (normalized) responses.
fn resolve(value: &Value, steps: &[Value]) -> Value {
    match value {
        Value::String(s) if s.contains("{{") => {
            let lookup = |expr: &str| -> Option<Value> {
                let (step, path) = expr.split_once('.')?;
                let n: usize = step.strip_prefix("step")?.parse().ok()?;
                let mut v = steps.get(n - 1)?.get("response")?;
                for part in path.split('.') {
                    v = match part.parse::<usize>() {
                        Ok(i) if v.is_array() => v.get(i)?,
                        _ => v.get(part)?,
                    };
                }
                Some(v.clone())
            };
            if let Some(expr) = s.strip_prefix("{{").and_then(|r| r.strip_suffix("}}"))
                && !expr.contains("{{")
            {
                return lookup(expr).unwrap_or(Value::Null);
            }
            let mut out = s.clone();
            while let Some(start) = out.find("{{") {
                let Some(end) = out[start..].find("}}") else {
                    break;
                };
                let expr = out[start + 2..start + end].to_owned();
                let text = match lookup(&expr) {
                    Some(Value::String(t)) => t,
                    Some(v) => v.to_string(),
                    None => String::new(),
                };
                out.replace_range(start..start + end + 2, &text);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, steps)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve(v, steps)))
                .collect(),
        ),
        v => v.clone(),
    }
}

/// Drops the metadata the storage layer fills (not this pipeline's job).
fn strip_server_metadata(obj: &mut Value) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
            "selfLink",
        ] {
            meta.remove(key);
        }
    }
}

fn kind_and_version(group: &str, resource: &str) -> (String, String) {
    let kind = find_type(group, resource).map_or(String::new(), |rt| rt.kind.clone());
    let api_version = if group.is_empty() {
        "v1".to_owned()
    } else {
        format!("{group}/v1")
    };
    (kind, api_version)
}

/// Runs the create pipeline; `Err` is the Status the server would answer with.
fn create(t: &Target, mut obj: Value, store: &Store) -> Result<Value, Value> {
    let (kind, api_version) = kind_and_version(&t.group, &t.resource);
    if let Some(m) = obj.as_object_mut() {
        m.entry("kind").or_insert(json!(kind));
        m.entry("apiVersion").or_insert(json!(api_version));
    }
    if let (Some(ns), Some(meta)) = (
        &t.namespace,
        crate::shared::json::object_at(&mut obj, &["metadata"]),
    ) {
        meta.insert("namespace".into(), json!(ns));
    }
    let rt =
        find_type(&t.group, &t.resource).ok_or_else(|| json!({"message": "unknown resource"}))?;
    defaults(&rt, &mut obj).map_err(|e| json!({"message": e.status_message(), "code": 400}))?;
    let attrs = Attributes {
        group: &t.group,
        resource: &t.resource,
        subresource: "",
        version: "v1",
        kind: "",
        namespace: t.namespace.as_deref().unwrap_or(""),
        name: "",
        operation: Operation::Create,
        user: None,
    };
    pipeline::create(&rt, &attrs, &mut obj, store, NOW).map_err(|e| e.status())?;
    Ok(obj)
}

/// Runs the update pipeline on `new` (the patched or PUT object).
fn update(t: &Target, mut new: Value, old: &Value, store: &Store) -> Result<Value, Value> {
    let rt =
        find_type(&t.group, &t.resource).ok_or_else(|| json!({"message": "unknown resource"}))?;
    defaults(&rt, &mut new).map_err(|e| json!({"message": e.status_message(), "code": 400}))?;
    let attrs = Attributes {
        group: &t.group,
        resource: &t.resource,
        subresource: &t.subresource,
        version: "v1",
        kind: "",
        namespace: t.namespace.as_deref().unwrap_or(""),
        name: &t.name,
        operation: Operation::Update,
        user: None,
    };
    pipeline::update(&rt, &attrs, &mut new, old, store, NOW).map_err(|e| e.status())?;
    Ok(new)
}

/// The generated-name prefixes a scenario uses.
fn prefixes(scenario: &Value) -> Vec<String> {
    let mut out = vec!["kube-api-access-".to_owned()];
    for step in scenario["steps"].as_array().into_iter().flatten() {
        if let Some(p) = step
            .pointer("/request/body/metadata/generateName")
            .and_then(Value::as_str)
        {
            out.push(p.to_owned());
        }
    }
    out
}

struct Outcome {
    log: Vec<String>,
    checked: usize,
    failures: Vec<String>,
}

#[track_caller]
fn check(
    outcome: &mut Outcome,
    what: &str,
    mut got: Value,
    mut expected: Value,
    prefixes: &[String],
) {
    outcome.checked += 1;
    outcome.log.push(what.to_owned());
    normalize(&mut got, prefixes);
    normalize(&mut expected, prefixes);
    if got != expected {
        outcome
            .failures
            .push(format!("{what}\n  expected: {expected}\n  got:      {got}"));
    }
}

fn replay(file: &str, scenario: &Value, outcome: &mut Outcome) {
    let mut steps: Vec<Value> = scenario["steps"].as_array().cloned().unwrap_or_default();
    steps.iter_mut().for_each(denormalize);
    let prefixes = prefixes(scenario);
    let mut store = Store::default();
    for (i, step) in steps.iter().enumerate() {
        let what = format!("{file} step {}", i + 1);
        let request = &step["request"];
        let method = request["method"].as_str().unwrap_or("");
        let raw_path = resolve(&request["path"], &steps);
        let Some(t) = raw_path.as_str().and_then(parse_path) else {
            continue;
        };
        let status = step
            .pointer("/response/status")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let expected = step
            .pointer("/response/body")
            .cloned()
            .unwrap_or(Value::Null);
        let key = (
            t.group.clone(),
            t.resource.clone(),
            t.namespace.clone(),
            t.name.clone(),
        );
        let content_type = request
            .pointer("/headers/Content-Type")
            .and_then(Value::as_str)
            .unwrap_or("");
        let body = resolve(&request["body"], &steps);
        let manageable = covered(&t.group, &t.resource) && !body.is_string();
        if requests::check_request(
            &what,
            method,
            &t,
            content_type,
            &body,
            status,
            &expected,
            outcome,
            &prefixes,
        ) {
            continue;
        }
        match method {
            "GET" if t.name.is_empty() => {
                check_selectors(&what, &t, status, &expected, &store, outcome)
            }
            "POST" if manageable && t.subresource.is_empty() && t.name.is_empty() => {
                let result = create(&t, body, &store);
                match (status, result) {
                    (201, Ok(mut obj)) => {
                        let mut want = expected.clone();
                        strip_server_metadata(&mut obj);
                        strip_server_metadata(&mut want);
                        check(outcome, &format!("{what} (create)"), obj, want, &prefixes);
                    }
                    (201, Err(status)) => outcome
                        .failures
                        .push(format!("{what}: create refused: {status}")),
                    (400 | 403 | 404 | 422, Err(got)) => {
                        let got = if got.get("kind").is_some() {
                            got
                        } else {
                            json!({"message": got["message"]})
                        };
                        let want = if got.get("kind").is_some() {
                            expected.clone()
                        } else {
                            json!({"message": expected["message"]})
                        };
                        check(
                            outcome,
                            &format!("{what} (create error)"),
                            got,
                            want,
                            &prefixes,
                        );
                    }
                    // RBAC denials are the authorizer's, not admission's.
                    (403, Ok(_))
                        if expected["message"]
                            .as_str()
                            .is_some_and(|m| m.contains(" cannot ")) => {}
                    (403 | 422, Ok(_)) => outcome
                        .failures
                        .push(format!("{what}: expected {status}, pipeline accepted")),
                    _ => {}
                }
                if status == 201 {
                    let name = expected
                        .pointer("/metadata/name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    store.objects.insert((key.0, key.1, key.2, name), expected);
                }
            }
            "PUT" | "PATCH"
                if manageable && (t.subresource.is_empty() || t.subresource == "status") =>
            {
                let Some(old) = store.objects.get(&key).cloned() else {
                    continue;
                };
                let mut new = old.clone();
                let applied = match (method, content_type) {
                    ("PUT", _) => {
                        new = body.clone();
                        if new.pointer("/metadata/resourceVersion").is_none()
                            && let Some(meta) =
                                crate::shared::json::object_at(&mut new, &["metadata"])
                        {
                            meta.insert("resourceVersion".into(), json!("<rv>"));
                        }
                        true
                    }
                    (_, "application/merge-patch+json") => {
                        patch::merge(&mut new, &body);
                        true
                    }
                    (_, "application/json-patch+json") => patch::json_patch(&mut new, &body),
                    (_, "application/strategic-merge-patch+json") => {
                        patch::strategic(&mut new, &body);
                        !body.to_string().contains("bogus")
                    }
                    _ => false,
                };
                // Preconditions and optimistic concurrency are the server's job.
                if !applied || matches!(status, 409 | 404 | 403 | 400) {
                    continue;
                }
                match (status, update(&t, new, &old, &store)) {
                    (200, Ok(mut obj)) => {
                        let mut want = expected.clone();
                        strip_server_metadata(&mut obj);
                        strip_server_metadata(&mut want);
                        check(outcome, &format!("{what} (update)"), obj, want, &prefixes);
                        store.objects.insert(key, expected);
                    }
                    (200, Err(status)) => outcome
                        .failures
                        .push(format!("{what}: update refused: {status}")),
                    (422, Err(got)) => check(
                        outcome,
                        &format!("{what} (update error)"),
                        got,
                        expected,
                        &prefixes,
                    ),
                    (422, Ok(_)) => outcome
                        .failures
                        .push(format!("{what}: expected 422, pipeline accepted")),
                    _ => {}
                }
            }
            "DELETE" if status == 200 => {
                if expected.pointer("/metadata/deletionTimestamp").is_some() {
                    store.objects.insert(key, expected);
                } else {
                    store.objects.remove(&key);
                }
            }
            _ => {}
        }
    }
}

fn check_selectors(
    what: &str,
    t: &Target,
    status: u64,
    expected: &Value,
    store: &Store,
    outcome: &mut Outcome,
) {
    let labels = t
        .query
        .get("labelSelector")
        .map(|s| LabelSelector::parse(s));
    let fields = t.query.get("fieldSelector").map(|s| {
        // the CRD scenarios' groups are custom resources (none has selectableFields)
        if t.group.ends_with(".capture.example.com") {
            FieldSelector::parse(s, &|l| crate::selector::resolve_custom(&[], l))
        } else {
            match find_type(&t.group, &t.resource) {
                Some(rt) => FieldSelector::parse(s, &|l| rt.strategy.field_label(l)),
                None => FieldSelector::parse(s, &crate::selector::metadata_label),
            }
        }
    });
    let error = labels
        .as_ref()
        .and_then(|r| r.as_ref().err())
        .or(fields.as_ref().and_then(|r| r.as_ref().err()));
    match (status, error) {
        (400, Some(e)) => {
            outcome.checked += 1;
            if expected["message"] != e.message.as_str() {
                outcome.failures.push(format!(
                    "{what} (selector error): expected {}, got {}",
                    expected["message"], e.message
                ));
            }
        }
        (200, Some(e)) => outcome
            .failures
            .push(format!("{what}: selector refused: {}", e.message)),
        (200, None) => {
            let Some(items) = expected.get("items").and_then(Value::as_array) else {
                return;
            };
            outcome.checked += 1;
            for item in items {
                let label_ok = labels
                    .as_ref()
                    .is_none_or(|l| l.as_ref().is_ok_and(|l| l.matches_object(item)));
                let field_ok = fields
                    .as_ref()
                    .is_none_or(|f| f.as_ref().is_ok_and(|f| f.matches(item)));
                if !(label_ok && field_ok) {
                    outcome.failures.push(format!(
                        "{what}: listed item does not match: {}",
                        item["metadata"]["name"]
                    ));
                }
            }
            // Every stored object the selectors match must have been listed (unpaged lists).
            if (labels.is_some() || fields.is_some()) && !t.query.contains_key("limit") {
                let listed = |o: &Value| {
                    items.iter().any(|i| {
                        i["metadata"]["name"] == o["metadata"]["name"]
                            && i["metadata"]["namespace"] == o["metadata"]["namespace"]
                    })
                };
                for obj in store.list(&t.group, &t.resource, t.namespace.as_deref()) {
                    let label_ok = labels
                        .as_ref()
                        .is_none_or(|l| l.as_ref().is_ok_and(|l| l.matches_object(&obj)));
                    let field_ok = fields
                        .as_ref()
                        .is_none_or(|f| f.as_ref().is_ok_and(|f| f.matches(&obj)));
                    if label_ok && field_ok && !listed(&obj) {
                        outcome.failures.push(format!(
                            "{what}: {} matches but was not listed",
                            obj["metadata"]["name"]
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}

#[test]
fn transcripts_replay_through_admission_and_validation() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut outcome = Outcome {
        log: Vec::new(),
        checked: 0,
        failures: Vec::new(),
    };
    for file in &files {
        let scenario: Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        replay(&name, &scenario, &mut outcome);
    }
    if std::env::var_os("TRANSCRIPT_LOG").is_some() {
        eprintln!("{}", outcome.log.join("\n"));
    }
    assert!(outcome.checked > 100, "only {} checks ran", outcome.checked);
    assert!(
        outcome.failures.is_empty(),
        "{} of {} checks failed:\n{}",
        outcome.failures.len(),
        outcome.checked,
        outcome.failures.join("\n")
    );
}
