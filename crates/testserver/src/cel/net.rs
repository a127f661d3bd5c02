//! Kubernetes' IP and CIDR libraries (`k8s.io/apiserver/pkg/cel/library/ip.go`, `cidr.go`):
//! `ip()`, `isIP()`, `ip.isCanonical()`, `string()`, `family()`, `isUnspecified()`,
//! `isLoopback()`, `isLinkLocalMulticast()`, `isLinkLocalUnicast()`, `isGlobalUnicast()` on
//! `net.IP`; `cidr()`, `isCIDR()`, `containsIP()`, `containsCIDR()`, `ip()`,
//! `prefixLength()`, `masked()`, `string()` on `net.CIDR`.
//!
//! Addresses parse as Go's `netip.ParseAddr` does (no leading zeros, no zones, no
//! IPv4-mapped IPv6), with its error texts for IPv4; an IPv6 text that does not parse is
//! `ParseAddr("<text>"): unable to parse IP` here, where Go names the exact fault.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use cel::common::functions::Function;
use cel::common::types::{STRING_TYPE, Type};
use cel::objects::{Opaque, Value};
use cel::{DeclarationError, Env};

use super::env::overload;
use crate::validation::go_quote;

const IP_TYPE: &str = "net.IP";
const CIDR_TYPE: &str = "net.CIDR";

/// An IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ip(IpAddr);

impl Opaque for Ip {
    fn runtime_type_name(&self) -> &str {
        IP_TYPE
    }
}

/// An address and a prefix length (the address not masked, as Go's `netip.Prefix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cidr {
    addr: IpAddr,
    bits: u8,
}

impl Opaque for Cidr {
    fn runtime_type_name(&self) -> &str {
        CIDR_TYPE
    }
}

/// Go's `netip.ParseAddr`, with its error text.
fn parse_addr(s: &str) -> Result<IpAddr, String> {
    let fail = |msg: &str, at: Option<&str>| {
        let at = at.map_or(String::new(), |at| format!(" (at {})", go_quote(at)));
        format!("ParseAddr({}): {msg}{at}", go_quote(s))
    };
    match s.bytes().find(|b| matches!(b, b'.' | b':' | b'%')) {
        Some(b'.') => parse_v4(s)
            .map_err(|(msg, at)| fail(msg, at))
            .map(IpAddr::V4),
        Some(b':') => {
            let (addr, zone) = s.split_once('%').map_or((s, None), |(a, z)| (a, Some(z)));
            match (addr.parse::<Ipv6Addr>(), zone) {
                (Ok(_), Some("")) => Err(fail("zone must be a non-empty string", None)),
                (Ok(_), Some(_)) => Err("zone".to_owned()),
                (Ok(v6), None) => Ok(IpAddr::V6(v6)),
                (Err(_), _) => Err(fail("unable to parse IP", None)),
            }
        }
        Some(_) => Err(fail("missing IPv6 address", None)),
        None => Err(fail("unable to parse IP", None)),
    }
}

/// Go's `parseIPv4Fields`: the fault and where it is.
fn parse_v4(s: &str) -> Result<Ipv4Addr, (&'static str, Option<&str>)> {
    let bytes = s.as_bytes();
    let mut fields = [0u8; 4];
    let (mut val, mut pos, mut digits) = (0u32, 0usize, 0);
    for (i, &c) in bytes.iter().enumerate() {
        if c.is_ascii_digit() {
            if digits == 1 && val == 0 {
                return Err(("IPv4 field has octet with leading zero", None));
            }
            val = val * 10 + u32::from(c - b'0');
            digits += 1;
            if val > 255 {
                return Err(("IPv4 field has value >255", None));
            }
        } else if c == b'.' {
            if i == 0 || i == bytes.len() - 1 || bytes[i - 1] == b'.' {
                return Err(("IPv4 field must have at least one digit", Some(&s[i..])));
            }
            if pos == 3 {
                return Err(("IPv4 address too long", None));
            }
            fields[pos] = val as u8;
            pos += 1;
            val = 0;
            digits = 0;
        } else {
            return Err(("unexpected character", Some(&s[i..])));
        }
    }
    if pos < 3 {
        return Err(("IPv4 address too short", None));
    }
    fields[3] = val as u8;
    Ok(Ipv4Addr::from(fields))
}

/// `ip.go` `parseIPAddr`.
fn parse_ip(raw: &str) -> Result<IpAddr, String> {
    let addr = match parse_addr(raw) {
        Ok(addr) => addr,
        Err(zone) if zone == "zone" => {
            return Err(format!(
                "IP address {} with zone value is not allowed",
                go_quote(raw)
            ));
        }
        Err(err) => {
            return Err(format!(
                "IP Address {} parse error during conversion from string: {err}",
                go_quote(raw)
            ));
        }
    };
    if mapped(addr) {
        return Err(format!(
            "IPv4-mapped IPv6 address {} is not allowed",
            go_quote(raw)
        ));
    }
    Ok(addr)
}

