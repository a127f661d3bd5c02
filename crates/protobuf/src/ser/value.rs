//! The serializer of one field's value, and of the structs and sequences inside it.

use base64::Engine as _;
use serde::ser::{self, Impossible, Serialize};

use super::encoder::{Encoder, Small};
use super::message::{Block, Place};
use super::write_value;
use crate::error::Error;
use crate::schema::{self, Field, Kind, MAP, REPEATED, Special};

use super::key::KeySer;

/// Writes one value of `field` (with its key) into slot `slot`.
pub(super) struct FieldSer<'a> {
    pub(super) enc: &'a mut Encoder,
    pub(super) field: &'static Field,
    pub(super) slot: usize,
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

    /// Writes the field as a small message: `head`, then `tail`.
    fn nested(self, head: &Small, tail: &[u8]) -> Result<(), Error> {
        self.enc
            .small_message(self.slot, self.field.number, head.bytes(), tail)
    }

    fn fixed(self, wire_type: u8, bytes: &[u8]) -> Result<(), Error> {
        self.enc
            .fixed(self.slot, self.field.number, wire_type, bytes)
    }

    fn int(self, v: i64) -> Result<(), Error> {
        match self.field.kind {
            Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 => {
                self.enc.scalar(self.slot, self.field.number, v as u64)
            }
            Kind::Sint32 | Kind::Sint64 => {
                let v = ((v << 1) ^ (v >> 63)) as u64;
                self.enc.scalar(self.slot, self.field.number, v)
            }
            Kind::Fixed32 | Kind::Sfixed32 => self.fixed(5, &(v as u32).to_le_bytes()),
            Kind::Fixed64 | Kind::Sfixed64 => self.fixed(1, &(v as u64).to_le_bytes()),
            Kind::Float | Kind::Double => self.float(v as f64),
            Kind::Message(_) => match self.special() {
                Special::IntOrString => {
                    let mut head = Small::new();
                    head.key(1, 0)
                        .varint(0)
                        .key(2, 0)
                        .varint(v as u64)
                        .key(3, 2)
                        .varint(0);
                    self.nested(&head, &[])
                }
                Special::Quantity => {
                    let text = v.to_string();
                    let mut head = Small::new();
                    head.key(1, 2).varint(text.len() as u64);
                    self.nested(&head, text.as_bytes())
                }
                _ => Err(self.mismatch("integer")),
            },
            _ => Err(self.mismatch("integer")),
        }
    }

    fn float(self, v: f64) -> Result<(), Error> {
        match self.field.kind {
            Kind::Float => self.fixed(5, &(v as f32).to_bits().to_le_bytes()),
            Kind::Double => self.fixed(1, &v.to_bits().to_le_bytes()),
            Kind::Int32 | Kind::Int64 | Kind::Sint32 | Kind::Sint64 if v.fract() == 0.0 => {
                self.int(v as i64)
            }
            _ => Err(self.mismatch("floating point number")),
        }
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
        self.enc.scalar(self.slot, self.field.number, u64::from(v))
    }

    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
          serialize_u8: u8, serialize_u16: u16, serialize_u32: u32);

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        match self.field.kind {
            Kind::Uint64 => self.enc.scalar(self.slot, self.field.number, v),
            Kind::Fixed64 => self.fixed(1, &v.to_le_bytes()),
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

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        let (slot, n) = (self.slot, self.field.number);
        match self.field.kind {
            Kind::String => self.enc.bytes(slot, n, v.as_bytes()),
            Kind::Bytes => {
                let mut bytes = std::mem::take(&mut self.enc.scratch);
                bytes.clear();
                let result = base64::engine::general_purpose::STANDARD
                    .decode_vec(v, &mut bytes)
                    .map_err(|_| Error::format(v, "base64"))
                    .and_then(|()| self.enc.bytes(slot, n, &bytes));
                self.enc.scratch = bytes;
                result
            }
            Kind::Message(_) => {
                let mut head = Small::new();
                match self.special() {
                    Special::Time | Special::MicroTime => {
                        let (seconds, nanos) = crate::time::parse(v)?;
                        head.key(1, 0)
                            .varint(seconds as u64)
                            .key(2, 0)
                            .varint(i64::from(nanos) as u64);
                        self.nested(&head, &[])
                    }
                    Special::Duration => {
                        let nanos = crate::time::parse_duration(v)?;
                        head.key(1, 0).varint(nanos as u64);
                        self.nested(&head, &[])
                    }
                    Special::IntOrString => {
                        head.key(1, 0).varint(1).key(2, 0).varint(0).key(3, 2);
                        head.varint(v.len() as u64);
                        self.nested(&head, v.as_bytes())
                    }
                    Special::Quantity => {
                        head.key(1, 2).varint(v.len() as u64);
                        self.nested(&head, v.as_bytes())
                    }
                    _ => Err(self.mismatch("string")),
                }
            }
            _ => Err(self.mismatch("string")),
        }
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        match self.field.kind {
            Kind::Bytes | Kind::String => self.enc.bytes(self.slot, self.field.number, v),
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
                enc: self.enc,
                field: self.field,
                slot: self.slot,
                items: None,
                index: 0,
            });
        }
        if let Kind::Message(m) = self.field.kind
            && schema::message(m).special == Special::Items
            && let Some(items) = schema::message(m).field(1)
        {
            let place = Place::Field {
                slot: self.slot,
                number: self.field.number,
            };
            let block = self.enc.begin(schema::message(m), place)?;
            let slot = block.at + 1 + items_index(block.message);
            return Ok(SeqSer {
                enc: self.enc,
                field: items,
                slot,
                items: Some((block, place)),
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
            let entry = schema::message(m);
            let (Some(key), Some(value)) = (entry.field(1), entry.field(2)) else {
                return Err(Error::malformed("a map entry lacks its key or value field"));
            };
            return Ok(StructSer {
                enc: self.enc,
                target: Target::Map {
                    field: self.field,
                    slot: self.slot,
                    key,
                    value,
                    entry: None,
                },
                key: None,
            });
        }
        let place = Place::Field {
            slot: self.slot,
            number: self.field.number,
        };
        let block = self.enc.begin(schema::message(m), place)?;
        Ok(StructSer {
            enc: self.enc,
            target: Target::Message { block, place },
            key: None,
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

/// The index of field 1 (the items) of an `Items` message.
fn items_index(message: &schema::Message) -> usize {
    message
        .fields
        .iter()
        .position(|f| f.number == 1)
        .unwrap_or(0)
}

/// The entries of a repeated field, or the items of an `Items` message (a message of its own
/// at `place`).
pub(super) struct SeqSer<'a> {
    enc: &'a mut Encoder,
    field: &'static Field,
    slot: usize,
    items: Option<(Block, Place)>,
    index: usize,
}

impl ser::SerializeSeq for SeqSer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let index = self.index;
        self.index += 1;
        write_value(self.enc, self.field, self.slot, value, true).map_err(|e| e.at_index(index))
    }

    fn end(self) -> Result<(), Error> {
        match self.items {
            Some((block, place)) => self.enc.end(block, place),
            None => Ok(()),
        }
    }
}

enum Target {
    /// A message of its own.
    Message { block: Block, place: Place },
    /// The entries of a map field into `slot`, each an entry message of `key` and `value`
    /// (`entry`: the one being written, between its key and its value).
    Map {
        field: &'static Field,
        slot: usize,
        key: &'static Field,
        value: &'static Field,
        entry: Option<Block>,
    },
}

/// A struct or map: the fields of a message, or the entries of a map field.
pub(super) struct StructSer<'a> {
    enc: &'a mut Encoder,
    target: Target,
    /// A JSON key given as a map key, whose value comes next (a message given as a map).
    key: Option<String>,
}

