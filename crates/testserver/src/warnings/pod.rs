//! Pods and pod templates (`pkg/api/pod/warnings.go` `GetWarningsForPod`,
//! `GetWarningsForPodTemplate`): deprecated node labels, annotations and volume plugins,
//! overlapping volume paths, duplicate host aliases, pull secrets, env names and ports,
//! fractional byte quantities, seccomp and AppArmor annotations without their fields, a
//! negative grace period, null label selectors; and the pod status strategy's IPs.

mod containers;
mod volumes;

use serde_json::Value;

use super::{child, has, items, node, str_at};
use crate::shared::quantity::Quantity;
use crate::validation::go_quote;

/// `deprecatedAnnotations`: key and message.
const DEPRECATED_ANNOTATIONS: &[(&str, &str)] = &[
    (
        "scheduler.alpha.kubernetes.io/critical-pod",
        "non-functional in v1.16+; use the \"priorityClassName\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/unsafe-sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
];

/// `api.SeccompPodAnnotationKey`.
const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";

/// `GetWarningsForPod`: a pod's warnings (paths from the object's root).
pub(crate) fn pod(pod: &Value) -> Vec<String> {
    spec_and_meta(None, pod.get("spec").unwrap_or(&Value::Null), pod)
}

/// `GetWarningsForPodTemplate` of the template at `path` (`spec.template`).
pub(crate) fn template(path: &str, template: Option<&Value>) -> Vec<String> {
    match template {
        Some(t) if t.is_object() => {
            spec_and_meta(Some(path), t.get("spec").unwrap_or(&Value::Null), t)
        }
        _ => Vec::new(),
    }
}

/// The pod status strategy's `WarningsOnUpdate`: non-standard `status.podIPs` and
/// `status.hostIPs`.
pub(crate) fn status(pod: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    for list in ["podIPs", "hostIPs"] {
        for (i, entry) in items(pod, &format!("/status/{list}")).iter().enumerate() {
            let path = format!("status.{list}[{i}].ip");
            warnings.extend(super::ip::ip(&path, str_at(entry, "/ip")));
        }
    }
    warnings
}

/// `warningsForPodSpecAndMeta`; `path` is `None` for a pod, the template's path otherwise;
/// `holder` carries the `metadata`.
fn spec_and_meta(path: Option<&str>, spec: &Value, holder: &Value) -> Vec<String> {
    let base = path.unwrap_or("");
    let spec_path = child(base, "spec");
    let annotations_path = child(base, "metadata.annotations");
    let annotations = holder.pointer("/metadata/annotations");
    let annotated = |key: &str| annotations.and_then(|a| a.get(key)).is_some();
    let mut warnings = node::node_selector(spec, &spec_path);
    warnings.extend(node_affinity(spec, &spec_path));
    for (i, constraint) in items(spec, "/topologySpreadConstraints").iter().enumerate() {
        let at = format!("{spec_path}.topologySpreadConstraints[{i}]");
        let key = str_at(constraint, "/topologyKey");
        if let Some(msg) = node::deprecated_label(key) {
            warnings.push(format!("{at}.topologyKey: {key} is {msg}"));
        }
        if !has(constraint, "labelSelector") {
            warnings.push(format!(
                "{at}.labelSelector: a null labelSelector results in matching no pod"
            ));
        }
    }
    for &(key, msg) in DEPRECATED_ANNOTATIONS {
        if annotated(key) {
            warnings.push(format!("{annotations_path}[{key}]: {msg}"));
        }
    }
    warnings.extend(volumes::deprecated(spec, &spec_path));
    warnings.extend(volumes::overlapping_paths(spec));
    warnings.extend(duplicates(spec, &spec_path, "hostAliases", "ip", "ip"));
    warnings.extend(duplicates(
        spec,
        &spec_path,
        "imagePullSecrets",
        "name",
        "name",
    ));
    for (i, secret) in items(spec, "/imagePullSecrets").iter().enumerate() {
        let name = str_at(secret, "/name");
        if name.is_empty() {
            warnings.push(format!(
                "{spec_path}.imagePullSecrets[{i}].name: invalid empty name {}",
                go_quote(name)
            ));
        }
    }
    for resource in ["memory", "ephemeral-storage"] {
        let at = format!("{spec_path}.overhead[{resource}]");
        warnings.extend(fractional_bytes(
            spec.pointer(&format!("/overhead/{resource}")),
            &at,
        ));
    }
    let security = spec.get("securityContext");
    let has_seccomp = security.is_some_and(|s| has(s, "seccompProfile"));
    if !has_seccomp && annotated(SECCOMP_POD) {
        warnings.push(format!(
            "{annotations_path}[{SECCOMP_POD}]: non-functional in v1.27+; use the \"seccompProfile\" field instead"
        ));
    }
    let pod_apparmor = security.is_some_and(|s| has(s, "appArmorProfile"));
    warnings.extend(containers::warnings(
        spec,
        &spec_path,
        &containers::Meta {
            annotations_path: &annotations_path,
            annotated: &annotated,
            template: path.is_some(),
            pod_apparmor,
        },
    ));
    warnings.extend(containers::ports(spec, &spec_path));
    if spec
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|s| s < 0)
    {
        warnings.push(format!(
            "{spec_path}.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"
        ));
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(affinity) = spec.pointer(&format!("/affinity/{kind}")) else {
            continue;
        };
        let at = format!("{spec_path}.affinity.{kind}");
        let required = "requiredDuringSchedulingIgnoredDuringExecution";
        for (i, term) in items(affinity, &format!("/{required}")).iter().enumerate() {
            if !has(term, "labelSelector") {
                warnings.push(format!(
                    "{at}.{required}[{i}].labelSelector: a null labelSelector results in matching no pod"
                ));
            }
        }
        let preferred = "preferredDuringSchedulingIgnoredDuringExecution";
        for (i, term) in items(affinity, &format!("/{preferred}")).iter().enumerate() {
            if !term
                .get("podAffinityTerm")
                .is_some_and(|t| has(t, "labelSelector"))
            {
                warnings.push(format!(
                    "{at}.{preferred}[{i}].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod"
                ));
            }
        }
    }
    warnings
}

