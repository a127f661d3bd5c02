//! networking.k8s.io/v1 IPAddress and ServiceCIDR validation (`pkg/apis/networking/validation`:
//! `ValidateIPAddressName`, `ValidateIPAddress`/`ValidateIPAddressUpdate`,
//! `ValidateServiceCIDR`/`ValidateServiceCIDRUpdate`), with the strict IP and CIDR syntax of
//! `k8s.io/apimachinery/pkg/util/validation` (`IsValidIP`, `IsValidCIDR`: no leading zeros, no
//! IPv4-mapped IPv6 addresses, no bits beyond the prefix, the canonical form). Each function returns the whole
//! list the Go function returns, its `ObjectMeta` rules included.

use std::net::IpAddr;

use serde_json::Value;

use super::field_error::{BadValue, go_quote};
use super::godump::{self, Field, Struct, Ty};
use super::{FieldError, NameRule, names, net, object_meta, object_meta_update, selector};

/// The internal `networking.ParentReference`.
static PARENT_REFERENCE: Struct = Struct {
    fields: &[
        Field::new("Group", "group", Ty::Str),
        Field::new("Resource", "resource", Ty::Str),
        Field::new("Namespace", "namespace", Ty::Str),
        Field::new("Name", "name", Ty::Str),
    ],
};

/// The internal `networking.ServiceCIDRSpec`.
static SERVICE_CIDR_SPEC: Struct = Struct {
    fields: &[Field::new("CIDRs", "cidrs", Ty::Slice(&Ty::Str))],
};

/// Whether an IPv4 address (or the IPv4 tail of an IPv6 one) has an octet with a leading 0,
/// which `ParseIPSloppy` accepts and `netip` refuses.
fn leading_zeros(ip: &str) -> bool {
    let tail = ip.rsplit(':').next().unwrap_or(ip);
    tail.contains('.')
        && tail
            .split('.')
            .any(|octet| octet.len() > 1 && octet.starts_with('0'))
}

fn ipv4_mapped(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
}

/// `IsValidIP`'s explanations: an address `ParseIPSloppy` reads, without leading zeros, not
/// IPv4-mapped.
pub(crate) fn ip_messages(value: &str) -> Vec<String> {
    let Some(ip) = net::parse_ip_sloppy(value) else {
        return vec!["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)".to_owned()];
    };
    let mut msgs = Vec::new();
    if leading_zeros(value) {
        msgs.push("must not have leading 0s".to_owned());
    }
    if ipv4_mapped(ip) {
        msgs.push("must not be an IPv4-mapped IPv6 address".to_owned());
    }
    let canonical = ip.to_string();
    if msgs.is_empty() && canonical != value {
        msgs.push(format!(
            "must be in canonical form ({})",
            go_quote(&canonical)
        ));
    }
    msgs
}

