//! A Pod's own annotations and their agreement with its fields (kube-apiserver v1.36):
//! `ValidatePodSpecificAnnotations` (the mirror-pod node, the deletion cost, seccomp and
//! AppArmor annotations) and, on create, `validateSeccompAnnotationsAndFields` and
//! `validateAppArmorAnnotationsAndFieldsMatchOnCreate`. Go walks the annotations map in
//! random order; here container annotations come in key order.

use serde_json::{Map, Value};

use super::{items, s};
use crate::validation::FieldError;

const MIRROR: &str = "kubernetes.io/config.mirror";
const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";
const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER: &str = "container.apparmor.security.beta.kubernetes.io/";
const AT: &str = "metadata.annotations";

fn annotations(pod: &Value) -> Map<String, Value> {
    pod.pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// Every container with its path, in `VisitContainersWithPath`'s order.
fn containers(spec: &Value) -> Vec<(&Value, String)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|key| {
            items(spec.get(*key))
                .iter()
                .enumerate()
                .map(move |(i, c)| (c, format!("spec.{key}[{i}]")))
        })
        .collect()
}

/// `GetDeletionCostFromPodAnnotations` succeeds: a 32-bit integer without `+` or leading zeros.
fn valid_cost(value: &str) -> bool {
    let first_ok = match value.as_bytes().first() {
        None => false,
        Some(b'-') => true,
        Some(b'0') => value == "0",
        Some(b) => b.is_ascii_digit(),
    };
    first_ok && value.parse::<i32>().is_ok()
}

/// `ValidateSeccompProfile` of an annotation value.
fn seccomp_profile(profile: &str, at: &str) -> Vec<FieldError> {
    if matches!(profile, "runtime/default" | "docker/default" | "unconfined") {
        return Vec::new();
    }
    if let Some(local) = profile.strip_prefix("localhost/") {
        let mut errs = Vec::new();
        if local.starts_with('/') {
            errs.push(FieldError::invalid(at, local, "must be a relative path"));
        }
        if local.split('/').any(|p| p == "..") {
            errs.push(FieldError::invalid(at, local, "must not contain '..'"));
        }
        return errs;
    }
    vec![FieldError::invalid(
        at,
        profile,
        "must be a valid seccomp profile",
    )]
}

/// `ValidatePodSpecificAnnotations` of a Pod (reported under `metadata.annotations`).
pub(crate) fn pod_annotations(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let notes = annotations(pod);
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    let text = |k: &str| notes.get(k).and_then(Value::as_str);
    if let Some(value) = text(MIRROR)
        && s(spec, "nodeName").is_empty()
    {
        errs.push(FieldError::invalid(
            format!("{AT}[{MIRROR}]"),
            value,
            "must set spec.nodeName if mirror pod annotation is set",
        ));
    }
    if let Some(cost) = text(DELETION_COST)
        && !valid_cost(cost)
    {
        errs.push(FieldError::invalid(
            format!("{AT}[{DELETION_COST}]"),
            cost,
            "must be a 32bit integer",
        ));
    }
    if let Some(profile) = text(SECCOMP_POD) {
        errs.extend(seccomp_profile(profile, &format!("{AT}.{SECCOMP_POD}")));
    }
    let mut keys: Vec<&String> = notes.keys().collect();
    keys.sort();
    for key in &keys {
        if key.starts_with(SECCOMP_CONTAINER) {
            let profile = text(key).unwrap_or("");
            errs.extend(seccomp_profile(profile, &format!("{AT}.{key}")));
        }
    }
    let names: Vec<&str> = containers(spec).iter().map(|(c, _)| s(c, "name")).collect();
    for key in &keys {
        let Some(container) = key.strip_prefix(APPARMOR_CONTAINER) else {
            continue;
        };
        let at = format!("{AT}[{key}]");
        if !names.contains(&container) {
            errs.push(FieldError::invalid(
                at.as_str(),
                container,
                "container not found",
            ));
        }
        let profile = text(key).unwrap_or("");
        if !(matches!(profile, "" | "runtime/default" | "unconfined")
            || profile.starts_with("localhost/"))
        {
            errs.push(FieldError::invalid(
                at,
                profile,
                format!(
                    "invalid AppArmor profile name: {}",
                    crate::validation::go_quote(profile)
                ),
            ));
        }
    }
    errs
}

/// `validateSeccompAnnotationsAndFieldsMatch` of `annotation` and the profile `field` at `at`.
fn seccomp_match(annotation: &str, field: &Value, at: &str) -> Option<FieldError> {
    let type_error = || {
        FieldError::forbidden(
            format!("{at}.type"),
            "seccomp type in annotation and field must match",
        )
    };
    match s(field, "type") {
        "Unconfined" if annotation != "unconfined" => Some(type_error()),
        "RuntimeDefault" if !matches!(annotation, "runtime/default" | "docker/default") => {
            Some(type_error())
        }
        "Localhost" => match annotation.strip_prefix("localhost/") {
            None => Some(type_error()),
            Some(local) if field.get("localhostProfile").and_then(Value::as_str) != Some(local) => {
                Some(FieldError::forbidden(
                    format!("{at}.localhostProfile"),
                    "seccomp profile in annotation and field must match",
                ))
            }
            Some(_) => None,
        },
        _ => None,
    }
}

