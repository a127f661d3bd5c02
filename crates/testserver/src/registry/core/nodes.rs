//! Nodes (`pkg/registry/core/node/strategy.go`): defaults, canonical capacities, validation,
//! field selectors, table columns. A node may set its status on create.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, node, quantities};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::selector::{Getter, NAME, SelectorError, supported};
use crate::validation::{FieldError, Invalid, NameRule, core_misc};

/// The node strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Nodes;

impl Validated for Nodes {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        core_misc::node(obj)
    }

    fn status_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core_status::node(new, old)
    }
}

impl Strategy for Nodes {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::maps_at(obj, &["/status/capacity", "/status/allocatable"])?;
        node::node(obj);
        Ok(())
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        strategy::validate::<Self>(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        supported(
            &[
                ("metadata.name", NAME),
                ("spec.unschedulable", Getter::Bool("/spec/unschedulable")),
            ],
            label,
        )
    }

    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col("Status", "The status of the node", 0, |v| {
                    let ready = v
                        .pointer("/status/conditions")
                        .and_then(Value::as_array)
                        .and_then(|c| {
                            c.iter()
                                .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
                        })
                        .and_then(|c| c.get("status").and_then(Value::as_str))
                        == Some("True");
                    let mut st = if ready { "Ready" } else { "NotReady" }.to_owned();
                    if v.pointer("/spec/unschedulable") == Some(&Value::Bool(true)) {
                        st.push_str(",SchedulingDisabled");
                    }
                    st.into()
                }),
                col("Roles", "The roles of the node", 0, |_| "<none>".into()),
            ],
            vec![col(
                "Version",
                "Kubelet Version reported by the node.",
                0,
                |v| {
                    v.pointer("/status/nodeInfo/kubeletVersion")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .into()
                },
            )],
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn status_update_keeps_spec() {
        let old = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1}, "status": {}});
        let mut new = json!({"metadata": {"labels": {"a": "2"}}, "spec": {"x": 2}, "status": {"phase": "Ready"}});
        Nodes.prepare_for_update("status", &mut new, &old, "t");
        // The node status strategy resets only the spec: label changes go through.
        assert_eq!(
            new,
            json!({"metadata": {"labels": {"a": "2"}}, "spec": {"x": 1}, "status": {"phase": "Ready"}})
        );
    }
}
