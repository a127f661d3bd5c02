//! Decoding the Kubernetes protobuf envelope for the kinds kubectl's typed clients send
//! (`kubectl create namespace|configmap|secret|serviceaccount|token`), and the Bindings and
//! Evictions client-go schedulers and controllers send with a protobuf content type.
//!
//! The body is `k8s\0` followed by a `runtime.Unknown` message whose `raw` field holds the
//! object in the wire format of `k8s.io/api`'s `generated.proto`. Responses are always JSON
//! (clients accept it). Fields kubectl does not send for these kinds are not decoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::api::status::ApiError;
use crate::protobuf::{self as wire, Malformed, Payload, Reader};

/// How a field is encoded.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Int,
    /// A pointer integer (`*int64`): encoded only when set, so a 0 is kept.
    OptInt,
    Bool,
    Time,
    MapStr,
    MapBytes,
    Msg(&'static [Field]),
}

/// One field: number, JSON name, type, repeated.
type Field = (u32, &'static str, Ty, bool);

const OWNER_REF: &[Field] = &[
    (1, "kind", Ty::Str, false),
    (3, "name", Ty::Str, false),
    (4, "uid", Ty::Str, false),
    (5, "apiVersion", Ty::Str, false),
    (6, "controller", Ty::Bool, false),
    (7, "blockOwnerDeletion", Ty::Bool, false),
];
const META: &[Field] = &[
    (1, "name", Ty::Str, false),
    (2, "generateName", Ty::Str, false),
    (3, "namespace", Ty::Str, false),
    (5, "uid", Ty::Str, false),
    (6, "resourceVersion", Ty::Str, false),
    (7, "generation", Ty::Int, false),
    (8, "creationTimestamp", Ty::Time, false),
    (11, "labels", Ty::MapStr, false),
    (12, "annotations", Ty::MapStr, false),
    (13, "ownerReferences", Ty::Msg(OWNER_REF), true),
    (14, "finalizers", Ty::Str, true),
];
const OBJECT_REF: &[Field] = &[
    (1, "kind", Ty::Str, false),
    (2, "namespace", Ty::Str, false),
    (3, "name", Ty::Str, false),
    (4, "uid", Ty::Str, false),
    (5, "apiVersion", Ty::Str, false),
];
const NAMESPACE: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (
        2,
        "spec",
        Ty::Msg(&[(1, "finalizers", Ty::Str, true)]),
        false,
    ),
];
const CONFIG_MAP: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (2, "data", Ty::MapStr, false),
    (3, "binaryData", Ty::MapBytes, false),
    (4, "immutable", Ty::Bool, false),
];
const SECRET: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (2, "data", Ty::MapBytes, false),
    (3, "type", Ty::Str, false),
    (4, "stringData", Ty::MapStr, false),
    (5, "immutable", Ty::Bool, false),
];
const SERVICE_ACCOUNT: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (2, "secrets", Ty::Msg(OBJECT_REF), true),
    (
        3,
        "imagePullSecrets",
        Ty::Msg(&[(1, "name", Ty::Str, false)]),
        true,
    ),
    (4, "automountServiceAccountToken", Ty::Bool, false),
];
const TOKEN_REQUEST: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (
        2,
        "spec",
        Ty::Msg(&[
            (1, "audiences", Ty::Str, true),
            (4, "expirationSeconds", Ty::Int, false),
            (
                3,
                "boundObjectRef",
                Ty::Msg(&[
                    (1, "kind", Ty::Str, false),
                    (2, "apiVersion", Ty::Str, false),
                    (3, "name", Ty::Str, false),
                    (4, "uid", Ty::Str, false),
                ]),
                false,
            ),
        ]),
        false,
    ),
];

const BINDING: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (2, "target", Ty::Msg(OBJECT_REF), false),
];
const DELETE_OPTIONS: &[Field] = &[
    (1, "gracePeriodSeconds", Ty::OptInt, false),
    (
        2,
        "preconditions",
        Ty::Msg(&[
            (1, "uid", Ty::Str, false),
            (2, "resourceVersion", Ty::Str, false),
        ]),
        false,
    ),
    (3, "orphanDependents", Ty::Bool, false),
    (4, "propagationPolicy", Ty::Str, false),
    (5, "dryRun", Ty::Str, true),
];
const EVICTION: &[Field] = &[
    (1, "metadata", Ty::Msg(META), false),
    (2, "deleteOptions", Ty::Msg(DELETE_OPTIONS), false),
];

fn schema(kind: &str) -> Option<&'static [Field]> {
    Some(match kind {
        "Namespace" => NAMESPACE,
        "ConfigMap" => CONFIG_MAP,
        "Secret" => SECRET,
        "ServiceAccount" => SERVICE_ACCOUNT,
        "TokenRequest" => TOKEN_REQUEST,
        "Binding" => BINDING,
        "Eviction" => EVICTION,
        _ => return None,
    })
}

fn malformed() -> ApiError {
    ApiError::bad_request(Malformed.to_string())
}

impl From<Malformed> for ApiError {
    fn from(_: Malformed) -> Self {
        malformed()
    }
}

fn text(b: &[u8]) -> Result<String, ApiError> {
    Ok(wire::text(b)?.to_owned())
}

