//! discovery.k8s.io/v1 EndpointSlice validation (`pkg/apis/discovery/validation`:
//! `ValidateEndpointSlice`, `ValidateEndpointSliceCreate`, `ValidateEndpointSliceUpdate`):
//! the address type, each endpoint's addresses as that type reads them (IPs that may not be
//! unspecified, loopback or link-local, fully qualified domain names), node names, hostnames,
//! zone and node hints, and the ports (unique names, protocols, application protocols).
//!
//! The endpoints' `conditions` have no rules of their own; `deprecatedTopology` cannot be
//! written through v1 (its field is dropped on decoding), so its rules never fire here.

use std::collections::HashSet;

use serde_json::Value;

use super::{FieldError, names, net};

const ADDRESS_TYPES: [&str; 3] = ["FQDN", "IPv4", "IPv6"];
const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];
const MAX_ADDRESSES: usize = 100;
const MAX_PORTS: usize = 20000;
const MAX_ENDPOINTS: usize = 1000;
const MAX_ZONE_HINTS: usize = 8;
const MAX_NODE_HINTS: usize = 8;

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `ValidateEndpointSlice` without its `ObjectMeta` part (`ValidateEndpointSliceCreate`).
pub(crate) fn endpoint_slice(obj: &Value) -> Vec<FieldError> {
    let address_type = str_at(obj, "addressType");
    let mut errs = Vec::new();
    if address_type.is_empty() {
        errs.push(FieldError::required("addressType", ""));
    } else if !ADDRESS_TYPES.contains(&address_type) {
        errs.push(FieldError::not_supported(
            "addressType",
            address_type,
            &ADDRESS_TYPES,
        ));
    }
    errs.extend(endpoints(items(obj.get("endpoints")), address_type));
    errs.extend(ports(items(obj.get("ports"))));
    errs
}

/// `ValidateEndpointSliceUpdate` without its `ObjectMeta` part: the new slice's checks, then
/// the immutable address type.
pub(crate) fn endpoint_slice_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = endpoint_slice(new);
    let (now, before) = (str_at(new, "addressType"), str_at(old, "addressType"));
    if now != before {
        errs.push(FieldError::invalid(
            "addressType",
            now,
            "field is immutable",
        ));
    }
    errs
}

/// `validateEndpoints`.
fn endpoints(list: &[Value], address_type: &str) -> Vec<FieldError> {
    if list.len() > MAX_ENDPOINTS {
        return vec![FieldError::too_many("endpoints", list.len(), MAX_ENDPOINTS)];
    }
    let mut errs = Vec::new();
    for (i, endpoint) in list.iter().enumerate() {
        let at = format!("endpoints[{i}]");
        let addresses_path = format!("{at}.addresses");
        let addresses = items(endpoint.get("addresses"));
        if addresses.is_empty() {
            errs.push(FieldError::required(
                addresses_path.as_str(),
                "must contain at least 1 address",
            ));
        } else if addresses.len() > MAX_ADDRESSES {
            errs.push(FieldError::too_many(
                addresses_path.as_str(),
                addresses.len(),
                MAX_ADDRESSES,
            ));
        }
        for (j, address) in addresses.iter().enumerate() {
            let path = format!("{addresses_path}[{j}]");
            let address = address.as_str().unwrap_or("");
            match address_type {
                "IPv4" | "IPv6" => {
                    let want_v4 = address_type == "IPv4";
                    if family_of(address) != Some(want_v4) {
                        let family = if want_v4 { "IPv4" } else { "IPv6" };
                        errs.push(FieldError::invalid(
                            path.as_str(),
                            address,
                            format!("must be a valid {family} address"),
                        ));
                    }
                    errs.extend(net::non_special_ip(address, &path));
                }
                "FQDN" => errs.extend(fully_qualified_domain_name(address, &path)),
                _ => {}
            }
        }
        if let Some(node) = endpoint.get("nodeName").and_then(Value::as_str) {
            for msg in names::dns1123_subdomain(node) {
                errs.push(FieldError::invalid(format!("{at}.nodeName"), node, msg));
            }
        }
        if let Some(hostname) = endpoint.get("hostname").and_then(Value::as_str) {
            for msg in names::dns1123_label(hostname) {
                errs.push(FieldError::invalid(format!("{at}.hostname"), hostname, msg));
            }
        }
        if let Some(hints) = endpoint.get("hints").filter(|h| h.is_object()) {
            errs.extend(hints_errors(hints, &format!("{at}.hints")));
        }
    }
    errs
}

