//! Small helpers to read and edit objects held as `serde_json::Value`.
//!
//! Kubernetes objects travel through the test server in their external JSON form. These helpers
//! keep the defaulting, admission and validation code readable without deserialising into typed
//! structs (which would lose unknown fields and the exact shape the client sent).

use serde_json::{Map, Value};

/// The string at `path` (a list of object keys), if every step exists and the leaf is a string.
pub(crate) fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path).and_then(Value::as_str)
}

/// The value at `path` (a list of object keys), if every step exists.
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// The object at `path`, created (as `{}`) along the way where missing or `null`.
///
/// Returns `None` when a step exists but is not an object (the caller then leaves the value
/// alone; validation reports the bad shape).
pub(crate) fn object_at<'a>(
    value: &'a mut Value,
    path: &[&str],
) -> Option<&'a mut Map<String, Value>> {
    let mut current = value;
    for key in path {
        let map = current.as_object_mut()?;
        let entry = map
            .entry((*key).to_owned())
            .or_insert(Value::Object(Map::new()));
        if entry.is_null() {
            *entry = Value::Object(Map::new());
        }
        current = entry;
    }
    current.as_object_mut()
}

/// Sets `key` to `default` unless the object already holds a non-null value there.
pub(crate) fn default_field(map: &mut Map<String, Value>, key: &str, default: Value) {
    match map.get(key) {
        Some(v) if !v.is_null() => {}
        _ => {
            map.insert(key.to_owned(), default);
        }
    }
}

/// Sets `key` to `default` unless the object holds a non-empty string there (Go's `len(x) == 0`).
pub(crate) fn default_str(map: &mut Map<String, Value>, key: &str, default: &str) {
    let empty = match map.get(key) {
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Null) | None => true,
        Some(_) => false,
    };
    if empty {
        map.insert(key.to_owned(), Value::String(default.to_owned()));
    }
}

/// The elements of the array at `key` in `map` (empty when missing or not an array).
pub(crate) fn array<'a>(map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    map.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The mutable elements of the array at `key` (none when missing or not an array).
pub(crate) fn array_mut<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> impl Iterator<Item = &'a mut Value> {
    map.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// `metadata.name` of an object, or `""`.
pub(crate) fn name(obj: &Value) -> &str {
    str_at(obj, &["metadata", "name"]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn object_at_creates_missing_and_null_steps() {
        let mut v = json!({"spec": null});
        object_at(&mut v, &["spec", "template"])
            .unwrap()
            .insert("a".into(), json!(1));
        assert_eq!(v, json!({"spec": {"template": {"a": 1}}}));
        let mut v = json!({"spec": 3});
        assert!(object_at(&mut v, &["spec", "x"]).is_none());
    }

    #[test]
    fn default_str_only_fills_empty_strings() {
        let mut m = Map::new();
        m.insert("a".into(), json!(""));
        m.insert("b".into(), json!("set"));
        default_str(&mut m, "a", "x");
        default_str(&mut m, "b", "x");
        default_str(&mut m, "c", "x");
        assert_eq!(Value::Object(m), json!({"a": "x", "b": "set", "c": "x"}));
    }
}
