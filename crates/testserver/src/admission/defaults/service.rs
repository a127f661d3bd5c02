//! Service and Endpoints defaults (`SetDefaults_Service`, `SetDefaults_Endpoints`).
//!
//! Cluster IP and IP family allocation are not defaults: the service registry does them.

use serde_json::{Value, json};

use crate::shared::json::{array_mut, default_field, default_str, object_at};

/// `SetDefaults_Service`.
pub(crate) fn service(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec"]) {
        default_str(spec, "sessionAffinity", "None");
        // Conversion keeps clusterIP and clusterIPs[0] in step.
        let first = spec
            .get("clusterIPs")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .and_then(Value::as_str)
            .map(str::to_owned);
        match first {
            Some(ip) => {
                spec.insert("clusterIP".into(), json!(ip));
            }
            None => {
                if let Some(ip) = spec
                    .get("clusterIP")
                    .and_then(Value::as_str)
                    .filter(|ip| !ip.is_empty())
                {
                    let ip = ip.to_owned();
                    spec.insert("clusterIPs".into(), json!([ip]));
                }
            }
        }
        default_str(spec, "type", "ClusterIP");
        let kind = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        for port in array_mut(spec, "ports") {
            let Some(p) = port.as_object_mut() else {
                continue;
            };
            default_str(p, "protocol", "TCP");
            let unset = match p.get("targetPort") {
                None | Some(Value::Null) => true,
                Some(Value::Number(n)) => n.as_i64() == Some(0),
                Some(Value::String(s)) => s.is_empty(),
                Some(_) => false,
            };
            if unset && let Some(port) = p.get("port").cloned() {
                p.insert("targetPort".into(), port);
            }
        }
        if spec.get("sessionAffinity").and_then(Value::as_str) == Some("ClientIP") {
            default_field(
                spec,
                "sessionAffinityConfig",
                json!({"clientIP": {"timeoutSeconds": 10800}}),
            );
        }
        if kind == "NodePort" || kind == "LoadBalancer" {
            default_str(spec, "externalTrafficPolicy", "Cluster");
        }
        if kind != "ExternalName" {
            default_str(spec, "internalTrafficPolicy", "Cluster");
        }
        if kind == "LoadBalancer" {
            default_field(spec, "allocateLoadBalancerNodePorts", json!(true));
        }
    }
    if let Some(status) = object_at(obj, &["status"]) {
        default_field(status, "loadBalancer", json!({}));
    }
}

/// `SetDefaults_EndpointPort`: protocol `TCP`.
pub(crate) fn endpoints(obj: &mut Value) {
    let Some(subsets) = obj.get_mut("subsets").and_then(Value::as_array_mut) else {
        return;
    };
    for subset in subsets {
        if let Some(s) = subset.as_object_mut() {
            for port in array_mut(s, "ports") {
                if let Some(p) = port.as_object_mut() {
                    default_str(p, "protocol", "TCP");
                }
            }
        }
    }
}
