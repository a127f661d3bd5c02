//! Merging an apply configuration into the live object, as structured-merge-diff does.

use serde_json::{Map, Value};

use crate::fields::compare::index_list;
use crate::fields::path::PathElement;
use crate::fields::schema::{ListKind, Shape};

/// `live` with `config` merged in: objects merged key by key, keyed lists and
/// sets merged element by element (in the order structured-merge-diff gives),
/// everything else taken from `config`.
pub(crate) fn merge(live: Option<&Value>, config: Option<&Value>, shape: Shape) -> Option<Value> {
    let (live, config) = match (live, config) {
        (live, None) => return live.cloned(),
        (None, config) => return config.cloned(),
        (Some(live), Some(config)) => (live, config),
    };
    match (shape, live, config) {
        (Shape::Atomic, _, _) => Some(config.clone()),
        // `null` for a non-empty object or granular list leaves it as it is.
        (Shape::Object(_) | Shape::Map | Shape::Deduced, Value::Object(l), Value::Null)
            if !l.is_empty() =>
        {
            Some(live.clone())
        }
        (Shape::List(list), Value::Array(l), Value::Null)
            if !l.is_empty() && !matches!(list.kind, ListKind::Atomic) =>
        {
            Some(live.clone())
        }
        (Shape::Object(_) | Shape::Map | Shape::Deduced, Value::Object(l), Value::Object(r)) => {
            if l.is_empty() && r.is_empty() {
                return Some(config.clone());
            }
            let mut out = Map::new();
            for (key, value) in l {
                let merged = merge(Some(value), r.get(key), shape.field(key));
                if let Some(merged) = merged {
                    out.insert(key.clone(), merged);
                }
            }
            for (key, value) in r.iter().filter(|(k, _)| !l.contains_key(*k)) {
                out.insert(key.clone(), value.clone());
            }
            Some(Value::Object(out))
        }
        (Shape::List(list), Value::Array(l), Value::Array(r))
            if !matches!(list.kind, ListKind::Atomic) =>
        {
            if l.is_empty() && r.is_empty() {
                return Some(config.clone());
            }
            let (Some(lhs), Some(rhs)) =
                (index_list(list, Some(live)), index_list(list, Some(config)))
            else {
                return Some(config.clone());
            };
            let elem = match list.kind {
                ListKind::Set => Shape::Atomic,
                _ => list.elem,
            };
            Some(Value::Array(merge_items(&lhs, &rhs, elem)))
        }
        _ => Some(config.clone()),
    }
}

fn find<'a>(items: &[(PathElement, &'a Value)], element: &PathElement) -> Option<&'a Value> {
    items.iter().find(|(pe, _)| pe == element).map(|(_, v)| *v)
}

/// The element order of a merged associative list: live elements keep their
/// place, elements shared with the configuration follow the configuration's
/// relative order, new elements come where the configuration puts them.
fn merge_items(
    lhs: &[(PathElement, &Value)],
    rhs: &[(PathElement, &Value)],
    elem: Shape,
) -> Vec<Value> {
    let mut shared: std::collections::VecDeque<&PathElement> = rhs
        .iter()
        .map(|(pe, _)| pe)
        .filter(|pe| find(lhs, pe).is_some())
        .collect();
    let mut next_shared = shared.pop_front();
    let mut merged_rhs: Vec<&PathElement> = Vec::new();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let (mut l, mut r) = (0, 0);
    while l < lhs.len() || r < rhs.len() {
        if l < lhs.len() && r < rhs.len() {
            let pe = &lhs[l].0;
            if *pe == rhs[r].0 {
                merged_rhs.push(pe);
                out.extend(merge(find(lhs, pe), find(rhs, pe), elem));
                l += 1;
                r += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if find(rhs, pe).is_some() && next_shared.is_some_and(|n| n != pe) {
                l += 1;
                continue;
            }
        }
        if l < lhs.len() {
            let pe = &lhs[l].0;
            if find(rhs, pe).is_none() {
                out.push(lhs[l].1.clone());
                l += 1;
                continue;
            } else if merged_rhs.contains(&pe) {
                l += 1;
                continue;
            }
        }
        if r < rhs.len() {
            let pe = &rhs[r].0;
            merged_rhs.push(pe);
            out.extend(merge(find(lhs, pe), find(rhs, pe), elem));
            r += 1;
            if next_shared.is_some_and(|n| n == pe) {
                next_shared = shared.pop_front();
            }
        }
    }
    out
}

/// Removes `null` object fields (a typed object has no such thing).
pub(crate) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::schema::lookup;
    use serde_json::json;

    #[track_caller]
    fn check(live: Value, config: Value, expected: Value) {
        let pod = lookup("v1", "Pod").unwrap().shape();
        assert_eq!(merge(Some(&live), Some(&config), pod), Some(expected));
    }

    #[test]
    fn objects_merge_and_config_wins() {
        check(
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": 1}}),
            json!({"metadata": {"labels": {"b": "3"}}}),
            json!({"metadata": {"labels": {"a": "1", "b": "3"}}, "spec": {"x": 1}}),
        );
    }

    #[test]
    fn keyed_lists_merge_in_order() {
        let c = |names: &[&str]| json!({"spec": {"containers": names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}});
        check(c(&["a", "b"]), c(&["b", "c"]), c(&["a", "b", "c"]));
        check(c(&["a", "b"]), c(&["c", "a"]), c(&["c", "a", "b"]));
        check(c(&["a", "b", "x"]), c(&["b", "a"]), c(&["b", "x", "a"]));
        check(
            json!({"spec": {"containers": [{"name": "a", "image": "1", "tty": true}]}}),
            json!({"spec": {"containers": [{"name": "a", "image": "2"}]}}),
            json!({"spec": {"containers": [{"name": "a", "image": "2", "tty": true}]}}),
        );
    }

    #[test]
    fn null_clears_scalars_and_atomics_only() {
        check(
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1, "tolerations": [{"key": "a"}], "containers": [{"name": "c"}]}}),
            json!({"metadata": {"labels": null}, "spec": {"x": null, "tolerations": null, "containers": null}}),
            json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": null, "tolerations": null, "containers": [{"name": "c"}]}}),
        );
    }

    #[test]
    fn atomic_lists_are_replaced_and_sets_unioned() {
        check(
            json!({"spec": {"tolerations": [{"key": "a"}]}, "metadata": {"finalizers": ["x"]}}),
            json!({"spec": {"tolerations": [{"key": "b"}]}, "metadata": {"finalizers": ["y"]}}),
            json!({"spec": {"tolerations": [{"key": "b"}]}, "metadata": {"finalizers": ["x", "y"]}}),
        );
    }
}
