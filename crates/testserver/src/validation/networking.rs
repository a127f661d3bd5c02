//! networking.k8s.io/v1 validation (`pkg/apis/networking/validation`): NetworkPolicies
//! (`ValidateNetworkPolicySpec`: selectors, ports, peers, IP blocks, policy types), Ingresses
//! (`ValidateIngressSpec`: rules, hosts, paths, backends, TLS, class name, and the class
//! annotation on create) and IngressClasses (`validateIngressClassSpec`, the immutable
//! controller).

use serde_json::Value;

use super::job_policies::domain_prefixed_path;
use super::{FieldError, names, net, selector};

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// `ValidateNetworkPolicySpec` (create and update alike).
pub(crate) fn network_policy(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = selector::label_selector(
        Some(spec.get("podSelector").unwrap_or(&Value::Null)),
        "spec.podSelector",
    );
    for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
        for (i, rule) in items(spec.get(direction)).iter().enumerate() {
            let at = format!("spec.{direction}[{i}]");
            for (j, port) in items(rule.get("ports")).iter().enumerate() {
                errs.extend(policy_port(port, &format!("{at}.ports[{j}]")));
            }
            for (j, peer) in items(rule.get(peers)).iter().enumerate() {
                errs.extend(policy_peer(peer, &format!("{at}.{peers}[{j}]")));
            }
        }
    }
    let types = items(spec.get("policyTypes"));
    if types.len() > 2 {
        errs.push(FieldError::invalid(
            "spec.policyTypes",
            spec.get("policyTypes").cloned().unwrap_or(Value::Null),
            "may not specify more than two policyTypes",
        ));
        return errs;
    }
    for (i, t) in types.iter().enumerate() {
        let t = t.as_str().unwrap_or("");
        if !["Ingress", "Egress"].contains(&t) {
            errs.push(FieldError::not_supported(
                format!("spec.policyTypes[{i}]"),
                t,
                &["Ingress", "Egress"],
            ));
        }
    }
    errs
}

