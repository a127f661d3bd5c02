//! Endpoints validation (`ValidateEndpoints`, `validateEndpointSubsets`,
//! `validateEndpointAddress`, `ValidateNonSpecialIP` and `validateEndpointPort` of
//! `pkg/apis/core/validation`): each subset has addresses, each address an IP that is neither
//! unspecified, loopback nor link-local, a DNS-label hostname and a DNS-subdomain node name, and
//! each port a number, a known protocol and (when there are several) a DNS-label name.
//!
//! The IP's syntax is the `ParseIPSloppy` check of the legacy IP fields: leading zeros and
//! IPv4-mapped IPv6 addresses are accepted, a mapped address judged as the IPv4 address it
//! holds (`net::non_special_ip`, which EndpointSlices share).

use serde_json::Value;

use super::net::{non_special_ip, parse_ip_sloppy, port_num};
use super::{FieldError, names};

/// The port protocols (`supportedPortProtocols`, sorted).
const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `validateEndpointAddress`.
fn address(addr: &Value, path: &str) -> Vec<FieldError> {
    let ip_path = format!("{path}.ip");
    let ip = text(addr, "ip");
    let mut errs = Vec::new();
    if parse_ip_sloppy(ip).is_none() {
        errs.push(FieldError::invalid(
            ip_path.as_str(),
            ip,
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        ));
    }
    let hostname = text(addr, "hostname");
    if !hostname.is_empty() {
        for msg in names::dns1123_label(hostname) {
            errs.push(FieldError::invalid(
                format!("{path}.hostname"),
                hostname,
                msg,
            ));
        }
    }
    if let Some(node) = addr.get("nodeName").and_then(Value::as_str) {
        for msg in names::dns1123_subdomain(node) {
            errs.push(FieldError::invalid(format!("{path}.nodeName"), node, msg));
        }
    }
    errs.extend(non_special_ip(ip, &ip_path));
    errs
}

/// `validateEndpointPort` (`require_name`: the subset has several ports).
fn port(port: &Value, require_name: bool, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = text(port, "name");
    if require_name && name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else if !name.is_empty() {
        for msg in names::dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{path}.name"), name, msg));
        }
    }
    let number = port.get("port").and_then(Value::as_i64).unwrap_or(0);
    for msg in port_num(number) {
        errs.push(FieldError::invalid(format!("{path}.port"), number, msg));
    }
    match text(port, "protocol") {
        "" => errs.push(FieldError::required(format!("{path}.protocol"), "")),
        p if PROTOCOLS.contains(&p) => {}
        p => errs.push(FieldError::not_supported(
            format!("{path}.protocol"),
            p,
            &PROTOCOLS,
        )),
    }
    if let Some(app) = port.get("appProtocol").and_then(Value::as_str) {
        for msg in names::qualified_name(app) {
            errs.push(FieldError::invalid(format!("{path}.appProtocol"), app, msg));
        }
    }
    errs
}

/// `ValidateEndpoints` after the metadata (on create, and on update after the metadata update
/// rules).
pub(crate) fn endpoints(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, subset) in list(obj, "subsets").iter().enumerate() {
        let path = format!("subsets[{i}]");
        let (ready, not_ready) = (list(subset, "addresses"), list(subset, "notReadyAddresses"));
        if ready.is_empty() && not_ready.is_empty() {
            errs.push(FieldError::required(
                path.as_str(),
                "must specify `addresses` or `notReadyAddresses`",
            ));
        }
        for (j, a) in ready.iter().enumerate() {
            errs.extend(address(a, &format!("{path}.addresses[{j}]")));
        }
        for (j, a) in not_ready.iter().enumerate() {
            errs.extend(address(a, &format!("{path}.notReadyAddresses[{j}]")));
        }
        let ports = list(subset, "ports");
        for (k, p) in ports.iter().enumerate() {
            errs.extend(port(p, ports.len() > 1, &format!("{path}.ports[{k}]")));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `validateEndpointSubsets` with its address and port rules.
    #[test]
    fn subsets() {
        let good = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1", "hostname": "a",
            "nodeName": "n1"}], "ports": [{"port": 80, "protocol": "TCP"}]}]});
        assert!(endpoints(&good).is_empty());
        let bad = json!({"subsets": [{}, {"addresses": [{"ip": "127.0.0.1"}],
            "notReadyAddresses": [{"ip": "nope"}],
            "ports": [{"port": 0, "protocol": "TCP"}, {"name": "b", "port": 1, "protocol": "ICMP"}]}]});
        assert_eq!(
            texts(endpoints(&bad)),
            [
                "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`",
                "subsets[1].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
                "subsets[1].notReadyAddresses[0].ip: Invalid value: \"nope\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                "subsets[1].notReadyAddresses[0].ip: Invalid value: \"nope\": must be a valid IP address",
                "subsets[1].ports[0].name: Required value",
                "subsets[1].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                "subsets[1].ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            ]
        );
        assert_eq!(
            texts(non_special_ip("fe80::1", "ip")),
            [
                "ip: Invalid value: \"fe80::1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)"
            ]
        );
    }
}
