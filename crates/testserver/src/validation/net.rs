//! Network syntax checks (`k8s.io/apimachinery/pkg/util/validation`): port numbers and names,
//! CIDRs of legacy fields, wildcard DNS subdomains; the explanations are the real ones.

use std::net::{IpAddr, Ipv4Addr};

use super::FieldError;
use super::names::{self, max_len_error, regex_error};

/// `IsValidPortNum`.
pub(crate) fn port_num(port: i64) -> Vec<String> {
    if (1..=65535).contains(&port) {
        return Vec::new();
    }
    vec!["must be between 1 and 65535, inclusive".to_owned()]
}

/// `IsValidPortName` (an IANA service name).
pub(crate) fn port_name(port: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if port.len() > 15 {
        errs.push(max_len_error(15));
    }
    let charset_ok = !port.is_empty()
        && port
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !charset_ok {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_owned(),
        );
    } else if !port.bytes().any(|b| b.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_owned());
    }
    if port.contains("--") {
        errs.push("must not contain consecutive hyphens".to_owned());
    }
    if port.starts_with('-') || port.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_owned());
    }
    errs
}

/// An IPv4 or IPv6 network as `ParseCIDRSloppy` reads it (IPv4 octets may have leading
/// zeros): the address bits and the prefix length.
pub(crate) fn parse_cidr(value: &str) -> Option<(u128, u8, bool)> {
    let (ip, prefix) = value.split_once('/')?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return None;
    }
    let prefix: u8 = prefix.parse().ok()?;
    let ip = parse_ip_sloppy(ip)?;
    let (bits, width, v4) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32, true),
        IpAddr::V6(v6) => (u128::from(v6), 128, false),
    };
    (prefix <= width).then_some((bits, prefix, v4))
}

/// `ParseIPSloppy`.
pub(crate) fn parse_ip_sloppy(value: &str) -> Option<IpAddr> {
    if value.contains(':') {
        return value.parse().ok();
    }
    let octets: Vec<&str> = value.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut bytes = [0u8; 4];
    for (byte, octet) in bytes.iter_mut().zip(&octets) {
        if octet.is_empty() || octet.len() > 3 || !octet.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *byte = octet.parse().ok()?;
    }
    Some(IpAddr::from(bytes))
}

/// `IsValidCIDRForLegacyField` of a field that is not validated strictly.
pub(crate) fn legacy_cidr(value: &str) -> Vec<String> {
    if parse_cidr(value).is_some() {
        return Vec::new();
    }
    vec!["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)".to_owned()]
}

/// Whether the network `inner` is a strict subset of `outer` (same family, longer prefix,
/// its address inside).
pub(crate) fn strict_subset(outer: (u128, u8, bool), inner: (u128, u8, bool)) -> bool {
    let (o_bits, o_len, o_v4) = outer;
    let (i_bits, i_len, i_v4) = inner;
    let width = if o_v4 { 32 } else { 128 };
    let mask = |len: u8| -> u128 {
        if len == 0 {
            0
        } else {
            (u128::MAX << (width - u32::from(len)))
                & if o_v4 {
                    u128::from(u32::MAX)
                } else {
                    u128::MAX
                }
        }
    };
    o_v4 == i_v4 && (i_bits & mask(o_len)) == (o_bits & mask(o_len)) && o_len < i_len
}

/// `IsWildcardDNS1123Subdomain`.
pub(crate) fn wildcard_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    let ok = value
        .strip_prefix("*.")
        .is_some_and(|rest| names::dns1123_subdomain(rest).is_empty());
    if !ok {
        errs.push(regex_error(
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
            "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
            &["*.example.com"],
        ));
    }
    errs
}

/// The address as `ParseIPSloppy` reads it, unwrapping IPv4-mapped IPv6 addresses as Go's
/// `To4` does.
pub(crate) fn parse_ip_to4(address: &str) -> Option<IpAddr> {
    match parse_ip_sloppy(address)? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

/// `ValidateNonSpecialIP` (EndpointSlices' `ValidateEndpointIP`): no unspecified, loopback or
/// link-local addresses, IPv4-mapped IPv6 ones judged as the IPv4 address they hold.
pub(crate) fn non_special_ip(address: &str, path: &str) -> Vec<FieldError> {
    let Some(ip) = parse_ip_to4(address) else {
        return vec![FieldError::invalid(
            path,
            address,
            "must be a valid IP address",
        )];
    };
    let (unspecified, loopback, link_local, link_local_multicast) = match ip {
        IpAddr::V4(v4) => (
            v4.is_unspecified(),
            v4.is_loopback(),
            v4.is_link_local(),
            is_link_local_multicast_v4(v4),
        ),
        IpAddr::V6(v6) => {
            let seg = v6.segments();
            (
                v6.is_unspecified(),
                v6.is_loopback(),
                seg[0] & 0xffc0 == 0xfe80,
                seg[0] & 0xff0f == 0xff02,
            )
        }
    };
    let mut errs = Vec::new();
    let mut push = |bad: bool, msg: String| {
        if bad {
            errs.push(FieldError::invalid(path, address, msg));
        }
    };
    push(unspecified, format!("may not be unspecified ({address})"));
    push(
        loopback,
        "may not be in the loopback range (127.0.0.0/8, ::1/128)".into(),
    );
    push(
        link_local,
        "may not be in the link-local range (169.254.0.0/16, fe80::/10)".into(),
    );
    push(
        link_local_multicast,
        "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)".into(),
    );
    errs
}

fn is_link_local_multicast_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    (a, b, c) == (224, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_networks() {
        assert!(port_num(443).is_empty());
        assert_eq!(port_num(0).len(), 1);
        assert!(port_name("http-alt").is_empty());
        assert_eq!(
            port_name("HTTP"),
            ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"]
        );
        assert_eq!(port_name("123"), ["must contain at least one letter (a-z)"]);
        assert_eq!(
            port_name("-a--b"),
            [
                "must not contain consecutive hyphens",
                "must not begin or end with a hyphen"
            ]
        );
        let outer = parse_cidr("10.0.0.0/8").unwrap();
        assert!(strict_subset(outer, parse_cidr("10.1.0.0/16").unwrap()));
        assert!(!strict_subset(outer, parse_cidr("11.0.0.0/16").unwrap()));
        assert!(!strict_subset(outer, parse_cidr("10.0.0.0/8").unwrap()));
        assert!(parse_cidr("010.0.0.0/8").is_some());
        assert!(parse_cidr("10.0.0.0/33").is_none());
        assert!(strict_subset(
            parse_cidr("2001:db8::/32").unwrap(),
            parse_cidr("2001:db8:1::/48").unwrap()
        ));
        assert!(wildcard_dns1123_subdomain("*.example.com").is_empty());
        assert_eq!(wildcard_dns1123_subdomain("*example.com").len(), 1);
    }
}
