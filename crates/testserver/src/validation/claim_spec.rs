//! `ValidatePersistentVolumeClaimSpec` of `pkg/apis/core/validation`, for a claim's `spec` and
//! for the claims a StatefulSet's `volumeClaimTemplates` stamp out (with the options of a new
//! claim: `VolumeAttributesClass` on, label selector values checked strictly).

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, names, resources, selector};
use crate::shared::quantity::Quantity;

/// The access modes (`supportedAccessModes`, sorted as `sets.List` sorts them).
pub(crate) const ACCESS_MODES: [&str; 4] = [
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// The volume modes (`supportedVolumeModes`).
pub(crate) const VOLUME_MODES: [&str; 2] = ["Block", "Filesystem"];

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `ValidateClassName` (a DNS subdomain) of a class name at `path`, when set.
fn class_name(spec: &Value, key: &str, path: &str) -> Vec<FieldError> {
    let name = text(spec, key);
    names::dns1123_subdomain(name)
        .into_iter()
        .filter(|_| !name.is_empty())
        .map(|m| FieldError::invalid(format!("{path}.{key}"), name, m))
        .collect()
}

/// `validateDataSource` / `validateDataSourceRef` (`namespaced`: the ref's namespace).
fn data_source(source: &Value, path: &str, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["name", "kind"] {
        if text(source, key).is_empty() {
            errs.push(FieldError::required(format!("{path}.{key}"), ""));
        }
    }
    let group = text(source, "apiGroup");
    let kind = text(source, "kind");
    if group.is_empty() && kind != "PersistentVolumeClaim" {
        errs.push(FieldError::invalid(
            path,
            kind,
            "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
        ));
    }
    for msg in names::dns1123_subdomain(group)
        .into_iter()
        .filter(|_| !group.is_empty())
    {
        errs.push(FieldError::invalid(format!("{path}.apiGroup"), group, msg));
    }
    let namespace = text(source, "namespace");
    if namespaced && !namespace.is_empty() {
        for msg in names::dns1123_label(namespace) {
            errs.push(FieldError::invalid(
                format!("{path}.namespace"),
                namespace,
                msg,
            ));
        }
    }
    errs
}

/// `ValidatePersistentVolumeClaimSpec` of the claim spec `spec` at `path` (`spec`, or
/// `spec.volumeClaimTemplates[i].spec`).
pub(crate) fn claim_spec(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let modes: Vec<&str> = spec
        .get("accessModes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| m.as_str().unwrap_or(""))
        .collect();
    let modes_path = format!("{path}.accessModes");
    if modes.is_empty() {
        errs.push(FieldError::required(
            modes_path.as_str(),
            "at least 1 access mode is required",
        ));
    }
    errs.extend(selector::label_selector(
        spec.get("selector"),
        &format!("{path}.selector"),
    ));
    for mode in &modes {
        if !ACCESS_MODES.contains(mode) {
            errs.push(FieldError::not_supported(
                modes_path.as_str(),
                *mode,
                &ACCESS_MODES,
            ));
        }
    }
    let once_pod = modes.contains(&"ReadWriteOncePod");
    let others = modes
        .iter()
        .any(|m| *m != "ReadWriteOncePod" && ACCESS_MODES.contains(m));
    if once_pod && others {
        errs.push(FieldError::forbidden(
            modes_path,
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
    let storage_path = format!("{path}.resources[storage]");
    match spec.pointer("/resources/requests/storage") {
        None => errs.push(FieldError::required(storage_path, "")),
        Some(v) => match resources::quantity(v) {
            Some(q) if q <= Quantity::ZERO => errs.push(FieldError::invalid(
                storage_path,
                v.as_str().unwrap_or(""),
                "must be greater than zero",
            )),
            _ => errs.extend(resources::amount("storage", &storage_path, v)),
        },
    }
    errs.extend(class_name(spec, "storageClassName", path));
    if let Some(mode) = spec.get("volumeMode").and_then(Value::as_str)
        && !VOLUME_MODES.contains(&mode)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.volumeMode"),
            mode,
            &VOLUME_MODES,
        ));
    }
    let source = spec.get("dataSource").filter(|s| s.is_object());
    let source_ref = spec.get("dataSourceRef").filter(|s| s.is_object());
    if let Some(s) = source {
        errs.extend(data_source(s, &format!("{path}.dataSource"), false));
    }
    if let Some(r) = source_ref {
        errs.extend(data_source(r, &format!("{path}.dataSourceRef"), true));
    }
    // upstream passes a `*field.Path` as the value, which Go's JSON prints as `{}`
    let empty = || BadValue::Raw("{}".into());
    match (source, source_ref) {
        (Some(_), Some(r)) if !text(r, "namespace").is_empty() => errs.push(FieldError::invalid(
            path,
            empty(),
            "may not be specified when dataSourceRef.namespace is specified",
        )),
        (Some(s), Some(r))
            if text(r, "namespace").is_empty()
                && ["apiGroup", "kind", "name"]
                    .iter()
                    .any(|k| s.get(*k) != r.get(*k)) =>
        {
            errs.push(FieldError::invalid(
                path,
                empty(),
                "must match dataSourceRef",
            ));
        }
        _ => {}
    }
    errs.extend(class_name(spec, "volumeAttributesClassName", path));
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `ValidatePersistentVolumeClaimSpec`: access modes, storage request, class names, data
    /// sources.
    #[test]
    fn claim_specs() {
        let good = json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
            "storageClassName": "fast", "volumeMode": "Filesystem"});
        assert!(claim_spec(&good, "spec").is_empty());
        assert_eq!(
            texts(claim_spec(&json!({"resources": {}}), "s")),
            [
                "s.accessModes: Required value: at least 1 access mode is required",
                "s.resources[storage]: Required value",
            ]
        );
        let bad = json!({"accessModes": ["ReadWriteOncePod", "ReadWriteOnce", "Sometimes"],
            "resources": {"requests": {"storage": "0"}}, "storageClassName": "Fast",
            "dataSource": {"kind": "Snapshot", "name": "a"},
            "dataSourceRef": {"kind": "Snapshot", "name": "b", "apiGroup": "x.io"}});
        assert_eq!(
            texts(claim_spec(&bad, "s")),
            [
                "s.accessModes: Unsupported value: \"Sometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "s.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
                "s.resources[storage]: Invalid value: \"0\": must be greater than zero",
                "s.storageClassName: Invalid value: \"Fast\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "s.dataSource: Invalid value: \"Snapshot\": must be 'PersistentVolumeClaim' when referencing the default apiGroup",
                "s: Invalid value: {}: must match dataSourceRef",
            ]
        );
    }
}
