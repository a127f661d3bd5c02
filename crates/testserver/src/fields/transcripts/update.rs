//! managedFields of Update operations against the recorded ones.

use serde_json::{Value, json};

use super::{WriteStep, normalized, write_steps};
use crate::fields::managed::{Write, record_update};
use crate::fields::schema::lookup;

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
    assert!(checked >= 160, "only {checked} steps checked");
}