impl StructSer<'_> {
    /// The place of the next entry of a map field.
    fn entry_place(field: &'static Field, slot: usize) -> Place {
        Place::Field {
            slot,
            number: field.number,
        }
    }

    fn finish(self) -> Result<(), Error> {
        match self.target {
            Target::Message { block, place } => self.enc.end(block, place),
            Target::Map { .. } => Ok(()),
        }
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
        match self.target {
            Target::Message { ref mut block, .. } => self.enc.field(block, key, value),
            Target::Map { .. } => {
                ser::SerializeMap::serialize_key(self, key)?;
                ser::SerializeMap::serialize_value(self, value)
            }
        }
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl ser::SerializeMap for StructSer<'_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        match &mut self.target {
            Target::Message { .. } => {
                let mut text = String::new();
                key.serialize(KeySer(&mut text))?;
                self.key = Some(text);
                Ok(())
            }
            Target::Map {
                field,
                slot,
                key: key_field,
                entry,
                ..
            } => {
                let place = Self::entry_place(field, *slot);
                let Kind::Message(m) = field.kind else {
                    return Err(Error::mismatch("map", "map entry"));
                };
                let block = self.enc.begin(schema::message(m), place)?;
                *entry = Some(block);
                let key_slot = block.at + 1 + field_index(block.message, key_field.number);
                let mut text = std::mem::take(&mut self.enc.map_key);
                let written = key.serialize(KeySer(&mut text)).and_then(|()| {
                    write_value(self.enc, key_field, key_slot, text.as_str(), false)
                });
                self.enc.map_key = text;
                written
            }
        }
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        match &mut self.target {
            Target::Message { block, .. } => {
                let key = self
                    .key
                    .take()
                    .ok_or_else(|| Error::malformed("a map value came before its key"))?;
                self.enc.field(block, &key, value)
            }
            Target::Map {
                field,
                slot,
                value: value_field,
                entry,
                ..
            } => {
                let block = entry
                    .take()
                    .ok_or_else(|| Error::malformed("a map value came before its key"))?;
                let value_slot = block.at + 1 + field_index(block.message, value_field.number);
                let written = write_value(self.enc, value_field, value_slot, value, false);
                if let Err(e) = written {
                    return Err(e.at_index(format_args!("{:?}", self.enc.map_key)));
                }
                self.enc.end(block, Self::entry_place(field, *slot))
            }
        }
    }

    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// The index in `message.fields` of field `number`.
fn field_index(message: &schema::Message, number: u32) -> usize {
    message
        .fields
        .iter()
        .position(|f| f.number == number)
        .unwrap_or(0)
}