/// The AppArmor annotation and the container's effective profile disagree.
fn app_armor_match(annotation: &str, profile: &Value, at: &str) -> Option<FieldError> {
    let type_error = || {
        FieldError::forbidden(
            format!("{at}.type"),
            "apparmor type in annotation and field must match",
        )
    };
    match s(profile, "type") {
        "Unconfined" if annotation != "unconfined" => Some(type_error()),
        "RuntimeDefault" if annotation != "runtime/default" => Some(type_error()),
        "Localhost" => match annotation.strip_prefix("localhost/") {
            None => Some(type_error()),
            Some(local)
                if profile.get("localhostProfile").and_then(Value::as_str) != Some(local) =>
            {
                Some(FieldError::forbidden(
                    format!("{at}.localhostProfile"),
                    "apparmor profile in annotation and field must match",
                ))
            }
            Some(_) => None,
        },
        _ => None,
    }
}

/// `validateSeccompAnnotationsAndFields` then `validateAppArmorAnnotationsAndFieldsMatchOnCreate`
/// of a new Pod.
pub(crate) fn fields_match_on_create(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let notes = annotations(pod);
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    let present = |v: &Value, ptr: &str| v.pointer(ptr).filter(|x| x.is_object()).cloned();
    if let (Some(field), Some(annotation)) = (
        present(spec, "/securityContext/seccompProfile"),
        notes.get(SECCOMP_POD).and_then(Value::as_str),
    ) {
        errs.extend(seccomp_match(
            annotation,
            &field,
            "spec.securityContext.seccompProfile",
        ));
    }
    for (c, at) in containers(spec) {
        let key = format!("{SECCOMP_CONTAINER}{}", s(c, "name"));
        if let (Some(field), Some(annotation)) = (
            present(c, "/securityContext/seccompProfile"),
            notes.get(&key).and_then(Value::as_str),
        ) {
            errs.extend(seccomp_match(
                annotation,
                &field,
                &format!("{at}.securityContext.seccompProfile"),
            ));
        }
    }
    if spec.pointer("/os/name").and_then(Value::as_str) == Some("windows") {
        return errs;
    }
    let pod_profile = present(spec, "/securityContext/appArmorProfile");
    for (c, at) in containers(spec) {
        let Some(profile) = present(c, "/securityContext/appArmorProfile").or(pod_profile.clone())
        else {
            continue;
        };
        let key = format!("{APPARMOR_CONTAINER}{}", s(c, "name"));
        if let Some(annotation) = notes.get(&key).and_then(Value::as_str) {
            errs.extend(app_armor_match(
                annotation,
                &profile,
                &format!("{at}.securityContext.appArmorProfile"),
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    /// `ValidatePodSpecificAnnotations`: mirror pods name their node, a 32-bit deletion cost,
    /// `ValidateSeccompPodAnnotations`, `ValidateAppArmorPodAnnotations`.
    #[test]
    fn pod_specific_annotations() {
        let pod = json!({"metadata": {"annotations": {
            MIRROR: "x",
            DELETION_COST: "+5",
            SECCOMP_POD: "custom",
            "container.seccomp.security.alpha.kubernetes.io/app": "localhost/../p",
            "container.apparmor.security.beta.kubernetes.io/gone": "enforce",
        }}, "spec": {"containers": [{"name": "app"}]}});
        assert_eq!(
            texts(pod_annotations(&pod)),
            [
                "metadata.annotations[kubernetes.io/config.mirror]: Invalid value: \"x\": must set spec.nodeName if mirror pod annotation is set",
                "metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: \"+5\": must be a 32bit integer",
                "metadata.annotations.seccomp.security.alpha.kubernetes.io/pod: Invalid value: \"custom\": must be a valid seccomp profile",
                "metadata.annotations.container.seccomp.security.alpha.kubernetes.io/app: Invalid value: \"../p\": must not contain '..'",
                "metadata.annotations[container.apparmor.security.beta.kubernetes.io/gone]: Invalid value: \"gone\": container not found",
                "metadata.annotations[container.apparmor.security.beta.kubernetes.io/gone]: Invalid value: \"enforce\": invalid AppArmor profile name: \"enforce\"",
            ]
        );
        let fine = json!({"metadata": {"annotations": {DELETION_COST: "-10",
            "container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}},
            "spec": {"containers": [{"name": "app"}]}});
        assert!(pod_annotations(&fine).is_empty());
        assert!(!valid_cost("007") && !valid_cost("2147483648") && valid_cost("0"));
    }

    /// `validateSeccompAnnotationsAndFields`, `validateAppArmorAnnotationsAndFieldsMatchOnCreate`
    /// (the pod's AppArmor profile stands for containers without their own).
    #[test]
    fn annotations_and_fields_agree() {
        let pod = json!({"metadata": {"annotations": {
            SECCOMP_POD: "runtime/default",
            "container.seccomp.security.alpha.kubernetes.io/app": "localhost/a",
            "container.apparmor.security.beta.kubernetes.io/app": "runtime/default",
        }}, "spec": {
            "securityContext": {"seccompProfile": {"type": "Unconfined"},
                "appArmorProfile": {"type": "Unconfined"}},
            "containers": [{"name": "app", "securityContext": {
                "seccompProfile": {"type": "Localhost", "localhostProfile": "b"}}}]}});
        assert_eq!(
            texts(fields_match_on_create(&pod)),
            [
                "spec.securityContext.seccompProfile.type: Forbidden: seccomp type in annotation and field must match",
                "spec.containers[0].securityContext.seccompProfile.localhostProfile: Forbidden: seccomp profile in annotation and field must match",
                "spec.containers[0].securityContext.appArmorProfile.type: Forbidden: apparmor type in annotation and field must match",
            ]
        );
    }
}
