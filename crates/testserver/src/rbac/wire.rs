//! RBAC objects and the self reviews in the Kubernetes protobuf encoding, which kubectl's
//! typed clients send (`Content-Type: application/vnd.kubernetes.protobuf`):
//! `kubectl create role|clusterrole|rolebinding|clusterrolebinding`, `kubectl auth
//! reconcile`, `kubectl auth can-i` and `kubectl auth whoami`.
//!
//! The body is `k8s\0` and a `runtime.Unknown` whose `raw` holds the object in the wire
//! format of `k8s.io/api` `rbac/v1`, `authentication/v1` and `authorization/v1`
//! `generated.proto`. Only the fields a client writes are read. Single strings that are
//! empty (the Go encoder always writes them) are dropped, so the result reads like the JSON
//! a client would send; elements of repeated strings are kept (`apiGroups: [""]`).

use serde_json::{Map, Value};

use crate::protobuf::{Malformed, Payload, Reader, text};

/// Why a protobuf body cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum WireError {
    /// The bytes are not a well-formed protobuf object.
    #[error("the protobuf body is not a valid Kubernetes object")]
    Malformed,
}

/// How a field is encoded.
#[derive(Clone, Copy)]
enum Ty {
    /// A string (dropped when empty).
    Str,
    /// A repeated string.
    Strs,
    /// A nested message.
    Msg(&'static [Field]),
    /// A repeated nested message.
    Msgs(&'static [Field]),
    /// A `map<string, string>`.
    Map,
}

/// One field of a message: number, JSON name, encoding.
type Field = (u32, &'static str, Ty);

const META: &[Field] = &[
    (1, "name", Ty::Str),
    (2, "generateName", Ty::Str),
    (3, "namespace", Ty::Str),
    (11, "labels", Ty::Map),
    (12, "annotations", Ty::Map),
    (14, "finalizers", Ty::Strs),
];

// authorization/v1 and authentication/v1
const RESOURCE_ATTRIBUTES: &[Field] = &[
    (1, "namespace", Ty::Str),
    (2, "verb", Ty::Str),
    (3, "group", Ty::Str),
    (4, "version", Ty::Str),
    (5, "resource", Ty::Str),
    (6, "subresource", Ty::Str),
    (7, "name", Ty::Str),
];
const NON_RESOURCE_ATTRIBUTES: &[Field] = &[(1, "path", Ty::Str), (2, "verb", Ty::Str)];
const ACCESS_SPEC: &[Field] = &[
    (1, "resourceAttributes", Ty::Msg(RESOURCE_ATTRIBUTES)),
    (2, "nonResourceAttributes", Ty::Msg(NON_RESOURCE_ATTRIBUTES)),
];
const RULES_SPEC: &[Field] = &[(1, "namespace", Ty::Str)];
const ACCESS_REVIEW: &[Field] = &[
    (1, "metadata", Ty::Msg(META)),
    (2, "spec", Ty::Msg(ACCESS_SPEC)),
];
const RULES_REVIEW: &[Field] = &[
    (1, "metadata", Ty::Msg(META)),
    (2, "spec", Ty::Msg(RULES_SPEC)),
];
const SUBJECT_REVIEW: &[Field] = &[(1, "metadata", Ty::Msg(META))];

// rbac/v1
const POLICY_RULE: &[Field] = &[
    (1, "verbs", Ty::Strs),
    (2, "apiGroups", Ty::Strs),
    (3, "resources", Ty::Strs),
    (4, "resourceNames", Ty::Strs),
    (5, "nonResourceURLs", Ty::Strs),
];
const SELECTOR_REQUIREMENT: &[Field] = &[
    (1, "key", Ty::Str),
    (2, "operator", Ty::Str),
    (3, "values", Ty::Strs),
];
const LABEL_SELECTOR: &[Field] = &[
    (1, "matchLabels", Ty::Map),
    (2, "matchExpressions", Ty::Msgs(SELECTOR_REQUIREMENT)),
];
const AGGREGATION_RULE: &[Field] = &[(1, "clusterRoleSelectors", Ty::Msgs(LABEL_SELECTOR))];
const SUBJECT: &[Field] = &[
    (1, "kind", Ty::Str),
    (2, "apiGroup", Ty::Str),
    (3, "name", Ty::Str),
    (4, "namespace", Ty::Str),
];
const ROLE_REF: &[Field] = &[
    (1, "apiGroup", Ty::Str),
    (2, "kind", Ty::Str),
    (3, "name", Ty::Str),
];
const ROLE: &[Field] = &[
    (1, "metadata", Ty::Msg(META)),
    (2, "rules", Ty::Msgs(POLICY_RULE)),
];
const CLUSTER_ROLE: &[Field] = &[
    (1, "metadata", Ty::Msg(META)),
    (2, "rules", Ty::Msgs(POLICY_RULE)),
    (3, "aggregationRule", Ty::Msg(AGGREGATION_RULE)),
];
const BINDING: &[Field] = &[
    (1, "metadata", Ty::Msg(META)),
    (2, "subjects", Ty::Msgs(SUBJECT)),
    (3, "roleRef", Ty::Msg(ROLE_REF)),
];

/// The top-level fields of a kind this module decodes, `None` for other kinds.
fn fields_of(kind: &str) -> Option<&'static [Field]> {
    Some(match kind {
        "SelfSubjectAccessReview" => ACCESS_REVIEW,
        "SelfSubjectRulesReview" => RULES_REVIEW,
        "SelfSubjectReview" => SUBJECT_REVIEW,
        "Role" => ROLE,
        "ClusterRole" => CLUSTER_ROLE,
        "RoleBinding" | "ClusterRoleBinding" => BINDING,
        _ => return None,
    })
}

impl From<Malformed> for WireError {
    fn from(_: Malformed) -> Self {
        WireError::Malformed
    }
}

/// One `map<string, string>` entry (key 1, value 2).
fn map_entry(bytes: &[u8]) -> Result<(String, String), WireError> {
    let entry = message(bytes, &[(1, "k", Ty::Str), (2, "v", Ty::Str)])?;
    let get = |k: &str| {
        entry
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    Ok((get("k"), get("v")))
}

/// Appends `value` to the array at `name`.
fn push(out: &mut Map<String, Value>, name: &str, value: Value) {
    if let Value::Array(items) = out.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
        items.push(value);
    }
}

fn message(bytes: &[u8], fields: &[Field]) -> Result<Map<String, Value>, WireError> {
    let mut reader = Reader::new(bytes);
    let mut out = Map::new();
    while !reader.is_empty() {
        let (number, payload) = reader.field()?;
        let Some(&(_, name, ty)) = fields.iter().find(|f| f.0 == number) else {
            continue;
        };
        let Payload::Bytes(b) = payload else {
            return Err(WireError::Malformed);
        };
        match ty {
            Ty::Str => {
                let s = text(b)?;
                if !s.is_empty() {
                    out.insert(name.into(), s.into());
                }
            }
            Ty::Strs => push(&mut out, name, text(b)?.into()),
            Ty::Msg(inner) => {
                out.insert(name.into(), Value::Object(message(b, inner)?));
            }
            Ty::Msgs(inner) => push(&mut out, name, Value::Object(message(b, inner)?)),
            Ty::Map => {
                let (k, v) = map_entry(b)?;
                if let Value::Object(m) =
                    out.entry(name).or_insert_with(|| Value::Object(Map::new()))
                {
                    m.insert(k, v.into());
                }
            }
        }
    }
    Ok(out)
}

/// Decodes a protobuf body of an RBAC object or a self review (`None` if `body` is not the
/// protobuf envelope of one of those kinds, so the caller decodes it as any other body).
pub(crate) fn decode(body: &[u8]) -> Option<Result<Value, WireError>> {
    let envelope = match crate::protobuf::envelope(body)? {
        Ok(envelope) => envelope,
        Err(e) => return Some(Err(e.into())),
    };
    let fields = fields_of(&envelope.kind)?;
    Some(message(envelope.raw, fields).map(|mut object| {
        object.insert("apiVersion".into(), envelope.api_version.into());
        object.insert("kind".into(), envelope.kind.into());
        Value::Object(object)
    }))
}
