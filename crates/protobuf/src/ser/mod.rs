//! Encoding: a serde `Serializer` that writes any `Serialize` value as the protobuf message
//! the table describes, byte for byte as Go's generated marshaller would for the same object
//! (fields by number, non-pointer scalars even when zero; an absent non-pointer struct is left
//! out rather than written as its zero value, which Go reads back the same).
//!
//! The value is serialized once: its fields' bytes are recorded in the order they arrive, with
//! the sizes of the messages they belong to ([`encoder`]), then copied once into one buffer of
//! the exact size in Go's field order ([`assemble`]). The encoder's buffers are reused from
//! one encoding to the next on a thread, so nothing is allocated per message or per field.

/// Refuses a serde data type with an [`ErrorKind::Mismatch`](crate::ErrorKind::Mismatch) naming it.
macro_rules! refuse {
    ($what:expr; $($method:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<$ret, Error> {
            let _ = ($($arg,)*);
            Err(Error::mismatch(stringify!($method), $what))
        }
    )*};
}

mod assemble;
mod encoder;
mod key;
mod layout;
mod message;
mod top;
mod value;

use serde::Serialize;

use crate::error::Error;
use crate::schema::{self, Field, Kind, Special};

use encoder::{Encoder, drift};
use value::FieldSer;

/// Writes `value` as field `field` into slot `slot` (every entry, for a repeated field given
/// as a sequence; `in_repeat` when `value` is one entry).
fn write_value<T: ?Sized + Serialize>(
    enc: &mut Encoder,
    field: &'static Field,
    slot: usize,
    value: &T,
    in_repeat: bool,
) -> Result<(), Error> {
    if let Kind::Message(m) = field.kind
        && schema::message(m).special == Special::RawJson
        && (in_repeat || !field.has(schema::REPEATED))
    {
        return write_raw_json(enc, field.number, slot, value);
    }
    value.serialize(FieldSer {
        enc,
        field,
        slot,
        in_repeat,
    })
}

/// A `RawExtension` or `FieldsV1`: the value as JSON in field 1.
fn write_raw_json<T: ?Sized + Serialize>(
    enc: &mut Encoder,
    number: u32,
    slot: usize,
    value: &T,
) -> Result<(), Error> {
    let mut json = std::mem::take(&mut enc.scratch);
    json.clear();
    let written =
        serde_json::to_writer(&mut json, value).map_err(<Error as serde::ser::Error>::custom);
    let result = written.and_then(|()| {
        if json == b"null" {
            return Ok(());
        }
        let mut head = encoder::Small::new();
        head.key(1, 2).varint(json.len() as u64);
        enc.small_message(slot, number, head.bytes(), &json)
    });
    enc.scratch = json;
    result
}

/// Encodes `value` as `message`: one pass records the bytes and sizes, then `frame` is given
/// the message's size and writes what comes before it into the output (`extra` is room for
/// what comes before and after), then the message is assembled after it.
fn encode<T: ?Sized + Serialize>(
    message: &'static schema::Message,
    value: &T,
    extra: usize,
    frame: impl FnOnce(usize, &mut Vec<u8>),
) -> Result<Vec<u8>, Error> {
    thread_local! {
        /// The last encoding's state, so its buffers are reused rather than grown again.
        static SPARE: std::cell::Cell<Option<Encoder>> = const { std::cell::Cell::new(None) };
    }
    let mut enc = SPARE.take().unwrap_or_default();
    enc.clear();
    let result = encode_with(&mut enc, message, value, extra, frame);
    SPARE.set(Some(enc));
    result
}

fn encode_with<T: ?Sized + Serialize>(
    enc: &mut Encoder,
    message: &'static schema::Message,
    value: &T,
    extra: usize,
    frame: impl FnOnce(usize, &mut Vec<u8>),
) -> Result<Vec<u8>, Error> {
    value.serialize(top::TopSer { enc, message })?;
    let size = *enc.slots.first().ok_or_else(drift)?;
    let mut out = Vec::with_capacity(size + extra);
    frame(size, &mut out);
    let offset = out.len();
    enc.assemble(message, 0, &mut out)?;
    if out.len() != offset + size {
        return Err(drift());
    }
    Ok(out)
}

/// Writes `value` as the bytes of `message` (no envelope).
pub(crate) fn write_message<T: ?Sized + Serialize>(
    message: &'static schema::Message,
    value: &T,
) -> Result<Vec<u8>, Error> {
    encode(message, value, 0, |_, _| {}).map_err(|e| e.in_message(message.name))
}

/// Writes `value` as the bytes of `message` in a `k8s\0` envelope of `api_version` and
/// `kind`.
pub(crate) fn write_object<T: ?Sized + Serialize>(
    message: &'static schema::Message,
    value: &T,
    api_version: &str,
    kind: &str,
) -> Result<Vec<u8>, Error> {
    let extra = api_version.len() + kind.len() + 32;
    let mut out = encode(message, value, extra, |size, out| {
        crate::envelope::write_head(out, api_version, kind, size);
    })
    .map_err(|e| e.in_message(message.name))?;
    out.extend_from_slice(crate::envelope::TAIL);
    Ok(out)
}
