//! The field-management shape of a custom resource, from its CRD version's schema: lists with
//! `x-kubernetes-list-type: map` are keyed by their `x-kubernetes-list-map-keys`, `set` lists
//! own each element, `x-kubernetes-map-type: atomic` objects are owned whole; everything else
//! is schema-less (objects granular, lists atomic), as structured-merge-diff reads a CRD.
//!
//! Shapes are `'static` (the field-management tables are): the caller interns one per
//! distinct schema, so the leak is bounded by the CRD schemas a process sees.

use serde_json::Value;

use crate::fields::schema::{List, ListKind, Object, Shape, Smp};

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// The shape of a value under `schema` (`Deduced` when nothing below differs from the
/// schema-less default).
pub(crate) fn shape(schema: &Value) -> Shape {
    let text = |k: &str| schema.get(k).and_then(Value::as_str).unwrap_or("");
    if text("x-kubernetes-map-type") == "atomic" {
        return Shape::Atomic;
    }
    if let Some(items) = schema.get("items") {
        let elem = shape(items);
        return match text("x-kubernetes-list-type") {
            "map" => {
                let keys: Vec<&'static str> = schema
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(leak_str)
                    .collect();
                let first = keys.first().copied().unwrap_or("name");
                Shape::List(leak(List {
                    kind: ListKind::Map {
                        keys: Box::leak(keys.into_boxed_slice()),
                        defaults: &[],
                    },
                    elem,
                    smp: Smp::merge_by(first),
                }))
            }
            "set" => Shape::List(leak(List {
                kind: ListKind::Set,
                elem: Shape::Atomic,
                smp: Smp::MERGE_SCALARS,
            })),
            _ => Shape::Deduced,
        };
    }
    let fields: Vec<(&'static str, Shape)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, sub)| (k, shape(sub)))
        .filter(|(_, s)| !matches!(s, Shape::Deduced))
        .map(|(k, s)| (leak_str(k), s))
        .collect();
    if fields.is_empty() {
        return Shape::Deduced;
    }
    Shape::Object(leak(Object {
        fields: Box::leak(fields.into_boxed_slice()),
    }))
}

/// The root object: `metadata` as every type has it, then what the schema says.
pub(crate) fn root(schema: &Value) -> &'static Object {
    let mut fields = vec![crate::fields::types::METADATA_FIELD];
    if let Shape::Object(object) = shape(schema) {
        fields.extend(
            object
                .fields
                .iter()
                .filter(|(k, _)| *k != "metadata")
                .copied(),
        );
    }
    if fields.len() == 1 {
        return &crate::fields::types::CUSTOM_RESOURCE;
    }
    leak(Object {
        fields: Box::leak(fields.into_boxed_slice()),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn list_types_become_keyed_lists_and_sets() {
        let schema = json!({"type": "object", "properties": {
            "status": {"type": "object", "properties": {"conditions": {"type": "array",
                "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                "items": {"type": "object"}}}},
            "spec": {"type": "object", "properties": {"tags": {"type": "array",
                "x-kubernetes-list-type": "set", "items": {"type": "string"}}, "plain": {"type": "array", "items": {}}}}}});
        let root = Shape::Object(root(&schema));
        let conditions = root.field("status").field("conditions").list().unwrap();
        assert!(matches!(
            conditions.kind,
            ListKind::Map { keys: ["type"], .. }
        ));
        let tags = root.field("spec").field("tags").list().unwrap();
        assert!(matches!(tags.kind, ListKind::Set));
        assert!(matches!(root.field("spec").field("plain"), Shape::Deduced));
        assert!(matches!(root.field("metadata"), Shape::Object(_)));
    }
}
