//! Placeholder handling for the transcripts: what the recorded responses replaced by
//! `<time>`, `<uid>` and `<generated:PREFIX>`, in both directions.

use serde_json::Value;

use crate::admission::names;

/// Replaces what a real server fills or randomises, so that objects compare by shape.
pub(super) fn normalize(value: &mut Value, prefixes: &[String]) {
    match value {
        Value::String(s) => {
            if is_time(s) {
                *s = "<time>".into();
            } else {
                *s = replace_uuids(s);
                for prefix in prefixes {
                    *s = replace_generated(s, prefix);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| normalize(v, prefixes)),
        Value::Object(map) => map.values_mut().for_each(|v| normalize(v, prefixes)),
        _ => {}
    }
}

fn replace_generated(s: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find(prefix) {
        let after = &rest[pos + prefix.len()..];
        let suffix = after.get(..5).unwrap_or("");
        out.push_str(&rest[..pos]);
        if suffix.len() == 5 && suffix.bytes().all(|b| names::ALPHABET.contains(&b)) {
            out.push_str(&format!("<generated:{prefix}>"));
            rest = &after[5..];
        } else {
            out.push_str(prefix);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn replace_uuids(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        if s.get(i..i + 36).is_some_and(is_uuid) {
            out.push_str("<uid>");
            i += 36;
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Turns the recorded placeholders back into values of the right shape, so that the recorded
/// objects can be fed back through validation.
pub(super) fn denormalize(value: &mut Value) {
    match value {
        Value::String(s) if s.contains("<generated:") => {
            while let Some(start) = s.find("<generated:") {
                let Some(end) = s[start..].find('>') else {
                    break;
                };
                let prefix = s[start + 11..start + end].to_owned();
                s.replace_range(start..start + end + 1, &format!("{prefix}bcdfg"));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(denormalize),
        Value::Object(map) => map.values_mut().for_each(denormalize),
        _ => {}
    }
}

fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && (s.ends_with('Z') || s.contains('+'))
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}
