//! A container's `env` and `envFrom` (`ValidateEnv`, `ValidateEnvFrom` and the selectors they
//! call), as kube-apiserver checks them with v1.36's default gates: relaxed variable names
//! (`RelaxedEnvironmentVariableValidation`, GA) and hugepages in `resourceFieldRef`.

use serde_json::Value;

use crate::shared::quantity::Quantity;
use crate::validation::{FieldError, names};

use super::{items, s};

const RELAXED_NAME_MSG: &str = "a valid environment variable name must consist only of printable ASCII characters other than '='";

/// `validEnvDownwardAPIFieldPathExpressions`, sorted as `sets.List` gives them.
const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

/// `validContainerResourceFieldPathExpressions`, sorted.
const RESOURCE_FIELD_PATHS: [&str; 6] = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// The labels `ConvertDownwardAPIFieldLabel` accepts for `v1` (besides `spec.host`).
const DOWNWARD_LABELS: [&str; 14] = [
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.serviceAccountName",
    "spec.schedulerName",
    "status.phase",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

const BYTE_DIVISORS: [&str; 13] = [
    "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
];
const BYTE_DIVISORS_MSG: &str = "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the";

fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `IsRelaxedEnvVarName` of a non-empty name.
fn relaxed_name(value: &str) -> Option<&'static str> {
    value
        .chars()
        .any(|c| !(' '..='~').contains(&c) || c == '=')
        .then_some(RELAXED_NAME_MSG)
}

/// `ValidateEnv` of the container's `env`, under `{path}.env`.
pub(crate) fn env(c: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, ev) in items(c.get("env")).iter().enumerate() {
        let at = format!("{path}.env[{i}]");
        let name = s(ev, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else if let Some(msg) = relaxed_name(name) {
            errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
        }
        if let Some(from) = present(ev, "valueFrom") {
            errs.extend(value_from(from, s(ev, "value"), &format!("{at}.valueFrom")));
        }
    }
    errs
}

