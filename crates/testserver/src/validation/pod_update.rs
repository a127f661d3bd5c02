//! Pod update rules (`ValidatePodUpdate`): only images, `activeDeadlineSeconds`, added
//! tolerations and a negative grace period set to 1 may change; anything else is refused with
//! the long "pod updates may not change fields other than ..." message and a diff of the specs.

use serde_json::Value;

use super::{FieldError, godump};

/// What may change in a pod spec, as the message lists it.
const UPDATABLE: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

fn list<'a>(spec: &'a Value, key: &str) -> &'a [Value] {
    spec.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `ValidatePodUpdate` without the metadata and the full re-validation of the new pod.
pub(crate) fn validate(new: &Value, old: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    let new_spec = new.get("spec").unwrap_or(&null);
    let old_spec = old.get("spec").unwrap_or(&null);
    let mut errs = Vec::new();
    for key in ["containers", "initContainers"] {
        let (n, o) = (list(new_spec, key), list(old_spec, key));
        if n.len() != o.len() {
            errs.push(FieldError::forbidden(
                format!("spec.{key}"),
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
        for (i, c) in n.iter().enumerate() {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            if image.is_empty() {
                errs.push(FieldError::required(format!("spec.{key}[{i}].image"), ""));
            }
        }
    }
    errs.extend(scheduling_gates(
        list(new_spec, "schedulingGates"),
        list(old_spec, "schedulingGates"),
    ));
    errs.extend(only_added_tolerations(
        list(new_spec, "tolerations"),
        list(old_spec, "tolerations"),
    ));
    // The munged spec: the new spec with the updatable fields taken from the old one.
    let mut munged = new_spec.clone();
    for key in ["containers", "initContainers"] {
        if let Some(containers) = munged.get_mut(key).and_then(Value::as_array_mut) {
            for (i, c) in containers.iter_mut().enumerate() {
                let old_c = &list(old_spec, key)[i];
                if let Some(c) = c.as_object_mut() {
                    for field in ["image", "resources"] {
                        match old_c.get(field) {
                            Some(v) => c.insert(field.into(), v.clone()),
                            None => c.remove(field),
                        };
                    }
                }
            }
        }
    }
    if let Some(m) = munged.as_object_mut() {
        // Scheduling gates may only be removed (checked above).
        for key in ["activeDeadlineSeconds", "tolerations", "schedulingGates"] {
            match old_spec.get(key) {
                Some(v) => m.insert(key.into(), v.clone()),
                None => m.remove(key),
            };
        }
        let old_grace = old_spec
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        let new_grace = m
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        if old_grace.is_some_and(|g| g < 0) && new_grace == Some(1) {
            m.insert(
                "terminationGracePeriodSeconds".into(),
                Value::from(old_grace),
            );
        }
    }
    let old_dump = godump::dump(&godump::POD_SPEC, &godump::pod_spec_value(old_spec));
    let new_dump = godump::dump(&godump::POD_SPEC, &godump::pod_spec_value(&munged));
    if old_dump != new_dump {
        errs.push(FieldError::forbidden(
            "spec",
            format!(
                "pod updates may not change fields other than {UPDATABLE}\n{}",
                godump::unified_diff(&old_dump, &new_dump)
            ),
        ));
    }
    errs
}

/// Scheduling gates can be removed, never added.
fn scheduling_gates(new: &[Value], old: &[Value]) -> Vec<FieldError> {
    new.iter()
        .filter(|g| !old.contains(g))
        .take(1)
        .map(|g| {
            let name = g.get("name").and_then(Value::as_str).unwrap_or("");
            FieldError::forbidden(
                "spec.schedulingGates",
                format!("only deletion is allowed, but found new scheduling gate '{name}'"),
            )
        })
        .collect()
}

fn only_added_tolerations(new: &[Value], old: &[Value]) -> Vec<FieldError> {
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(m) = t.as_object_mut() {
            m.remove("tolerationSeconds");
        }
        t
    };
    for o in old {
        if !new.iter().any(|n| strip(n) == strip(o)) {
            return vec![FieldError::forbidden(
                "spec.tolerations",
                "existing toleration can not be modified except its tolerationSeconds",
            )];
        }
    }
    Vec::new()
}
