//! JSON as kubectl prints it: Go's `json.MarshalIndent(obj, "", "    ")` of a decoded object.
//!
//! Object keys come out sorted by bytes (Go marshals maps sorted), four spaces indent, empty
//! objects and arrays as `{}` and `[]`, and strings escaped as Go escapes them (`<`, `>`, `&`,
//! U+2028 and U+2029 too). A newline ends the document.

use std::fmt::Write;

use serde_json::Value;

/// `value` as kubectl's `-o json` prints it, with the final newline.
pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_value(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, key);
                out.push_str(": ");
                write_value(out, &map[key], depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// Integers as integers; floats as Go's `strconv.FormatFloat(f, 'f' or 'e', -1, 64)`.
fn write_number(out: &mut String, number: &serde_json::Number) {
    if number.is_i64() || number.is_u64() {
        let _ = write!(out, "{number}");
        return;
    }
    let f = number.as_f64().unwrap_or_default();
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go: exponent form with at least two exponent digits (`1e-07`, `1e+21`).
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        let _ = write!(out, "{mantissa}e{sign}{digits:0>2}");
    } else {
        let _ = write!(out, "{f}");
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[track_caller]
    fn check(value: serde_json::Value, expected: &str) {
        assert_eq!(super::to_string(&value), expected);
    }

    #[test]
    fn prints_like_go() {
        check(json!({}), "{}\n");
        check(
            json!({"b": [], "a": {"y": 1, "x": [true, null]}, "c": "<&>\u{1}"}),
            "{\n    \"a\": {\n        \"x\": [\n            true,\n            null\n        ],\n        \"y\": 1\n    },\n    \"b\": [],\n    \"c\": \"\\u003c\\u0026\\u003e\\u0001\"\n}\n",
        );
        check(
            json!([0.5, 1e21, 1e-7, -2]),
            "[\n    0.5,\n    1e+21,\n    1e-07,\n    -2\n]\n",
        );
    }
}
