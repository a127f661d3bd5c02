//! The serializer of one field's value, and of the structs and sequences inside it.

use base64::Engine as _;
use serde::ser::{self, Impossible, Serialize};

use super::{MessageBuf, write_value};
use crate::error::Error;
use crate::schema::{self, Field, Kind, MAP, REPEATED, Special};
use crate::wire;

use super::key::KeySer;

/// Writes one value of `field` (with its key) into `out`.
pub(super) struct FieldSer<'a> {
    pub(super) field: &'static Field,
    pub(super) out: &'a mut Vec<u8>,
    pub(super) in_repeat: bool,
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Bool => "bool",
        Kind::String => "string",
        Kind::Bytes => "bytes",
        Kind::Float | Kind::Double => "floating point",
        Kind::Message(m) => schema::message(m).name,
        _ => "integer",
    }
}

impl FieldSer<'_> {
    fn special(&self) -> Special {
        match self.field.kind {
            Kind::Message(m) => schema::message(m).special,
            _ => Special::None,
        }
    }

    fn mismatch(&self, got: &'static str) -> Error {
        Error::mismatch(got, kind_name(self.field.kind))
    }

    fn nested(&mut self, build: impl FnOnce(&mut Vec<u8>)) {
        let mut inner = Vec::with_capacity(16);
        build(&mut inner);
        wire::put_bytes(self.out, self.field.number, &inner);
    }

    fn int(mut self, v: i64) -> Result<(), Error> {
        let n = self.field.number;
        match self.field.kind {
            Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 => {
                wire::put_key(self.out, n, 0);
                wire::put_varint(self.out, v as u64);
            }
            Kind::Sint32 | Kind::Sint64 => {
                wire::put_key(self.out, n, 0);
                wire::put_varint(self.out, ((v << 1) ^ (v >> 63)) as u64);
            }
            Kind::Fixed32 | Kind::Sfixed32 => {
                wire::put_key(self.out, n, 5);
                self.out.extend_from_slice(&(v as u32).to_le_bytes());
            }
            Kind::Fixed64 | Kind::Sfixed64 => {
                wire::put_key(self.out, n, 1);
                self.out.extend_from_slice(&(v as u64).to_le_bytes());
            }
            Kind::Float | Kind::Double => return self.float(v as f64),
            Kind::Message(_) => match self.special() {
                Special::IntOrString => self.nested(|b| {
                    wire::put_key(b, 1, 0);
                    b.push(0);
                    wire::put_key(b, 2, 0);
                    wire::put_varint(b, v as u64);
                    wire::put_bytes(b, 3, b"");
                }),
                Special::Quantity => {
                    self.nested(|b| wire::put_bytes(b, 1, v.to_string().as_bytes()))
                }
                _ => return Err(self.mismatch("integer")),
            },
            _ => return Err(self.mismatch("integer")),
        }
        Ok(())
    }

    fn float(self, v: f64) -> Result<(), Error> {
        let n = self.field.number;
        match self.field.kind {
            Kind::Float => {
                wire::put_key(self.out, n, 5);
                self.out
                    .extend_from_slice(&(v as f32).to_bits().to_le_bytes());
            }
            Kind::Double => {
                wire::put_key(self.out, n, 1);
                self.out.extend_from_slice(&v.to_bits().to_le_bytes());
            }
            Kind::Int32 | Kind::Int64 | Kind::Sint32 | Kind::Sint64 if v.fract() == 0.0 => {
                return self.int(v as i64);
            }
            _ => return Err(self.mismatch("floating point number")),
        }
        Ok(())
    }
}

macro_rules! ints {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.int(v as i64)
        }
    )*};
}

