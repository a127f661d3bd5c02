//! The difference between two versions of an object, as field sets.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::fields::fieldset::FieldSet;
use crate::fields::path::{PathElement, compare_values};
use crate::fields::schema::{List, ListKind, Shape};

/// Which fields a change added, modified and removed.
///
/// Granular nodes (objects, keyed lists, sets) that appear or disappear are
/// themselves members of `added`/`removed` besides their contents, which is
/// what gives an Update manager the `".": {}` of a map it created.
///
/// ```
/// use kubeset_testserver::fields::compare::compare;
/// use kubeset_testserver::fields::schema::Shape;
/// use serde_json::json;
///
/// let change = compare(&json!({"data": {"a": "1"}}), &json!({"data": {"a": "2", "b": "3"}}), Shape::Deduced);
/// assert_eq!(change.modified.to_fields_v1(), json!({"f:data": {"f:a": {}}}));
/// assert_eq!(change.added.to_fields_v1(), json!({"f:data": {"f:b": {}}}));
/// assert!(change.removed.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Fields present only in the new object.
    pub added: FieldSet,
    /// Leaves (scalars, atomic values) present in both with different values.
    pub modified: FieldSet,
    /// Fields present only in the old object.
    pub removed: FieldSet,
}

impl Comparison {
    /// `added ∪ modified`: what the writer of the change takes over.
    pub fn changed(&self) -> FieldSet {
        self.added.union(&self.modified)
    }

    /// Drops every path at or below a member of `ignored` from all three sets.
    pub fn filter(&mut self, ignored: &FieldSet) {
        self.added = self.added.recursive_difference(ignored);
        self.modified = self.modified.recursive_difference(ignored);
        self.removed = self.removed.recursive_difference(ignored);
    }

    /// Keeps, in all three sets, only the paths `prefixes` match ([`FieldSet::keep_prefixes`]).
    pub fn keep_prefixes(&mut self, prefixes: &[&[crate::fields::fieldset::Step]]) {
        self.added = self.added.keep_prefixes(prefixes);
        self.modified = self.modified.keep_prefixes(prefixes);
        self.removed = self.removed.keep_prefixes(prefixes);
    }
}

/// Compares `old` with `new` (both whole objects) under `shape`.
///
/// An explicit `null` in `old` counts as present (Go serializes fields without
/// `omitempty` as `null`, so such a field does not make its parent "added");
/// `null` in `new` counts as absent.
pub fn compare(old: &Value, new: &Value, shape: Shape) -> Comparison {
    let mut out = Comparison::default();
    walk(&mut out, &mut Vec::new(), Some(old), Some(new), shape);
    out
}

fn walk(
    out: &mut Comparison,
    path: &mut Vec<PathElement>,
    old: Option<&Value>,
    new: Option<&Value>,
    shape: Shape,
) {
    // Go omits empty maps and slices: `labels: {}` or `finalizers: []` is no field.
    let omitted = |v: &&Value| match (shape, v) {
        (Shape::Map, Value::Object(m)) => m.is_empty(),
        (Shape::List(list), Value::Array(a)) => {
            a.is_empty() && !matches!(list.kind, ListKind::Atomic)
        }
        _ => false,
    };
    let old = old.filter(|v| !omitted(v));
    let old_present = old.is_some();
    let old = old.filter(|v| !v.is_null());
    let new = new.filter(|v| !v.is_null() && !omitted(v));
    if old.is_none() && new.is_none() {
        return;
    }
    match granular_kind(shape, old, new) {
        Granular::Object => {
            let (lhs, rhs) = (as_object(old), as_object(new));
            if is_empty_map(lhs) && is_empty_map(rhs) {
                return leaf(out, path, old, new);
            }
            let mut keys: Vec<&String> = lhs
                .iter()
                .chain(rhs.iter())
                .flat_map(|m| m.keys())
                .collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                path.push(PathElement::Field(key.clone()));
                let child_old = lhs.and_then(|m| m.get(key));
                let child_new = rhs.and_then(|m| m.get(key));
                walk(out, path, child_old, child_new, shape.field(key));
                path.pop();
            }
            mark(out, path, old_present, new.is_some());
        }
        Granular::List(list) => {
            let lhs = index_list(list, old);
            let rhs = index_list(list, new);
            let (Some(lhs), Some(rhs)) = (lhs, rhs) else {
                return leaf(out, path, old, new);
            };
            if lhs.is_empty() && rhs.is_empty() {
                return leaf(out, path, old, new);
            }
            let elem = match list.kind {
                ListKind::Set => Shape::Atomic,
                _ => list.elem,
            };
            let mut elements: Vec<&PathElement> =
                lhs.iter().chain(rhs.iter()).map(|(pe, _)| pe).collect();
            elements.sort();
            elements.dedup();
            for element in elements {
                path.push(element.clone());
                walk(out, path, find(&lhs, element), find(&rhs, element), elem);
                path.pop();
            }
            mark(out, path, old_present, new.is_some());
        }
        Granular::Leaf => leaf(out, path, old, new),
    }
}