/// `IsValidCIDR`: a CIDR `ParseCIDRSloppy` reads, then the first strict problem.
pub(crate) fn cidr(value: &str, path: &str) -> Vec<FieldError> {
    let Some((bits, prefix, v4)) = net::parse_cidr(value) else {
        return vec![FieldError::invalid(
            path,
            value,
            "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        )];
    };
    let (ip, length) = value.split_once('/').unwrap_or((value, ""));
    let detail = if leading_zeros(ip) || (length.len() > 1 && length.starts_with('0')) {
        "must not have leading 0s in IP or prefix length"
    } else if net::parse_ip_sloppy(ip).is_some_and(ipv4_mapped) {
        "must not have an IPv4-mapped IPv6 address"
    } else {
        let width = if v4 { 32 } else { 128 };
        let host_bits = width - u32::from(prefix);
        let host_mask = if host_bits == 0 {
            0
        } else {
            u128::MAX >> (128 - host_bits)
        };
        if bits & host_mask != 0 {
            "must not have bits set beyond the prefix length"
        } else {
            let canonical = format!(
                "{}/{prefix}",
                net::parse_ip_sloppy(ip).map_or(String::new(), |a| a.to_string())
            );
            if canonical == value {
                return Vec::new();
            }
            return vec![FieldError::invalid(
                path,
                value,
                format!("must be in canonical form ({})", go_quote(&canonical)),
            )];
        }
    };
    vec![FieldError::invalid(path, value, detail)]
}

/// `ValidateIPAddress`: the name is an IP address (the name rule), the parent reference.
pub(crate) fn ip_address(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::IpAddress);
    let Some(parent) = obj.pointer("/spec/parentRef").filter(|p| p.is_object()) else {
        errs.push(FieldError::required("spec.parentRef", ""));
        return errs;
    };
    let field = |key: &str| parent.get(key).and_then(Value::as_str).unwrap_or("");
    let group = field("group");
    if !group.is_empty() {
        for msg in names::dns1123_subdomain(group) {
            errs.push(FieldError::invalid("spec.parentRef.group", group, msg));
        }
    }
    for key in ["resource", "name"] {
        let value = field(key);
        let path = format!("spec.parentRef.{key}");
        if value.is_empty() {
            errs.push(FieldError::required(path, ""));
        } else {
            for msg in names::path_segment_name(value) {
                errs.push(FieldError::invalid(path.as_str(), value, msg));
            }
        }
    }
    let namespace = field("namespace");
    if !namespace.is_empty() {
        for msg in names::path_segment_name(namespace) {
            errs.push(FieldError::invalid(
                "spec.parentRef.namespace",
                namespace,
                msg,
            ));
        }
    }
    errs
}

/// The strategy's `ValidateUpdate`: `ValidateIPAddress` of the new object, then
/// `ValidateIPAddressUpdate` (the metadata update, the immutable parent reference).
pub(crate) fn ip_address_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = ip_address(new);
    errs.extend(object_meta_update(new, old));
    let parent = |v: &Value| {
        v.pointer("/spec/parentRef")
            .filter(|p| !p.is_null())
            .cloned()
    };
    let (now, before) = (parent(new), parent(old));
    if now != before {
        let value = match &now {
            Some(p) => BadValue::Raw(godump::compact(&godump::dump(&PARENT_REFERENCE, p))),
            None => BadValue::Raw("null".into()),
        };
        errs.push(FieldError::invalid(
            "spec.parentRef",
            value,
            "field is immutable",
        ));
    }
    errs
}

fn cidrs(obj: &Value) -> Vec<&str> {
    obj.pointer("/spec/cidrs")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(|c| c.as_str().unwrap_or("")).collect())
        .unwrap_or_default()
}

fn spec_value(obj: &Value) -> BadValue {
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    BadValue::Raw(godump::compact(&godump::dump(&SERVICE_CIDR_SPEC, spec)))
}

/// `ValidateServiceCIDR`: one or two CIDRs, of different families when two, each valid.
pub(crate) fn service_cidr(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    let list = cidrs(obj);
    if list.is_empty() {
        errs.push(FieldError::required(
            "spec.cidrs",
            "at least one CIDR required",
        ));
        return errs;
    }
    if list.len() > 2 {
        errs.push(FieldError::invalid(
            "spec.cidrs",
            spec_value(obj),
            "may only hold up to 2 values",
        ));
        return errs;
    }
    if let [a, b] = list.as_slice() {
        let family = |c: &str| net::parse_cidr(c).map(|(_, _, v4)| v4);
        let dual = matches!((family(a), family(b)), (Some(x), Some(y)) if x != y);
        if !dual {
            errs.push(FieldError::invalid(
                "spec.cidrs",
                spec_value(obj),
                "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64",
            ));
            return errs;
        }
    }
    for (i, c) in list.iter().enumerate() {
        errs.extend(cidr(c, &format!("spec.cidrs[{i}]")));
    }
    errs
}

/// The strategy's `ValidateUpdate`: `ValidateServiceCIDR` of the new object, then
/// `ValidateServiceCIDRUpdate` (the metadata update; the CIDRs may not change, but a
/// single-stack ServiceCIDR may gain a second one).
pub(crate) fn service_cidr_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = service_cidr(new);
    errs.extend(object_meta_update(new, old));
    let (now, before) = (cidrs(new), cidrs(old));
    if now.len() == before.len() {
        for (i, (n, o)) in now.iter().zip(&before).enumerate() {
            if n != o {
                errs.push(FieldError::invalid(
                    format!("spec.cidrs[{i}]"),
                    *n,
                    "field is immutable",
                ));
            }
        }
    } else if before.len() == 1 && now.len() == 2 {
        if now[0] != before[0] {
            errs.push(FieldError::invalid(
                "spec.cidrs[0]",
                now[0],
                "field is immutable",
            ));
        }
    } else {
        errs.push(FieldError::invalid(
            "spec.cidrs",
            selector::json_value(new.pointer("/spec/cidrs")),
            "field is immutable",
        ));
    }
    errs
}

#[cfg(test)]
mod tests;
