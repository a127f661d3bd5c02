//! The checks structured-merge-diff makes when it types an apply configuration
//! (`typed/validate.go`): every element of a keyed list has its keys, no two elements share
//! them, and every field of a built-in type is declared in its schema.
//!
//! A map stops at its first undeclared field (`visitMapItems` returns `false`); Go walks the
//! configuration's keys in map order, which is random, and this walk takes them sorted.

use serde_json::Value;

use crate::fields::compare::element_of;
use crate::fields::known::Node;
use crate::fields::path::{PathElement, display_path};
use crate::fields::schema::{ListKind, Shape};

/// The configuration's errors, each prefixed with the path of its list or field; `node` is
/// the configuration's type in the field table ([`Node::Any`] for custom resources).
pub(crate) fn config_errors(config: &Value, shape: Shape, node: Node) -> Vec<String> {
    let mut errors = Vec::new();
    walk(&mut errors, &mut Vec::new(), config, (shape, node));
    errors
}

fn walk(
    errors: &mut Vec<String>,
    path: &mut Vec<PathElement>,
    value: &Value,
    (shape, node): (Shape, Node),
) {
    match (shape, value) {
        (Shape::Object(_) | Shape::Map | Shape::Deduced, Value::Object(map)) => {
            for (key, child) in map {
                path.push(PathElement::Field(key.clone()));
                let child_node = match node {
                    Node::Struct(s) => s.field(key),
                    Node::Map(_) | Node::Any => Some(node.items()),
                    Node::List(_) | Node::Leaf => Some(Node::Leaf),
                };
                let Some(child_node) = child_node else {
                    errors.push(format!(
                        "{}: field not declared in schema",
                        display_path(path)
                    ));
                    path.pop();
                    break;
                };
                walk(errors, path, child, (shape.field(key), child_node));
                path.pop();
            }
        }
        (Shape::List(list), Value::Array(items)) if !matches!(list.kind, ListKind::Atomic) => {
            let mut seen: Vec<PathElement> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let element = match (list.kind, item) {
                    (ListKind::Map { .. }, Value::Null) => {
                        Err("associative list with keys may not have a null element".to_owned())
                    }
                    (ListKind::Map { .. }, item) if !item.is_object() => {
                        Err("associative list with keys may not have non-map elements".to_owned())
                    }
                    (ListKind::Map { keys, defaults }, item) => element_of(list, item).ok_or_else(|| {
                        let missing = keys
                            .iter()
                            .find(|k| item.get(**k).is_none_or(Value::is_null) && !defaults.iter().any(|(d, _)| d == *k))
                            .copied()
                            .unwrap_or("");
                        format!("associative list with keys has an element that omits key field {missing:?} (and doesn't have default value)")
                    }),
                    (_, item) => element_of(list, item).ok_or_else(String::new),
                };
                match element {
                    Err(message) => {
                        errors.push(format!("{}: element {i}: {message}", display_path(path)))
                    }
                    Ok(element) if seen.contains(&element) => {
                        errors.push(format!(
                            "{}: duplicate entries for key {element}",
                            display_path(path)
                        ));
                    }
                    Ok(element) => {
                        let elem = match list.kind {
                            ListKind::Set => Shape::Atomic,
                            _ => list.elem,
                        };
                        path.push(element.clone());
                        walk(errors, path, item, (elem, node.items()));
                        path.pop();
                        seen.push(element);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fields::known::root;
    use crate::fields::schema::lookup;

    #[track_caller]
    fn check(api_version: &str, kind: &str, config: Value, expected: &[&str]) {
        let shape = lookup(api_version, kind).expect("a built-in kind").shape();
        let node = root(api_version, kind).expect("in the field table");
        assert_eq!(config_errors(&config, shape, node), expected, "{config}");
    }

    /// `visitMapItems`: `field not declared in schema` with the field's path, list items
    /// by their keys; a map stops at its first undeclared field, others go on.
    #[test]
    fn undeclared_fields() {
        check(
            "v1",
            "ConfigMap",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "y"}}),
            &[],
        );
        check(
            "v1",
            "ConfigMap",
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labelz": {}}, "spec": 1}),
            &[
                ".metadata.labelz: field not declared in schema",
                ".spec: field not declared in schema",
            ],
        );
        check(
            "apps/v1",
            "Deployment",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
                "containers": [{"name": "c", "image": "i", "imagee": "x", "zzz": 1}]}}}}),
            &[".spec.template.spec.containers[name=\"c\"].imagee: field not declared in schema"],
        );
    }
}
