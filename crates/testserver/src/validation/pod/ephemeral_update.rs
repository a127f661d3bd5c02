//! What an `ephemeralcontainers` subresource write may change (the second part of
//! `ValidatePodEphemeralContainersUpdate`, kube-apiserver v1.36): ephemeral containers may be
//! added, never removed or changed, and a static (mirror) pod takes none. Containers are
//! matched by name, since a patch need not keep their order.

use std::collections::HashMap;

use serde_json::Value;

use super::{items, s};
use crate::validation::{FieldError, go_quote, godump};

/// The annotation the kubelet puts on the mirror of a static pod.
const MIRROR: &str = "kubernetes.io/config.mirror";

/// The update errors of the pod's ephemeral containers, `new` against `old`. A mirror pod is
/// refused with its own error alone (`static pods do not support ephemeral containers`),
/// as Go returns it in place of everything else the strategy found.
pub(crate) fn validate(new: &Value, old: &Value) -> Result<Vec<FieldError>, FieldError> {
    if old
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|a| a.contains_key(MIRROR))
    {
        return Err(FieldError::forbidden(
            "",
            "static pods do not support ephemeral containers",
        ));
    }
    let path = "spec.ephemeralContainers";
    let by_name: HashMap<&str, &Value> = items(new.pointer("/spec/ephemeralContainers"))
        .iter()
        .map(|c| (s(c, "name"), c))
        .collect();
    let mut errs = Vec::new();
    for was in items(old.pointer("/spec/ephemeralContainers")) {
        let name = s(was, "name");
        let Some(now) = by_name.get(name) else {
            errs.push(FieldError::forbidden(
                path,
                format!(
                    "existing ephemeral containers {} may not be removed\n",
                    go_quote(name)
                ),
            ));
            continue;
        };
        let (before, after) = (
            godump::dump(&EPHEMERAL_CONTAINER, was),
            godump::dump(&EPHEMERAL_CONTAINER, now),
        );
        if before != after {
            errs.push(FieldError::forbidden(
                path,
                format!(
                    "existing ephemeral containers {} may not be changed\n{}",
                    go_quote(name),
                    godump::unified_diff(&before, &after)
                ),
            ));
        }
    }
    Ok(errs)
}

/// The internal `EphemeralContainer`: the container fields (embedded), then the target.
static EPHEMERAL_CONTAINER: godump::Struct = godump::Struct {
    fields: &[
        godump::Field::embed(
            "EphemeralContainerCommon",
            godump::Ty::Struct(&godump::CONTAINER),
        ),
        godump::Field::new(
            "TargetContainerName",
            "targetContainerName",
            godump::Ty::Str,
        ),
    ],
};

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    fn pod(ephemeral: Value) -> Value {
        json!({"metadata": {"name": "p"}, "spec": {"ephemeralContainers": ephemeral}})
    }

    fn debugger(image: &str) -> Value {
        json!({"name": "debugger", "image": image, "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent", "targetContainerName": "app"})
    }

    /// `ValidatePodEphemeralContainersUpdate`: adding is allowed, in any order.
    #[test]
    fn containers_may_be_added() {
        let old = pod(json!([debugger("busybox")]));
        let mut other = debugger("alpine");
        other["name"] = json!("second");
        let new = pod(json!([other, debugger("busybox")]));
        assert!(validate(&new, &old).unwrap().is_empty());
        assert!(validate(&old, &pod(Value::Null)).unwrap().is_empty());
    }

    /// `ValidatePodEphemeralContainersUpdate`: removing or changing one is forbidden, the
    /// change shown as a diff of the internal structs.
    #[test]
    fn containers_may_not_be_removed_or_changed() {
        let old = pod(json!([debugger("busybox")]));
        assert_eq!(
            texts(validate(&pod(json!([])), &old).unwrap()),
            [
                "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be removed\n"
            ]
        );
        let changed = texts(validate(&pod(json!([debugger("alpine")])), &old).unwrap());
        assert_eq!(changed.len(), 1);
        assert!(
            changed[0].starts_with(
                "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debugger\" may not be changed\n@@ "
            ),
            "{}",
            changed[0]
        );
        assert!(
            changed[0].contains("- \"Image\": \"busybox\",\n+ \"Image\": \"alpine\",\n"),
            "{}",
            changed[0]
        );
    }

    /// `ValidatePodEphemeralContainersUpdate`: static pods take no ephemeral containers.
    #[test]
    fn static_pods_are_refused() {
        let mut old = pod(json!([]));
        old["metadata"]["annotations"] = json!({MIRROR: "abc"});
        let err = validate(&pod(json!([debugger("busybox")])), &old).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Forbidden: static pods do not support ephemeral containers"
        );
    }
}
