//! A CRD's structural schema applied to custom resources, as kube-apiserver applies it:
//! pruning of unknown fields, defaulting (on write and on read), and OpenAPI validation with
//! kube-openapi's messages.
//!
//! Everything here is a pure function over `serde_json::Value`s; the schema is the version's
//! `openAPIV3Schema` as stored in the CRD. Guarantees: pruning and defaulting never touch
//! `apiVersion`, `kind` and `metadata` at the root (nor in `x-kubernetes-embedded-resource`
//! objects); validation reports at most one error per value (the first broken rule), objects'
//! properties in sorted order and list items in index order.

use serde_json::{Map, Value};

use crate::fields::gofmt::go_v;
use crate::validation::{BadValue, FieldError, go_quote};

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn props(schema: &Value) -> Option<&Map<String, Value>> {
    schema.get("properties").and_then(Value::as_object)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Removes the fields the schema does not know (unless `x-kubernetes-preserve-unknown-fields`)
/// and returns their paths (`spec.extra`, `spec.rules[0].x`), sorted.
pub(crate) fn prune(schema: &Value, obj: &mut Value) -> Vec<String> {
    let mut removed = Vec::new();
    prune_at(schema, obj, "", true, &mut removed);
    removed.sort();
    removed
}

fn prune_at(schema: &Value, value: &mut Value, path: &str, root: bool, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let embedded = root || flag(schema, "x-kubernetes-embedded-resource");
            let preserve = flag(schema, "x-kubernetes-preserve-unknown-fields");
            let properties = props(schema);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if embedded && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let child = join(path, &key);
                let sub = properties.and_then(|p| p.get(&key)).or(additional);
                match sub {
                    Some(sub) => {
                        if let Some(v) = map.get_mut(&key) {
                            prune_at(sub, v, &child, false, out);
                        }
                    }
                    None if preserve
                        || schema.get("additionalProperties") == Some(&Value::Bool(true)) => {}
                    None => {
                        map.remove(&key);
                        out.push(child);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_at(item_schema, item, &format!("{path}[{i}]"), false, out);
                }
            }
        }
        _ => {}
    }
}

/// Applies the schema's `default`s: a missing field (or a `null` one the schema does not make
/// `nullable`) with a default gets it; a `null` non-nullable field without one is dropped.
pub(crate) fn default(schema: &Value, obj: &mut Value) {
    let Value::Object(map) = obj else {
        if let (Value::Array(items), Some(item_schema)) = (obj, schema.get("items")) {
            for item in items {
                default(item_schema, item);
            }
        }
        return;
    };
    if let Some(properties) = props(schema) {
        for (key, sub) in properties {
            let nullable = flag(sub, "nullable");
            let missing = match map.get(key) {
                None => true,
                Some(Value::Null) => !nullable,
                Some(_) => false,
            };
            if missing {
                match sub.get("default") {
                    Some(d) => {
                        map.insert(key.clone(), d.clone());
                    }
                    None => {
                        if map.get(key) == Some(&Value::Null) {
                            map.remove(key);
                        }
                    }
                }
            }
            if let Some(v) = map.get_mut(key) {
                default(sub, v);
            }
        }
    }
    if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        let known = props(schema);
        for (key, v) in map.iter_mut() {
            if known.is_none_or(|p| !p.contains_key(key)) {
                default(additional, v);
            }
        }
    }
}

/// Where errors are reported: the field path (`status.replicas`) and the name used inside
/// messages (`replicas` for a status write, which validates the status on its own).
#[derive(Debug, Clone)]
pub(crate) struct At {
    /// The field path of the cause.
    pub(crate) field: String,
    /// The path as the message names it.
    pub(crate) name: String,
}

impl At {
    /// The root of an object.
    pub(crate) fn root() -> At {
        At {
            field: String::new(),
            name: String::new(),
        }
    }

    fn child(&self, key: &str) -> At {
        At {
            field: join(&self.field, key),
            name: join(&self.name, key),
        }
    }

