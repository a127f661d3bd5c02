//! The field set an apply configuration claims, and removing fields from objects.

use serde_json::{Map, Value};

use crate::fields::compare::{element_of, index_list};
use crate::fields::fieldset::FieldSet;
use crate::fields::path::PathElement;
use crate::fields::schema::{ListKind, Shape};

/// The fields an applied configuration sets: every leaf, every element of a
/// keyed list or set, every map entry, and fields set to `null` or `{}`.
pub(crate) fn config_field_set(config: &Value, shape: Shape) -> FieldSet {
    let mut set = FieldSet::default();
    walk(&mut set, &mut Vec::new(), config, shape);
    set
}

fn walk(set: &mut FieldSet, path: &mut Vec<PathElement>, value: &Value, shape: Shape) {
    match (shape, value) {
        (Shape::Object(_) | Shape::Map | Shape::Deduced, Value::Object(map)) => {
            for (key, child) in map {
                path.push(PathElement::Field(key.clone()));
                walk(set, path, child, shape.field(key));
                if child.is_null() || child.as_object().is_some_and(Map::is_empty) {
                    set.insert(path);
                }
                path.pop();
            }
        }
        (Shape::List(list), Value::Array(items)) if !matches!(list.kind, ListKind::Atomic) => {
            let elem = match list.kind {
                ListKind::Set => Shape::Atomic,
                _ => list.elem,
            };
            let Some(_) = index_list(list, Some(value)) else {
                set.insert(path);
                return;
            };
            for item in items {
                let Some(element) = element_of(list, item) else {
                    continue;
                };
                path.push(element);
                walk(set, path, item, elem);
                set.insert(path);
                path.pop();
            }
        }
        (_, Value::Null) => {}
        _ => set.insert(path),
    }
}

/// `set` plus every node of it named by a field (`f:`), which structured-merge-diff
/// treats as owned when something below it is ("named fields are members").
pub(crate) fn with_named_fields(set: &FieldSet) -> FieldSet {
    let mut out = set.clone();
    for path in set.paths() {
        for end in 1..path.len() {
            if matches!(path[end - 1], PathElement::Field(_)) {
                out.insert(&path[..end]);
            }
        }
    }
    out
}

/// `value` without the nodes that are members of `remove` (with everything below them).
pub(crate) fn remove_items(value: &mut Value, remove: &FieldSet, shape: Shape) {
    match (shape, value) {
        (Shape::Object(_) | Shape::Map | Shape::Deduced, Value::Object(map)) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let element = PathElement::Field(key.clone());
                if remove.has_member(&element) {
                    map.remove(&key);
                } else if let (Some(child_set), Some(child)) =
                    (remove.child(&element), map.get_mut(&key))
                {
                    remove_items(child, child_set, shape.field(&key));
                }
            }
        }
        (Shape::List(list), Value::Array(items)) if !matches!(list.kind, ListKind::Atomic) => {
            let elem = match list.kind {
                ListKind::Set => Shape::Atomic,
                _ => list.elem,
            };
            items.retain(|item| element_of(list, item).is_none_or(|e| !remove.has_member(&e)));
            for item in items.iter_mut() {
                if let Some(child_set) = element_of(list, item).and_then(|e| remove.child(&e)) {
                    remove_items(item, child_set, elem);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::schema::lookup;
    use serde_json::json;

    fn pod() -> Shape {
        lookup("v1", "Pod").unwrap().shape()
    }

    #[test]
    fn config_sets_match_the_server() {
        let config = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "x"}], "automountServiceAccountToken": false, "securityContext": {}}});
        assert_eq!(
            config_field_set(&config, pod()).to_fields_v1(),
            json!({"f:apiVersion": {}, "f:kind": {}, "f:metadata": {"f:labels": {"f:app": {}}, "f:name": {}},
                "f:spec": {"f:automountServiceAccountToken": {}, "f:containers": {"k:{\"name\":\"c\"}": {".": {}, "f:image": {}, "f:name": {}}}, "f:securityContext": {}}})
        );
    }

    #[test]
    fn named_fields_become_members() {
        let set = config_field_set(&json!({"data": {"a": "1"}}), pod());
        assert_eq!(
            with_named_fields(&set).to_fields_v1(),
            json!({"f:data": {".": {}, "f:a": {}}})
        );
    }

    #[test]
    fn items_are_removed_with_their_subtrees() {
        let mut value = json!({"data": {"a": "1", "b": "2"}, "spec": {"containers": [{"name": "a"}, {"name": "b", "image": "x"}]}});
        let remove = FieldSet::from_fields_v1(&json!({"f:data": {"f:a": {}}, "f:spec": {"f:containers": {"k:{\"name\":\"a\"}": {}, "k:{\"name\":\"b\"}": {"f:image": {}}}}})).unwrap();
        remove_items(&mut value, &remove, pod());
        assert_eq!(
            value,
            json!({"data": {"b": "2"}, "spec": {"containers": [{"name": "b"}]}})
        );
    }
}
