//! ConfigMap validation (`ValidateConfigMap`, `ValidateConfigMapUpdate`).

use serde_json::Value;

use super::{FieldError, names};

/// Maximum total size of `data` plus `binaryData` (1 MiB).
pub(crate) const MAX_SIZE: usize = 1024 * 1024;

/// `ValidateConfigMap` without the metadata: keys, duplicates across `data`/`binaryData`, size.
pub(crate) fn validate(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let data = obj.get("data").and_then(Value::as_object);
    let binary = obj.get("binaryData").and_then(Value::as_object);
    let mut total = 0;
    for (key, value) in data.into_iter().flatten() {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(
                format!("data[{key}]"),
                key.as_str(),
                msg,
            ));
        }
        if binary.is_some_and(|b| b.contains_key(key)) {
            errs.push(FieldError::invalid(
                format!("data[{key}]"),
                key.as_str(),
                "duplicate of key present in binaryData",
            ));
        }
        total += value.as_str().map_or(0, str::len);
    }
    for (key, value) in binary.into_iter().flatten() {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(
                format!("binaryData[{key}]"),
                key.as_str(),
                msg,
            ));
        }
        total += value.as_str().map_or(0, |s| s.len() / 4 * 3);
    }
    if total > MAX_SIZE {
        errs.push(FieldError::too_long("", MAX_SIZE));
    }
    errs
}

/// Immutable ConfigMaps: neither `immutable` nor the data may change.
pub(crate) fn validate_update(new: &Value, old: &Value) -> Vec<FieldError> {
    immutable_data(new, old, &["data", "binaryData"])
}

/// The rules shared by immutable ConfigMaps and Secrets.
pub(crate) fn immutable_data(new: &Value, old: &Value, keys: &[&str]) -> Vec<FieldError> {
    const DETAIL: &str = "field is immutable when `immutable` is set";
    let mut errs = Vec::new();
    if old.get("immutable").and_then(Value::as_bool) != Some(true) {
        return errs;
    }
    if new.get("immutable").and_then(Value::as_bool) != Some(true) {
        errs.push(FieldError::forbidden("immutable", DETAIL));
    }
    for key in keys {
        let norm = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
        if norm(new.get(*key)) != norm(old.get(*key)) {
            errs.push(FieldError::forbidden(*key, DETAIL));
        }
    }
    errs
}
