//! The `pods/ephemeralcontainers` subresource (`podEphemeralContainersStrategy`, as
//! `kubectl debug` uses it): GET answers the pod; PUT and PATCH change only
//! `spec.ephemeralContainers`. Everything else the body says is replaced by the stored pod
//! (spec, status, labels, annotations, finalizers, owner references), the generation bumps
//! when the ephemeral containers change, and the new pod is validated in full before the
//! ephemeral-container update rules run. Conditional writes and conflicts behave as for every
//! other update.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::registry::strategy::{self, Checks};
use crate::validation::{FieldError, Invalid, NameRule, pod};

/// The subresource's name.
pub(super) const SUBRESOURCE: &str = "ephemeralcontainers";

/// The metadata `metav1.ResetObjectMetaForStatus` takes from the stored pod.
const RESET_METADATA: [&str; 6] = [
    "deletionTimestamp",
    "generation",
    "labels",
    "annotations",
    "finalizers",
    "ownerReferences",
];

/// `podEphemeralContainersStrategy.PrepareForUpdate`: the stored pod with the new ephemeral
/// containers (`dropNonEphemeralContainerUpdates`), then `updatePodGeneration`.
pub(super) fn prepare_update(new: &mut Value, old: &Value) {
    let ephemeral = new.pointer("/spec/ephemeralContainers").cloned();
    let mut spec = old
        .get("spec")
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default()));
    if let Some(spec) = spec.as_object_mut() {
        match ephemeral {
            Some(list) => spec.insert("ephemeralContainers".into(), list),
            None => spec.remove("ephemeralContainers"),
        };
    }
    if let Some(map) = new.as_object_mut() {
        map.insert("spec".into(), spec);
    }
    strategy::keep(new, old, "status");
    if let (Some(meta), Some(stored)) = (
        new.get_mut("metadata").and_then(Value::as_object_mut),
        old.get("metadata"),
    ) {
        for key in RESET_METADATA {
            match stored.get(key) {
                Some(v) => meta.insert(key.into(), v.clone()),
                None => meta.remove(key),
            };
        }
    }
    strategy::bump_generation_on_change(new, old, "spec");
}

/// `podEphemeralContainersStrategy.ValidateUpdate` after the generic store's common checks:
/// `validatePodMetadataAndSpec` of the new pod, then `ValidatePodEphemeralContainersUpdate`'s
/// own rules.
///
/// # Errors
/// [`Invalid`] (a 422 of the Pod) with every field error.
pub(super) fn validate_update(rt: &ResourceType, new: &Value, old: &Value) -> Result<(), Invalid> {
    let checks = Checks {
        rt,
        name_rule: NameRule::Subdomain,
    };
    let mut errs: Vec<FieldError> = checks.common(new, old);
    match pod::validate_ephemeral_update(new, old) {
        Ok(own) => {
            errs.extend(checks.object(new, pod::validate(new)));
            errs.extend(own);
        }
        Err(static_pod) => errs.push(static_pod),
    }
    checks.result(new, errs)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `dropNonEphemeralContainerUpdates`: only the ephemeral containers come from the body.
    #[test]
    fn only_ephemeral_containers_change() {
        let old = json!({"metadata": {"name": "p", "generation": 1, "labels": {"a": "1"}},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Running"}});
        let mut new = json!({"metadata": {"name": "p", "generation": 7, "labels": {"a": "2"},
                "annotations": {"x": "y"}},
            "spec": {"containers": [{"name": "app", "image": "httpd"}],
                "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]},
            "status": {"phase": "Failed"}});
        prepare_update(&mut new, &old);
        assert_eq!(
            new,
            json!({"metadata": {"name": "p", "generation": 2, "labels": {"a": "1"}},
                "spec": {"containers": [{"name": "app", "image": "nginx"}],
                    "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]},
                "status": {"phase": "Running"}})
        );
        // nothing new: the generation stays
        let mut same = old.clone();
        prepare_update(&mut same, &old);
        assert_eq!(same, old);
    }
}
