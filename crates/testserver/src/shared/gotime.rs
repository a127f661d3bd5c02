//! Go's `time.Parse(time.RFC3339, s)` and `time.Parse(metav1.RFC3339Micro, s)`: the error
//! texts of a time that does not parse (query parameters such as `sinceTime`, `metav1.Time`
//! and `metav1.MicroTime` fields of request bodies).

use serde_json::Value;

/// What Go's `time.Parse(time.RFC3339, s)` says after `parsing time "s"`, or `None` when `s`
/// parses.
pub(crate) fn rfc3339_error(s: &str) -> Option<String> {
    parse_error(s, false)
}

/// What Go's `time.Parse(metav1.RFC3339Micro, s)` says after `parsing time "s"` (the layout
/// `2006-01-02T15:04:05.000000Z07:00` takes exactly six fractional digits), or `None` when
/// `s` parses.
pub(crate) fn rfc3339_micro_error(s: &str) -> Option<String> {
    parse_error(s, true)
}

fn parse_error(s: &str, micro: bool) -> Option<String> {
    let layout = if micro {
        "\"2006-01-02T15:04:05.000000Z07:00\""
    } else {
        "\"2006-01-02T15:04:05Z07:00\""
    };
    // (layout element, digits it needs, or the literal it needs)
    let elements: [(&str, usize); 11] = [
        ("2006", 4),
        ("-", 0),
        ("01", 2),
        ("-", 0),
        ("02", 2),
        ("T", 0),
        ("15", 2),
        (":", 0),
        ("04", 2),
        (":", 0),
        ("05", 2),
    ];
    let cannot = |rest: &str, elem: &str| {
        Some(format!(
            " as {layout}: cannot parse {} as \"{elem}\"",
            Value::from(rest)
        ))
    };
    let mut rest = s;
    for (elem, digits) in elements {
        let ok = if digits > 0 {
            rest.len() >= digits && rest.as_bytes()[..digits].iter().all(u8::is_ascii_digit)
        } else {
            rest.starts_with(elem)
        };
        if !ok {
            return cannot(rest, elem);
        }
        rest = &rest[digits.max(elem.len())..];
    }
    if micro {
        // stdFracSecond0: a separator and exactly six digits
        let b = rest.as_bytes();
        if b.len() < 7 || !matches!(b[0], b'.' | b',') || !b[1..7].iter().all(u8::is_ascii_digit) {
            return cannot(rest, ".000000");
        }
        rest = &rest[7..];
    } else if let Some(frac) = rest.strip_prefix(['.', ',']) {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[n..];
    }
    let zone_ok = |z: &str| {
        let b = z.as_bytes();
        z.len() >= 6
            && (b[0] == b'+' || b[0] == b'-')
            && b[1..3].iter().all(u8::is_ascii_digit)
            && b[3] == b':'
            && b[4..6].iter().all(u8::is_ascii_digit)
    };
    let after = if let Some(r) = rest.strip_prefix('Z') {
        r
    } else if zone_ok(rest) {
        &rest[6..]
    } else {
        return cannot(rest, "Z07:00");
    };
    if after.is_empty() {
        if time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_err() {
            return Some(": day out of range".to_owned());
        }
        None
    } else {
        Some(format!(": extra text: {}", Value::from(after)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_times_take_exactly_six_fractional_digits() {
        // metav1.MicroTime.UnmarshalJSON: time.Parse(RFC3339Micro, s)
        assert_eq!(rfc3339_micro_error("2024-01-01T00:00:00.000001Z"), None);
        assert_eq!(
            rfc3339_micro_error("2024-01-01T01:00:00.123456+01:00"),
            None
        );
        assert_eq!(
            rfc3339_micro_error("2024-01-01T00:00:00Z").as_deref(),
            Some(" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\"")
        );
        assert_eq!(
            rfc3339_micro_error("2024-01-01T00:00:00.123Z").as_deref(),
            Some(" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \".123Z\" as \".000000\"")
        );
        assert_eq!(
            rfc3339_micro_error("2024-01-01T00:00:00.123456789Z").as_deref(),
            Some(" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"789Z\" as \"Z07:00\"")
        );
        // time.RFC3339 takes any fraction, or none
        assert_eq!(rfc3339_error("2024-01-01T00:00:00Z"), None);
        assert_eq!(rfc3339_error("2024-01-01T00:00:00.123456789Z"), None);
    }
}
