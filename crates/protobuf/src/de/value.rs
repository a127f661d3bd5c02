//! The value of one field: a scalar, a message, or the entries of a repeated field or map.

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;

use super::MessageDe;
use crate::error::Error;
use crate::schema::{self, Field, Kind, MAP};
use crate::wire::{Reader, Wire};

/// The value of one field.
#[derive(Debug)]
pub(crate) struct FieldDe<'de> {
    pub(crate) field: &'static Field,
    value: Value<'de>,
    /// The depth of the message holding the field.
    depth: u16,
}

#[derive(Debug)]
enum Value<'de> {
    /// One occurrence.
    Single(Wire<'de>),
    /// Every occurrence of a repeated field (keys included).
    Run(&'de [u8]),
}

impl<'de> FieldDe<'de> {
    pub(crate) fn single(field: &'static Field, wire: Wire<'de>, depth: u16) -> Self {
        FieldDe {
            field,
            value: Value::Single(wire),
            depth,
        }
    }

    pub(crate) fn repeated(field: &'static Field, run: &'de [u8], depth: u16) -> Self {
        FieldDe {
            field,
            value: Value::Run(run),
            depth,
        }
    }
}

/// Hands one scalar (or message) value of `kind`, of a field of a message `depth` deep, to
/// `visitor`.
fn visit<'de, V: Visitor<'de>>(
    kind: Kind,
    wire: Wire<'de>,
    visitor: V,
    depth: u16,
) -> Result<V::Value, Error> {
    match (kind, wire) {
        (Kind::Bool, Wire::Varint(v)) => visitor.visit_bool(v != 0),
        (Kind::Int32, Wire::Varint(v)) => visitor.visit_i32(v as i32),
        (Kind::Int64, Wire::Varint(v)) => visitor.visit_i64(v as i64),
        (Kind::Uint32, Wire::Varint(v)) => visitor.visit_u32(v as u32),
        (Kind::Uint64, Wire::Varint(v)) => visitor.visit_u64(v),
        (Kind::Sint32, Wire::Varint(v)) => visitor.visit_i32(zigzag(v) as i32),
        (Kind::Sint64, Wire::Varint(v)) => visitor.visit_i64(zigzag(v)),
        (Kind::Fixed32, Wire::Fixed32(v)) => visitor.visit_u32(v),
        (Kind::Sfixed32, Wire::Fixed32(v)) => visitor.visit_i32(v as i32),
        (Kind::Float, Wire::Fixed32(v)) => visitor.visit_f32(f32::from_bits(v)),
        (Kind::Fixed64, Wire::Fixed64(v)) => visitor.visit_u64(v),
        (Kind::Sfixed64, Wire::Fixed64(v)) => visitor.visit_i64(v as i64),
        (Kind::Double, Wire::Fixed64(v)) => visitor.visit_f64(f64::from_bits(v)),
        (Kind::String, Wire::Len(b)) => visitor.visit_borrowed_str(
            std::str::from_utf8(b).map_err(|_| Error::malformed("a string is not UTF-8"))?,
        ),
        (Kind::Bytes, Wire::Len(b)) => {
            visitor.visit_string(base64::engine::general_purpose::STANDARD.encode(b))
        }
        (Kind::Message(i), Wire::Len(b)) => {
            let inner = MessageDe::inner(schema::message(i), b, depth.saturating_add(1));
            de::Deserializer::deserialize_any(inner, visitor)
        }
        _ => Err(Error::wire_type()),
    }
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

impl<'de> de::Deserializer<'de> for FieldDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            Value::Single(wire) => visit(self.field.kind, wire, visitor, self.depth),
            Value::Run(run) if self.field.has(MAP) => visitor.visit_map(Entries {
                field: self.field,
                reader: Reader::new(run),
                value: None,
                depth: self.depth,
            }),
            Value::Run(run) => visitor.visit_seq(Elements::new(self.field, run, self.depth)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match (self.field.kind, &self.value) {
            (Kind::Message(i), &Value::Single(Wire::Len(b))) => {
                let inner = MessageDe::inner(schema::message(i), b, self.depth.saturating_add(1));
                de::Deserializer::deserialize_option(inner, visitor)
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The elements of a repeated field (its run of entries, or an `Items` message), packed or not.
pub(crate) struct Elements<'de> {
    field: &'static Field,
    reader: Reader<'de>,
    packed: Option<Reader<'de>>,
    index: usize,
    depth: u16,
}

impl<'de> Elements<'de> {
    pub(crate) fn new(field: &'static Field, run: &'de [u8], depth: u16) -> Self {
        Elements {
            field,
            reader: Reader::new(run),
            packed: None,
            index: 0,
            depth,
        }
    }

    fn next_wire(&mut self) -> Result<Option<Wire<'de>>, Error> {
        loop {
            if let Some(packed) = &mut self.packed {
                if packed.buf.is_empty() {
                    self.packed = None;
                } else {
                    return Ok(Some(match self.field.kind {
                        Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => {
                            Wire::Fixed32(packed.fixed32()?)
                        }
                        Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => {
                            Wire::Fixed64(packed.fixed64()?)
                        }
                        _ => Wire::Varint(packed.varint()?),
                    }));
                }
            }
            match self.reader.field()? {
                None => return Ok(None),
                Some((n, _)) if n != self.field.number => continue,
                Some((_, Wire::Len(b)))
                    if !matches!(
                        self.field.kind,
                        Kind::String | Kind::Bytes | Kind::Message(_)
                    ) =>
                {
                    self.packed = Some(Reader::new(b));
                }
                Some((_, wire)) => return Ok(Some(wire)),
            }
        }
    }
}

impl<'de> de::SeqAccess<'de> for Elements<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(wire) = self.next_wire()? else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(FieldDe::single(self.field, wire, self.depth))
            .map(Some)
            .map_err(|e| e.at_index(index))
    }
}

/// The entries of a map field: entry messages with the key as field 1 and the value as 2.
struct Entries<'de> {
    field: &'static Field,
    reader: Reader<'de>,
    /// The value's field, the value, and the key (to name the entry in an error).
    value: Option<(&'static Field, Option<Wire<'de>>, Wire<'de>)>,
    /// The depth of the entry messages.
    depth: u16,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Kind::Message(entry) = self.field.kind else {
            return Err(Error::malformed("a map field is not of an entry message"));
        };
        // Entry messages are generated with the key as field 1 and the value as 2.
        let (Some(key_field), Some(value_field)) = (entry_field(entry, 1), entry_field(entry, 2))
        else {
            return Err(Error::malformed("a map entry lacks its key or value field"));
        };
        let Some(bytes) = (loop {
            match self.reader.field()? {
                None => break None,
                Some((n, Wire::Len(b))) if n == self.field.number => break Some(b),
                Some((n, _)) if n == self.field.number => return Err(Error::wire_type()),
                Some(_) => {}
            }
        }) else {
            return Ok(None);
        };
        let mut reader = Reader::new(bytes);
        let (mut key, mut value) = (None, None);
        while let Some((n, wire)) = reader.field()? {
            match n {
                1 => key = Some(wire),
                2 => value = Some(wire),
                _ => {}
            }
        }
        let key = key.unwrap_or(Wire::Len(&[]));
        self.value = Some((value_field, value, key));
        seed.deserialize(FieldDe::single(key_field, key, self.depth))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (field, value, key) = self
            .value
            .take()
            .ok_or_else(|| Error::malformed("a value was asked for before its key"))?;
        let wire = value.unwrap_or(match field.kind {
            Kind::String | Kind::Bytes | Kind::Message(_) => Wire::Len(&[]),
            Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => Wire::Fixed32(0),
            Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => Wire::Fixed64(0),
            _ => Wire::Varint(0),
        });
        seed.deserialize(FieldDe::single(field, wire, self.depth))
            .map_err(|e| {
                let label = match key {
                    Wire::Len(b) => std::str::from_utf8(b).unwrap_or("?"),
                    _ => "",
                };
                e.at_index(format_args!("{label:?}"))
            })
    }
}

/// Field `number` (1 or 2) of the map entry message `entry`, where the generator puts it.
fn entry_field(entry: u16, number: u32) -> Option<&'static Field> {
    let fields = schema::message(entry).fields;
    match fields.get(number as usize - 1) {
        Some(f) if f.number == number => Some(f),
        _ => schema::message(entry).field(number),
    }
}
