//! What the Service registry fills on create: cluster IPs, IP families and node ports.
//!
//! The allocators are the server's (they hold state); this only decides what needs one and where
//! the results go, as `pkg/registry/core/service` does for a single-stack IPv4 cluster.

use serde_json::{Value, json};

use crate::shared::json::{default_field, default_str, object_at};

/// Fills `spec.clusterIP(s)`, `spec.ipFamilies`, `spec.ipFamilyPolicy` and missing node ports of
/// a defaulted Service. `next_ip` and `next_node_port` are called only when a value is needed.
pub(crate) fn allocate(
    service: &mut Value,
    next_ip: &mut dyn FnMut() -> String,
    next_node_port: &mut dyn FnMut() -> i64,
) {
    let Some(spec) = object_at(service, &["spec"]) else {
        return;
    };
    let ty = spec
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("ClusterIP")
        .to_owned();
    if ty == "ExternalName" {
        return;
    }
    let cluster_ip = spec
        .get("clusterIP")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let ip = if cluster_ip.is_empty() {
        next_ip()
    } else {
        cluster_ip
    };
    spec.insert("clusterIP".into(), json!(ip));
    default_field(spec, "clusterIPs", json!([ip]));
    default_field(spec, "ipFamilies", json!(["IPv4"]));
    default_str(spec, "ipFamilyPolicy", "SingleStack");
    if ty == "NodePort" || ty == "LoadBalancer" {
        let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) else {
            return;
        };
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            if port.get("nodePort").and_then(Value::as_i64).unwrap_or(0) == 0 {
                port.insert("nodePort".into(), json!(next_node_port()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(mut service: Value, expected_spec: Value) {
        let mut ips = 10;
        let mut ports = 30000;
        allocate(
            &mut service,
            &mut || {
                ips += 1;
                format!("10.96.0.{ips}")
            },
            &mut || {
                ports += 1;
                ports
            },
        );
        assert_eq!(service["spec"], expected_spec);
    }

    #[test]
    fn allocations() {
        check(
            json!({"spec": {"type": "ClusterIP", "ports": [{"port": 80}]}}),
            json!({"type": "ClusterIP", "ports": [{"port": 80}], "clusterIP": "10.96.0.11", "clusterIPs": ["10.96.0.11"],
                   "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"}),
        );
        check(
            json!({"spec": {"type": "ClusterIP", "clusterIP": "None"}}),
            json!({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"}),
        );
        check(
            json!({"spec": {"type": "NodePort", "ports": [{"port": 80}, {"port": 81, "nodePort": 30080}]}}),
            json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30001}, {"port": 81, "nodePort": 30080}],
                   "clusterIP": "10.96.0.11", "clusterIPs": ["10.96.0.11"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"}),
        );
        check(
            json!({"spec": {"type": "ExternalName", "externalName": "x.example"}}),
            json!({"type": "ExternalName", "externalName": "x.example"}),
        );
    }
}
