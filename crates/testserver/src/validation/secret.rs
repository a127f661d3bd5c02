//! Secret validation (`ValidateSecret`, `ValidateSecretUpdate`): keys, size, typed secrets.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::configmap::{MAX_SIZE, immutable_data};
use super::{FieldError, names};

fn has(data: Option<&Map<String, Value>>, key: &str) -> bool {
    data.is_some_and(|d| d.contains_key(key))
}

fn decoded(data: Option<&Map<String, Value>>, key: &str) -> Option<Vec<u8>> {
    data?
        .get(key)?
        .as_str()
        .and_then(|s| STANDARD.decode(s).ok())
}

/// Go's `json.Unmarshal` error text for the first problem of `bytes` as a JSON object (the
/// common cases: a bad first character, a broken literal, a non-object, a truncated document).
fn json_error(bytes: &[u8]) -> Option<String> {
    let err = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(_)) => return None,
        Ok(v) => {
            let what = match v {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                Value::Bool(_) => "bool",
                _ => return None,
            };
            return Some(format!(
                "json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
            ));
        }
        Err(e) => e,
    };
    if err.is_eof() {
        return Some("unexpected end of JSON input".to_owned());
    }
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim_start();
    let quote = |c: char| {
        if c == '\'' {
            "'\\''".to_owned()
        } else {
            format!("'{c}'")
        }
    };
    if let Some(first) = trimmed.chars().next() {
        for literal in ["true", "false", "null"] {
            if literal.starts_with(first) && !trimmed.starts_with(literal) {
                let (i, bad) = trimmed
                    .chars()
                    .zip(literal.chars())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                    .map(|(i, (a, _))| (i, a))?;
                let expecting = literal.chars().nth(i)?;
                return Some(format!(
                    "invalid character {} in literal {literal} (expecting {})",
                    quote(bad),
                    quote(expecting)
                ));
            }
        }
        if !matches!(first, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n') {
            return Some(format!(
                "invalid character {} looking for beginning of value",
                quote(first)
            ));
        }
    }
    let offset = text_offset(bytes, err.line(), err.column());
    let c = bytes.get(offset).map_or(' ', |b| char::from(*b));
    Some(format!(
        "invalid character {} looking for beginning of value",
        quote(c)
    ))
}

fn text_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut current = 1;
    for (i, b) in bytes.iter().enumerate() {
        if current == line {
            return (i + column).saturating_sub(1);
        }
        if *b == b'\n' {
            current += 1;
        }
    }
    bytes.len()
}

/// `ValidateSecret` without the metadata: keys, size and the typed-secret payloads.
pub(crate) fn validate(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let data = obj.get("data").and_then(Value::as_object);
    let mut total = 0;
    for (key, value) in data.into_iter().flatten() {
        for msg in names::config_map_key(key) {
            errs.push(FieldError::invalid(
                format!("data[{key}]"),
                key.as_str(),
                msg,
            ));
        }
        total += value.as_str().map_or(0, |s| s.len() / 4 * 3);
    }
    if total > MAX_SIZE {
        errs.push(FieldError::too_long("data", MAX_SIZE));
    }
    let key = |k: &str| format!("data[{k}]");
    match obj.get("type").and_then(Value::as_str).unwrap_or("") {
        "kubernetes.io/service-account-token" => {
            let annotation = obj
                .pointer("/metadata/annotations/kubernetes.io~1service-account.name")
                .and_then(Value::as_str)
                .unwrap_or("");
            if annotation.is_empty() {
                errs.push(FieldError::required(
                    "metadata.annotations[kubernetes.io/service-account.name]",
                    "",
                ));
            }
        }
        t @ ("kubernetes.io/dockercfg" | "kubernetes.io/dockerconfigjson") => {
            let k = if t == "kubernetes.io/dockercfg" {
                ".dockercfg"
            } else {
                ".dockerconfigjson"
            };
            if !has(data, k) {
                errs.push(FieldError::required(key(k), ""));
            } else if let Some(msg) = json_error(&decoded(data, k).unwrap_or_default()) {
                errs.push(FieldError::invalid(
                    key(k),
                    "<secret contents redacted>",
                    msg,
                ));
            }
        }
        "kubernetes.io/basic-auth" if !has(data, "username") && !has(data, "password") => {
            errs.push(FieldError::required(key("username"), ""));
            errs.push(FieldError::required(key("password"), ""));
        }
        "kubernetes.io/ssh-auth"
            if decoded(data, "ssh-privatekey").is_none_or(|v| v.is_empty()) =>
        {
            errs.push(FieldError::required(key("ssh-privatekey"), ""));
        }
        "kubernetes.io/tls" => {
            for k in ["tls.crt", "tls.key"] {
                if !has(data, k) {
                    errs.push(FieldError::required(key(k), ""));
                }
            }
        }
        _ => {}
    }
    errs
}

/// The type is immutable; immutable Secrets keep their data.
pub(crate) fn validate_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let ty = |v: &Value| {
        v.get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if ty(new) != ty(old) {
        errs.push(FieldError::invalid("type", ty(new), "field is immutable"));
    }
    errs.extend(immutable_data(new, old, &["data"]));
    errs
}
