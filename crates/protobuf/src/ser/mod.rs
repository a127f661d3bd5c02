//! Encoding: a serde `Serializer` that writes any `Serialize` value as the protobuf message
//! the table describes, byte for byte as Go's generated marshaller would for the same object
//! (fields by number, non-pointer scalars even when zero; an absent non-pointer struct is left
//! out rather than written as its zero value, which Go reads back the same).

/// Refuses a serde data type with an [`ErrorKind::Mismatch`](crate::ErrorKind::Mismatch) naming it.
macro_rules! refuse {
    ($what:expr; $($method:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<$ret, Error> {
            let _ = ($($arg,)*);
            Err(Error::mismatch(stringify!($method), $what))
        }
    )*};
}

mod key;
mod message;
mod top;
mod value;

use serde::Serialize;

use crate::error::Error;
use crate::schema::{self, Field, Kind, Special};
use crate::wire;

pub(crate) use message::MessageBuf;
use value::FieldSer;

/// Writes `value` as field `field` into `out` (every entry, for a repeated field given as a
/// sequence; `in_repeat` when `value` is one entry).
pub(crate) fn write_value<T: ?Sized + Serialize>(
    field: &'static Field,
    value: &T,
    out: &mut Vec<u8>,
    in_repeat: bool,
) -> Result<(), Error> {
    if let Kind::Message(m) = field.kind
        && schema::message(m).special == Special::RawJson
        && (in_repeat || !field.has(schema::REPEATED))
    {
        let json = serde_json::to_vec(value).map_err(<Error as serde::ser::Error>::custom)?;
        if json != b"null" {
            let mut raw = Vec::with_capacity(json.len() + 4);
            wire::put_bytes(&mut raw, 1, &json);
            wire::put_bytes(out, field.number, &raw);
        }
        return Ok(());
    }
    value.serialize(FieldSer {
        field,
        out,
        in_repeat,
    })
}

/// Writes `value` as the bytes of `message` (no envelope).
pub(crate) fn write_message<T: ?Sized + Serialize>(
    message: &'static schema::Message,
    value: &T,
) -> Result<Vec<u8>, Error> {
    value
        .serialize(top::TopSer { message })
        .map_err(|e| e.in_message(message.name))
}