fn mapped(addr: IpAddr) -> bool {
    matches!(addr, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
}

/// `cidr.go` `parseCIDR` (its error wrapped once more by `stringToCIDR`).
fn parse_cidr(raw: &str) -> Result<Cidr, String> {
    let fail = |msg: String| {
        format!(
            "network address parse error during conversion from string: \
             netip.ParsePrefix({}): {msg}",
            go_quote(raw)
        )
    };
    let Some(slash) = raw.rfind('/') else {
        return Err(fail("no '/'".to_owned()));
    };
    let addr = match parse_addr(&raw[..slash]) {
        Ok(addr) => addr,
        Err(zone) if zone == "zone" => {
            return Err(fail("IPv6 zones cannot be present in a prefix".to_owned()));
        }
        Err(err) => return Err(fail(err)),
    };
    let bits = &raw[slash + 1..];
    let bad = || fail(format!("bad bits after slash: {}", go_quote(bits)));
    if bits.len() > 1 && !bits.starts_with(|c: char| ('1'..='9').contains(&c)) {
        return Err(bad());
    }
    let bits: i64 = bits.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if !(0..=max).contains(&bits) {
        return Err(fail("prefix length out of range".to_owned()));
    }
    if mapped(addr) {
        return Err(format!(
            "IPv4-mapped IPv6 address {} is not allowed",
            go_quote(raw)
        ));
    }
    Ok(Cidr {
        addr,
        bits: bits as u8,
    })
}

/// `cidr.go` `stringToCIDR`: `parseCIDR`'s error wrapped once more.
fn to_cidr(raw: &str) -> Result<Cidr, String> {
    parse_cidr(raw)
        .map_err(|err| format!("network address parse error during conversion from string: {err}"))
}

impl Cidr {
    /// Go's `Prefix.Masked`.
    fn masked(self) -> Cidr {
        let addr = match self.addr {
            IpAddr::V4(v4) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.bits)).unwrap_or(0);
                IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
            }
            IpAddr::V6(v6) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.bits))
                    .unwrap_or(0);
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        };
        Cidr { addr, ..self }
    }

    /// Go's `Prefix.Contains`.
    fn contains(self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4() && Cidr { addr: ip, ..self }.masked() == self.masked()
    }

    /// `cidrContainsCIDR`: `Overlaps` and a prefix no longer than the other's.
    fn contains_cidr(self, other: Cidr) -> bool {
        self.bits <= other.bits && self.contains(other.addr)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.bits)
    }
}

/// Go's `netip.Addr` predicates.
fn is_link_local_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
    }
}

fn is_link_local_multicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[..3] == [224, 0, 0],
        IpAddr::V6(v6) => v6.segments()[0] & 0xff0f == 0xff02,
    }
}

fn is_global_unicast(ip: IpAddr) -> bool {
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || is_link_local_unicast(ip)
        || ip == IpAddr::V4(Ipv4Addr::BROADCAST))
}

fn string(args: &[Value]) -> Result<&str, String> {
    match args.first() {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err("no such overload".to_owned()),
    }
}

fn opaque<T: Opaque + Copy>(value: Option<&Value>) -> Result<T, String> {
    match value {
        Some(Value::Opaque(o)) => o
            .downcast_ref::<T>()
            .copied()
            .ok_or_else(|| "no such overload".to_owned()),
        _ => Err("no such overload".to_owned()),
    }
}

fn ip(args: &[Value]) -> Result<IpAddr, String> {
    opaque::<Ip>(args.first()).map(|ip| ip.0)
}

fn cidr(args: &[Value]) -> Result<Cidr, String> {
    opaque::<Cidr>(args.first())
}