impl<'a> ser::Serializer for FieldSer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = SeqSer<'a>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = StructSer<'a>;
    type SerializeStruct = StructSer<'a>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        if self.field.kind != Kind::Bool {
            return Err(self.mismatch("bool"));
        }
        wire::put_key(self.out, self.field.number, 0);
        self.out.push(u8::from(v));
        Ok(())
    }

    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
          serialize_u8: u8, serialize_u16: u16, serialize_u32: u32);

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        match self.field.kind {
            Kind::Uint64 | Kind::Fixed64 => {
                if self.field.kind == Kind::Uint64 {
                    wire::put_key(self.out, self.field.number, 0);
                    wire::put_varint(self.out, v);
                } else {
                    wire::put_key(self.out, self.field.number, 1);
                    self.out.extend_from_slice(&v.to_le_bytes());
                }
                Ok(())
            }
            _ => self.int(i64::try_from(v).map_err(|_| Error::mismatch("u64", "int64"))?),
        }
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v)
    }

    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        let n = self.field.number;
        match self.field.kind {
            Kind::String => wire::put_bytes(self.out, n, v.as_bytes()),
            Kind::Bytes => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(v)
                    .map_err(|_| Error::format(v, "base64"))?;
                wire::put_bytes(self.out, n, &bytes);
            }
            Kind::Message(_) => match self.special() {
                Special::Time | Special::MicroTime => {
                    let (seconds, nanos) = crate::time::parse(v)?;
                    self.nested(|b| {
                        wire::put_key(b, 1, 0);
                        wire::put_varint(b, seconds as u64);
                        wire::put_key(b, 2, 0);
                        wire::put_varint(b, i64::from(nanos) as u64);
                    });
                }
                Special::Duration => {
                    let nanos = crate::time::parse_duration(v)?;
                    self.nested(|b| {
                        wire::put_key(b, 1, 0);
                        wire::put_varint(b, nanos as u64);
                    });
                }
                Special::IntOrString => self.nested(|b| {
                    wire::put_key(b, 1, 0);
                    b.push(1);
                    wire::put_key(b, 2, 0);
                    b.push(0);
                    wire::put_bytes(b, 3, v.as_bytes());
                }),
                Special::Quantity => self.nested(|b| wire::put_bytes(b, 1, v.as_bytes())),
                _ => return Err(self.mismatch("string")),
            },
            _ => return Err(self.mismatch("string")),
        }
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        match self.field.kind {
            Kind::Bytes | Kind::String => {
                wire::put_bytes(self.out, self.field.number, v);
                Ok(())
            }
            _ => Err(self.mismatch("byte string")),
        }
    }

    fn serialize_none(self) -> Result<(), Error> {
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(self.mismatch("enum variant"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqSer<'a>, Error> {
        if self.field.has(REPEATED) && !self.in_repeat {
            return Ok(SeqSer {
                field: self.field,
                out: self.out,
                items: None,
                index: 0,
            });
        }
        if let Kind::Message(m) = self.field.kind
            && schema::message(m).special == Special::Items
            && let Some(items) = schema::message(m).field(1)
        {
            return Ok(SeqSer {
                field: items,
                out: self.out,
                items: Some((self.field.number, Vec::new())),
                index: 0,
            });
        }
        Err(self.mismatch("sequence"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(self.mismatch("tuple"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(self.mismatch("tuple"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(self.mismatch("enum variant"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<StructSer<'a>, Error> {
        let Kind::Message(m) = self.field.kind else {
            return Err(self.mismatch("map"));
        };
        if self.field.has(MAP) && !self.in_repeat {
            return Ok(StructSer {
                target: Target::Map {
                    field: self.field,
                    out: self.out,
                },
                key: None,
                index: 0,
            });
        }
        Ok(StructSer {
            target: Target::Message {
                buf: MessageBuf::new(schema::message(m)),
                out: self.out,
                number: self.field.number,
            },
            key: None,
            index: 0,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<StructSer<'a>, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(self.mismatch("enum variant"))
    }
}

/// The entries of a repeated field, or the items of an `Items` message (written as one field
/// `number` at the end).
pub(super) struct SeqSer<'a> {
    field: &'static Field,
    out: &'a mut Vec<u8>,
    items: Option<(u32, Vec<u8>)>,
    index: usize,
}

impl ser::SerializeSeq for SeqSer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let out = match &mut self.items {
            Some((_, buf)) => buf,
            None => &mut *self.out,
        };
        let index = self.index;
        self.index += 1;
        write_value(self.field, value, out, true).map_err(|e| e.at_index(index))
    }

    fn end(self) -> Result<(), Error> {
        if let Some((number, buf)) = self.items {
            wire::put_bytes(self.out, number, &buf);
        }
        Ok(())
    }
}

enum Target<'a> {
    /// A message written as field `number` of `out` (0: the top level, no key).
    Message {
        buf: MessageBuf,
        out: &'a mut Vec<u8>,
        number: u32,
    },
    /// The entries of a map field.
    Map {
        field: &'static Field,
        out: &'a mut Vec<u8>,
    },
}

/// A struct or map: the fields of a message, or the entries of a map field.
pub(super) struct StructSer<'a> {
    target: Target<'a>,
    key: Option<String>,
    index: usize,
}

impl StructSer<'_> {
    fn entry<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        match &mut self.target {
            Target::Message { buf, .. } => buf.field(key, value),
            Target::Map { field, out } => {
                let Kind::Message(m) = field.kind else {
                    return Err(Error::mismatch("map", "map entry"));
                };
                let entry = schema::message(m);
                let (Some(key_field), Some(value_field)) = (entry.field(1), entry.field(2)) else {
                    return Err(Error::malformed("a map entry lacks its key or value field"));
                };
                let mut bytes = Vec::with_capacity(key.len() + 16);
                write_value(key_field, key, &mut bytes, false)?;
                write_value(value_field, value, &mut bytes, false)
                    .map_err(|e| e.at_index(format_args!("{key:?}")))?;
                wire::put_bytes(out, field.number, &bytes);
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<(), Error> {
        if let Target::Message { buf, out, number } = self.target {
            let bytes = buf.finish()?;
            if number == 0 {
                out.extend_from_slice(&bytes);
            } else {
                wire::put_bytes(out, number, &bytes);
            }
        }
        Ok(())
    }
}

impl ser::SerializeStruct for StructSer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.entry(key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeMap for StructSer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(KeySer)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::malformed("a map value came before its key"))?;
        self.index += 1;
        self.entry(&key, value)
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}
