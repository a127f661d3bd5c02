//! YAML as kubectl prints it: `sigs.k8s.io/yaml` over go-yaml v2, written out by hand because
//! the output must be byte-identical and no Rust YAML writer makes go-yaml's choices.
//!
//! What go-yaml v2 does and this reproduces:
//! - block style; nested mappings indent by two; a sequence under a key is not indented
//!   (`key:` then `- item`); empty collections are `{}` and `[]`;
//! - mapping keys sorted "naturally" (runs of digits compare as numbers, a non-letter sorts
//!   before a letter);
//! - strings plain when they would read back as strings, double-quoted when they would read
//!   back as something else (`"63"`, `"true"`, `""`, timestamps), single-quoted when they
//!   start with an indicator or contain `: ` / ` #`, literal blocks (`|`, `|-`, `|+`) when
//!   they hold line breaks;
//! - plain and single-quoted strings folded at spaces once a line passes 80 columns.

use std::cmp::Ordering;
use std::fmt::Write;

use serde_json::Value;

use self::resolve::resolves_to_string;

#[path = "yaml_resolve.rs"]
mod resolve;

/// go-yaml's preferred line width.
const BEST_WIDTH: usize = 80;

/// `value` as kubectl's `-o yaml` prints it.
pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(&mut out, value, 0),
        Value::Array(items) if !items.is_empty() => write_sequence(&mut out, items, 0),
        scalar => {
            write_scalar(&mut out, scalar, 0);
            out.push('\n');
        }
    }
    out
}

fn write_mapping(out: &mut String, value: &Value, indent: usize) {
    let Value::Object(map) = value else { return };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by(|a, b| natural(a, b));
    let mut first = true;
    for key in keys {
        // The first key of a mapping inside a sequence item follows the `- `.
        if !first || !out.ends_with("- ") {
            pad(out, indent);
        }
        first = false;
        write_key(out, key);
        out.push(':');
        write_value(out, &map[key.as_str()], indent);
    }
}

fn write_sequence(out: &mut String, items: &[Value], indent: usize) {
    let mut first = true;
    for item in items {
        if !first || !out.ends_with("- ") {
            pad(out, indent);
        }
        first = false;
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_mapping(out, item, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_sequence(out, inner, indent + 2),
            scalar => {
                write_scalar(out, scalar, indent + 2);
                out.push('\n');
            }
        }
    }
}

/// The value after `key:`; `indent` is the key's.
fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, value, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_sequence(out, items, indent);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, indent + 2);
            out.push('\n');
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_key(out: &mut String, key: &str) {
    match style(key) {
        Style::Plain => out.push_str(key),
        Style::Single => write_single(out, key, usize::MAX, false),
        Style::Double | Style::Literal => write_double(out, key),
    }
}

/// A scalar; continuation lines (folds, literal blocks) indent to `indent`.
fn write_scalar(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => match style(s) {
            Style::Plain => write_plain(out, s, indent),
            Style::Single => write_single(out, s, indent, true),
            Style::Double => write_double(out, s),
            Style::Literal => write_literal(out, s, indent),
        },
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// go-yaml formats floats with `strconv.FormatFloat(f, 'g', -1, 64)`.
fn write_number(out: &mut String, number: &serde_json::Number) {
    if number.is_i64() || number.is_u64() {
        let _ = write!(out, "{number}");
        return;
    }
    let f = number.as_f64().unwrap_or_default();
    let exponent = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    if (-4..21).contains(&exponent) && exponent < 21 {
        let _ = write!(out, "{f}");
    } else {
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        let _ = write!(out, "{mantissa}e{sign}{digits:0>2}");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The style go-yaml picks for a string value.
fn style(s: &str) -> Style {
    let printable = s.chars().all(is_printable);
    if s.contains('\n') {
        // A space right before a break, or unprintable text, rules out a literal block.
        let space_break = s.contains(" \n");
        if printable && !space_break && !s.ends_with(' ') {
            return Style::Literal;
        }
        return Style::Double;
    }
    // Other line breaks make the text multi-line: never plain, single-quoted when printable.
    if printable && s.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
        return if resolves_to_string(s) {
            Style::Single
        } else {
            Style::Double
        };
    }
    if !printable {
        return Style::Double;
    }
    if !resolves_to_string(s) {
        return Style::Double;
    }
    if plain_allowed(s) {
        Style::Plain
    } else {
        Style::Single
    }
}

fn is_printable(c: char) -> bool {
    matches!(u32::from(c), 0x0A | 0x20..=0x7E | 0x85 | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..)
        && c != '\u{FEFF}'
}

/// The block-context plain-scalar rules of go-yaml's emitter (`yaml_emitter_analyze_scalar`).
fn plain_allowed(s: &str) -> bool {
    if s.is_empty() || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    let blank_after = |i: usize| chars.get(i + 1).is_none_or(|c| *c == ' ' || *c == '\t');
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                return false;
            }
            if (c == '?' || c == ':' || c == '-') && blank_after(i) {
                return false;
            }
        } else {
            if c == ':' && blank_after(i) {
                return false;
            }
            if c == '#' && chars[i - 1] == ' ' {
                return false;
            }
        }
    }
    true
}

