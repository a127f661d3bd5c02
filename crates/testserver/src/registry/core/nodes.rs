//! Nodes (`pkg/registry/core/node/strategy.go`): defaults, canonical capacities, validation,
//! field selectors, table columns. A node may set its status on create.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, node, quantities};
use crate::registry::ResourceType;
use crate::registry::print::{self, items, text};
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
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::node::node(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "" => crate::warnings::node::node(new),
            _ => Vec::new(),
        }
    }

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

    /// `printNode`: the Ready condition (`Unknown` without one) and `SchedulingDisabled`,
    /// the roles from the `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels,
    /// the kubelet version, and the wide addresses and node info.
    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col("Status", "The status of the node", 0, |v| status(v).into()),
                col("Roles", "The roles of the node", 0, |v| roles(v).into()),
            ],
            vec![
                col("Version", "Kubelet Version reported by the node.", 0, |v| {
                    text(v, "/status/nodeInfo/kubeletVersion").into()
                }),
                col(
                    "Internal-IP",
                    "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).",
                    1,
                    |v| address(v, "InternalIP").into(),
                ),
                col(
                    "External-IP",
                    "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).",
                    1,
                    |v| address(v, "ExternalIP").into(),
                ),
                col(
                    "OS-Image",
                    "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                    1,
                    |v| print::or(text(v, "/status/nodeInfo/osImage"), "<unknown>").into(),
                ),
                col(
                    "Kernel-Version",
                    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                    1,
                    |v| print::or(text(v, "/status/nodeInfo/kernelVersion"), "<unknown>").into(),
                ),
                col(
                    "Container-Runtime",
                    "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
                    1,
                    |v| {
                        print::or(
                            text(v, "/status/nodeInfo/containerRuntimeVersion"),
                            "<unknown>",
                        )
                        .into()
                    },
                ),
            ],
        )
    }
}

fn status(node: &Value) -> String {
    // the last condition of a type wins, as Go's condition map keeps it
    let ready = items(node, "/status/conditions")
        .iter()
        .rev()
        .find(|c| text(c, "/type") == "Ready");
    let mut status = vec![match ready {
        Some(c) if text(c, "/status") == "True" => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }];
    if print::boolean(node, "/spec/unschedulable") {
        status.push("SchedulingDisabled");
    }
    status.join(",")
}

/// `findNodeRoles`, sorted and unique, `<none>` without any.
fn roles(node: &Value) -> String {
    let mut roles: Vec<&str> = node
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| match k.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => Some(role),
            Some(_) => None,
            None if k == "kubernetes.io/role" => v.as_str().filter(|r| !r.is_empty()),
            None => None,
        })
        .collect();
    roles.sort_unstable();
    roles.dedup();
    print::or(&roles.join(","), "<none>")
}

/// The first address of the type, `<none>` without one.
fn address(node: &Value, ty: &str) -> String {
    items(node, "/status/addresses")
        .iter()
        .find(|a| text(a, "/type") == ty)
        .map_or_else(|| "<none>".into(), |a| text(a, "/address").into())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `printNode`'s cases in `TestPrintNodeStatus`, `TestPrintNodeRole` and
    /// `TestPrintNodeInternalIP`.
    #[test]
    fn node_cells() {
        let node = json!({"metadata": {"labels": {"node-role.kubernetes.io/control-plane": "",
            "node-role.kubernetes.io/": "", "kubernetes.io/role": "worker"}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [{"type": "Ready", "status": "False"}],
                "addresses": [{"type": "ExternalIP", "address": "1.1.1.1"},
                    {"type": "InternalIP", "address": "10.0.0.1"}]}});
        assert_eq!(status(&node), "NotReady,SchedulingDisabled");
        assert_eq!(roles(&node), "control-plane,worker");
        assert_eq!(address(&node, "InternalIP"), "10.0.0.1");
        let bare = json!({"metadata": {}, "status": {}});
        assert_eq!(status(&bare), "Unknown");
        assert_eq!(roles(&bare), "<none>");
        assert_eq!(address(&bare, "ExternalIP"), "<none>");
        let cols = Nodes.columns();
        let names: Vec<_> = cols.iter().map(|c| (c.name.as_ref(), c.priority)).collect();
        assert_eq!(
            names[..6],
            [
                ("Name", 0),
                ("Status", 0),
                ("Roles", 0),
                ("Age", 0),
                ("Version", 0),
                ("Internal-IP", 1)
            ]
        );
        assert_eq!(cols[7].cell(&bare), json!("<unknown>"));
    }

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