/// `validateEnvVarValueFrom`.
fn value_from(from: &Value, value: &str, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut sources = 0;
    if let Some(fs) = present(from, "fieldRef") {
        sources += 1;
        errs.extend(object_field_selector(
            fs,
            &format!("{at}.fieldRef"),
            &ENV_FIELD_PATHS,
        ));
    }
    if let Some(fs) = present(from, "resourceFieldRef") {
        sources += 1;
        errs.extend(resource_field_selector(
            fs,
            &format!("{at}.resourceFieldRef"),
            false,
        ));
    }
    for key in ["configMapKeyRef", "secretKeyRef"] {
        if let Some(sel) = present(from, key) {
            sources += 1;
            errs.extend(key_selector(sel, &format!("{at}.{key}")));
        }
    }
    if sources == 0 {
        errs.push(FieldError::invalid(
            at,
            "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        ));
    } else if !value.is_empty() {
        errs.push(FieldError::invalid(
            at,
            "",
            "may not be specified when `value` is not empty",
        ));
    } else if sources > 1 {
        errs.push(FieldError::invalid(
            at,
            "",
            "may not have more than one field specified at a time",
        ));
    }
    errs
}

/// `fieldpath.SplitMaybeSubscriptedPath`: `path['subscript']`.
fn split_subscript(field_path: &str) -> Option<(&str, &str)> {
    let inner = field_path.strip_suffix("']")?;
    let (path, sub) = inner.split_once("['")?;
    (!path.is_empty()).then_some((path, sub))
}

/// `podshelper.ConvertDownwardAPIFieldLabel` for `apiVersion` `version`.
fn convert_label(version: &str, label: &str) -> Result<String, String> {
    if version != "v1" {
        return Err(format!("unsupported pod version: {version}"));
    }
    if let Some((path, _)) = split_subscript(label) {
        return if matches!(path, "metadata.annotations" | "metadata.labels") {
            Ok(label.to_owned())
        } else {
            Err(format!("field label does not support subscript: {label}"))
        };
    }
    if label == "spec.host" {
        return Ok("spec.nodeName".to_owned());
    }
    if DOWNWARD_LABELS.contains(&label) {
        Ok(label.to_owned())
    } else {
        Err(format!("field label not supported: {label}"))
    }
}

/// `validateObjectFieldSelector` with `expressions` (sorted): the env var ones, or a downward
/// API volume file's.
pub(super) fn object_field_selector(fs: &Value, at: &str, expressions: &[&str]) -> Vec<FieldError> {
    let version = s(fs, "apiVersion");
    if version.is_empty() {
        return vec![FieldError::required(format!("{at}.apiVersion"), "")];
    }
    let field_path = s(fs, "fieldPath");
    if field_path.is_empty() {
        return vec![FieldError::required(format!("{at}.fieldPath"), "")];
    }
    let internal = match convert_label(version, field_path) {
        Ok(p) => p,
        Err(e) => {
            return vec![FieldError::invalid(
                format!("{at}.fieldPath"),
                field_path,
                format!("error converting fieldPath: {e}"),
            )];
        }
    };
    let mut errs = Vec::new();
    if let Some((path, sub)) = split_subscript(&internal) {
        let key = match path {
            "metadata.annotations" => Some(sub.to_lowercase()),
            "metadata.labels" => Some(sub.to_owned()),
            _ => None,
        };
        match key {
            Some(key) => {
                for msg in names::qualified_name(&key) {
                    errs.push(FieldError::invalid(at, key.as_str(), msg));
                }
            }
            None => errs.push(FieldError::invalid(at, path, "does not support subscript")),
        }
    } else if !expressions.contains(&internal.as_str()) {
        errs.push(FieldError::not_supported(
            format!("{at}.fieldPath"),
            internal.as_str(),
            expressions,
        ));
    }
    errs
}

/// `validateContainerResourceFieldSelector` (a volume file's must name its container) and
/// `validateContainerResourceDivisor`.
pub(super) fn resource_field_selector(fs: &Value, at: &str, volume: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let resource = s(fs, "resource");
    if volume && s(fs, "containerName").is_empty() {
        errs.push(FieldError::required(format!("{at}.containerName"), ""));
    } else if resource.is_empty() {
        errs.push(FieldError::required(format!("{at}.resource"), ""));
    } else if !RESOURCE_FIELD_PATHS.contains(&resource)
        && !resource.starts_with("limits.hugepages-")
        && !resource.starts_with("requests.hugepages-")
    {
        errs.push(FieldError::not_supported(
            format!("{at}.resource"),
            resource,
            &RESOURCE_FIELD_PATHS,
        ));
    }
    let divisor = match fs.get("divisor") {
        Some(Value::String(text)) => Quantity::canonical(text),
        Some(Value::Number(n)) => Quantity::canonical(&n.to_string()),
        _ => None,
    };
    let Some(divisor) = divisor.filter(|d| d != "0") else {
        return errs;
    };
    let at = format!("{at}.divisor");
    let bytes = BYTE_DIVISORS.contains(&divisor.as_str());
    match resource {
        "limits.cpu" | "requests.cpu" if !matches!(divisor.as_str(), "1m" | "1") => {
            errs.push(FieldError::invalid(
                at.clone(),
                resource,
                "only divisor's values 1m and 1 are supported with the cpu resource",
            ));
        }
        "limits.memory" | "requests.memory" if !bytes => {
            errs.push(FieldError::invalid(
                at.clone(),
                resource,
                format!("{BYTE_DIVISORS_MSG} memory resource"),
            ));
        }
        "limits.ephemeral-storage" | "requests.ephemeral-storage" if !bytes => {
            errs.push(FieldError::invalid(
                at.clone(),
                resource,
                format!("{BYTE_DIVISORS_MSG} local ephemeral storage resource"),
            ));
        }
        _ => {}
    }
    if (resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-"))
        && !bytes
    {
        errs.push(FieldError::invalid(
            at,
            resource,
            format!("{BYTE_DIVISORS_MSG} hugepages resource"),
        ));
    }
    errs
}

/// `validateConfigMapKeySelector` / `validateSecretKeySelector` (identical rules).
fn key_selector(sel: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = s(sel, "name");
    for msg in names::dns1123_subdomain(name) {
        errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
    }
    let key = s(sel, "key");
    if key.is_empty() {
        errs.push(FieldError::required(format!("{at}.key"), ""));
    } else {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(format!("{at}.key"), key, msg));
        }
    }
    errs
}

/// `NameIsDNSSubdomain(name, true)`: a trailing `-` is allowed (a generateName prefix).
fn prefix_subdomain(name: &str) -> Vec<String> {
    match name.strip_suffix('-') {
        Some(head) if !head.is_empty() => names::dns1123_subdomain(&format!("{head}a")),
        _ => names::dns1123_subdomain(name),
    }
}

/// `ValidateEnvFrom` of the container's `envFrom`, under `{path}.envFrom`.
pub(crate) fn env_from(c: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let list_path = format!("{path}.envFrom");
    for (i, ev) in items(c.get("envFrom")).iter().enumerate() {
        let at = format!("{list_path}[{i}]");
        let prefix = s(ev, "prefix");
        if let Some(msg) = relaxed_name(prefix) {
            errs.push(FieldError::invalid(format!("{at}.prefix"), prefix, msg));
        }
        let mut sources = 0;
        for key in ["configMapRef", "secretRef"] {
            let Some(src) = present(ev, key) else {
                continue;
            };
            sources += 1;
            let name = s(src, "name");
            if name.is_empty() {
                errs.push(FieldError::required(format!("{at}.{key}.name"), ""));
            } else {
                for msg in prefix_subdomain(name) {
                    errs.push(FieldError::invalid(format!("{at}.{key}.name"), name, msg));
                }
            }
        }
        if sources == 0 {
            errs.push(FieldError::invalid(
                list_path.as_str(),
                "",
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if sources > 1 {
            errs.push(FieldError::invalid(
                list_path.as_str(),
                "",
                "may not have more than one field specified at a time",
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests;