/// `Some(true)` for an IPv4 address (`IsValidIPv4Address`), `Some(false)` for IPv6, `None`
/// for no IP at all.
fn family_of(address: &str) -> Option<bool> {
    net::parse_ip_to4(address).map(|ip| ip.is_ipv4())
}

/// `IsFullyQualifiedDomainName`: a DNS subdomain of at least two labels (one trailing dot
/// allowed); only the first problem is reported.
pub(crate) fn fully_qualified_domain_name(name: &str, path: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    let errs = names::dns1123_subdomain(name);
    if !errs.is_empty() {
        return vec![FieldError::invalid(path, name, errs.join(","))];
    }
    if !name.contains('.') {
        return vec![FieldError::invalid(
            path,
            name,
            "should be a domain with at least two segments separated by dots",
        )];
    }
    for label in name.split('.') {
        let errs = names::dns1123_label(label);
        if !errs.is_empty() {
            return vec![FieldError::invalid(path, label, errs.join(","))];
        }
    }
    Vec::new()
}

/// `validateHints`: at most eight zone and eight node hints, each named once and validly.
fn hints_errors(hints: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let zones = items(hints.get("forZones"));
    if zones.len() > MAX_ZONE_HINTS {
        errs.push(FieldError::too_many(
            format!("{path}.forZones"),
            zones.len(),
            MAX_ZONE_HINTS,
        ));
        return errs;
    }
    let mut seen = HashSet::new();
    for (i, zone) in zones.iter().enumerate() {
        let at = format!("{path}.forZones[{i}].name");
        let name = str_at(zone, "name");
        if !seen.insert(name) {
            errs.push(FieldError::duplicate(at.as_str(), name));
        }
        for msg in names::label_value(name) {
            errs.push(FieldError::invalid(at.as_str(), name, msg));
        }
    }
    let nodes = items(hints.get("forNodes"));
    if nodes.len() > MAX_NODE_HINTS {
        errs.push(FieldError::too_many(
            format!("{path}.forNodes"),
            nodes.len(),
            MAX_NODE_HINTS,
        ));
        return errs;
    }
    let mut seen = HashSet::new();
    for (i, node) in nodes.iter().enumerate() {
        let at = format!("{path}.forNodes[{i}].name");
        let name = str_at(node, "name");
        if !seen.insert(name) {
            errs.push(FieldError::duplicate(at.as_str(), name));
        }
        for msg in names::dns1123_subdomain(name) {
            errs.push(FieldError::invalid(at.as_str(), name, msg));
        }
    }
    errs
}

/// `validatePorts` (names and protocols defaulted to `""` and `TCP`, as v1 decoding does).
fn ports(list: &[Value]) -> Vec<FieldError> {
    if list.len() > MAX_PORTS {
        return vec![FieldError::too_many("ports", list.len(), MAX_PORTS)];
    }
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for (i, port) in list.iter().enumerate() {
        let at = format!("ports[{i}]");
        let name = str_at(port, "name");
        if !name.is_empty() {
            for msg in names::dns1123_label(name) {
                errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
            }
        }
        if !seen.insert(name) {
            errs.push(FieldError::duplicate(format!("{at}.name"), name));
        }
        match port.get("protocol").and_then(Value::as_str) {
            None => errs.push(FieldError::required(format!("{at}.protocol"), "")),
            Some(protocol) if !PROTOCOLS.contains(&protocol) => errs.push(
                FieldError::not_supported(format!("{at}.protocol"), protocol, &PROTOCOLS),
            ),
            Some(_) => {}
        }
        if let Some(app) = port.get("appProtocol").and_then(Value::as_str) {
            for msg in names::qualified_name(app) {
                errs.push(FieldError::invalid(format!("{at}.appProtocol"), app, msg));
            }
        }
    }
    errs
}

/// The v1 defaults of an EndpointSlice (`SetDefaults_EndpointPort`): a port's name is `""`
/// and its protocol `TCP` when unset.
pub(crate) fn default_ports(obj: &mut Value) {
    let Some(ports) = obj.get_mut("ports").and_then(Value::as_array_mut) else {
        return;
    };
    for port in ports.iter_mut().filter_map(Value::as_object_mut) {
        for (key, default) in [("name", ""), ("protocol", "TCP")] {
            if port.get(key).is_none_or(Value::is_null) {
                port.insert(key.into(), default.into());
            }
        }
    }
}

#[cfg(test)]
mod tests;
