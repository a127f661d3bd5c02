//! Ingresses (`pkg/registry/networking/ingress/strategy.go` `WarningsOnCreate`: the
//! deprecated class annotation) and NetworkPolicies (`GetWarningsForNetworkPolicy`: the
//! `ipBlock` CIDRs of v1.33's IP and CIDR validation).

use serde_json::Value;

use super::{has, items, str_at};
use crate::validation::go_quote;
use crate::warnings::ip;

/// `annotationIngressClass`.
const INGRESS_CLASS: &str = "kubernetes.io/ingress.class";

/// The Ingress strategy's `WarningsOnCreate` (updates warn nothing).
pub(crate) fn ingress(ingress: &Value) -> Vec<String> {
    let annotated = ingress
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(INGRESS_CLASS))
        .is_some();
    let class_name = ingress
        .get("spec")
        .is_some_and(|s| has(s, "ingressClassName"));
    if annotated && !class_name {
        return vec![format!(
            "annotation {} is deprecated, please use 'spec.ingressClassName' instead",
            go_quote(INGRESS_CLASS)
        )];
    }
    Vec::new()
}

/// `GetWarningsForNetworkPolicy`: non-standard `ipBlock` CIDRs of the ingress and egress
/// peers.
pub(crate) fn network_policy(policy: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in items(policy, &format!("/spec/{direction}"))
            .iter()
            .enumerate()
        {
            for (j, peer) in items(rule, &format!("/{peers}")).iter().enumerate() {
                let Some(block) = peer.get("ipBlock").filter(|b| !b.is_null()) else {
                    continue;
                };
                let path = format!("spec.{direction}[{i}].{peers}[{j}].ipBlock");
                warnings.extend(ip::cidr(&format!("{path}.cidr"), str_at(block, "/cidr")));
                for (k, except) in items(block, "/except").iter().enumerate() {
                    let at = format!("{path}.except[{k}]");
                    warnings.extend(ip::cidr(&at, except.as_str().unwrap_or("")));
                }
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The class annotation is deprecated unless `spec.ingressClassName` is set too.
    #[test]
    fn ingress_class_annotation() {
        let mut ing = json!({"metadata": {"annotations": {"kubernetes.io/ingress.class": "nginx"}},
            "spec": {}});
        assert_eq!(
            ingress(&ing),
            [
                "annotation \"kubernetes.io/ingress.class\" is deprecated, please use 'spec.ingressClassName' instead"
            ]
        );
        ing["spec"]["ingressClassName"] = json!("nginx");
        assert!(ingress(&ing).is_empty());
    }

    /// `ipBlock.cidr` and `except` of both directions.
    #[test]
    fn network_policy_blocks() {
        let np = json!({"spec": {"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8",
            "except": ["10.1.0.1/16"]}}]}]}});
        assert_eq!(
            network_policy(&np),
            [
                "spec.egress[0].to[0].ipBlock.except[0]: CIDR value \"10.1.0.1/16\" is ambiguous in this context (should be \"10.1.0.0/16\" or \"10.1.0.1/32\"?)"
            ]
        );
    }
}
