//! Dropping the fields a built-in type does not have, as decoding into the Go struct does.

use serde_json::Value;

use crate::fields::known::Node;

/// Removes from `value` every key `node` has no field for, at any depth.
pub(crate) fn prune(node: Node, value: &mut Value) {
    match (node, value) {
        (Node::Struct(s), Value::Object(map)) => {
            map.retain(|k, _| s.field(k).is_some());
            for (k, v) in map.iter_mut() {
                if let Some(child) = s.field(k) {
                    prune(child, v);
                }
            }
        }
        (Node::Map(_), Value::Object(map)) => {
            for v in map.values_mut() {
                prune(node.items(), v);
            }
        }
        (Node::List(_), Value::Array(items)) => {
            for v in items {
                prune(node.items(), v);
            }
        }
        _ => {}
    }
}