/// The other operand of `containsIP`/`containsCIDR`: a value of the type or a string.
fn other<T: Opaque + Copy>(
    args: &[Value],
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, String> {
    match args.get(1) {
        Some(Value::String(s)) => parse(s),
        other => opaque::<T>(other),
    }
}

fn wrap<T: Opaque>(value: T) -> Value {
    Value::Opaque(Arc::new(value))
}

/// Registers both libraries on `env`.
pub(super) fn library(env: &mut Env) -> Result<(), DeclarationError> {
    let ip_ty = || Type::new_opaque_type(IP_TYPE);
    let cidr_ty = || Type::new_opaque_type(CIDR_TYPE);
    env.add_type(ip_ty())?;
    env.add_type(cidr_ty())?;
    let globals: [(&str, &str, Vec<Type>, Function); 7] = [
        (
            "ip",
            "string_to_ip",
            vec![STRING_TYPE],
            overload!("ip", |args| parse_ip(string(&args)?).map(|a| wrap(Ip(a)))),
        ),
        (
            "isIP",
            "is_ip",
            vec![STRING_TYPE],
            overload!("isIP", |args| Ok(Value::Bool(
                parse_ip(string(&args)?).is_ok()
            ))),
        ),
        (
            "ip.isCanonical",
            "ip_is_canonical",
            vec![STRING_TYPE],
            overload!("ip.isCanonical", |args| {
                let s = string(&args)?;
                Ok(Value::Bool(parse_ip(s)?.to_string() == s))
            }),
        ),
        (
            "string",
            "ip_to_string",
            vec![ip_ty()],
            overload!("string", |args| Ok(Value::from(ip(&args)?.to_string()))),
        ),
        (
            "cidr",
            "string_to_cidr",
            vec![STRING_TYPE],
            overload!("cidr", |args| to_cidr(string(&args)?).map(wrap)),
        ),
        (
            "isCIDR",
            "is_cidr",
            vec![STRING_TYPE],
            overload!("isCIDR", |args| Ok(Value::Bool(
                parse_cidr(string(&args)?).is_ok()
            ))),
        ),
        (
            "string",
            "cidr_to_string",
            vec![cidr_ty()],
            overload!("string", |args| Ok(Value::from(cidr(&args)?.to_string()))),
        ),
    ];
    for (name, id, params, function) in globals {
        env.add_overload(name, id, params, function)?;
    }
    let ip_members: [(&str, Function); 6] = [
        (
            "family",
            overload!("family", |args| Ok(Value::Int(if ip(&args)?.is_ipv4() {
                4
            } else {
                6
            }))),
        ),
        (
            "isUnspecified",
            overload!("isUnspecified", |args| Ok(Value::Bool(
                ip(&args)?.is_unspecified()
            ))),
        ),
        (
            "isLoopback",
            overload!("isLoopback", |args| Ok(Value::Bool(
                ip(&args)?.is_loopback()
            ))),
        ),
        (
            "isLinkLocalMulticast",
            overload!("isLinkLocalMulticast", |args| Ok(Value::Bool(
                is_link_local_multicast(ip(&args)?)
            ))),
        ),
        (
            "isLinkLocalUnicast",
            overload!("isLinkLocalUnicast", |args| Ok(Value::Bool(
                is_link_local_unicast(ip(&args)?)
            ))),
        ),
        (
            "isGlobalUnicast",
            overload!("isGlobalUnicast", |args| Ok(Value::Bool(
                is_global_unicast(ip(&args)?)
            ))),
        ),
    ];
    for (name, function) in ip_members {
        env.add_member_overload(name, &format!("ip_{name}"), ip_ty(), vec![], function)?;
    }
    let cidr_members: [(&str, &str, Vec<Type>, Function); 7] = [
        (
            "containsIP",
            "cidr_contains_ip_string",
            vec![STRING_TYPE],
            overload!("containsIP", |args| Ok(Value::Bool(
                cidr(&args)?.contains(other(&args, |s| parse_ip(s).map(Ip))?.0)
            ))),
        ),
        (
            "containsIP",
            "cidr_contains_ip_ip",
            vec![ip_ty()],
            overload!("containsIP", |args| Ok(Value::Bool(
                cidr(&args)?.contains(other(&args, |s| parse_ip(s).map(Ip))?.0)
            ))),
        ),
        (
            "containsCIDR",
            "cidr_contains_cidr_string",
            vec![STRING_TYPE],
            overload!("containsCIDR", |args| Ok(Value::Bool(
                cidr(&args)?.contains_cidr(other(&args, to_cidr)?)
            ))),
        ),
        (
            "containsCIDR",
            "cidr_contains_cidr",
            vec![cidr_ty()],
            overload!("containsCIDR", |args| Ok(Value::Bool(
                cidr(&args)?.contains_cidr(other(&args, to_cidr)?)
            ))),
        ),
        (
            "ip",
            "cidr_ip",
            vec![],
            overload!("ip", |args| Ok(wrap(Ip(cidr(&args)?.addr)))),
        ),
        (
            "prefixLength",
            "cidr_prefix_length",
            vec![],
            overload!("prefixLength", |args| Ok(Value::Int(i64::from(
                cidr(&args)?.bits
            )))),
        ),
        (
            "masked",
            "cidr_masked",
            vec![],
            overload!("masked", |args| Ok(wrap(cidr(&args)?.masked()))),
        ),
    ];
    for (name, id, params, function) in cidr_members {
        env.add_member_overload(name, id, cidr_ty(), params, function)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