/// Plain text, folded at a space once past the preferred width.
fn write_plain(out: &mut String, s: &str, indent: usize) {
    write_folding(out, s, indent, false);
}

fn write_single(out: &mut String, s: &str, indent: usize, allow_breaks: bool) {
    out.push('\'');
    if allow_breaks {
        write_folding(out, s, indent, true);
    } else {
        out.push_str(&s.replace('\'', "''"));
    }
    out.push('\'');
}

fn write_folding(out: &mut String, s: &str, indent: usize, quoted: bool) {
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_is_space = chars.get(i + 1) == Some(&' ');
            let at_edge = quoted && (i == 0 || i + 1 == chars.len());
            if !spaces && column(out) > BEST_WIDTH && !next_is_space && !at_edge {
                out.push('\n');
                pad(out, indent);
            } else {
                out.push(' ');
            }
            spaces = true;
        } else {
            if quoted && c == '\'' {
                out.push('\'');
            }
            out.push(c);
            if matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
                // go-yaml writes the break itself, then indents the next line.
                pad(out, indent);
            }
            spaces = false;
        }
    }
}

fn column(out: &str) -> usize {
    out.rsplit('\n')
        .next()
        .map_or(0, |line| line.chars().count())
}

fn write_double(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if !is_printable(c) || c == '\u{FEFF}' => {
                let code = u32::from(c);
                let _ = if code <= 0xFF {
                    write!(out, "\\x{code:02X}")
                } else if code <= 0xFFFF {
                    write!(out, "\\u{code:04X}")
                } else {
                    write!(out, "\\U{code:08X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A literal block: `|` keeps one final newline, `|-` none, `|+` all of them.
fn write_literal(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        let _ = write!(out, "2");
    }
    let trimmed = s.trim_end_matches('\n');
    let trailing = s.len() - trimmed.len();
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    for line in s.split_inclusive('\n') {
        out.push('\n');
        let text = line.strip_suffix('\n').unwrap_or(line);
        if !text.is_empty() {
            pad(out, indent);
            out.push_str(text);
        }
    }
}

/// go-yaml v2's key order: runs of digits compare as numbers, a non-letter sorts before a
/// letter, letters by code point.
fn natural(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[track_caller]
    fn check(value: serde_json::Value, expected: &str) {
        assert_eq!(super::to_string(&value), expected);
    }

    #[test]
    fn prints_like_go_yaml() {
        check(
            json!({"kind": "Pod", "metadata": {"name": "p", "resourceVersion": "63", "labels": {}},
                   "spec": {"containers": [{"name": "c", "args": ["a", "- b"]}], "x": []}}),
            "kind: Pod\nmetadata:\n  labels: {}\n  name: p\n  resourceVersion: \"63\"\nspec:\n  containers:\n  - args:\n    - a\n    - '- b'\n    name: c\n  x: []\n",
        );
        check(
            json!({"a": "x\ny\n", "b": "x\ny", "c": "", "d": "2026-11-28T13:14:50Z", "e": "yes", "f": "a: b"}),
            "a: |\n  x\n  y\nb: |-\n  x\n  y\nc: \"\"\nd: \"2026-11-28T13:14:50Z\"\ne: \"yes\"\nf: 'a: b'\n",
        );
        check(json!([[1, 2], {"k": null}]), "- - 1\n  - 2\n- k: null\n");
    }

    #[test]
    fn keys_sort_naturally() {
        let mut keys = vec!["a10", "a9", "a_b", "aB", "ab", "a.b"];
        keys.sort_by(|a, b| super::natural(a, b));
        assert_eq!(keys, ["a.b", "a_b", "a9", "a10", "aB", "ab"]);
    }

    #[test]
    fn long_plain_text_folds_at_80_columns() {
        let text = "word ".repeat(30);
        let out = super::to_string(&json!({"message": text.trim_end()}));
        assert!(out.lines().count() > 1, "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("  word"), "{out}");
    }
}
