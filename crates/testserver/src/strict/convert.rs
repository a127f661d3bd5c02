//! The type errors of `runtime.DefaultUnstructuredConverter.FromUnstructured`, which turns a
//! strategically merged object (a map) into the built-in Go type (`applyPatchToObject`).
//!
//! Guarantees, from `converter.go`: values convert as Go's `reflect` conversions within
//! JSON's groups (any integer into any number type, truncating to the field's size; a whole
//! float into an integer), so `cannot convert int64 to string`, `cannot convert float64 to
//! int32`; a value no conversion reaches is `unrecognized type: <kind>`; a container of the
//! wrong kind is `cannot restore slice from map`, `cannot restore map from string`, `cannot
//! restore struct from: string`; self-decoding types (quantities, `IntOrString`, times) give
//! their `UnmarshalJSON` error without a field path. The first error ends the conversion; the
//! fields of an object are visited in sorted order (Go visits them in the struct's declaration
//! order, which the field table does not keep).

use serde_json::Value;

use super::types::{base64_error, unmarshal_error};
use crate::fields::known::{GoType, Node, Shape};

/// The conversion error of the object `value` into the struct `root`, if it has one.
pub(crate) fn convert_error(value: &Value, root: Node) -> Option<String> {
    from(value, root, GoType::new("root~struct")).err()
}

/// `reflect.Kind` of the value the unstructured map holds (`int64` and `float64` for
/// numbers, as the patch was decoded by k8s.io/apimachinery's `json.Unmarshal`).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

fn from(sv: &Value, node: Node, ty: GoType) -> Result<(), String> {
    if sv.is_null() {
        return Ok(());
    }
    let shape = ty.shape();
    let unrecognized = || Err(format!("unrecognized type: {}", ty.kind_name()));
    let cannot = |from: &str| Err(format!("cannot convert {from} to {}", ty.display()));
    match (shape, sv) {
        (Shape::Any, _) => Ok(()),
        (Shape::Unmarshaler(name), _) => match unmarshal_error(name, sv.to_string().as_bytes()) {
            Some(e) => Err(e),
            None => Ok(()),
        },
        (Shape::String, Value::String(_)) | (Shape::Bool, Value::Bool(_)) => Ok(()),
        (Shape::Int { .. } | Shape::Uint { .. } | Shape::Float, Value::Number(n)) => {
            match n.as_f64() {
                _ if n.is_i64() => Ok(()),
                _ if matches!(shape, Shape::Float) => Ok(()),
                Some(f) if f == f.trunc() => Ok(()),
                _ => cannot("float64"),
            }
        }
        // integers convert to strings in Go (as runes), which the converter refuses by name
        (Shape::String, Value::Number(n)) if n.is_i64() => cannot("int64"),
        (
            Shape::String | Shape::Bool | Shape::Int { .. } | Shape::Uint { .. } | Shape::Float,
            _,
        ) => unrecognized(),
        (Shape::Bytes, Value::String(text)) => {
            use base64::Engine as _;
            match base64::engine::general_purpose::STANDARD.decode(text) {
                Ok(_) => Ok(()),
                Err(e) => Err(format!(
                    "error decoding from json: {}",
                    base64_error(text, &e)
                )),
            }
        }
        (Shape::Bytes, Value::Array(items)) => items
            .iter()
            .try_for_each(|item| from(item, Node::Leaf, GoType::new("uint8"))),
        (Shape::List(items), Value::Array(values)) => values
            .iter()
            .try_for_each(|item| from(item, node.items(), items)),
        (Shape::Bytes | Shape::List(_), other) => {
            Err(format!("cannot restore slice from {}", kind(other)))
        }
        (Shape::Map(values), Value::Object(map)) => map
            .values()
            .try_for_each(|item| from(item, node.items(), values)),
        (Shape::Map(_), other) => Err(format!("cannot restore map from {}", kind(other))),
        (Shape::Struct, Value::Object(map)) => {
            let Node::Struct(s) = node else {
                return Ok(());
            };
            map.iter()
                .try_for_each(|(key, value)| match s.field(key).zip(s.field_type(key)) {
                    Some((child, ty)) => from(value, child, ty),
                    None => Ok(()),
                })
        }
        (Shape::Struct, other) => Err(format!("cannot restore struct from: {}", kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fields::known::root;

    #[track_caller]
    fn check(kind: (&str, &str), value: Value, expected: Option<&str>) {
        let node = root(kind.0, kind.1).expect("a built-in kind");
        assert_eq!(convert_error(&value, node).as_deref(), expected, "{value}");
    }

    const POD: (&str, &str) = ("v1", "Pod");
    const DEPLOYMENT: (&str, &str) = ("apps/v1", "Deployment");

    #[test]
    fn scalars() {
        check(POD, json!({"metadata": {"name": "a"}}), None);
        check(
            POD,
            json!({"metadata": {"name": 5}}),
            Some("cannot convert int64 to string"),
        );
        check(
            POD,
            json!({"spec": {"restartPolicy": 5}}),
            Some("cannot convert int64 to v1.RestartPolicy"),
        );
        check(
            DEPLOYMENT,
            json!({"spec": {"replicas": "3"}}),
            Some("unrecognized type: int32"),
        );
        check(
            DEPLOYMENT,
            json!({"spec": {"replicas": 1.5}}),
            Some("cannot convert float64 to int32"),
        );
        // Go's conversion truncates: no error for a value out of range, or a whole float
        check(
            DEPLOYMENT,
            json!({"spec": {"replicas": 3_000_000_000_i64}}),
            None,
        );
        check(DEPLOYMENT, json!({"spec": {"replicas": 2.0}}), None);
        check(
            POD,
            json!({"spec": {"hostNetwork": "yes"}}),
            Some("unrecognized type: bool"),
        );
    }

    #[test]
    fn containers() {
        check(
            POD,
            json!({"spec": {"containers": {"name": "a"}}}),
            Some("cannot restore slice from map"),
        );
        check(
            POD,
            json!({"metadata": {"labels": "a=b"}}),
            Some("cannot restore map from string"),
        );
        check(
            POD,
            json!({"spec": {"securityContext": 5}}),
            Some("cannot restore struct from: int64"),
        );
    }

    #[test]
    fn self_decoding_types_and_bytes() {
        check(
            ("v1", "Service"),
            json!({"spec": {"ports": [{"targetPort": true}]}}),
            Some("json: cannot unmarshal bool into Go value of type int32"),
        );
        check(
            POD,
            json!({"spec": {"overhead": {"cpu": "lots"}}}),
            Some(super::super::types::QUANTITY_ERROR),
        );
        check(
            ("v1", "Secret"),
            json!({"data": {"a": "a!bc"}}),
            Some("error decoding from json: illegal base64 data at input byte 1"),
        );
    }
}
