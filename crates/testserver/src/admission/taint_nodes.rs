//! The TaintNodesByCondition plugin: a new Node is `not-ready` until its kubelet says otherwise.

use serde_json::{Value, json};

use super::{Attributes, Operation};
use crate::shared::json::{object_at, str_at};

/// Adds the `not-ready:NoSchedule` taint to a new Node unless it has it.
pub(super) fn admit(attrs: &Attributes<'_>, node: &mut Value) {
    if !attrs.is("", "nodes") || attrs.operation != Operation::Create {
        return;
    }
    let Some(spec) = object_at(node, &["spec"]) else {
        return;
    };
    let taints = spec.entry("taints").or_insert_with(|| json!([]));
    if !taints.is_array() {
        *taints = json!([]);
    }
    let Some(taints) = taints.as_array_mut() else {
        return;
    };
    let present = taints.iter().any(|t| {
        str_at(t, &["key"]) == Some("node.kubernetes.io/not-ready")
            && str_at(t, &["effect"]) == Some("NoSchedule")
    });
    if !present {
        taints.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
    }
}
