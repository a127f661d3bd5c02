//! Services (`pkg/api/service/warnings.go` `GetWarningsForService`, the service strategy's
//! `WarningsOnCreate` and `WarningsOnUpdate`).

use serde_json::Value;

use super::{items, str_at};
use crate::validation::go_quote;
use crate::warnings::ip;

/// `api.DeprecatedAnnotationTopologyAwareHints`.
const TOPOLOGY_AWARE_HINTS: &str = "service.kubernetes.io/topology-aware-hints";

/// `api.AnnotationTopologyMode`.
const TOPOLOGY_MODE: &str = "service.kubernetes.io/topology-mode";

/// `GetWarningsForService` (the old object plays no part).
pub(crate) fn service(svc: &Value) -> Vec<String> {
    let spec = svc.get("spec").unwrap_or(&Value::Null);
    let mut warnings = Vec::new();
    let annotations = svc.pointer("/metadata/annotations");
    if annotations
        .and_then(|a| a.get(TOPOLOGY_AWARE_HINTS))
        .is_some()
    {
        warnings.push(format!(
            "annotation {TOPOLOGY_AWARE_HINTS} is deprecated, please use {TOPOLOGY_MODE} instead"
        ));
    }
    let cluster_ip = str_at(spec, "/clusterIP");
    if !cluster_ip.is_empty() && cluster_ip != "None" {
        for (i, address) in items(spec, "/clusterIPs").iter().enumerate() {
            let path = format!("spec.clusterIPs[{i}]");
            warnings.extend(ip::ip(&path, address.as_str().unwrap_or("")));
        }
    }
    let kind = str_at(spec, "/type");
    let headless = kind == "ClusterIP" && cluster_ip == "None";
    let external_ips = items(spec, "/externalIPs");
    let load_balancer_ip = str_at(spec, "/loadBalancerIP");
    if headless {
        if !load_balancer_ip.is_empty() {
            warnings.push("spec.loadBalancerIP is ignored for headless services".to_owned());
        }
        if !external_ips.is_empty() {
            warnings.push("spec.externalIPs is ignored for headless services".to_owned());
        }
        // the defaults make an unset affinity "None"
        if !matches!(str_at(spec, "/sessionAffinity"), "None" | "") {
            warnings.push("spec.SessionAffinity is ignored for headless services".to_owned());
        }
    }
    for (i, address) in external_ips.iter().enumerate() {
        let path = format!("spec.externalIPs[{i}]");
        warnings.extend(ip::ip(&path, address.as_str().unwrap_or("")));
    }
    if !external_ips.is_empty() && !headless && kind != "ExternalName" {
        warnings.push(
            "spec.externalIPs is deprecated and may no longer be implemented in some clusters"
                .to_owned(),
        );
    }
    if !load_balancer_ip.is_empty() {
        warnings.extend(ip::ip("spec.loadBalancerIP", load_balancer_ip));
    }
    for (i, range) in items(spec, "/loadBalancerSourceRanges").iter().enumerate() {
        let path = format!("spec.loadBalancerSourceRanges[{i}]");
        warnings.extend(ip::cidr(&path, range.as_str().unwrap_or("")));
    }
    if kind == "ExternalName" && !external_ips.is_empty() {
        warnings.push(format!(
            "spec.externalIPs is ignored when spec.type is {}",
            go_quote("ExternalName")
        ));
    }
    if kind != "ExternalName" && !str_at(spec, "/externalName").is_empty() {
        warnings.push(format!(
            "spec.externalName is ignored when spec.type is not {}",
            go_quote("ExternalName")
        ));
    }
    if str_at(spec, "/trafficDistribution") == "PreferClose" {
        warnings.push(format!(
            "spec.trafficDistribution: {} is deprecated; use {}",
            go_quote("PreferClose"),
            go_quote("PreferSameZone")
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A defaulted ClusterIP Service with nothing odd draws no warning.
    #[test]
    fn a_plain_service_is_clean() {
        let svc = json!({"spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10",
            "clusterIPs": ["10.96.0.10"], "sessionAffinity": "None",
            "ports": [{"port": 80, "protocol": "TCP"}]}});
        assert!(service(&svc).is_empty());
    }

    /// Headless services ignore addresses and affinity; `externalName` needs its type.
    #[test]
    fn ignored_fields_are_named() {
        let svc = json!({"metadata": {"annotations": {"service.kubernetes.io/topology-aware-hints": "auto"}},
            "spec": {"type": "ClusterIP", "clusterIP": "None", "sessionAffinity": "ClientIP",
            "externalName": "example.com", "trafficDistribution": "PreferClose"}});
        assert_eq!(
            service(&svc),
            [
                "annotation service.kubernetes.io/topology-aware-hints is deprecated, please use service.kubernetes.io/topology-mode instead",
                "spec.SessionAffinity is ignored for headless services",
                "spec.externalName is ignored when spec.type is not \"ExternalName\"",
                "spec.trafficDistribution: \"PreferClose\" is deprecated; use \"PreferSameZone\"",
            ]
        );
    }

    /// External IPs: deprecated, and checked as IPs; source ranges as CIDRs.
    #[test]
    fn external_ips_and_source_ranges() {
        let svc = json!({"spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.11",
            "clusterIPs": ["10.96.0.11"], "sessionAffinity": "None", "externalIPs": ["010.1.1.1"],
            "loadBalancerSourceRanges": ["10.0.0.1/8"]}});
        assert_eq!(
            service(&svc),
            [
                "spec.externalIPs[0]: non-standard IP address \"010.1.1.1\" will be considered invalid in a future Kubernetes release: use \"10.1.1.1\"",
                "spec.externalIPs is deprecated and may no longer be implemented in some clusters",
                "spec.loadBalancerSourceRanges[0]: CIDR value \"10.0.0.1/8\" is ambiguous in this context (should be \"10.0.0.0/8\" or \"10.0.0.1/32\"?)",
            ]
        );
    }
}
