//! The "diff" kube-apiserver prints in some immutability errors (`pod updates may not change
//! fields other than ...`, `spec is immutable after creation ...`).
//!
//! Upstream marshals the *internal* Go structs of the old and new values as indented JSON (Go
//! field names, every field present, one space of indentation) and prints a unified diff with
//! three lines of context (`k8s.io/apimachinery/pkg/util/diff`, go-difflib). To print the same
//! bytes, this module describes the internal structs ([`Struct`]: Go field name, JSON field name,
//! type, in declaration order), renders an external JSON value through such a description the
//! way `encoding/json` would, and ports difflib's `SequenceMatcher` (with its auto-junk
//! heuristic) and unified-diff grouping.

mod difflib;
mod schema;

use serde_json::Value;

pub(crate) use difflib::unified_diff;
pub(crate) use schema::{CONTAINER, POD_SPEC, PV_SOURCE, PV_SOURCE_KEYS, PVC_SPEC, pod_spec_value};

/// The type of a field of an internal Go struct.
#[derive(Debug)]
pub(crate) enum Ty {
    /// `string`: `""` when missing.
    Str,
    /// Any integer: `0` when missing.
    Int,
    /// `bool`: `false` when missing.
    Bool,
    /// A pointer: `null` when missing.
    Ptr(&'static Ty),
    /// A slice: `null` when missing.
    Slice(&'static Ty),
    /// A map (keys sorted, as `encoding/json` does): `null` when missing.
    Map,
    /// A struct value (never `null`).
    Struct(&'static Struct),
    /// A value of a type with JSON tags (metav1 types, `IntOrString`, quantities): printed as it
    /// is in the external JSON, keys sorted; `null` when missing.
    Json,
}

/// An internal Go struct: its fields in declaration order.
#[derive(Debug)]
pub(crate) struct Struct {
    /// The fields.
    pub(crate) fields: &'static [Field],
}

/// A field of an internal struct.
#[derive(Debug)]
pub(crate) struct Field {
    /// The Go field name (what the dump prints).
    pub(crate) go: &'static str,
    /// The external JSON key the value comes from.
    pub(crate) json: &'static str,
    /// Its type.
    pub(crate) ty: Ty,
    /// An embedded struct: its fields are read from, and printed in, the enclosing object.
    pub(crate) embedded: bool,
}

impl Field {
    /// A named field.
    pub(crate) const fn new(go: &'static str, json: &'static str, ty: Ty) -> Field {
        Field {
            go,
            json,
            ty,
            embedded: false,
        }
    }

    /// An embedded struct.
    pub(crate) const fn embed(go: &'static str, ty: Ty) -> Field {
        Field {
            go,
            json: "",
            ty,
            embedded: true,
        }
    }
}

/// Go's JSON string encoding (HTML-safe, as `encoding/json` escapes by default).
pub(crate) fn go_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Compact Go JSON of an arbitrary value (object keys sorted, as for Go maps).
pub(crate) fn go_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value, None, 0);
    out
}

/// Renders `value` (external JSON) as the indented Go JSON of the internal struct `schema`.
pub(crate) fn dump(schema: &'static Struct, value: &Value) -> String {
    let mut out = String::new();
    write_struct(&mut out, schema, value, 0);
    out
}

/// The compact form of a [`dump`] (what `json.Marshal` prints): whitespace outside strings
/// removed.
pub(crate) fn compact(indented: &str) -> String {
    let mut out = String::with_capacity(indented.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in indented.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

fn indent(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push(' ');
    }
}

fn collect_fields<'a>(
    schema: &'static Struct,
    value: &'a Value,
    into: &mut Vec<(&'static Field, Option<&'a Value>)>,
) {
    for field in schema.fields {
        if field.embedded {
            if let Ty::Struct(inner) = &field.ty {
                collect_fields(inner, value, into);
            }
        } else {
            into.push((field, value.get(field.json)));
        }
    }
}

fn write_struct(out: &mut String, schema: &'static Struct, value: &Value, depth: usize) {
    let mut fields = Vec::new();
    collect_fields(schema, value, &mut fields);
    if fields.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push('{');
    for (i, (field, v)) in fields.iter().enumerate() {
        indent(out, depth + 1);
        out.push_str(&go_string(field.go));
        out.push_str(": ");
        write_typed(out, &field.ty, *v, depth + 1);
        if i + 1 < fields.len() {
            out.push(',');
        }
    }
    indent(out, depth);
    out.push('}');
}

fn write_typed(out: &mut String, ty: &Ty, value: Option<&Value>, depth: usize) {
    let value = value.filter(|v| !v.is_null());
    match ty {
        Ty::Str => out.push_str(&go_string(value.and_then(Value::as_str).unwrap_or(""))),
        Ty::Int => out.push_str(&value.and_then(Value::as_i64).unwrap_or(0).to_string()),
        Ty::Bool => out.push_str(if value.and_then(Value::as_bool).unwrap_or(false) {
            "true"
        } else {
            "false"
        }),
        Ty::Ptr(inner) => match value {
            None => out.push_str("null"),
            Some(v) => write_typed(out, inner, Some(v), depth),
        },
        Ty::Slice(inner) => match value.and_then(Value::as_array) {
            None => out.push_str("null"),
            Some(items) if items.is_empty() => out.push_str("[]"),
            Some(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    indent(out, depth + 1);
                    write_typed(out, inner, Some(item), depth + 1);
                    if i + 1 < items.len() {
                        out.push(',');
                    }
                }
                indent(out, depth);
                out.push(']');
            }
        },
        Ty::Struct(schema) => write_struct(out, schema, value.unwrap_or(&Value::Null), depth),
        Ty::Map | Ty::Json => match value {
            None => out.push_str("null"),
            Some(v) => write_json(out, v, Some(depth), depth),
        },
    }
}

