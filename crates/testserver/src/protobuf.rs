//! The protobuf wire format as far as Kubernetes request bodies need it: a field reader and the
//! `k8s\0` envelope (`runtime.Unknown`: `typeMeta` = 1, `raw` = 2).
//!
//! The schema-driven decoders on top of it, `api::protobuf` (core and policy kinds) and
//! `rbac::wire` (RBAC objects and reviews), share this one reader.

/// The bytes are not well-formed protobuf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the protobuf body is not a valid Kubernetes object")]
pub(crate) struct Malformed;

/// The prefix of a Kubernetes protobuf body.
pub(crate) const MAGIC: &[u8] = b"k8s\0";

/// The payload of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload<'a> {
    /// A varint (wire type 0).
    Varint(u64),
    /// Length-delimited bytes (wire type 2), or the raw bytes of a fixed 64- or 32-bit value.
    Bytes(&'a [u8]),
}

/// Reads the fields of one message, in order.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over the bytes of one message.
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// Whether every field has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut out = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.buf.split_first().ok_or(Malformed)?;
            self.buf = rest;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
        }
        Err(Malformed)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Malformed> {
        if len > self.buf.len() {
            return Err(Malformed);
        }
        let (head, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(head)
    }

    /// The next field: its number and payload.
    pub(crate) fn field(&mut self) -> Result<(u32, Payload<'a>), Malformed> {
        let key = self.varint()?;
        let number = u32::try_from(key >> 3).map_err(|_| Malformed)?;
        let payload = match key & 7 {
            0 => Payload::Varint(self.varint()?),
            2 => {
                let len = usize::try_from(self.varint()?).map_err(|_| Malformed)?;
                Payload::Bytes(self.take(len)?)
            }
            1 => Payload::Bytes(self.take(8)?),
            5 => Payload::Bytes(self.take(4)?),
            _ => return Err(Malformed),
        };
        Ok((number, payload))
    }
}

/// UTF-8 text of a string field.
pub(crate) fn text(bytes: &[u8]) -> Result<&str, Malformed> {
    std::str::from_utf8(bytes).map_err(|_| Malformed)
}

/// A body's envelope: the object's `apiVersion` and `kind`, and its encoded fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    /// `typeMeta.apiVersion` (empty when missing).
    pub(crate) api_version: String,
    /// `typeMeta.kind` (empty when missing).
    pub(crate) kind: String,
    /// The object's own fields.
    pub(crate) raw: &'a [u8],
}

/// Opens the envelope of a body; `None` when it does not start with [`MAGIC`].
pub(crate) fn envelope(body: &[u8]) -> Option<Result<Envelope<'_>, Malformed>> {
    let unknown = body.strip_prefix(MAGIC)?;
    Some(read_envelope(unknown))
}

fn read_envelope(unknown: &[u8]) -> Result<Envelope<'_>, Malformed> {
    let mut reader = Reader::new(unknown);
    let mut out = Envelope {
        api_version: String::new(),
        kind: String::new(),
        raw: &[],
    };
    while !reader.is_empty() {
        match reader.field()? {
            (1, Payload::Bytes(type_meta)) => {
                let mut fields = Reader::new(type_meta);
                while !fields.is_empty() {
                    match fields.field()? {
                        (1, Payload::Bytes(b)) => text(b)?.clone_into(&mut out.api_version),
                        (2, Payload::Bytes(b)) => text(b)?.clone_into(&mut out.kind),
                        (1 | 2, Payload::Varint(_)) => return Err(Malformed),
                        _ => {}
                    }
                }
            }
            (2, Payload::Bytes(raw)) => out.raw = raw,
            _ => {}
        }
    }
    Ok(out)
}

/// Encoding what [`Reader`] reads, for the decoders' tests.
#[cfg(test)]
pub(crate) mod encode {
    /// A length-delimited field.
    pub(crate) fn field(number: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![number << 3 | 2];
        let mut len = payload.len();
        loop {
            let byte = (len & 0x7f) as u8;
            len >>= 7;
            if len == 0 {
                out.push(byte);
                break;
            }
            out.push(byte | 0x80);
        }
        out.extend_from_slice(payload);
        out
    }

    /// `k8s\0` + `runtime.Unknown{typeMeta{apiVersion, kind}, raw}`.
    pub(crate) fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let type_meta = [field(1, api_version.as_bytes()), field(2, kind.as_bytes())].concat();
        [super::MAGIC.to_vec(), field(1, &type_meta), field(2, raw)].concat()
    }
}

#[cfg(test)]
mod tests {
    use super::encode::field;
    use super::*;

    #[test]
    fn reads_the_envelope() {
        let type_meta = [field(1, b"v1"), field(2, b"Binding")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, b"\x0a\x01p")].concat();
        assert_eq!(
            envelope(&body),
            Some(Ok(Envelope {
                api_version: "v1".into(),
                kind: "Binding".into(),
                raw: b"\x0a\x01p",
            }))
        );
        assert_eq!(envelope(b"{}"), None);
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        #[track_caller]
        fn check(unknown: &[u8]) {
            let body = [MAGIC, unknown].concat();
            assert_eq!(envelope(&body), Some(Err(Malformed)), "{unknown:?}");
        }
        // a length past the end, a varint that never ends, an unknown wire type, a length
        // that does not fit usize on any target, text that is not UTF-8
        check(b"\x0a\x05ab");
        check(&[&[0x08][..], &[0x80; 10]].concat());
        check(b"\x0b");
        check(b"\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
        check(&[field(1, &field(2, b"\xff"))].concat());
    }
}
