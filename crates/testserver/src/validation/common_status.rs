//! The pieces every status validation is built from, with the real messages:
//! `ValidateNonnegativeField` over status counters, the "cannot be greater than" replica
//! bounds, `IsDecremented` on `collisionCount`, `metav1validation.ValidateConditions`,
//! `IsValidIPForLegacyField` and Go's `time.Time` text for timestamps shown in messages.
//!
//! Every function reads the decoded JSON object (missing numbers count as Go's zero) and returns
//! the field errors in the order the real checks append them.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::field_error::{BadValue, ErrorKind};
use super::{FieldError, names};

/// `ValidateNonnegativeField`'s text.
pub(crate) const NEGATIVE: &str = "must be greater than or equal to 0";

/// The integer at `key` of `obj` (Go's zero when absent or not a number).
pub(crate) fn int(obj: &Value, key: &str) -> i64 {
    obj.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The integer at `key` of `obj` when set (a pointer field).
pub(crate) fn opt_int(obj: &Value, key: &str) -> Option<i64> {
    obj.get(key).and_then(Value::as_i64)
}

/// `field.Invalid` without a value (`field.OmitValueType{}`): `<path>: Invalid value: <detail>`.
pub(crate) fn invalid_omitted(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
    FieldError {
        kind: ErrorKind::Invalid,
        field: field.into(),
        value: None,
        detail: detail.into(),
    }
}

/// `ValidateNonnegativeField` of each of `keys` (value fields: always checked) under `path`.
pub(crate) fn non_negative(status: &Value, path: &str, keys: &[&str], errs: &mut Vec<FieldError>) {
    for key in keys {
        non_negative_opt(status, path, key, errs);
    }
}

/// `ValidateNonnegativeField` of `key` when it is set (pointer fields check only then, and an
/// absent value field is Go's zero, which passes).
pub(crate) fn non_negative_opt(status: &Value, path: &str, key: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = opt_int(status, key).filter(|v| *v < 0) {
        errs.push(FieldError::invalid(format!("{path}.{key}"), v, NEGATIVE));
    }
}

/// `if status.<key> > status.<than> { Invalid(<key>, value, msg) }`.
pub(crate) fn not_above(
    status: &Value,
    path: &str,
    key: &str,
    than: &str,
    msg: &str,
    errs: &mut Vec<FieldError>,
) {
    let value = int(status, key);
    if value > int(status, than) {
        errs.push(FieldError::invalid(format!("{path}.{key}"), value, msg));
    }
}

/// `IsDecremented(new.collisionCount, old.collisionCount)`: `cannot be decremented`, shown
/// with 0 for a removed count.
pub(crate) fn collision_count(new: &Value, old: &Value) -> Option<FieldError> {
    let get = |v: &Value| v.pointer("/status/collisionCount").and_then(Value::as_i64);
    let decremented = match (get(new), get(old)) {
        (None, Some(_)) => true,
        (Some(n), Some(o)) => n < o,
        _ => false,
    };
    decremented.then(|| {
        FieldError::invalid(
            "status.collisionCount",
            get(new).unwrap_or(0),
            "cannot be decremented",
        )
    })
}

const CONDITION_REASON_MSG: &str = "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";
const CONDITION_REASON_FMT: &str = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?";
const MAX_REASON_LEN: usize = 1024;
const MAX_MESSAGE_LEN: usize = 32 * 1024;

fn valid_reason(reason: &str) -> bool {
    let b = reason.as_bytes();
    let inner = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b',' | b':');
    match b {
        [] => false,
        [first] => first.is_ascii_alphabetic(),
        [first, middle @ .., last] => {
            first.is_ascii_alphabetic()
                && middle.iter().all(inner)
                && (last.is_ascii_alphanumeric() || *last == b'_')
        }
    }
}

/// `metav1validation.ValidateConditions` of a `[]metav1.Condition` at `path`: a repeated type
/// is a duplicate, then each condition's type (a qualified name), status (`True`, `False` or
/// `Unknown`), `observedGeneration`, `lastTransitionTime`, `reason` and `message`.
pub(crate) fn conditions(list: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("{path}[{i}]");
        let s = |key: &str| c.get(key).and_then(Value::as_str).unwrap_or("");
        let ty = s("type");
        if seen.contains(&ty) {
            errs.push(FieldError::duplicate(format!("{at}.type"), ty));
        } else {
            seen.push(ty);
        }
        for msg in names::qualified_name(ty) {
            errs.push(FieldError::invalid(format!("{at}.type"), ty, msg));
        }
        let status = s("status");
        if !matches!(status, "True" | "False" | "Unknown") {
            errs.push(FieldError::not_supported(
                format!("{at}.status"),
                status,
                &["False", "True", "Unknown"],
            ));
        }
        if let Some(g) = opt_int(c, "observedGeneration").filter(|g| *g < 0) {
            errs.push(FieldError::invalid(
                format!("{at}.observedGeneration"),
                g,
                "must be greater than or equal to zero",
            ));
        }
        if s("lastTransitionTime").is_empty() {
            errs.push(FieldError::required(
                format!("{at}.lastTransitionTime"),
                "must be set",
            ));
        }
        let reason = s("reason");
        if reason.is_empty() {
            errs.push(FieldError::required(format!("{at}.reason"), "must be set"));
        } else {
            if !valid_reason(reason) {
                errs.push(FieldError::invalid(
                    format!("{at}.reason"),
                    reason,
                    names::regex_error(
                        CONDITION_REASON_MSG,
                        CONDITION_REASON_FMT,
                        &["ProvisioningSuccess", "FooBar"],
                    ),
                ));
            }
            if reason.len() > MAX_REASON_LEN {
                errs.push(FieldError::too_long(format!("{at}.reason"), MAX_REASON_LEN));
            }
        }
        if s("message").len() > MAX_MESSAGE_LEN {
            errs.push(FieldError::too_long(
                format!("{at}.message"),
                MAX_MESSAGE_LEN,
            ));
        }
    }
    errs
}