/// Deprecated node labels in the required and preferred node affinity terms.
fn node_affinity(spec: &Value, spec_path: &str) -> Vec<String> {
    let Some(affinity) = spec.pointer("/affinity/nodeAffinity") else {
        return Vec::new();
    };
    let at = format!("{spec_path}.affinity.nodeAffinity");
    let mut warnings = Vec::new();
    let required = "/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms";
    for (i, term) in items(affinity, required).iter().enumerate() {
        let path =
            format!("{at}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]");
        warnings.extend(node::selector_term(term, &path));
    }
    let preferred = "preferredDuringSchedulingIgnoredDuringExecution";
    for (i, term) in items(affinity, &format!("/{preferred}")).iter().enumerate() {
        let path = format!("{at}.{preferred}[{i}].preference");
        let preference = term.get("preference").unwrap_or(&Value::Null);
        warnings.extend(node::selector_term(preference, &path));
    }
    warnings
}

/// Items of `spec[list]` whose `key` repeats an earlier one (only when the list has more
/// than one item, as Go checks): `<list>[i].<key>: duplicate <what> "<value>"`.
fn duplicates(spec: &Value, spec_path: &str, list: &str, key: &str, what: &str) -> Vec<String> {
    let entries = items(spec, &format!("/{list}"));
    if entries.len() < 2 {
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    let mut warnings = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let value = str_at(entry, &format!("/{key}"));
        if !seen.insert(value) {
            warnings.push(format!(
                "{spec_path}.{list}[{i}].{key}: duplicate {what} {}",
                go_quote(value)
            ));
        }
    }
    warnings
}

/// The fractional byte warning of a memory or storage quantity (`MilliValue() % 1000 != 0`),
/// shown in its canonical form (`value.String()`).
pub(crate) fn fractional_bytes(quantity: Option<&Value>, path: &str) -> Option<String> {
    let text = quantity?.as_str()?;
    let parsed = Quantity::parse(text)?;
    if parsed.is_whole() {
        return None;
    }
    let shown = Quantity::canonical(text).unwrap_or_else(|| text.to_owned());
    Some(format!(
        "{path}: fractional byte value {} is invalid, must be an integer",
        go_quote(&shown)
    ))
}

#[cfg(test)]
mod tests;
