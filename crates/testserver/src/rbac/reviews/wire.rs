//! The self reviews in the Kubernetes protobuf encoding, which `kubectl auth can-i` and
//! `kubectl auth whoami` send (`Content-Type: application/vnd.kubernetes.protobuf`).
//!
//! The body is `k8s\0` and a `runtime.Unknown` whose `raw` holds the review in the wire format
//! of `k8s.io/api` `authentication/v1` and `authorization/v1` `generated.proto`. Only the
//! spec fields a review carries are read; empty strings (which the Go encoder always writes)
//! are dropped, so the result reads like the JSON a client would send.

use serde_json::{Map, Value};

/// Why a protobuf review cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum WireError {
    /// The bytes are not a well-formed protobuf review.
    #[error("the protobuf body is not a valid Kubernetes object")]
    Malformed,
}

const MAGIC: &[u8] = b"k8s\0";

/// How a field is encoded.
#[derive(Clone, Copy)]
enum Ty {
    /// A string.
    Str,
    /// A nested message.
    Msg(&'static [Field]),
}

/// One field of a message: number, JSON name, encoding.
type Field = (u32, &'static str, Ty);

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
const META: &[Field] = &[
    (1, "name", Ty::Str),
    (2, "generateName", Ty::Str),
    (3, "namespace", Ty::Str),
];

/// The top-level fields of a review kind (`metadata` 1, `spec` 2), `None` for other kinds.
fn review_fields(kind: &str) -> Option<&'static [Field]> {
    const ACCESS: &[Field] = &[
        (1, "metadata", Ty::Msg(META)),
        (2, "spec", Ty::Msg(ACCESS_SPEC)),
    ];
    const RULES: &[Field] = &[
        (1, "metadata", Ty::Msg(META)),
        (2, "spec", Ty::Msg(RULES_SPEC)),
    ];
    const SUBJECT: &[Field] = &[(1, "metadata", Ty::Msg(META))];
    match kind {
        "SelfSubjectAccessReview" => Some(ACCESS),
        "SelfSubjectRulesReview" => Some(RULES),
        "SelfSubjectReview" => Some(SUBJECT),
        _ => None,
    }
}

/// Reads protobuf fields from a byte slice.
struct Reader<'a> {
    buf: &'a [u8],
}

enum Payload<'a> {
    Varint,
    Bytes(&'a [u8]),
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, WireError> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.buf.split_first().ok_or(WireError::Malformed)?;
            self.buf = rest;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
        }
        Err(WireError::Malformed)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], WireError> {
        if len > self.buf.len() {
            return Err(WireError::Malformed);
        }
        let (head, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(head)
    }

    fn field(&mut self) -> Result<(u64, Payload<'a>), WireError> {
        let key = self.varint()?;
        let payload = match key & 7 {
            0 => {
                self.varint()?;
                Payload::Varint
            }
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| WireError::Malformed)?;
                Payload::Bytes(self.take(len)?)
            }
            1 => Payload::Bytes(self.take(8)?),
            5 => Payload::Bytes(self.take(4)?),
            _ => return Err(WireError::Malformed),
        };
        Ok((key >> 3, payload))
    }
}

fn message(bytes: &[u8], fields: &[Field]) -> Result<Map<String, Value>, WireError> {
    let mut reader = Reader { buf: bytes };
    let mut out = Map::new();
    while !reader.buf.is_empty() {
        let (number, payload) = reader.field()?;
        let Some(&(_, name, nested)) = fields.iter().find(|f| u64::from(f.0) == number) else {
            continue;
        };
        let Payload::Bytes(b) = payload else {
            return Err(WireError::Malformed);
        };
        match nested {
            Ty::Msg(inner) => {
                out.insert(name.into(), Value::Object(message(b, inner)?));
            }
            Ty::Str => {
                let text = std::str::from_utf8(b).map_err(|_| WireError::Malformed)?;
                if !text.is_empty() {
                    out.insert(name.into(), text.into());
                }
            }
        }
    }
    Ok(out)
}

/// Decodes a protobuf self review (`None` if `body` is not the protobuf envelope of one of
/// the three review kinds, so the caller decodes it as any other body).
pub(crate) fn decode(body: &[u8]) -> Option<Result<Value, WireError>> {
    let envelope = body.strip_prefix(MAGIC)?;
    let mut reader = Reader { buf: envelope };
    let (mut api_version, mut kind, mut raw) = (String::new(), String::new(), None);
    while !reader.buf.is_empty() {
        let Ok((number, payload)) = reader.field() else {
            return Some(Err(WireError::Malformed));
        };
        match (number, payload) {
            (1, Payload::Bytes(type_meta)) => {
                let Ok(meta) = message(
                    type_meta,
                    &[(1, "apiVersion", Ty::Str), (2, "kind", Ty::Str)],
                ) else {
                    return Some(Err(WireError::Malformed));
                };
                let text = |k: &str| meta.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                api_version = text("apiVersion");
                kind = text("kind");
            }
            (2, Payload::Bytes(b)) => raw = Some(b),
            _ => {}
        }
    }
    let fields = review_fields(&kind)?;
    Some(message(raw.unwrap_or_default(), fields).map(|mut object| {
        object.insert("apiVersion".into(), api_version.into());
        object.insert("kind".into(), kind.into());
        Value::Object(object)
    }))
}
