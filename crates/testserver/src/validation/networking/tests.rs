use serde_json::json;

use super::*;

use crate::validation::texts;

/// ValidateNetworkPolicySpec, ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer,
/// ValidateIPBlock.
#[test]
fn network_policies() {
    let ok = json!({"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
            "ports": [{"protocol": "TCP", "port": 80, "endPort": 90}, {"port": "http"}]}],
        "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"a": "b"}}, "podSelector": {}}]}]}});
    assert!(
        network_policy(&ok).is_empty(),
        "{:?}",
        texts(network_policy(&ok))
    );
    let bad = json!({"spec": {"podSelector": {}, "policyTypes": ["Sideways"],
        "ingress": [{"from": [{}, {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/8"]}, "podSelector": {}}],
            "ports": [{"protocol": "ICMP", "port": 90, "endPort": 80}, {"port": "http", "endPort": 81}, {"endPort": 2}]}],
        "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.300/8"}}]}]}});
    assert_eq!(
        texts(network_policy(&bad)),
        [
            "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"",
            "spec.ingress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`",
            "spec.ingress[0].ports[1].endPort: Invalid value: 81: may not be specified when `port` is non-numeric",
            "spec.ingress[0].ports[2].endPort: Invalid value: 2: may not be specified when `port` is not specified",
            "spec.ingress[0].from[0]: Required value: must specify a peer",
            "spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: \"10.0.0.0/8\": must be a strict subset of `cidr`",
            "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer",
            "spec.egress[0].to[0].ipBlock.cidr: Invalid value: \"10.0.0.300/8\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            "spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"",
        ]
    );
}

/// ValidateIngressSpec, validateHTTPIngressPath, validateIngressBackend and the class
/// annotation rule of ValidateIngressCreate.
#[test]
fn ingresses() {
    let ok = json!({"spec": {"ingressClassName": "nginx", "rules": [{"host": "*.example.com", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}],
        "tls": [{"hosts": ["a.example.com"], "secretName": "tls"}]}});
    assert!(ingress(&ok).is_empty(), "{:?}", texts(ingress(&ok)));
    assert_eq!(
        texts(ingress(&json!({"spec": {}}))),
        ["spec: Invalid value: null: either `defaultBackend` or `rules` must be specified"]
    );
    let bad = json!({"metadata": {"annotations": {"kubernetes.io/ingress.class": "traefik"}},
        "spec": {"ingressClassName": "nginx", "rules": [{"host": "10.0.0.1", "http": {"paths": [
            {"path": "/a//b", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {"name": "http", "number": 80}}}},
            {"path": "x", "pathType": "Prefix", "backend": {"service": {"name": "Web", "port": {}}}},
            {"path": "/", "backend": {}},
            {"path": "/", "pathType": "Regex", "backend": {}}]}}]}});
    assert_eq!(
        texts(ingress(&bad)),
        [
            "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
            "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'",
            "spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both port name & port number",
            "spec.rules[0].http.paths[1].path: Invalid value: \"x\": must be an absolute path",
            "spec.rules[0].http.paths[1].backend.service.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "spec.rules[0].http.paths[1].backend: Required value: port name or number is required",
            "spec.rules[0].http.paths[2].pathType: Required value: pathType must be specified",
            "spec.rules[0].http.paths[3].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
            "spec.rules[0].http.paths[3].backend: Invalid value: \"\": resource or service backend is required",
            "annotations.kubernetes.io/ingress.class: Invalid value: \"traefik\": must match `ingressClassName` when both are specified",
        ]
    );
}

/// validateIngressClassSpec, validateIngressClassParametersReference and the immutable
/// controller.
#[test]
fn ingress_classes() {
    let ok = json!({"spec": {"controller": "example.com/ingress", "parameters": {
        "apiGroup": "k8s.example.com", "kind": "Params", "name": "p", "scope": "Namespace", "namespace": "ns"}}});
    assert!(
        ingress_class(&ok).is_empty(),
        "{:?}",
        texts(ingress_class(&ok))
    );
    let bad = json!({"spec": {"controller": "nginx", "parameters": {"kind": "Params", "scope": "Cluster", "namespace": "ns"}}});
    assert_eq!(
        texts(ingress_class(&bad)),
        [
            "spec.controller: Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")",
            "spec.parameters.name: Required value: name is required",
            "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'",
        ]
    );
    let mut moved = ok.clone();
    moved["spec"]["controller"] = json!("example.com/other");
    assert_eq!(
        texts(ingress_class_update(&moved, &ok)),
        ["spec.controller: Invalid value: \"example.com/other\": field is immutable"]
    );
}