/// Whether `value` parses as `netutils.ParseIPSloppy` does: IPv4 (leading zeros allowed) or
/// IPv6 (an embedded IPv4 part too).
fn parse_ip_sloppy(value: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = value.parse::<std::net::IpAddr>() {
        return Some(ip);
    }
    let octets: Vec<&str> = value.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (slot, octet) in out.iter_mut().zip(&octets) {
        if octet.is_empty() || octet.len() > 3 || !octet.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = octet.parse().ok()?;
    }
    Some(std::net::IpAddr::from(out))
}

/// `IsValidIPForLegacyField` with strict validation (`StrictIPCIDRValidation`): an IP address
/// (non-canonical IPv6 allowed), without leading zeros and not IPv4-mapped IPv6; `ratcheted`
/// (a value the stored object already had) skips the strict part.
pub(crate) fn legacy_ip(path: &str, value: &str, ratcheted: bool) -> Vec<FieldError> {
    let Some(ip) = parse_ip_sloppy(value) else {
        return vec![FieldError::invalid(
            path,
            value,
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        )];
    };
    if ratcheted {
        return Vec::new();
    }
    let mut errs = Vec::new();
    if value.parse::<std::net::IpAddr>().is_err() {
        errs.push(FieldError::invalid(path, value, "must not have leading 0s"));
    }
    if let std::net::IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        errs.push(FieldError::invalid(
            path,
            value,
            "must not be an IPv4-mapped IPv6 address",
        ));
    }
    errs
}

/// The timestamp at `key` of `obj`, parsed (`metav1.Time`; `None` when unset or unparsable).
pub(crate) fn time_at(obj: &Value, key: &str) -> Option<OffsetDateTime> {
    let text = obj.get(key).and_then(Value::as_str)?;
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// A `metav1.Time` as a field error shows it: Go's `time.Time.String()` in UTC
/// (`2026-01-02 03:04:05 +0000 UTC`).
pub(crate) fn go_time(t: OffsetDateTime) -> BadValue {
    let t = t.to_offset(time::UtcOffset::UTC);
    let nanos = t.nanosecond();
    let fraction = if nanos == 0 {
        String::new()
    } else {
        let digits = format!("{nanos:09}");
        format!(".{}", digits.trim_end_matches('0'))
    };
    BadValue::Raw(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}{fraction} +0000 UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `metav1validation.ValidateConditions` (apimachinery `meta/v1/validation`).
    #[test]
    fn conditions_follow_metav1_rules() {
        let ok = json!([{"type": "Ready", "status": "True", "reason": "AllGood",
            "lastTransitionTime": "2026-01-01T00:00:00Z", "message": ""}]);
        assert!(conditions(Some(&ok), "status.conditions").is_empty());
        let bad = json!([
            {"type": "Ready", "status": "Yes", "reason": "1bad",
                "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": -1},
            {"type": "Ready", "status": "True"}]);
        assert_eq!(
            texts(conditions(Some(&bad), "status.conditions")),
            [
                "status.conditions[0].status: Unsupported value: \"Yes\": supported values: \"False\", \"True\", \"Unknown\"",
                "status.conditions[0].observedGeneration: Invalid value: -1: must be greater than or equal to zero",
                "status.conditions[0].reason: Invalid value: \"1bad\": a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'ProvisioningSuccess',  or 'FooBar', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')",
                "status.conditions[1].type: Duplicate value: \"Ready\"",
                "status.conditions[1].lastTransitionTime: Required value: must be set",
                "status.conditions[1].reason: Required value: must be set",
            ]
        );
    }

    /// `parseIP` of `k8s.io/kubernetes/pkg/apis/core/validation/ips.go`.
    #[test]
    fn legacy_ips() {
        assert!(legacy_ip("ip", "10.0.0.1", false).is_empty());
        assert!(legacy_ip("ip", "FE80:0:0:0:0:0:0:0abc", false).is_empty());
        assert_eq!(
            texts(legacy_ip("ip", "010.0.0.1", false)),
            ["ip: Invalid value: \"010.0.0.1\": must not have leading 0s"]
        );
        assert!(legacy_ip("ip", "010.0.0.1", true).is_empty());
        assert_eq!(
            texts(legacy_ip("ip", "::ffff:1.2.3.4", false)),
            ["ip: Invalid value: \"::ffff:1.2.3.4\": must not be an IPv4-mapped IPv6 address"]
        );
        assert_eq!(
            texts(legacy_ip("ip", "example.com", true)),
            [
                "ip: Invalid value: \"example.com\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
            ]
        );
    }

    #[test]
    fn go_time_text() {
        let t = time_at(&json!({"t": "2026-03-04T05:06:07Z"}), "t").unwrap();
        assert_eq!(go_time(t).to_string(), "2026-03-04 05:06:07 +0000 UTC");
    }

    #[test]
    fn collision_counts_may_not_go_down() {
        let at = |n: Option<i64>| json!({"status": {"collisionCount": n}});
        assert!(collision_count(&at(Some(2)), &at(Some(1))).is_none());
        assert_eq!(
            collision_count(&json!({"status": {}}), &at(Some(1)))
                .unwrap()
                .to_string(),
            "status.collisionCount: Invalid value: 0: cannot be decremented"
        );
        assert!(collision_count(&at(Some(0)), &at(Some(1))).is_some());
    }
}
