//! Node defaults, plus the fields Go always serialises for a Node.

use serde_json::{Value, json};

use crate::shared::json::{default_field, object_at};

/// `SetDefaults_NodeStatus` (allocatable from capacity), the `podCIDR`/`podCIDRs` conversion and
/// the always-present `status.daemonEndpoints` / `status.nodeInfo` structs.
pub(crate) fn node(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec"]) {
        let cidr = spec
            .get("podCIDR")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let cidrs = spec
            .get("podCIDRs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if cidrs.is_empty() && !cidr.is_empty() {
            spec.insert("podCIDRs".into(), json!([cidr]));
        } else if let Some(first) = cidrs.first().and_then(Value::as_str) {
            spec.insert("podCIDR".into(), Value::String(first.to_owned()));
        }
    }
    let Some(status) = object_at(obj, &["status"]) else {
        return;
    };
    if status.get("allocatable").is_none_or(Value::is_null)
        && let Some(capacity) = status.get("capacity").filter(|c| !c.is_null()).cloned()
    {
        status.insert("allocatable".into(), capacity);
    }
    default_field(
        status,
        "daemonEndpoints",
        json!({"kubeletEndpoint": {"Port": 0}}),
    );
    if let Some(endpoint) = status
        .get_mut("daemonEndpoints")
        .and_then(Value::as_object_mut)
        .map(|d| d.entry("kubeletEndpoint").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    {
        default_field(endpoint, "Port", json!(0));
    }
    default_field(status, "nodeInfo", json!({}));
    if let Some(info) = status.get_mut("nodeInfo").and_then(Value::as_object_mut) {
        for key in [
            "machineID",
            "systemUUID",
            "bootID",
            "kernelVersion",
            "osImage",
            "containerRuntimeVersion",
            "kubeletVersion",
            "kubeProxyVersion",
            "operatingSystem",
            "architecture",
        ] {
            default_field(info, key, json!(""));
        }
    }
}
