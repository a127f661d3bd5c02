//! Pod status update rules (`ValidatePodStatusUpdate`, after the metadata checks): a new
//! nominated node must be a valid node name, and a container that terminated may not leave
//! that state unless the pod's restart policy restarts it.

use serde_json::Value;

use super::{FieldError, names};

/// The pod-specific checks of a `pods/status` update.
pub(crate) fn validate(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let nominated = |v: &Value| {
        v.pointer("/status/nominatedNodeName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let name = nominated(new);
    if name != nominated(old) && !name.is_empty() {
        for msg in names::dns1123_subdomain(&name) {
            errs.push(FieldError::invalid(
                "status.nominatedNodeName",
                name.as_str(),
                msg,
            ));
        }
    }
    let restart = old
        .pointer("/spec/restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    for key in ["containerStatuses", "initContainerStatuses"] {
        errs.extend(state_transitions(new, old, key, restart));
    }
    errs
}

/// `ValidateContainerStateTransition`: unless the pod always restarts, a terminated container
/// (one that failed, under `OnFailure`, excepted) may not be reported as not terminated.
fn state_transitions(new: &Value, old: &Value, key: &str, restart: &str) -> Vec<FieldError> {
    if restart == "Always" {
        return Vec::new();
    }
    let statuses = |v: &Value| -> Vec<Value> {
        v.pointer(&format!("/status/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let new_statuses = statuses(new);
    let mut errs = Vec::new();
    for (i, old_status) in statuses(old).iter().enumerate() {
        let Some(terminated) = old_status
            .pointer("/state/terminated")
            .filter(|t| !t.is_null())
        else {
            continue;
        };
        let exit_code = terminated
            .get("exitCode")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if exit_code != 0 && restart == "OnFailure" {
            continue;
        }
        let name = old_status.get("name");
        for new_status in &new_statuses {
            let still_terminated = new_status
                .pointer("/state/terminated")
                .is_some_and(|t| !t.is_null());
            if new_status.get("name") == name && !still_terminated {
                errs.push(FieldError::forbidden(
                    format!("status.{key}[{i}].state"),
                    "may not be transitioned to non-terminated state",
                ));
            }
        }
    }
    errs
}
