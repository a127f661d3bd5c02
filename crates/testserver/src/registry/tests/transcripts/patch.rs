//! Just enough patching to replay the transcripts' PATCH steps: JSON merge patch, JSON patch and
//! a small strategic merge patch (lists of named items merged by `name`).

use serde_json::{Map, Value};

/// RFC 7386 JSON merge patch.
pub(super) fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(map) = target.as_object_mut() else {
        return;
    };
    for (k, v) in patch {
        if v.is_null() {
            map.remove(k);
        } else {
            merge(map.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// Strategic merge patch for the shapes the transcripts use.
pub(super) fn strategic(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if patch.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replaced = patch.clone();
        replaced.remove("$patch");
        *target = Value::Object(replaced);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(map) = target.as_object_mut() else {
        return;
    };
    for (k, v) in patch {
        if v.is_null() {
            map.remove(k);
            continue;
        }
        let merge_by_name = matches!(
            k.as_str(),
            "containers" | "initContainers" | "env" | "volumes" | "volumeMounts"
        );
        match (map.get_mut(k), v) {
            (Some(Value::Array(existing)), Value::Array(items)) if merge_by_name => {
                // As SMP's normalizeElementOrder: patched items in patch order and untouched
                // items in server order, interleaved by their server position (new items,
                // with no server position, go first).
                let server_pos =
                    |v: &Value| existing.iter().position(|e| e.get("name") == v.get("name"));
                let mut patched = Vec::new();
                for item in items {
                    let mut base = existing
                        .iter()
                        .find(|e| e.get("name") == item.get("name"))
                        .cloned()
                        .unwrap_or(Value::Null);
                    strategic(&mut base, item);
                    patched.push(base);
                }
                let untouched: Vec<Value> = existing
                    .iter()
                    .filter(|e| !items.iter().any(|i| i.get("name") == e.get("name")))
                    .cloned()
                    .collect();
                let (mut i, mut j) = (0, 0);
                let mut merged = Vec::new();
                while i < untouched.len() && j < patched.len() {
                    let left = server_pos(&untouched[i]).map_or(-1, |p| p as i64);
                    let right = server_pos(&patched[j]).map_or(-1, |p| p as i64);
                    if left < right {
                        merged.push(untouched[i].clone());
                        i += 1;
                    } else {
                        merged.push(patched[j].clone());
                        j += 1;
                    }
                }
                merged.extend_from_slice(&untouched[i..]);
                merged.extend_from_slice(&patched[j..]);
                *existing = merged;
            }
            (Some(existing), Value::Object(_)) => strategic(existing, v),
            _ => {
                map.insert(k.clone(), v.clone());
            }
        }
    }
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn parent_and_key<'a>(target: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let (parent, last) = path.rsplit_once('/')?;
    Some((target.pointer_mut(parent)?, unescape(last)))
}

/// RFC 6902 JSON patch (`add`, `remove`, `replace`, `test`); `false` when an operation fails.
pub(super) fn json_patch(target: &mut Value, ops: &Value) -> bool {
    for op in ops.as_array().into_iter().flatten() {
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let value = op.get("value").cloned().unwrap_or(Value::Null);
        let ok = match op.get("op").and_then(Value::as_str).unwrap_or("") {
            "test" => target.pointer(path) == Some(&value),
            "replace" => target.pointer_mut(path).map(|v| *v = value).is_some(),
            "remove" => match parent_and_key(target, path) {
                Some((Value::Object(m), key)) => m.remove(&key).is_some(),
                Some((Value::Array(a), key)) => match key.parse::<usize>() {
                    Ok(i) if i < a.len() => {
                        a.remove(i);
                        true
                    }
                    _ => false,
                },
                _ => false,
            },
            "add" => match parent_and_key(target, path) {
                Some((Value::Object(m), key)) => {
                    m.insert(key, value);
                    true
                }
                Some((Value::Array(a), key)) if key == "-" => {
                    a.push(value);
                    true
                }
                Some((Value::Array(a), key)) => match key.parse::<usize>() {
                    Ok(i) if i <= a.len() => {
                        a.insert(i, value);
                        true
                    }
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}
