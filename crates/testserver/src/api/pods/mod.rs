//! The pod subresources a controller or scheduler drives without a kubelet: `pods/binding`,
//! `pods/eviction` (policy/v1, guarded by PodDisruptionBudgets) and `pods/log`; and the ones that
//! reach the scripted node agent: `pods/exec`, `pods/attach`, `pods/portforward`.
//!
//! Each verb is a pure core (what the real registry decides from the stored objects) with a thin
//! request edge; the answers, status codes and messages are kube-apiserver v1.36's.

pub(super) mod binding;
pub(super) mod connect;
mod disruption;
pub(super) mod eviction;
pub(super) mod log;

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::App;
use crate::api::status::ApiError;
use crate::registry::ResourceType;

/// The core/v1 pods type (the legacy `bindings` resource writes to it too).
fn pods(app: &App) -> Result<Arc<ResourceType>, ApiError> {
    app.registry
        .find("", "v1", "pods")
        .ok_or_else(ApiError::no_resource)
}

/// The Status a successful binding or eviction answers with (HTTP 201).
fn created() -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
}

/// `rest.EnsureObjectNamespaceMatchesRequestNamespace`: a body naming another namespace is
/// refused before the subresource sees it.
fn check_namespace(body: &Value, namespace: &str) -> Result<(), ApiError> {
    let body_ns = body
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if body_ns.is_empty() || body_ns == namespace {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ))
    }
}

/// A text field of a JSON object, `""` when missing.
fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `podutil.UpdatePodCondition`: sets the condition of `condition["type"]` in `pod.status`,
/// keeping the old `lastTransitionTime` when the status did not change.
fn set_pod_condition(pod: &mut Value, mut condition: Value, now: &str) {
    condition["lastTransitionTime"] = now.into();
    let kind = text(&condition, "/type").to_owned();
    let Some(obj) = pod.as_object_mut() else {
        return;
    };
    let status = obj.entry("status").or_insert_with(|| json!({}));
    if !status.is_object() {
        *status = json!({});
    }
    let conditions = status
        .as_object_mut()
        .map(|s| s.entry("conditions").or_insert_with(|| json!([])));
    let Some(conditions) = conditions else {
        return;
    };
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    let Some(list) = conditions.as_array_mut() else {
        return;
    };
    match list.iter_mut().find(|c| text(c, "/type") == kind) {
        Some(old) => {
            if text(old, "/status") == text(&condition, "/status") {
                condition["lastTransitionTime"] = old
                    .get("lastTransitionTime")
                    .cloned()
                    .unwrap_or(Value::Null);
            }
            *old = condition;
        }
        None => list.push(condition),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_keep_their_transition_time_when_the_status_stays() {
        let mut pod = json!({"status": {"phase": "Pending"}});
        let scheduled = json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null});
        set_pod_condition(&mut pod, scheduled.clone(), "2024-01-01T00:00:00Z");
        assert_eq!(
            pod["status"]["conditions"],
            json!([{"type": "PodScheduled", "status": "True", "lastProbeTime": null,
                    "lastTransitionTime": "2024-01-01T00:00:00Z"}])
        );
        set_pod_condition(&mut pod, scheduled, "2025-01-01T00:00:00Z");
        assert_eq!(
            pod["status"]["conditions"][0]["lastTransitionTime"],
            "2024-01-01T00:00:00Z"
        );
        let unscheduled = json!({"type": "PodScheduled", "status": "False"});
        set_pod_condition(&mut pod, unscheduled, "2025-01-01T00:00:00Z");
        assert_eq!(
            pod["status"]["conditions"],
            json!([{"type": "PodScheduled", "status": "False",
                    "lastTransitionTime": "2025-01-01T00:00:00Z"}])
        );
    }
}