/// `ValidateNetworkPolicyPort`.
fn policy_port(port: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(protocol) = set(port, "protocol").and_then(Value::as_str)
        && !["TCP", "UDP", "SCTP"].contains(&protocol)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.protocol"),
            protocol,
            &["TCP", "UDP", "SCTP"],
        ));
    }
    let end_port = set(port, "endPort").and_then(Value::as_i64);
    match set(port, "port") {
        Some(Value::String(name)) => {
            if let Some(end) = end_port {
                errs.push(FieldError::invalid(
                    format!("{path}.endPort"),
                    end,
                    "may not be specified when `port` is non-numeric",
                ));
            }
            for msg in net::port_name(name) {
                errs.push(FieldError::invalid(
                    format!("{path}.port"),
                    name.as_str(),
                    msg,
                ));
            }
        }
        Some(number) => {
            let number = number.as_i64().unwrap_or(0);
            for msg in net::port_num(number) {
                errs.push(FieldError::invalid(format!("{path}.port"), number, msg));
            }
            if let Some(end) = end_port {
                if end < number {
                    errs.push(FieldError::invalid(
                        format!("{path}.endPort"),
                        number,
                        "must be greater than or equal to `port`",
                    ));
                }
                for msg in net::port_num(end) {
                    errs.push(FieldError::invalid(format!("{path}.endPort"), end, msg));
                }
            }
        }
        None => {
            if let Some(end) = end_port {
                errs.push(FieldError::invalid(
                    format!("{path}.endPort"),
                    end,
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
    errs
}

/// `ValidateNetworkPolicyPeer`.
fn policy_peer(peer: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut peers = 0;
    for key in ["podSelector", "namespaceSelector"] {
        if let Some(s) = set(peer, key) {
            peers += 1;
            errs.extend(selector::label_selector(Some(s), &format!("{path}.{key}")));
        }
    }
    let ip_block = set(peer, "ipBlock");
    if let Some(block) = ip_block {
        peers += 1;
        errs.extend(ip_block_errors(block, &format!("{path}.ipBlock")));
    }
    if peers == 0 {
        errs.push(FieldError::required(path, "must specify a peer"));
    } else if peers > 1 && ip_block.is_some() {
        errs.push(FieldError::forbidden(
            path,
            "may not specify both ipBlock and another peer",
        ));
    }
    errs
}

/// `ValidateIPBlock`.
fn ip_block_errors(block: &Value, path: &str) -> Vec<FieldError> {
    let cidr = block.get("cidr").and_then(Value::as_str).unwrap_or("");
    if cidr.is_empty() {
        return vec![FieldError::required(format!("{path}.cidr"), "")];
    }
    let mut errs: Vec<FieldError> = net::legacy_cidr(cidr)
        .into_iter()
        .map(|msg| FieldError::invalid(format!("{path}.cidr"), cidr, msg))
        .collect();
    let Some(outer) = net::parse_cidr(cidr) else {
        return errs;
    };
    for (i, except) in items(block.get("except")).iter().enumerate() {
        let except = except.as_str().unwrap_or("");
        let at = format!("{path}.except[{i}]");
        errs.extend(
            net::legacy_cidr(except)
                .into_iter()
                .map(|msg| FieldError::invalid(at.clone(), except, msg)),
        );
        if let Some(inner) = net::parse_cidr(except)
            && !net::strict_subset(outer, inner)
        {
            errs.push(FieldError::invalid(
                at,
                except,
                "must be a strict subset of `cidr`",
            ));
        }
    }
    errs
}

/// `ValidateIngressCreate` after `ObjectMeta`: the spec, then the class annotation, which
/// must agree with `ingressClassName`.
pub(crate) fn ingress(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = ingress_spec(spec, false);
    let annotation = obj
        .pointer("/metadata/annotations/kubernetes.io~1ingress.class")
        .and_then(Value::as_str);
    if let (Some(annotation), Some(class)) = (
        annotation,
        set(spec, "ingressClassName").and_then(Value::as_str),
    ) && annotation != class
    {
        errs.push(FieldError::invalid(
            "annotations.kubernetes.io/ingress.class",
            annotation,
            "must match `ingressClassName` when both are specified",
        ));
    }
    errs
}

/// `ValidateIngressUpdate` after the metadata: the spec, with TLS secret names that the
/// stored object already got wrong still allowed.
pub(crate) fn ingress_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let old_bad_secret = items(spec(old).get("tls")).iter().any(|t| {
        let name = t.get("secretName").and_then(Value::as_str).unwrap_or("");
        !name.is_empty() && !names::dns1123_subdomain(name).is_empty()
    });
    ingress_spec(spec(new), old_bad_secret)
}

/// `ValidateIngressSpec`.
fn ingress_spec(spec: &Value, allow_invalid_secret: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let rules = items(spec.get("rules"));
    let backend = set(spec, "defaultBackend");
    if rules.is_empty() && backend.is_none() {
        errs.push(FieldError::invalid(
            "spec",
            spec.get("rules").cloned().unwrap_or(Value::Null),
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(backend) = backend {
        errs.extend(ingress_backend(backend, "spec.defaultBackend"));
    }
    for (i, rule) in rules.iter().enumerate() {
        errs.extend(ingress_rule(rule, &format!("spec.rules[{i}]")));
    }
    for (i, tls) in items(spec.get("tls")).iter().enumerate() {
        let at = format!("spec.tls[{i}]");
        for (j, host) in items(tls.get("hosts")).iter().enumerate() {
            let host = host.as_str().unwrap_or("");
            let msgs = if host.contains('*') {
                net::wildcard_dns1123_subdomain(host)
            } else {
                names::dns1123_subdomain(host)
            };
            for msg in msgs {
                errs.push(FieldError::invalid(format!("{at}.hosts[{j}]"), host, msg));
            }
        }
        let secret = tls.get("secretName").and_then(Value::as_str).unwrap_or("");
        if !allow_invalid_secret && !secret.is_empty() {
            for msg in names::dns1123_subdomain(secret) {
                errs.push(FieldError::invalid(format!("{at}.secretName"), secret, msg));
            }
        }
    }
    if let Some(class) = set(spec, "ingressClassName").and_then(Value::as_str) {
        for msg in names::dns1123_subdomain(class) {
            errs.push(FieldError::invalid("spec.ingressClassName", class, msg));
        }
    }
    errs
}

fn ingress_rule(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let host = rule.get("host").and_then(Value::as_str).unwrap_or("");
    if !host.is_empty() {
        if net::parse_ip_sloppy(host).is_some() {
            errs.push(FieldError::invalid(
                format!("{path}.host"),
                host,
                "must be a DNS name, not an IP address",
            ));
        }
        let msgs = if host.contains('*') {
            net::wildcard_dns1123_subdomain(host)
        } else {
            names::dns1123_subdomain(host)
        };
        for msg in msgs {
            errs.push(FieldError::invalid(format!("{path}.host"), host, msg));
        }
    }
    if let Some(http) = set(rule, "http") {
        let paths = items(http.get("paths"));
        if paths.is_empty() {
            errs.push(FieldError::required(format!("{path}.http.paths"), ""));
        }
        for (i, p) in paths.iter().enumerate() {
            errs.extend(http_path(p, &format!("{path}.http.paths[{i}]")));
        }
    }
    errs
}

/// `validateHTTPIngressPath`.
fn http_path(p: &Value, path: &str) -> Vec<FieldError> {
    const PATH_TYPES: [&str; 3] = ["Exact", "ImplementationSpecific", "Prefix"];
    let mut errs = Vec::new();
    let Some(path_type) = set(p, "pathType").and_then(Value::as_str) else {
        return vec![FieldError::required(
            format!("{path}.pathType"),
            "pathType must be specified",
        )];
    };
    let value = p.get("path").and_then(Value::as_str).unwrap_or("");
    let at = format!("{path}.path");
    match path_type {
        "Exact" | "Prefix" => {
            if !value.starts_with('/') {
                errs.push(FieldError::invalid(
                    at.clone(),
                    value,
                    "must be an absolute path",
                ));
            }
            if !value.is_empty() {
                for seq in ["//", "/./", "/../", "%2f", "%2F"] {
                    if value.contains(seq) {
                        errs.push(FieldError::invalid(
                            at.clone(),
                            value,
                            format!("must not contain '{seq}'"),
                        ));
                    }
                }
                for suffix in ["/..", "/."] {
                    if value.ends_with(suffix) {
                        errs.push(FieldError::invalid(
                            at.clone(),
                            value,
                            format!("cannot end with '{suffix}'"),
                        ));
                    }
                }
            }
        }
        "ImplementationSpecific" => {
            if !value.is_empty() && !value.starts_with('/') {
                errs.push(FieldError::invalid(at, value, "must be an absolute path"));
            }
        }
        other => errs.push(FieldError::not_supported(
            format!("{path}.pathType"),
            other,
            &PATH_TYPES,
        )),
    }
    errs.extend(ingress_backend(
        p.get("backend").unwrap_or(&Value::Null),
        &format!("{path}.backend"),
    ));
    errs
}

/// `validateIngressBackend`.
fn ingress_backend(backend: &Value, path: &str) -> Vec<FieldError> {
    let resource = set(backend, "resource");
    let service = set(backend, "service");
    match (resource, service) {
        (Some(_), Some(_)) => vec![FieldError::invalid(
            path,
            "",
            "cannot set both resource and service backends",
        )],
        (Some(resource), None) => typed_reference(resource, &format!("{path}.resource")),
        (None, Some(service)) => service_backend(service, path),
        (None, None) => vec![FieldError::invalid(
            path,
            "",
            "resource or service backend is required",
        )],
    }
}

fn service_backend(service: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = service.get("name").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.service.name"), ""));
    } else {
        for msg in names::dns1035_label(name) {
            errs.push(FieldError::invalid(
                format!("{path}.service.name"),
                name,
                msg,
            ));
        }
    }
    let port_name = service
        .pointer("/port/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let port_number = service
        .pointer("/port/number")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    match (port_name.is_empty(), port_number == 0) {
        (false, false) => errs.push(FieldError::invalid(
            path,
            "",
            "cannot set both port name & port number",
        )),
        (false, true) => {
            for msg in net::port_name(port_name) {
                errs.push(FieldError::invalid(
                    format!("{path}.service.port.name"),
                    port_name,
                    msg,
                ));
            }
        }
        (true, false) => {
            for msg in net::port_num(port_number) {
                errs.push(FieldError::invalid(
                    format!("{path}.service.port.number"),
                    port_number,
                    msg,
                ));
            }
        }
        (true, true) => errs.push(FieldError::required(
            path,
            "port name or number is required",
        )),
    }
    errs
}

/// `validateIngressTypedLocalObjectReference`.
fn typed_reference(params: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(group) = set(params, "apiGroup").and_then(Value::as_str) {
        for msg in names::dns1123_subdomain(group) {
            errs.push(FieldError::invalid(format!("{path}.apiGroup"), group, msg));
        }
    }
    for key in ["kind", "name"] {
        let value = params.get(key).and_then(Value::as_str).unwrap_or("");
        if value.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.{key}"),
                format!("{key} is required"),
            ));
        } else {
            for msg in names::path_segment_name(value) {
                errs.push(FieldError::invalid(format!("{path}.{key}"), value, msg));
            }
        }
    }
    errs
}

/// `validateIngressClassSpec`.
pub(crate) fn ingress_class(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let controller = spec.get("controller").and_then(Value::as_str).unwrap_or("");
    let mut errs = Vec::new();
    if controller.len() > 250 {
        errs.push(FieldError::too_long("spec.controller", 250));
    }
    errs.extend(domain_prefixed_path(controller, "spec.controller"));
    if let Some(params) = set(spec, "parameters") {
        let at = "spec.parameters";
        errs.extend(typed_reference(params, at));
        match set(params, "scope").and_then(Value::as_str) {
            None => errs.push(FieldError::required(format!("{at}.scope"), "")),
            Some("Namespace") => match set(params, "namespace").and_then(Value::as_str) {
                None => errs.push(FieldError::required(
                    format!("{at}.namespace"),
                    "`parameters.scope` is set to 'Namespace'",
                )),
                Some(ns) => {
                    for msg in names::dns1123_label(ns) {
                        errs.push(FieldError::invalid(format!("{at}.namespace"), ns, msg));
                    }
                }
            },
            Some("Cluster") => {
                if set(params, "namespace").is_some() {
                    errs.push(FieldError::forbidden(
                        format!("{at}.namespace"),
                        "`parameters.scope` is set to 'Cluster'",
                    ));
                }
            }
            Some(other) => errs.push(FieldError::not_supported(
                format!("{at}.scope"),
                other,
                &["Cluster", "Namespace"],
            )),
        }
    }
    errs
}

/// `validateIngressClassSpecUpdate`: the controller may not change.
pub(crate) fn ingress_class_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let controller = |o: &Value| {
        o.pointer("/spec/controller")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if controller(new) == controller(old) {
        return Vec::new();
    }
    vec![FieldError::invalid(
        "spec.controller",
        controller(new),
        "field is immutable",
    )]
}

#[cfg(test)]
mod tests;