/// Generic Go JSON: objects with sorted keys; indented when `pretty` is `Some(depth)`.
fn write_json(out: &mut String, value: &Value, pretty: Option<usize>, depth: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&go_string(s)),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if pretty.is_some() {
                    indent(out, depth + 1);
                }
                write_json(out, item, pretty.map(|_| depth + 1), depth + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
            }
            if pretty.is_some() {
                indent(out, depth);
            }
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if pretty.is_some() {
                    indent(out, depth + 1);
                }
                out.push_str(&go_string(key));
                out.push(':');
                if pretty.is_some() {
                    out.push(' ');
                }
                write_json(out, &map[*key], pretty.map(|_| depth + 1), depth + 1);
                if i + 1 < keys.len() {
                    out.push(',');
                }
            }
            if pretty.is_some() {
                indent(out, depth);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_json_sorts_keys_and_escapes_html() {
        assert_eq!(
            go_json(&json!({"b": 1, "a": "<x>"})),
            r#"{"a":"\u003cx\u003e","b":1}"#
        );
    }

    #[test]
    fn compact_keeps_strings() {
        assert_eq!(
            compact("{\n \"A b\": \"x: \\\" y\",\n \"C\": null\n}"),
            "{\"A b\":\"x: \\\" y\",\"C\":null}"
        );
    }

    #[test]
    fn dump_prints_every_field() {
        static INNER: Struct = Struct {
            fields: &[
                Field::new("Path", "path", Ty::Str),
                Field::new("FSType", "fsType", Ty::Ptr(&Ty::Str)),
            ],
        };
        static OUTER: Struct = Struct {
            fields: &[
                Field::new("Local", "local", Ty::Ptr(&Ty::Struct(&INNER))),
                Field::new("Modes", "modes", Ty::Slice(&Ty::Str)),
            ],
        };
        assert_eq!(
            dump(&OUTER, &json!({"local": {"path": "/x"}, "modes": []})),
            "{\n \"Local\": {\n  \"Path\": \"/x\",\n  \"FSType\": null\n },\n \"Modes\": []\n}"
        );
    }
}
