//! The CEL environment Kubernetes evaluates expressions in: the CEL standard library, cel-go's
//! strings and lists extensions and Kubernetes' libraries (`k8s.io/apiserver/pkg/cel/library`:
//! lists, regex, quantity, URL, IP/CIDR, format, sets, semver), as
//! `k8s.io/apiserver/pkg/cel/environment/base.go` assembles them for compatibility version 1.36,
//! through the `cel` crate's interpreter.
//!
//! CRD validation rules (`crd::cel`) run in [`env::env()`]; admission (`admission::cel`) adds
//! its variables and the authorizer library to [`env::base()`].
//!
//! Architecture invariant: this module depends only on `validation` and `shared`.

use cel::objects::{Key, Map};
use serde_json::Value;

/// cel-go's snippet lines (` | ` where the `cel` crate writes `| `).
pub(crate) fn go_snippets(errors: &str) -> String {
    errors.replace("\n| ", "\n | ")
}

/// cel-go's wording of the common evaluation errors; a library function's error is its text.
pub(crate) fn go_error(err: &cel::ExecutionError) -> String {
    match err {
        cel::ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        cel::ExecutionError::FunctionError { function, message } => {
            time::conversion_error(function).unwrap_or_else(|| message.clone())
        }
        cel::ExecutionError::NoSuchOverload(_) => "no such overload".to_owned(),
        other => other.to_string(),
    }
}

/// A JSON value as CEL sees it under `schema`: `number` fields are doubles even when written
/// as integers, objects are maps with string keys.
pub(crate) fn to_cel(schema: &Value, value: &Value) -> cel::Value {
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) if ty == "number" => cel::Value::Float(n.as_f64().unwrap_or_default()),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => cel::Value::Int(i),
            (None, Some(u)) => cel::Value::UInt(u),
            _ => cel::Value::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => schema
            .get("format")
            .and_then(Value::as_str)
            .and_then(|format| time::typed(format, s))
            .unwrap_or_else(|| cel::Value::String(s.clone().into())),
        Value::Array(items) => {
            let item = schema.get("items").unwrap_or(&Value::Null);
            cel::Value::List(
                items
                    .iter()
                    .map(|v| to_cel(item, v))
                    .collect::<Vec<_>>()
                    .into(),
            )
        }
        Value::Object(object) => {
            let properties = schema.get("properties");
            let additional = schema.get("additionalProperties").unwrap_or(&Value::Null);
            let map: std::collections::HashMap<Key, cel::Value> = object
                .iter()
                .map(|(k, v)| {
                    let sub = properties.and_then(|p| p.get(k)).unwrap_or(additional);
                    (Key::String(k.clone().into()), to_cel(sub, v))
                })
                .collect();
            cel::Value::Map(Map::from(map))
        }
    }
}

/// The rule environment and the helpers its libraries are written with.
pub(crate) mod env;
mod format;
mod lists;
mod net;
mod quantity;
mod regex;
mod semver;
mod sets;
#[cfg(test)]
pub(crate) mod testing;
mod time;
mod url;