enum Granular {
    Object,
    List(&'static List),
    Leaf,
}

fn granular_kind(shape: Shape, old: Option<&Value>, new: Option<&Value>) -> Granular {
    let all = |f: fn(&Value) -> bool| old.is_none_or(f) && new.is_none_or(f);
    match shape {
        Shape::Atomic => Granular::Leaf,
        Shape::List(list) => match list.kind {
            ListKind::Atomic => Granular::Leaf,
            _ if all(Value::is_array) => Granular::List(list),
            _ => Granular::Leaf,
        },
        Shape::Object(_) | Shape::Map | Shape::Deduced if all(Value::is_object) => Granular::Object,
        _ => Granular::Leaf,
    }
}

fn as_object(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value.and_then(Value::as_object)
}

fn is_empty_map(map: Option<&Map<String, Value>>) -> bool {
    map.is_none_or(Map::is_empty)
}

fn leaf(out: &mut Comparison, path: &[PathElement], old: Option<&Value>, new: Option<&Value>) {
    match (old, new) {
        (None, Some(_)) => out.added.insert(path),
        (Some(_), None) => out.removed.insert(path),
        (Some(a), Some(b)) if compare_values(a, b) != Ordering::Equal => out.modified.insert(path),
        _ => {}
    }
}

fn mark(out: &mut Comparison, path: &[PathElement], old_present: bool, new_present: bool) {
    if !old_present && new_present {
        out.added.insert(path);
    }
    if !new_present {
        out.removed.insert(path);
    }
}

fn find<'a>(elements: &[(PathElement, &'a Value)], element: &PathElement) -> Option<&'a Value> {
    elements
        .iter()
        .find(|(pe, _)| pe == element)
        .map(|(_, v)| *v)
}

/// The path element of each element of a granular list, or `None` when an
/// element cannot be identified (then the list is compared as a whole).
/// Duplicates keep their first occurrence.
pub(crate) fn index_list<'a>(
    list: &List,
    value: Option<&'a Value>,
) -> Option<Vec<(PathElement, &'a Value)>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    let items = value.as_array()?;
    let mut out: Vec<(PathElement, &Value)> = Vec::with_capacity(items.len());
    for item in items {
        let element = element_of(list, item)?;
        if !out.iter().any(|(pe, _)| *pe == element) {
            out.push((element, item));
        }
    }
    Some(out)
}

/// The path element naming `item` in `list` (`k:` for keyed lists, `v:` for sets).
pub(crate) fn element_of(list: &List, item: &Value) -> Option<PathElement> {
    match list.kind {
        ListKind::Set => Some(PathElement::Value(item.clone())),
        ListKind::Map { keys, defaults } => {
            let object = item.as_object()?;
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys {
                let value = match object.get(*key).filter(|v| !v.is_null()) {
                    Some(value) => value.clone(),
                    None => {
                        let (_, default) = defaults.iter().find(|(name, _)| name == key)?;
                        Value::String((*default).to_owned())
                    }
                };
                fields.push((*key, value));
            }
            Some(PathElement::key(fields))
        }
        ListKind::Atomic => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::schema::lookup;
    use serde_json::json;

    #[track_caller]
    fn check(old: Value, new: Value, added: Value, modified: Value, removed: Value) {
        let pod = lookup("v1", "Pod").unwrap().shape();
        let change = compare(&old, &new, pod);
        assert_eq!(change.added.to_fields_v1(), added, "added");
        assert_eq!(change.modified.to_fields_v1(), modified, "modified");
        assert_eq!(change.removed.to_fields_v1(), removed, "removed");
    }

    #[test]
    fn new_maps_are_members_old_nulls_are_not() {
        check(
            json!({"metadata": {}}),
            json!({"metadata": {"labels": {"a": "1"}}}),
            json!({"f:metadata": {"f:labels": {".": {}, "f:a": {}}}}),
            json!({}),
            json!({}),
        );
        check(
            json!({"spec": {"containers": null}}),
            json!({"spec": {"containers": [{"name": "c", "image": "x", "resources": {}}]}}),
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {".": {}, "f:image": {}, "f:name": {}, "f:resources": {}}}}}),
            json!({}),
            json!({}),
        );
    }

    #[test]
    fn keyed_lists_compare_by_key_with_defaults() {
        let c = |port: Value| json!({"spec": {"containers": [{"name": "c", "ports": [port]}]}});
        check(
            c(json!({"containerPort": 80})),
            c(json!({"containerPort": 80, "protocol": "TCP"})),
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"c\"}": {"f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {"f:protocol": {}}}}}}}),
            json!({}),
            json!({}),
        );
    }

    #[test]
    fn atomic_lists_and_removals() {
        check(
            json!({"spec": {"tolerations": [{"key": "a"}]}, "metadata": {"labels": {"x": "1"}}}),
            json!({"spec": {"tolerations": [{"key": "b"}]}, "metadata": {}}),
            json!({}),
            json!({"f:spec": {"f:tolerations": {}}}),
            json!({"f:metadata": {"f:labels": {".": {}, "f:x": {}}}}),
        );
    }

    #[test]
    fn empty_maps_and_lists_are_no_fields() {
        check(
            json!({"metadata": {"labels": {"a": "1"}, "finalizers": ["x"]}}),
            json!({"metadata": {"labels": {}, "finalizers": []}}),
            json!({}),
            json!({}),
            json!({"f:metadata": {"f:finalizers": {".": {}, "v:\"x\"": {}}, "f:labels": {".": {}, "f:a": {}}}}),
        );
        check(
            json!({"metadata": {"labels": {}}}),
            json!({"metadata": {"labels": {"a": "1"}}}),
            json!({"f:metadata": {"f:labels": {".": {}, "f:a": {}}}}),
            json!({}),
            json!({}),
        );
        // An empty struct is a value.
        check(
            json!({"spec": {}}),
            json!({"spec": {"securityContext": {}}}),
            json!({"f:spec": {"f:securityContext": {}}}),
            json!({}),
            json!({}),
        );
    }

    #[test]
    fn sets_compare_by_value() {
        check(
            json!({"metadata": {"finalizers": ["a", "b"]}}),
            json!({"metadata": {"finalizers": ["b"]}}),
            json!({}),
            json!({}),
            json!({"f:metadata": {"f:finalizers": {"v:\"a\"": {}}}}),
        );
    }
}
