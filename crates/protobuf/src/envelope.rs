//! The `k8s\0` envelope: the magic prefix, then a `runtime.Unknown` message holding the
//! object's `apiVersion` and `kind` (field 1, `TypeMeta`), its bytes (2), `contentEncoding` (3)
//! and `contentType` (4).

use crate::error::Error;
use crate::wire::{self, Reader, Wire};

/// The prefix of every Kubernetes protobuf object.
pub const MAGIC: &[u8; 4] = b"k8s\0";

/// A Kubernetes protobuf object, its envelope read and its message bytes not yet decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// `v1`, `apps/v1`.
    pub api_version: &'a str,
    /// `Pod`, `PodList`.
    pub kind: &'a str,
    /// The object's message bytes.
    pub raw: &'a [u8],
    /// The encoding of `raw` when it is not the message itself (empty for protobuf).
    pub content_type: &'a str,
}

impl<'a> Envelope<'a> {
    /// Reads the envelope of `bytes`.
    ///
    /// ```
    /// let bytes = kubeset_protobuf::Envelope::write("v1", "Pod", &[]);
    /// let envelope = kubeset_protobuf::Envelope::read(&bytes)?;
    /// assert_eq!((envelope.api_version, envelope.kind), ("v1", "Pod"));
    /// # Ok::<(), kubeset_protobuf::Error>(())
    /// ```
    pub fn read(bytes: &'a [u8]) -> Result<Self, Error> {
        let body = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| Error::from(crate::error::ErrorKind::NoEnvelope))?;
        let mut envelope = Envelope {
            api_version: "",
            kind: "",
            raw: &[],
            content_type: "",
        };
        let text = |b: &'a [u8]| {
            std::str::from_utf8(b).map_err(|_| Error::malformed("a string is not UTF-8"))
        };
        let mut reader = Reader::new(body);
        while let Some((number, wire)) = reader.field()? {
            match (number, wire) {
                (1, Wire::Len(type_meta)) => {
                    let mut inner = Reader::new(type_meta);
                    while let Some((n, w)) = inner.field()? {
                        match (n, w) {
                            (1, Wire::Len(b)) => envelope.api_version = text(b)?,
                            (2, Wire::Len(b)) => envelope.kind = text(b)?,
                            _ => {}
                        }
                    }
                }
                (2, Wire::Len(raw)) => envelope.raw = raw,
                (4, Wire::Len(b)) => envelope.content_type = text(b)?,
                _ => {}
            }
        }
        Ok(envelope)
    }

    /// Writes an envelope around message bytes, as Go's protobuf serializer does (empty
    /// `contentEncoding` and `contentType` included).
    ///
    /// ```
    /// let bytes = kubeset_protobuf::Envelope::write("v1", "Pod", &[]);
    /// assert!(bytes.starts_with(kubeset_protobuf::MAGIC));
    /// ```
    pub fn write(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(raw.len() + api_version.len() + kind.len() + 32);
        write_head(&mut out, api_version, kind, raw.len());
        out.extend_from_slice(raw);
        out.extend_from_slice(TAIL);
        out
    }
}

/// What follows the message bytes: empty `contentEncoding` (3) and `contentType` (4).
pub(crate) const TAIL: &[u8] = &[0x1a, 0, 0x22, 0];

/// Writes what precedes `raw_len` message bytes: the magic, the `TypeMeta` and field 2's key
/// and length.
pub(crate) fn write_head(out: &mut Vec<u8>, api_version: &str, kind: &str, raw_len: usize) {
    out.extend_from_slice(MAGIC);
    let type_meta_len =
        2 + api_version.len() + kind.len() + varint_len(api_version.len()) + varint_len(kind.len());
    wire::put_key(out, 1, 2);
    wire::put_varint(out, type_meta_len as u64);
    wire::put_bytes(out, 1, api_version.as_bytes());
    wire::put_bytes(out, 2, kind.as_bytes());
    wire::put_key(out, 2, 2);
    wire::put_varint(out, raw_len as u64);
}

/// The bytes of `v` as a varint.
fn varint_len(v: usize) -> usize {
    let mut n = 1;
    let mut v = v >> 7;
    while v > 0 {
        n += 1;
        v >>= 7;
    }
    n
}
