//! Lists in a strategic merge patch: merging by key, scalar merging and
//! deletion, `$patch` elements, and the element order rules.

use serde_json::{Map, Value};

use super::{
    DIRECTIVE, GoKind, SET_ELEMENT_ORDER, StrategicPatchError, directive_target, go_kind,
    merge_map, remove_directives,
};
use crate::fields::gofmt::{go_type, go_v};
use crate::fields::schema::Shape;

/// Merges a list field: merged when its patch strategy is `merge`, replaced otherwise.
pub(super) fn merge_list_field(
    original: Vec<Value>,
    patch: Vec<Value>,
    field: Shape,
    name: &str,
    delete_list: bool,
) -> Result<Vec<Value>, StrategicPatchError> {
    match field.list() {
        Some(list) if list.smp.merge => merge_slice(
            original,
            patch,
            list.smp.merge_key,
            list.elem,
            name,
            delete_list,
        ),
        _ => Ok(patch),
    }
}

fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: Option<&str>,
    elem: Shape,
    name: &str,
    delete_list: bool,
) -> Result<Vec<Value>, StrategicPatchError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = element_kind(&[&original, &patch])?;
    if kind != GoKind::Map {
        if delete_list {
            return Ok(delete_from_slice(&original, &patch));
        }
        let mut both = original.clone();
        both.extend(patch.iter().cloned());
        let merged = deduplicate_scalars(both);
        let (in_patch, server_only) = partition(merged, &patch, None)?;
        return normalize_element_order(in_patch, server_only, &patch, &original, None);
    }
    let key = merge_key.ok_or_else(|| StrategicPatchError::NoMergeKeyDeclared {
        field: name.to_owned(),
    })?;
    let (original, patch) = merge_special_elements(original, patch, key)?;
    let merged = merge_by_key(original.clone(), &patch, key, elem)?;
    let (in_patch, server_only) = partition(merged, &patch, Some(key))?;
    normalize_element_order(in_patch, server_only, &patch, &original, Some(key))
}

/// Applies `$patch` elements: `delete` removes matching elements, `replace`
/// makes the patch the whole list. Returns the new original and the patch
/// without those elements.
fn merge_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), StrategicPatchError> {
    let mut plain = Vec::with_capacity(patch.len());
    let mut replace = false;
    for item in patch {
        let Some(directive) = item.get(DIRECTIVE) else {
            plain.push(item);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let value = item
                    .get(key)
                    .ok_or(StrategicPatchError::DeleteWithoutMergeKey)?;
                original.retain(|o| o.get(key) != Some(value));
            }
            Some("replace") => replace = true,
            Some("merge") => return Err(StrategicPatchError::MergeDirectiveInList),
            _ => {
                return Err(StrategicPatchError::BadPatchType {
                    directive: crate::fields::gofmt::go_s(directive),
                    map: go_v(&item),
                });
            }
        }
    }
    if replace {
        return Ok((plain, Vec::new()));
    }
    Ok((original, plain))
}

fn merge_by_key(
    mut original: Vec<Value>,
    patch: &[Value],
    key: &str,
    elem: Shape,
) -> Result<Vec<Value>, StrategicPatchError> {
    for item in patch {
        let value = item.get(key).ok_or_else(|| no_merge_key(item, key))?;
        let mut found = None;
        for (i, o) in original.iter().enumerate() {
            let Some(o) = o.as_object() else {
                return Err(StrategicPatchError::BadArgType {
                    expected: "map[string]interface {}",
                    actual: go_type(o),
                });
            };
            if o.get(key) == Some(value) {
                found = Some(i);
                break;
            }
        }
        match found {
            Some(i) => {
                let current = std::mem::take(&mut original[i]);
                let current = current.as_object().cloned().unwrap_or_default();
                let patch = item.as_object().cloned().unwrap_or_default();
                original[i] = Value::Object(merge_map(current, patch, elem)?);
            }
            None => original.push(item.clone()),
        }
    }
    Ok(original)
}

fn no_merge_key(item: &Value, key: &str) -> StrategicPatchError {
    StrategicPatchError::NoMergeKey {
        map: go_v(item),
        key: key.to_owned(),
    }
}

