//! Ephemeral containers (`validateEphemeralContainers`, kube-apiserver v1.36): the common
//! container checks, no whitespace around the image, names unique across every kind of
//! container, a target container that is a regular or init container, only the fields a
//! debugging container may have, and no `subPath`/`subPathExpr` mounts. Errors come per
//! container in that order, as Go appends them.

use std::collections::HashSet;

use serde_json::Value;

use super::{Ctx, container_common, image_whitespace, items, s};
use crate::validation::FieldError;

/// What an ephemeral container may not have (`allowedEphemeralContainerFields` false or
/// absent), in the declaration order of `EphemeralContainerCommon`, which Go's allow-list
/// walk follows.
const NOT_ALLOWED: [&str; 9] = [
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
];

const NOT_FOR_EPHEMERAL: &str = "cannot be set for an Ephemeral Container";

/// `validateEphemeralContainers` of `spec.ephemeralContainers`, reported under
/// `{path}.ephemeralContainers`, against the pod's volumes and claims in `ctx`.
pub(super) fn ephemeral_containers(spec: &Value, path: &str, ctx: Ctx<'_>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let list = items(spec.get("ephemeralContainers"));
    if list.is_empty() {
        return errs;
    }
    let others: HashSet<&str> = ["containers", "initContainers"]
        .iter()
        .flat_map(|key| items(spec.get(*key)))
        .map(|c| s(c, "name"))
        .collect();
    let mut all = others.clone();
    for (i, ec) in list.iter().enumerate() {
        let at = format!("{path}.ephemeralContainers[{i}]");
        errs.extend(container_common(ec, &at, ctx));
        errs.extend(image_whitespace(ec, &at));
        let name = s(ec, "name");
        if !all.insert(name) {
            errs.push(FieldError::duplicate(format!("{at}.name"), name));
        }
        let target = s(ec, "targetContainerName");
        if !target.is_empty() && !others.contains(target) {
            errs.push(FieldError::not_found(
                format!("{at}.targetContainerName"),
                target,
            ));
        }
        for key in NOT_ALLOWED {
            if is_set(ec, key) {
                errs.push(FieldError::forbidden(
                    format!("{at}.{key}"),
                    NOT_FOR_EPHEMERAL,
                ));
            }
        }
        for (m, mount) in items(ec.get("volumeMounts")).iter().enumerate() {
            for key in ["subPath", "subPathExpr"] {
                if !s(mount, key).is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{at}.volumeMounts[{m}].{key}"),
                        NOT_FOR_EPHEMERAL,
                    ));
                }
            }
        }
    }
    errs
}

/// Whether the internal field behind `key` differs from its zero value: any non-null list or
/// pointer (an empty list decodes to a non-nil slice), and `resources` (a struct value) when
/// one of its fields is set.
fn is_set(ec: &Value, key: &str) -> bool {
    match ec.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Object(fields)) if key == "resources" => fields.values().any(|v| !v.is_null()),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    fn errs(spec: Value) -> Vec<String> {
        let volumes = super::super::volume_list::Volumes::from([("data".to_owned(), "emptyDir")]);
        let claims = std::collections::BTreeSet::new();
        let ctx = Ctx {
            volumes: &volumes,
            claims: &claims,
        };
        texts(ephemeral_containers(&spec, "spec", ctx))
    }

    fn debug(extra: Value) -> Value {
        let mut ec = json!({"name": "debugger", "image": "busybox",
            "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"});
        if let (Some(ec), Some(extra)) = (ec.as_object_mut(), extra.as_object()) {
            ec.extend(extra.clone());
        }
        json!({"containers": [{"name": "app"}], "initContainers": [{"name": "init"}],
            "ephemeralContainers": [ec]})
    }

    /// `validateEphemeralContainers`: a well-formed debugging container targeting a regular
    /// container passes.
    #[test]
    fn a_debugging_container_is_accepted() {
        assert!(
            errs(debug(
                json!({"targetContainerName": "app", "stdin": true, "tty": true,
            "volumeMounts": [{"name": "data", "mountPath": "/data"}]})
            ))
            .is_empty()
        );
        assert!(errs(json!({"containers": [{"name": "app"}]})).is_empty());
    }

    /// `validateEphemeralContainers`: names are unique across all containers; the target
    /// must be a regular or init container.
    #[test]
    fn names_and_targets() {
        assert_eq!(
            errs(debug(
                json!({"name": "init", "targetContainerName": "debugger"})
            )),
            [
                "spec.ephemeralContainers[0].name: Duplicate value: \"init\"",
                "spec.ephemeralContainers[0].targetContainerName: Not found: \"debugger\"",
            ]
        );
        let mut two = debug(json!({}));
        let first = two["ephemeralContainers"][0].clone();
        two["ephemeralContainers"]
            .as_array_mut()
            .unwrap()
            .push(first);
        assert_eq!(
            errs(two),
            ["spec.ephemeralContainers[1].name: Duplicate value: \"debugger\""]
        );
    }

    /// `validateFieldAllowList` with `allowedEphemeralContainerFields`, then the forbidden
    /// sub-paths, after the common checks and `validateContainerOnlyForPod`.
    #[test]
    fn fields_a_debugging_container_may_not_have() {
        assert_eq!(
            errs(debug(json!({"image": " busybox",
                "ports": [], "resources": {"limits": {"cpu": "1"}}, "restartPolicy": "Always",
                "readinessProbe": {}, "lifecycle": {},
                "volumeMounts": [{"name": "data", "mountPath": "/d", "subPath": "x",
                    "subPathExpr": "$(Y)"}]}))),
            [
                "spec.ephemeralContainers[0].volumeMounts[0].subPathExpr: Invalid value: \"$(Y)\": subPathExpr and subPath are mutually exclusive",
                "spec.ephemeralContainers[0].image: Invalid value: \" busybox\": must not have leading or trailing whitespace",
                "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
                "spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container",
                "spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container",
                "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
                "spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container",
                "spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container",
                "spec.ephemeralContainers[0].volumeMounts[0].subPathExpr: Forbidden: cannot be set for an Ephemeral Container",
            ]
        );
        // an empty resources struct is the zero value
        assert!(errs(debug(json!({"resources": {}}))).is_empty());
    }

    /// `validateContainerCommon` runs for ephemeral containers too (required name and image,
    /// unknown volumes).
    #[test]
    fn common_container_checks() {
        assert_eq!(
            errs(debug(json!({"name": "", "image": "",
                "volumeMounts": [{"name": "nope", "mountPath": "/n"}]}))),
            [
                "spec.ephemeralContainers[0].name: Required value",
                "spec.ephemeralContainers[0].image: Required value",
                "spec.ephemeralContainers[0].volumeMounts[0].name: Not found: \"nope\"",
            ]
        );
    }
}
