//! Service validation (`ValidateService`, the commonly hit parts).

use std::collections::HashSet;

use serde_json::Value;

use super::{FieldError, meta, names};

const TYPES: [&str; 4] = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const AFFINITIES: [&str; 2] = ["ClientIP", "None"];
const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn port_in_range(path: String, port: i64) -> Option<FieldError> {
    (!(1..=65535).contains(&port))
        .then(|| FieldError::invalid(path, port, "must be between 1 and 65535, inclusive"))
}

/// `ValidateService` without the metadata.
pub(crate) fn validate(obj: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let mut errs = Vec::new();
    let ty = s(spec, "type");
    let headless = s(spec, "clusterIP") == "None";
    let ports = spec
        .get("ports")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if ports.is_empty() && !headless && ty != "ExternalName" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    let mut seen = HashSet::new();
    for (i, port) in ports.iter().enumerate() {
        let at = format!("spec.ports[{i}]");
        let name = s(port, "name");
        if name.is_empty() {
            if ports.len() > 1 {
                errs.push(FieldError::required(format!("{at}.name"), ""));
            }
        } else {
            for msg in names::dns1123_label(name) {
                errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
            }
            if !seen.insert(name.to_owned()) {
                errs.push(FieldError::duplicate(format!("{at}.name"), name));
            }
        }
        errs.extend(port_in_range(
            format!("{at}.port"),
            port.get("port").and_then(Value::as_i64).unwrap_or(0),
        ));
        let protocol = s(port, "protocol");
        if !PROTOCOLS.contains(&protocol) {
            errs.push(FieldError::not_supported(
                format!("{at}.protocol"),
                protocol,
                &PROTOCOLS,
            ));
        }
        if let Some(target) = port.get("targetPort").and_then(Value::as_i64) {
            errs.extend(port_in_range(format!("{at}.targetPort"), target));
        }
        if let Some(node_port) = port
            .get("nodePort")
            .and_then(Value::as_i64)
            .filter(|p| *p != 0)
        {
            if ty != "NodePort" && ty != "LoadBalancer" {
                errs.push(FieldError::forbidden(
                    format!("{at}.nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
            errs.extend(port_in_range(format!("{at}.nodePort"), node_port));
        }
    }
    if !TYPES.contains(&ty) {
        errs.push(FieldError::not_supported("spec.type", ty, &TYPES));
    }
    if ty == "ExternalName" {
        let external = s(spec, "externalName");
        if external.is_empty() {
            errs.push(FieldError::required("spec.externalName", ""));
        } else {
            for msg in names::dns1123_subdomain(external.trim_end_matches('.')) {
                errs.push(FieldError::invalid("spec.externalName", external, msg));
            }
        }
    }
    let affinity = s(spec, "sessionAffinity");
    if !AFFINITIES.contains(&affinity) {
        errs.push(FieldError::not_supported(
            "spec.sessionAffinity",
            affinity,
            &AFFINITIES,
        ));
    }
    errs.extend(meta::labels(spec.get("selector"), "spec.selector"));
    errs
}

/// A Service's cluster IP cannot change once set (the registry's allocation is the only way in).
pub(crate) fn validate_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let ip = |v: &Value| {
        v.pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (new_ip, old_ip) = (ip(new), ip(old));
    if !old_ip.is_empty() && new_ip != old_ip {
        return vec![FieldError::invalid(
            "spec.clusterIPs[0]",
            new_ip,
            "may not change once set",
        )];
    }
    Vec::new()
}