/// The common Go type of the elements of `lists`.
fn element_kind(lists: &[&[Value]]) -> Result<GoKind, StrategicPatchError> {
    let mut kind = None;
    for item in lists.iter().flat_map(|l| l.iter()) {
        let this = go_kind(item);
        match kind {
            None if this == GoKind::Slice => return Err(StrategicPatchError::ListOfLists),
            None => kind = Some(this),
            Some(previous) if previous != this => {
                let all: Vec<Value> = lists.iter().map(|l| Value::Array(l.to_vec())).collect();
                return Err(StrategicPatchError::MixedElementTypes {
                    lists: go_v(&Value::Array(all)),
                });
            }
            Some(_) => {}
        }
    }
    kind.ok_or(StrategicPatchError::NoElements)
}

/// Go's in-place deduplication (moves the last element into each duplicate's place).
fn deduplicate_scalars(mut items: Vec<Value>) -> Vec<Value> {
    let mut length = items.len() as isize - 1;
    let mut i = 0isize;
    while i < length {
        let mut j = i + 1;
        while j <= length {
            if items[i as usize] == items[j as usize] {
                items[j as usize] = items[length as usize].clone();
                items.truncate(length as usize);
                length -= 1;
                j -= 1;
            }
            j += 1;
        }
        i += 1;
    }
    items
}

/// `$deleteFromPrimitiveList`: both lists deduplicated and sorted by their Go
/// rendering, then the listed values removed.
fn delete_from_slice(current: &[Value], to_delete: &[Value]) -> Vec<Value> {
    let current = unique_sorted(current);
    let to_delete = unique_sorted(to_delete);
    let (mut c, mut d) = (0, 0);
    let mut out = Vec::new();
    while c < current.len() && d < to_delete.len() {
        let (a, b) = (go_v(&current[c]), go_v(&to_delete[d]));
        match a.cmp(&b) {
            std::cmp::Ordering::Equal => c += 1,
            std::cmp::Ordering::Greater => d += 1,
            std::cmp::Ordering::Less => {
                out.push(current[c].clone());
                c += 1;
            }
        }
    }
    out.extend(current[c..].iter().cloned());
    out
}

fn unique_sorted(items: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out.sort_by_key(go_v);
    out
}

/// Splits `merged` into the elements present in `by` and the others.
fn partition(
    merged: Vec<Value>,
    by: &[Value],
    key: Option<&str>,
) -> Result<(Vec<Value>, Vec<Value>), StrategicPatchError> {
    let mut present = Vec::new();
    let mut absent = Vec::new();
    for item in merged {
        let found = match key {
            None => by.contains(&item),
            Some(key) => {
                let value = item.get(key).ok_or_else(|| no_merge_key(&item, key))?;
                by.iter().any(|b| b.get(key) == Some(value))
            }
        };
        if found {
            present.push(item);
        } else {
            absent.push(item);
        }
    }
    Ok((present, absent))
}

fn index_of(list: &[Value], item: &Value, key: Option<&str>) -> Option<usize> {
    match key {
        None => list.iter().position(|v| v == item),
        Some(key) => {
            let value = item.get(key)?;
            list.iter().position(|v| v.get(key) == Some(value))
        }
    }
}

/// Orders patch elements by `patch_order`, server-only elements by
/// `server_order`, then interleaves them (patch elements win ties).
fn normalize_element_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: Option<&str>,
) -> Result<Vec<Value>, StrategicPatchError> {
    let patch = sort_by_order(patch, patch_order, key)?;
    let server_only = sort_by_order(server_only, server_order, key)?;
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(patch.len() + server_only.len());
    while i < server_only.len() || j < patch.len() {
        if i >= server_only.len() {
            out.push(patch[j].clone());
            j += 1;
        } else if j >= patch.len() {
            out.push(server_only[i].clone());
            i += 1;
        } else {
            let left = index_of(server_order, &server_only[i], key);
            let right = index_of(server_order, &patch[j], key);
            match (left, right) {
                (Some(l), Some(r)) if l < r => {
                    out.push(server_only[i].clone());
                    i += 1;
                }
                _ => {
                    out.push(patch[j].clone());
                    j += 1;
                }
            }
        }
    }
    Ok(out)
}

