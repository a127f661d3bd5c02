//! Path elements of a field set, their FieldsV1 spelling and their order.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use crate::fields::error::FieldsError;
use crate::fields::gofmt::go_json;

/// One step of a path into an object, as structured-merge-diff names it.
///
/// ```
/// use kubeset_testserver::fields::path::PathElement;
/// use serde_json::json;
///
/// let key = PathElement::key([("name", json!("c"))]);
/// assert_eq!(key.to_fields_v1(), r#"k:{"name":"c"}"#);
/// assert_eq!(PathElement::parse(r#"k:{"name":"c"}"#).unwrap(), key);
/// ```
#[derive(Debug, Clone)]
pub enum PathElement {
    /// A field of an object (`f:name`).
    Field(String),
    /// An element of an associative list, by its key fields sorted by name (`k:{...}`).
    Key(Vec<(String, Value)>),
    /// An element of a set, by value (`v:value`).
    Value(Value),
    /// An element of a list by position (`i:3`).
    Index(usize),
}

impl PathElement {
    /// A field element.
    pub fn field(name: impl Into<String>) -> Self {
        PathElement::Field(name.into())
    }

    /// A key element from key fields in any order (they are sorted by name).
    pub fn key<N: Into<String>>(fields: impl IntoIterator<Item = (N, Value)>) -> Self {
        let mut fields: Vec<(String, Value)> =
            fields.into_iter().map(|(n, v)| (n.into(), v)).collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        PathElement::Key(fields)
    }

    /// The FieldsV1 spelling: `f:name`, `k:{"a":1,"b":"x"}`, `v:"x"`, `i:3`.
    pub fn to_fields_v1(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let mut out = String::from("k:{");
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&go_json(&Value::String(name.clone())));
                    out.push(':');
                    out.push_str(&go_json(value));
                }
                out.push('}');
                out
            }
            PathElement::Value(value) => format!("v:{}", go_json(value)),
            PathElement::Index(index) => format!("i:{index}"),
        }
    }

    /// Parses a FieldsV1 key (the inverse of [`PathElement::to_fields_v1`]).
    pub fn parse(text: &str) -> Result<Self, FieldsError> {
        let bad = || FieldsError::BadPathElement {
            element: text.to_owned(),
        };
        let (prefix, rest) = text.split_once(':').ok_or_else(bad)?;
        match prefix {
            "f" => Ok(PathElement::Field(rest.to_owned())),
            "k" => match serde_json::from_str::<Value>(rest) {
                Ok(Value::Object(map)) => Ok(PathElement::key(map)),
                _ => Err(bad()),
            },
            "v" => serde_json::from_str(rest)
                .map(PathElement::Value)
                .map_err(|_| bad()),
            "i" => rest.parse().map(PathElement::Index).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            PathElement::Field(_) => 0,
            PathElement::Key(_) => 1,
            PathElement::Value(_) => 2,
            PathElement::Index(_) => 3,
        }
    }
}

/// Prints the element as a path segment the way conflict messages do:
/// `.name`, `[name="c"]`, `[="x"]`, `[3]`.
impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                f.write_str("[")?;
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{name}={value}")?;
                }
                f.write_str("]")
            }
            PathElement::Value(value) => write!(f, "[={value}]"),
            PathElement::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// Formats a whole path like structured-merge-diff (`.metadata.labels.app`).
pub fn display_path(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// The total order structured-merge-diff gives values: numbers, strings,
/// booleans, lists, maps, null.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Number(_) => 0,
            Value::String(_) => 1,
            Value::Bool(_) => 2,
            Value::Array(_) => 3,
            Value::Object(_) => 4,
            Value::Null => 5,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (a, b) in x.iter().zip(y) {
                let c = compare_values(a, b);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|a, b| a.0.cmp(b.0));
            ys.sort_by(|a, b| a.0.cmp(b.0));
            for ((ka, va), (kb, vb)) in xs.iter().zip(&ys) {
                let c = ka.cmp(kb).then_with(|| compare_values(va, vb));
                if c != Ordering::Equal {
                    return c;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

impl Ord for PathElement {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (PathElement::Field(a), PathElement::Field(b)) => a.cmp(b),
            (PathElement::Key(a), PathElement::Key(b)) => {
                for ((na, va), (nb, vb)) in a.iter().zip(b) {
                    let c = na.cmp(nb).then_with(|| compare_values(va, vb));
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (PathElement::Value(a), PathElement::Value(b)) => compare_values(a, b),
            (PathElement::Index(a), PathElement::Index(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for PathElement {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PathElement {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PathElement {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[track_caller]
    fn check(text: &str, display: &str) {
        let element = PathElement::parse(text).unwrap();
        assert_eq!(element.to_fields_v1(), text);
        assert_eq!(element.to_string(), display);
    }

    #[test]
    fn spellings_round_trip() {
        check("f:name", ".name");
        check(r#"k:{"name":"c"}"#, r#"[name="c"]"#);
        check(
            r#"k:{"containerPort":8080,"protocol":"TCP"}"#,
            r#"[containerPort=8080,protocol="TCP"]"#,
        );
        check(r#"v:"example.com/a""#, r#"[="example.com/a"]"#);
        check("i:3", "[3]");
        check(
            "f:kubernetes.io/metadata.name",
            ".kubernetes.io/metadata.name",
        );
    }

    #[test]
    fn values_are_escaped_like_go() {
        let key = PathElement::key([("mountPath", json!("/a&b<c>"))]);
        assert_eq!(
            key.to_fields_v1(),
            r#"k:{"mountPath":"/a\u0026b\u003cc\u003e"}"#
        );
        assert_eq!(PathElement::parse(&key.to_fields_v1()).unwrap(), key);
    }

    #[test]
    fn keys_are_sorted_by_name() {
        let key = PathElement::key([("protocol", json!("TCP")), ("containerPort", json!(80))]);
        assert_eq!(
            key.to_fields_v1(),
            r#"k:{"containerPort":80,"protocol":"TCP"}"#
        );
    }

    #[test]
    fn bad_elements_are_errors() {
        for text in ["name", "x:1", "k:[1]", "i:-1", "v:{"] {
            assert!(PathElement::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn order_is_fields_keys_values_indexes() {
        let mut elements = [
            PathElement::Index(0),
            PathElement::Value(json!("a")),
            PathElement::key([("port", json!(10))]),
            PathElement::key([("port", json!(9))]),
            PathElement::field("b"),
            PathElement::field("a"),
        ];
        elements.sort();
        let spelled: Vec<_> = elements.iter().map(PathElement::to_fields_v1).collect();
        assert_eq!(
            spelled,
            [
                "f:a",
                "f:b",
                r#"k:{"port":9}"#,
                r#"k:{"port":10}"#,
                r#"v:"a""#,
                "i:0"
            ]
        );
    }
}
