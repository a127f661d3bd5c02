//! The checks structured-merge-diff makes when it types an apply configuration:
//! every element of a keyed list has its keys, no two elements share them.

use serde_json::Value;

use crate::fields::compare::element_of;
use crate::fields::path::{PathElement, display_path};
use crate::fields::schema::{ListKind, Shape};

/// The configuration's errors, each prefixed with the path of its list.
pub(crate) fn config_errors(config: &Value, shape: Shape) -> Vec<String> {
    let mut errors = Vec::new();
    walk(&mut errors, &mut Vec::new(), config, shape);
    errors
}

fn walk(errors: &mut Vec<String>, path: &mut Vec<PathElement>, value: &Value, shape: Shape) {
    match (shape, value) {
        (Shape::Object(_) | Shape::Map | Shape::Deduced, Value::Object(map)) => {
            for (key, child) in map {
                path.push(PathElement::Field(key.clone()));
                walk(errors, path, child, shape.field(key));
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
                        walk(errors, path, item, elem);
                        path.pop();
                        seen.push(element);
                    }
                }
            }
        }
        _ => {}
    }
}