fn sort_by_order(
    mut items: Vec<Value>,
    order: &[Value],
    key: Option<&str>,
) -> Result<Vec<Value>, StrategicPatchError> {
    if let Some(key) = key {
        for item in items.iter().chain(order) {
            let Some(map) = item.as_object() else {
                return Err(StrategicPatchError::BadArgType {
                    expected: "map[string]interface {}",
                    actual: go_type(item),
                });
            };
            if !map.contains_key(key) {
                return Err(no_merge_key(item, key));
            }
        }
    }
    items.sort_by_key(|item| index_of(order, item, key).unwrap_or(usize::MAX));
    Ok(items)
}

/// Applies every `$setElementOrder/<list>` of `patch` (merging that list too)
/// and removes the directives and the lists they ordered from `patch`.
pub(super) fn merge_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    shape: Shape,
) -> Result<(), StrategicPatchError> {
    let keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ELEMENT_ORDER))
        .cloned()
        .collect();
    for directive_key in keys {
        let Some(order) = patch.remove(&directive_key) else {
            continue;
        };
        let Value::Array(order) = order else {
            return Err(StrategicPatchError::BadArgType {
                expected: "[]interface {}",
                actual: go_type(&order),
            });
        };
        let target = directive_target(&directive_key, SET_ELEMENT_ORDER)?;
        let current = list_at(original, &target)?;
        let patched = list_at(patch, &target)?;
        let field = shape.field(&target);
        let key = field.list().and_then(|l| l.smp.merge_key);
        validate_order(patched.as_deref().unwrap_or(&[]), &order, key)?;
        let merged = match (&current, &patched) {
            (Some(current), None) => current.clone(),
            (None, Some(patched)) => match remove_directives(Value::Array(patched.clone())) {
                Some(Value::Array(items)) => items,
                _ => continue,
            },
            (Some(current), Some(patched)) => {
                merge_list_field(current.clone(), patched.clone(), field, &target, false)?
            }
            (None, None) => continue,
        };
        let (in_order, server_only) = partition(merged, &order, key)?;
        let current = current.unwrap_or_default();
        element_kind(&[&current, patched.as_deref().unwrap_or(&[])])?;
        let both = normalize_element_order(in_order, server_only, &order, &current, key)?;
        original.insert(target.clone(), Value::Array(both));
        patch.remove(&target);
    }
    Ok(())
}

fn list_at(map: &Map<String, Value>, key: &str) -> Result<Option<Vec<Value>>, StrategicPatchError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.clone())),
        Some(other) => Err(StrategicPatchError::BadArgType {
            expected: "[]interface {}",
            actual: go_type(other),
        }),
    }
}

/// The patch list must follow the relative order of the `$setElementOrder` list.
fn validate_order(
    patch: &[Value],
    order: &[Value],
    key: Option<&str>,
) -> Result<(), StrategicPatchError> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let mut kept = Vec::with_capacity(patch.len());
    if key.is_some() {
        for item in patch {
            let Some(map) = item.as_object() else {
                return Err(StrategicPatchError::BadArgType {
                    expected: "map[string]interface {}",
                    actual: go_type(item),
                });
            };
            if map.get(DIRECTIVE).and_then(Value::as_str) != Some("delete") {
                kept.push(item);
            }
        }
    } else {
        kept.extend(patch);
    }
    let (mut p, mut o) = (0, 0);
    while p < kept.len() && o < order.len() {
        if kept[p].get(DIRECTIVE).is_some() {
            p += 1;
            continue;
        }
        let equal = match key {
            None => kept[p] == &order[o],
            Some(key) => {
                let left = kept[p].get(key).ok_or_else(|| no_merge_key(kept[p], key))?;
                let right = order[o]
                    .get(key)
                    .ok_or_else(|| no_merge_key(&order[o], key))?;
                left == right
            }
        };
        if equal {
            p += 1;
        }
        o += 1;
    }
    if p < kept.len() && o >= order.len() {
        return Err(StrategicPatchError::OrderMismatch {
            patch: go_v(&Value::Array(patch.to_vec())),
            order: go_v(&Value::Array(order.to_vec())),
        });
    }
    Ok(())
}