fn map_entry(b: &[u8]) -> Result<(String, Vec<u8>), ApiError> {
    let mut r = Reader::new(b);
    let (mut k, mut v) = (String::new(), Vec::new());
    while !r.is_empty() {
        match r.field()? {
            (1, Payload::Bytes(b)) => k = text(b)?,
            (2, Payload::Bytes(b)) => v = b.to_vec(),
            _ => {}
        }
    }
    Ok((k, v))
}

fn time(b: &[u8]) -> Result<Value, ApiError> {
    let mut r = Reader::new(b);
    let mut secs = 0i64;
    while !r.is_empty() {
        if let (1, Payload::Varint(v)) = r.field()? {
            secs = v as i64;
        }
    }
    Ok(crate::clock::rfc3339(secs).into())
}

fn message(b: &[u8], fields: &[Field]) -> Result<Map<String, Value>, ApiError> {
    let mut r = Reader::new(b);
    let mut out = Map::new();
    while !r.is_empty() {
        let (number, payload) = r.field()?;
        let Some(&(_, name, ty, repeated)) = fields.iter().find(|f| f.0 == number) else {
            continue;
        };
        let value = match (ty, payload) {
            (Ty::Str, Payload::Bytes(b)) => Value::String(text(b)?),
            (Ty::Int, Payload::Varint(v)) => Value::from(v as i64),
            (Ty::OptInt, Payload::Varint(v)) => {
                out.insert(name.into(), Value::from(v as i64));
                continue;
            }
            (Ty::Bool, Payload::Varint(v)) => Value::Bool(v != 0),
            (Ty::Time, Payload::Bytes(b)) => time(b)?,
            (Ty::Msg(inner), Payload::Bytes(b)) => Value::Object(message(b, inner)?),
            (Ty::MapStr | Ty::MapBytes, Payload::Bytes(b)) => {
                let (k, v) = map_entry(b)?;
                let v = if matches!(ty, Ty::MapStr) {
                    Value::String(text(&v)?)
                } else {
                    Value::String(STANDARD.encode(v))
                };
                let entry = out.entry(name).or_insert_with(|| Value::Object(Map::new()));
                if let Some(m) = entry.as_object_mut() {
                    m.insert(k, v);
                }
                continue;
            }
            _ => return Err(malformed()),
        };
        let omitted = match &value {
            Value::String(s) => s.is_empty() && !repeated,
            Value::Number(n) => n.as_i64() == Some(0),
            Value::Object(m) => m.is_empty() && !repeated,
            _ => false,
        };
        if repeated {
            let entry = out.entry(name).or_insert_with(|| Value::Array(Vec::new()));
            if let Some(a) = entry.as_array_mut() {
                a.push(value);
            }
        } else if !omitted {
            out.insert(name.into(), value);
        }
    }
    Ok(out)
}

/// Decodes a `k8s\0`-prefixed protobuf body into the object's JSON form.
pub(crate) fn decode(body: &[u8]) -> Result<Value, ApiError> {
    let envelope = wire::envelope(body).ok_or_else(malformed)??;
    let fields = schema(&envelope.kind).ok_or_else(ApiError::unsupported_body)?;
    let mut obj = message(envelope.raw, fields)?;
    obj.insert("apiVersion".into(), envelope.api_version.into());
    obj.insert("kind".into(), envelope.kind.into());
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protobuf::encode::field;

    #[test]
    fn decodes_a_configmap() {
        let meta = field(1, b"c1");
        let entry = [field(1, b"a"), field(2, b"1")].concat();
        let raw = [field(1, &meta), field(2, &entry)].concat();
        let type_meta = [field(1, b"v1"), field(2, b"ConfigMap")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        let v = decode(&body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1"}, "data": {"a": "1"}})
        );
        assert_eq!(decode(b"nope").unwrap_err().code, 400);
    }

    #[test]
    fn decodes_an_eviction_keeping_a_zero_grace_period() {
        let meta = [field(1, b"p"), field(3, b"ns")].concat();
        let preconditions = field(1, b"u1");
        // gracePeriodSeconds = 0 (a set pointer), preconditions, dryRun = [All]
        let options = [vec![1 << 3, 0], field(2, &preconditions), field(5, b"All")].concat();
        let raw = [field(1, &meta), field(2, &options)].concat();
        let type_meta = [field(1, b"policy/v1"), field(2, b"Eviction")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            serde_json::json!({"apiVersion": "policy/v1", "kind": "Eviction",
                "metadata": {"name": "p", "namespace": "ns"},
                "deleteOptions": {"gracePeriodSeconds": 0, "preconditions": {"uid": "u1"},
                    "dryRun": ["All"]}})
        );
    }

    #[test]
    fn decodes_a_binding() {
        let target = [field(1, b"Node"), field(3, b"n1")].concat();
        let raw = [field(1, &field(1, b"p")), field(2, &target)].concat();
        let type_meta = [field(1, b"v1"), field(2, b"Binding")].concat();
        let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
        assert_eq!(
            decode(&body).unwrap(),
            serde_json::json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
                "target": {"kind": "Node", "name": "n1"}})
        );
    }
}
