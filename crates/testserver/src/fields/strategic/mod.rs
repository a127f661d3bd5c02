//! Strategic merge patch (`application/strategic-merge-patch+json`) as the API
//! server applies it: maps merged recursively, lists merged by their patch
//! merge key or replaced, and the `$patch`, `$retainKeys`,
//! `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` directives.

mod error;
mod list;

pub use self::error::StrategicPatchError;

use serde_json::{Map, Value};

use crate::fields::gofmt::{go_s, go_v};
use crate::fields::schema::{Shape, TypeInfo};

pub(crate) const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList";
const SET_ELEMENT_ORDER: &str = "$setElementOrder";

/// Applies the strategic merge `patch` to `original` (an object of type `info`).
///
/// The result is the merged document; the server then decodes it into the
/// typed object (dropping unknown fields) and validates it.
///
/// ```
/// use kubeset_testserver::fields::schema::lookup;
/// use kubeset_testserver::fields::strategic::strategic_merge_patch;
/// use serde_json::json;
///
/// let pod = lookup("v1", "Pod").unwrap();
/// let live = json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
/// let patch = json!({"spec": {"containers": [{"name": "b", "image": "z"}]}});
/// let merged = strategic_merge_patch(pod, &live, &patch).unwrap();
/// assert_eq!(merged["spec"]["containers"][1]["image"], "z");
/// assert_eq!(merged["spec"]["containers"][0]["image"], "x");
/// ```
pub fn strategic_merge_patch(
    info: &TypeInfo,
    original: &Value,
    patch: &Value,
) -> Result<Value, StrategicPatchError> {
    let patch = match patch {
        Value::Object(patch) => patch.clone(),
        Value::Null => return Ok(original.clone()),
        Value::Array(_) => return Err(StrategicPatchError::NotAnObject { found: "array" }),
        Value::String(_) => return Err(StrategicPatchError::NotAnObject { found: "string" }),
        Value::Number(_) => return Err(StrategicPatchError::NotAnObject { found: "number" }),
        Value::Bool(_) => return Err(StrategicPatchError::NotAnObject { found: "bool" }),
    };
    let original = original.as_object().cloned().unwrap_or_default();
    merge_map(original, patch, info.shape()).map(Value::Object)
}

/// Merges `patch` into `original`, both maps described by `shape`.
pub(crate) fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    shape: Shape,
) -> Result<Map<String, Value>, StrategicPatchError> {
    if let Some(directive) = patch.get(DIRECTIVE) {
        return match directive.as_str() {
            Some("replace") => {
                patch.remove(DIRECTIVE);
                Ok(patch)
            }
            Some("delete") => Ok(Map::new()),
            _ => Err(StrategicPatchError::BadPatchType {
                directive: go_s(directive),
                map: go_v(&Value::Object(patch.clone())),
            }),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    list::merge_set_element_order(&mut original, &mut patch, shape)?;
    let keys: Vec<String> = patch.keys().cloned().collect();
    for key in keys {
        let Some(patch_value) = patch.remove(&key) else {
            continue;
        };
        let (key, delete_list) = if key.starts_with(DELETE_FROM_PRIMITIVE_LIST) {
            (directive_target(&key, DELETE_FROM_PRIMITIVE_LIST)?, true)
        } else {
            (key, false)
        };
        if patch_value.is_null() {
            original.remove(&key);
            continue;
        }
        let Some(current) = original.get_mut(&key) else {
            if !delete_list {
                insert_cleaned(&mut original, key, patch_value);
            }
            continue;
        };
        if go_kind(current) != go_kind(&patch_value) {
            if !delete_list {
                insert_cleaned(&mut original, key, patch_value);
            }
            continue;
        }
        let field = shape.field(&key);
        let merged =
            match (current.take(), patch_value) {
                (Value::Object(current), Value::Object(patch)) => {
                    Value::Object(merge_map(current, patch, field)?)
                }
                (Value::Array(current), Value::Array(patch)) => Value::Array(
                    list::merge_list_field(current, patch, field, &key, delete_list)?,
                ),
                (_, patch) => patch,
            };
        original.insert(key, merged);
    }
    Ok(original)
}

/// The list a `$deleteFromPrimitiveList/<list>` or `$setElementOrder/<list>` key names.
pub(crate) fn directive_target(key: &str, prefix: &str) -> Result<String, StrategicPatchError> {
    match key.split_once('/') {
        Some((head, target)) if head == prefix => Ok(target.to_owned()),
        _ if prefix == SET_ELEMENT_ORDER => Err(StrategicPatchError::BadSetElementOrder),
        _ => Err(StrategicPatchError::BadPrimitiveList),
    }
}

/// Takes a patch value for a field the original lacks: nulls dropped, directives removed.
fn insert_cleaned(original: &mut Map<String, Value>, key: String, mut value: Value) {
    discard_nulls(&mut value);
    match remove_directives(value) {
        Some(value) => {
            original.insert(key, value);
        }
        None => {
            original.remove(&key);
        }
    }
}

fn discard_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(discard_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

/// Drops directives from a value taken as is; `None` when the value itself is
/// a map with a `$patch` directive.
pub(crate) fn remove_directives(value: Value) -> Option<Value> {
    match value {
        Value::Object(map) => {
            if map.contains_key(DIRECTIVE) {
                return None;
            }
            let cleaned = map
                .into_iter()
                .filter_map(|(k, v)| remove_directives(v).map(|v| (k, v)))
                .collect();
            Some(Value::Object(cleaned))
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

/// `$retainKeys`: the original keeps only the listed fields; every field the
/// patch sets must be listed.
fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<(), StrategicPatchError> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(retain) = retain else {
        return Err(StrategicPatchError::BadRetainKeys);
    };
    let listed = |key: &str| retain.iter().any(|v| v.as_str() == Some(key));
    for (key, value) in patch.iter() {
        if value.is_null()
            || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
            || key.starts_with(SET_ELEMENT_ORDER)
        {
            continue;
        }
        if !listed(key) {
            return Err(StrategicPatchError::BadRetainKeys);
        }
    }
    original.retain(|key, _| listed(key));
    Ok(())
}

/// The Go dynamic type of a decoded JSON value, for "same type" checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GoKind {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Slice,
    Map,
}

pub(crate) fn go_kind(value: &Value) -> GoKind {
    match value {
        Value::Null => GoKind::Nil,
        Value::Bool(_) => GoKind::Bool,
        Value::Number(n) if n.is_f64() => GoKind::Float,
        Value::Number(_) => GoKind::Int,
        Value::String(_) => GoKind::String,
        Value::Array(_) => GoKind::Slice,
        Value::Object(_) => GoKind::Map,
    }
}

#[cfg(test)]
mod tests;