    fn index(&self, i: usize) -> At {
        At {
            field: format!("{}[{i}]", self.field),
            name: format!("{}[{i}]", self.name),
        }
    }
}

/// The JSON type kube-openapi names a value by.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

fn type_matches(expected: &str, v: &Value) -> bool {
    match (expected, v) {
        ("string", Value::String(_))
        | ("boolean", Value::Bool(_))
        | ("number", Value::Number(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => true,
        ("integer", Value::Number(n)) => is_integer(n),
        _ => false,
    }
}

fn type_error(at: &At, expected: &str, v: &Value) -> FieldError {
    let actual = type_name(v);
    FieldError::type_invalid(
        at.field.clone(),
        BadValue::Raw(go_quote(actual)),
        format!(
            "{} in body must be of type {expected}: {}",
            at.name,
            go_quote(actual)
        ),
    )
}

fn number(schema: &Value, key: &str) -> Option<f64> {
    schema.get(key).and_then(Value::as_f64)
}

fn count(schema: &Value, key: &str) -> Option<usize> {
    schema
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|n| usize::try_from(n).ok())
}

/// Validates `value` against `schema`, appending errors in the real server's order.
pub(crate) fn validate(schema: &Value, value: &Value, at: &At, errs: &mut Vec<FieldError>) {
    if value.is_null() {
        if !flag(schema, "nullable")
            && let Some(t) = schema.get("type").and_then(Value::as_str)
        {
            errs.push(type_error(at, t, value));
        }
        return;
    }
    if flag(schema, "x-kubernetes-int-or-string") {
        if !matches!(value, Value::String(_)) && !matches!(value, Value::Number(n) if is_integer(n))
        {
            errs.push(type_error(at, "integer,string", value));
            return;
        }
    } else if let Some(t) = schema.get("type").and_then(Value::as_str)
        && !type_matches(t, value)
    {
        errs.push(type_error(at, t, value));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let texts: Vec<String> = allowed
            .iter()
            .map(|a| a.as_str().map_or_else(|| go_v(a), str::to_owned))
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        errs.push(FieldError::not_supported(
            at.field.clone(),
            value.clone(),
            &refs,
        ));
        return;
    }
    match value {
        Value::String(s) => validate_string(schema, s, at, errs),
        Value::Number(n) => validate_number(schema, n, value, at, errs),
        Value::Array(items) => {
            if let Some(max) = count(schema, "maxItems")
                && items.len() > max
            {
                errs.push(FieldError::too_many(at.field.clone(), items.len(), max));
                return;
            }
            if let Some(min) = count(schema, "minItems")
                && items.len() < min
            {
                errs.push(FieldError::invalid(
                    at.field.clone(),
                    BadValue::Raw(items.len().to_string()),
                    format!("{} in body should have at least {min} items", at.name),
                ));
                return;
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(item_schema, item, &at.index(i), errs);
                }
            }
        }
        Value::Object(map) => validate_object(schema, map, at, errs),
        _ => {}
    }
}

