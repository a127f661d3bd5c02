//! Go's `time.Parse(time.RFC3339, s)`: the error texts of a time that does not parse (query
//! parameters such as `sinceTime`, and `metav1.Time` fields of request bodies).

use serde_json::Value;

/// What Go's `time.Parse(time.RFC3339, s)` says after `parsing time "s"`, or `None` when `s`
/// parses.
pub(crate) fn rfc3339_error(s: &str) -> Option<String> {
    const LAYOUT: &str = "\"2006-01-02T15:04:05Z07:00\"";
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
            " as {LAYOUT}: cannot parse {} as \"{elem}\"",
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
    if let Some(frac) = rest.strip_prefix(['.', ',']) {
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
