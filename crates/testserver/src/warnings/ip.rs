//! IP addresses and CIDRs in non-standard forms (`k8s.io/apimachinery/pkg/util/validation`
//! `GetWarningsForIP`, `GetWarningsForCIDR`), and the Endpoints strategy's use of them
//! (`pkg/registry/core/endpoint/strategy.go` `endpointsWarnings`).

use std::net::IpAddr;

use serde_json::Value;

use super::{items, str_at};
use crate::validation::go_quote;
use crate::validation::net::{parse_ip_sloppy, parse_ip_to4};

/// `GetWarningsForIP` of `value` at `path` (a value `ParseIPSloppy` refuses draws none: it
/// was refused by validation already).
pub(crate) fn ip(path: &str, value: &str) -> Vec<String> {
    let Some(sloppy) = parse_ip_to4(value) else {
        return Vec::new();
    };
    let strict = value.parse::<IpAddr>().ok();
    let mapped = matches!(strict, Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some());
    match strict {
        None => vec![non_standard_ip(path, value, &sloppy)],
        Some(_) if mapped => vec![non_standard_ip(path, value, &sloppy)],
        Some(IpAddr::V6(v6)) if v6.to_string() != value => vec![format!(
            "{path}: IPv6 address {} should be in RFC 5952 canonical format ({})",
            go_quote(value),
            go_quote(&v6.to_string())
        )],
        Some(_) => Vec::new(),
    }
}

fn non_standard_ip(path: &str, value: &str, ip: &IpAddr) -> String {
    format!(
        "{path}: non-standard IP address {} will be considered invalid in a future Kubernetes release: use {}",
        go_quote(value),
        go_quote(&ip.to_string())
    )
}

/// `GetWarningsForCIDR` of `value` at `path`.
pub(crate) fn cidr(path: &str, value: &str) -> Vec<String> {
    let Some((addr, bits)) = value.split_once('/') else {
        return Vec::new();
    };
    let (Some(ip), Ok(len)) = (parse_ip_sloppy(addr), bits.parse::<u8>()) else {
        return Vec::new();
    };
    let width: u8 = if ip.is_ipv4() { 32 } else { 128 };
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) || len > width {
        return Vec::new();
    }
    let network = format!("{}/{len}", masked(ip, len));
    let mut warnings = Vec::new();
    if masked(ip, len) != ip {
        warnings.push(format!(
            "{path}: CIDR value {} is ambiguous in this context (should be {} or {}?)",
            go_quote(value),
            go_quote(&network),
            go_quote(&format!("{ip}/{width}"))
        ));
    }
    let strict = addr.parse::<IpAddr>().ok();
    let prefix_ok = strict.is_some() && (bits == "0" || !bits.starts_with('0'));
    let mapped = matches!(strict, Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some());
    if !prefix_ok || mapped {
        warnings.push(format!(
            "{path}: non-standard CIDR value {} will be considered invalid in a future Kubernetes release: use {}",
            go_quote(value),
            go_quote(&network)
        ));
    }
    if let (true, Some(IpAddr::V6(v6))) = (warnings.is_empty(), strict) {
        let canonical = format!("{v6}/{len}");
        if canonical != value {
            warnings.push(format!(
                "{path}: IPv6 CIDR value {} should be in RFC 5952 canonical format ({})",
                go_quote(value),
                go_quote(&canonical)
            ));
        }
    }
    warnings
}

/// `ip` with the bits after the first `len` cleared.
fn masked(ip: IpAddr, len: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::from((u32::from(v4) & mask).to_be_bytes())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::from((u128::from(v6) & mask).to_be_bytes())
        }
    }
}

/// The label the endpoints controller sets on the Endpoints it writes, and its value.
const MANAGED_BY: (&str, &str) = ("endpoints.kubernetes.io/managed-by", "endpoint-controller");

/// `endpointsWarnings`: non-standard addresses of Endpoints not written by the endpoints
/// controller.
pub(crate) fn endpoints(endpoints: &Value) -> Vec<String> {
    let managed_by = endpoints
        .pointer("/metadata/labels")
        .and_then(|labels| labels.get(MANAGED_BY.0))
        .and_then(Value::as_str);
    if managed_by == Some(MANAGED_BY.1) {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    for (i, subset) in items(endpoints, "/subsets").iter().enumerate() {
        for list in ["addresses", "notReadyAddresses"] {
            for (j, address) in items(subset, &format!("/{list}")).iter().enumerate() {
                let path = format!("subsets[{i}].{list}[{j}].ip");
                warnings.extend(ip(&path, str_at(address, "/ip")));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check_ip(value: &str, expected: &[&str]) {
        assert_eq!(ip("f", value), expected, "{value}");
    }

    /// `GetWarningsForIP`: leading zeros and IPv4-mapped IPv6 addresses, non-canonical IPv6.
    #[test]
    fn ip_warnings() {
        check_ip("10.0.0.1", &[]);
        check_ip("2001:db8::1", &[]);
        check_ip("not an ip", &[]);
        check_ip(
            "010.0.0.1",
            &[
                "f: non-standard IP address \"010.0.0.1\" will be considered invalid in a future Kubernetes release: use \"10.0.0.1\"",
            ],
        );
        check_ip(
            "::ffff:1.2.3.4",
            &[
                "f: non-standard IP address \"::ffff:1.2.3.4\" will be considered invalid in a future Kubernetes release: use \"1.2.3.4\"",
            ],
        );
        check_ip(
            "2001:DB8:0:0::1",
            &[
                "f: IPv6 address \"2001:DB8:0:0::1\" should be in RFC 5952 canonical format (\"2001:db8::1\")",
            ],
        );
    }

    #[track_caller]
    fn check_cidr(value: &str, expected: &[&str]) {
        assert_eq!(cidr("f", value), expected, "{value}");
    }

    /// `GetWarningsForCIDR`: bits past the prefix, leading zeros, non-canonical IPv6.
    #[test]
    fn cidr_warnings() {
        check_cidr("10.0.0.0/8", &[]);
        check_cidr(
            "10.1.2.3/8",
            &[
                "f: CIDR value \"10.1.2.3/8\" is ambiguous in this context (should be \"10.0.0.0/8\" or \"10.1.2.3/32\"?)",
            ],
        );
        check_cidr(
            "010.0.0.0/8",
            &[
                "f: non-standard CIDR value \"010.0.0.0/8\" will be considered invalid in a future Kubernetes release: use \"10.0.0.0/8\"",
            ],
        );
        check_cidr(
            "2001:DB8::/32",
            &[
                "f: IPv6 CIDR value \"2001:DB8::/32\" should be in RFC 5952 canonical format (\"2001:db8::/32\")",
            ],
        );
    }

    /// `endpointsWarnings`: every address list, not for the controller's own Endpoints.
    #[test]
    fn endpoints_addresses() {
        let mut ep = json!({"metadata": {"name": "e"}, "subsets": [{
            "addresses": [{"ip": "10.0.0.1"}], "notReadyAddresses": [{"ip": "010.0.0.2"}]}]});
        assert_eq!(
            endpoints(&ep),
            [
                "subsets[0].notReadyAddresses[0].ip: non-standard IP address \"010.0.0.2\" will be considered invalid in a future Kubernetes release: use \"10.0.0.2\""
            ]
        );
        ep["metadata"]["labels"] =
            json!({"endpoints.kubernetes.io/managed-by": "endpoint-controller"});
        assert!(endpoints(&ep).is_empty());
    }
}