fn validate_string(schema: &Value, s: &str, at: &At, errs: &mut Vec<FieldError>) {
    if let Some(max) = count(schema, "maxLength")
        && s.chars().count() > max
    {
        errs.push(FieldError::too_long(at.field.clone(), max));
        return;
    }
    if let Some(min) = count(schema, "minLength")
        && s.chars().count() < min
    {
        let unit = if min == 1 { "char" } else { "chars" };
        errs.push(FieldError::invalid(
            at.field.clone(),
            s,
            format!("{} in body should be at least {min} {unit} long", at.name),
        ));
        return;
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str)
        && !crate::shared::format::is_valid(format, s)
    {
        errs.push(FieldError::type_invalid(
            at.field.clone(),
            s,
            format!(
                "{} in body must be of type {format}: {}",
                at.name,
                go_quote(s)
            ),
        ));
        return;
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && let Ok(re) = regex_automata::meta::Regex::new(pattern)
        && !re.is_match(s)
    {
        errs.push(FieldError::invalid(
            at.field.clone(),
            s,
            format!("{} in body should match '{pattern}'", at.name),
        ));
    }
}

fn validate_number(
    schema: &Value,
    n: &serde_json::Number,
    value: &Value,
    at: &At,
    errs: &mut Vec<FieldError>,
) {
    let Some(x) = n.as_f64() else {
        return;
    };
    let bad = |detail: String| FieldError::invalid(at.field.clone(), value.clone(), detail);
    if let Some(max) = number(schema, "maximum") {
        let exclusive = flag(schema, "exclusiveMaximum");
        let limit = go_v(&schema["maximum"]);
        if exclusive && x >= max {
            errs.push(bad(format!(
                "{} in body should be less than {limit}",
                at.name
            )));
            return;
        }
        if x > max {
            errs.push(bad(format!(
                "{} in body should be less than or equal to {limit}",
                at.name
            )));
            return;
        }
    }
    if let Some(min) = number(schema, "minimum") {
        let exclusive = flag(schema, "exclusiveMinimum");
        let limit = go_v(&schema["minimum"]);
        if exclusive && x <= min {
            errs.push(bad(format!(
                "{} in body should be greater than {limit}",
                at.name
            )));
            return;
        }
        if x < min {
            errs.push(bad(format!(
                "{} in body should be greater than or equal to {limit}",
                at.name
            )));
            return;
        }
    }
    if let Some(m) = number(schema, "multipleOf")
        && m > 0.0
        && (x / m).fract() != 0.0
    {
        errs.push(bad(format!(
            "{} in body should be a multiple of {}",
            at.name,
            go_v(&schema["multipleOf"])
        )));
    }
}

fn validate_object(schema: &Value, map: &Map<String, Value>, at: &At, errs: &mut Vec<FieldError>) {
    for required in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !map.contains_key(required) {
            errs.push(FieldError::required(at.child(required).field, ""));
        }
    }
    let root = at.field.is_empty();
    if !root && flag(schema, "x-kubernetes-embedded-resource") {
        for key in ["apiVersion", "kind"] {
            if map
                .get(key)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                errs.push(FieldError::required(
                    at.child(key).field,
                    "must not be empty",
                ));
            }
        }
    }
    let properties = props(schema);
    let additional = schema.get("additionalProperties").filter(|a| a.is_object());
    for (key, v) in map {
        if root && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        if let Some(sub) = properties.and_then(|p| p.get(key)).or(additional) {
            validate(sub, v, &at.child(key), errs);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "size": {"type": "integer", "maximum": 5},
            "color": {"type": "string", "default": "blue"},
            "limits": {"type": "object", "default": {}, "properties": {"cpu": {"type": "string", "default": "1"}}},
            "items": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
            "raw": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        }}}})
    }

    #[test]
    fn pruning_reaches_nested_objects_and_list_items_and_spares_preserved_subtrees() {
        let mut obj = json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "n"},
            "spec": {"size": 1, "extra": 1, "items": [{"a": "x", "b": 2}], "raw": {"any": {"thing": 1}}},
            "top": true});
        let removed = prune(&schema(), &mut obj);
        assert_eq!(removed, ["spec.extra", "spec.items[0].b", "top"]);
        assert_eq!(
            obj,
            json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "n"},
            "spec": {"size": 1, "items": [{"a": "x"}], "raw": {"any": {"thing": 1}}}})
        );
    }

    #[test]
    fn defaults_fill_missing_and_null_fields_and_recurse_into_defaults() {
        let mut obj = json!({"spec": {"size": 1, "color": null}});
        default(&schema(), &mut obj);
        assert_eq!(
            obj,
            json!({"spec": {"size": 1, "color": "blue", "limits": {"cpu": "1"}}})
        );
    }

    #[test]
    fn validation_names_the_field_and_the_message_path() {
        let mut errs = Vec::new();
        let obj = json!({"spec": {"size": 9}});
        validate(&schema(), &obj, &At::root(), &mut errs);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.size");
        assert_eq!(
            errs[0].body(),
            "Invalid value: 9: spec.size in body should be less than or equal to 5"
        );
    }
}
