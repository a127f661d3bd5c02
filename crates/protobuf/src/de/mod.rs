//! Decoding: a serde `Deserializer` over the bytes of one message, driven by the table.
//!
//! Guarantees: nothing is copied into an intermediate form (strings are handed to the visitor
//! borrowed from the input); fields come in wire order, a repeated field or map as one key
//! however many entries it has (Go writes them together; entries of one field split by other
//! fields would be a duplicate key); unknown field numbers are skipped, as Go skips them; a
//! zero non-pointer scalar whose Go field has `omitempty` is left out, as Go's JSON leaves it
//! out, and so is a zero `Time` and an empty or `null` `RawExtension`; a non-pointer scalar without `omitempty` that the bytes leave
//! out is given its zero value, as Go's JSON of the decoded struct writes it (Go's marshaller
//! always writes such fields, so only another encoder leaves them out), after the fields on
//! the wire; fields of an inlined struct appear in the parent's object.
//! Messages nest at most [`MAX_DEPTH`] deep (a self-referencing message could otherwise
//! take the decoder's stack as deep as the bytes allow); deeper is a malformed error.

mod value;

use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;

use crate::error::Error;
use crate::schema::{self, Field, INLINE, Kind, Message, OMITEMPTY, POINTER, REPEATED, Special};
use crate::wire::{Reader, Wire};

pub(crate) use value::FieldDe;

/// How deep messages may nest inside the top-level one. Kubernetes objects nest about a dozen
/// deep; only a self-referencing message (`CompositePodGroupTemplate`) can go further.
pub(crate) const MAX_DEPTH: u16 = 100;

/// Deserializes one message from its bytes.
#[derive(Debug)]
pub(crate) struct MessageDe<'de> {
    pub(crate) message: &'static Message,
    pub(crate) buf: &'de [u8],
    /// `apiVersion` and `kind` to put first (a top-level object from the envelope).
    pub(crate) type_meta: Option<(&'de str, &'de str)>,
    /// How many messages enclose this one.
    pub(crate) depth: u16,
}

impl<'de> MessageDe<'de> {
    pub(crate) fn new(message: &'static Message, buf: &'de [u8]) -> Self {
        MessageDe::inner(message, buf, 0)
    }

    /// A message `depth` messages deep.
    pub(crate) fn inner(message: &'static Message, buf: &'de [u8], depth: u16) -> Self {
        MessageDe {
            message,
            buf,
            type_meta: None,
            depth,
        }
    }

    /// The scalar fields of a special message, by number.
    fn scalars(&self) -> Result<[Option<Wire<'de>>; 3], Error> {
        let mut out = [None; 3];
        let mut reader = Reader::new(self.buf);
        while let Some((number, wire)) = reader.field()? {
            if let Some(slot) = out.get_mut((number as usize).wrapping_sub(1)) {
                *slot = Some(wire);
            }
        }
        Ok(out)
    }
}

fn int(w: Option<Wire<'_>>) -> Result<i64, Error> {
    match w {
        None => Ok(0),
        Some(Wire::Varint(v)) => Ok(v as i64),
        Some(_) => Err(Error::wire_type()),
    }
}

fn text<'de>(w: Option<Wire<'de>>) -> Result<&'de str, Error> {
    match w {
        None => Ok(""),
        Some(Wire::Len(b)) => {
            std::str::from_utf8(b).map_err(|_| Error::malformed("a string is not UTF-8"))
        }
        Some(_) => Err(Error::wire_type()),
    }
}

impl<'de> de::Deserializer<'de> for MessageDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.depth > MAX_DEPTH {
            return Err(Error::malformed("messages nest more than 100 deep"));
        }
        match self.message.special {
            Special::Time | Special::MicroTime => {
                if self.buf.is_empty() {
                    return visitor.visit_unit();
                }
                let [s, n, _] = self.scalars()?;
                let micro = self.message.special == Special::MicroTime;
                visitor.visit_str(crate::time::format(int(s)?, int(n)? as i32, micro).as_str())
            }
            Special::Duration => {
                let [d, ..] = self.scalars()?;
                visitor.visit_string(crate::time::format_duration(int(d)?))
            }
            Special::IntOrString => {
                let [t, i, s] = self.scalars()?;
                if int(t)? == 1 {
                    visitor.visit_borrowed_str(text(s)?)
                } else {
                    visitor.visit_i32(int(i)? as i32)
                }
            }
            Special::Quantity => {
                let [s, ..] = self.scalars()?;
                visitor.visit_borrowed_str(text(s)?)
            }
            Special::RawJson => match self.scalars()? {
                [Some(Wire::Len(raw)), ..] if !raw.is_empty() => {
                    let mut json = serde_json::Deserializer::from_slice(raw);
                    de::Deserializer::deserialize_any(&mut json, visitor)
                        .map_err(<Error as de::Error>::custom)
                }
                _ => visitor.visit_unit(),
            },
            Special::Items => {
                let field = self
                    .message
                    .field(1)
                    .ok_or_else(|| Error::malformed("a list type has no items field"))?;
                visitor.visit_seq(value::Elements::new(field, self.buf, self.depth))
            }
            _ => visitor.visit_map(Fields::new(self)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.message.special {
            Special::Time | Special::MicroTime | Special::RawJson if self.buf.is_empty() => {
                visitor.visit_none()
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

/// The fields of one message as a serde map.
struct Fields<'de> {
    message: &'static Message,
    reader: Reader<'de>,
    /// The fields of `message` met on the wire, by index (see [`Seen`]).
    seen: Seen,
    /// Once the wire is read: the index of the next field to check for a zero to add.
    fill: Option<usize>,
    /// Inlined structs being read, innermost last, with the state of their parent.
    outer: Vec<(&'static Message, Reader<'de>, Seen)>,
    type_meta: Option<(&'de str, &'de str)>,
    type_meta_step: u8,
    pending: Option<FieldDe<'de>>,
    depth: u16,
    done: bool,
}

/// Which fields of a message (by index; messages have at most a few dozen) were met.
#[derive(Debug, Clone, Copy, Default)]
struct Seen(u128);

impl Seen {
    fn mark(&mut self, index: usize) {
        if let Some(bit) = 1u128.checked_shl(index as u32) {
            self.0 |= bit;
        }
    }

    /// Whether `index` was met; an index past the set counts as met (nothing is added).
    fn has(self, index: usize) -> bool {
        1u128
            .checked_shl(index as u32)
            .is_none_or(|bit| self.0 & bit != 0)
    }
}

/// Whether Go's JSON writes the field's zero value when it is zero: a single non-pointer
/// scalar without `omitempty`.
fn zero_in_json(field: &Field) -> bool {
    field.flags & (POINTER | OMITEMPTY | REPEATED) == 0
        && !matches!(field.kind, Kind::Message(_) | Kind::Bytes)
}

/// The fields of `message` (by index) whose zero Go's JSON writes, worked out once per
/// message of the table (`None` for a message built elsewhere or with more than 128 fields).
fn zero_mask(message: &'static Message) -> Option<u128> {
    static MASKS: std::sync::OnceLock<Box<[Option<u128>]>> = std::sync::OnceLock::new();
    let index = message.position()?;
    let masks = MASKS.get_or_init(|| {
        schema::MESSAGES
            .iter()
            .map(|m| {
                (m.fields.len() <= 128).then(|| {
                    m.fields
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| zero_in_json(f))
                        .fold(0u128, |mask, (i, _)| mask | 1 << i)
                })
            })
            .collect()
    });
    *masks.get(index)?
}

/// Whether a `RawExtension`/`FieldsV1` holds no JSON or JSON `null`: left out like a zero
/// `Time` (the encoder writes nothing for it, so decoding it as `null` would not round-trip).
fn raw_json_is_null(bytes: &[u8]) -> bool {
    // as `MessageDe::scalars` reads it: the last field 1 counts, whatever its wire type
    let mut reader = Reader::new(bytes);
    let mut raw = None;
    loop {
        match reader.field() {
            Ok(Some((1, wire))) => raw = Some(wire),
            Ok(Some(_)) => {}
            Ok(None) => break,
            // decoding reports it
            Err(_) => return false,
        }
    }
    match raw {
        Some(Wire::Len(b)) => matches!(b.trim_ascii(), b"" | b"null"),
        _ => true,
    }
}

/// The zero payload of a scalar.
fn zero_wire<'de>(kind: Kind) -> Wire<'de> {
    match kind {
        Kind::String | Kind::Bytes | Kind::Message(_) => Wire::Len(&[]),
        Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => Wire::Fixed32(0),
        Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => Wire::Fixed64(0),
        _ => Wire::Varint(0),
    }
}

impl<'de> Fields<'de> {
    fn new(de: MessageDe<'de>) -> Self {
        Fields {
            message: de.message,
            reader: Reader::new(de.buf),
            seen: Seen::default(),
            fill: None,
            outer: Vec::new(),
            type_meta: de.type_meta,
            type_meta_step: 0,
            pending: None,
            depth: de.depth,
            done: false,
        }
    }

    /// After the wire: the next field Go's JSON writes whose zero the bytes left out.
    fn next_zero(&mut self, from: usize) -> Option<FieldDe<'de>> {
        let fields = self.message.fields;
        let index = match zero_mask(self.message) {
            Some(mask) => {
                let left = mask & !self.seen.0 & u128::MAX.checked_shl(from as u32).unwrap_or(0);
                (left != 0).then(|| left.trailing_zeros() as usize)
            }
            None => (from..fields.len()).find(|&i| !self.seen.has(i) && zero_in_json(&fields[i])),
        }?;
        let field = fields.get(index)?;
        self.fill = Some(index + 1);
        Some(FieldDe::single(field, zero_wire(field.kind), self.depth))
    }

    /// The next field to hand out, skipping what JSON would leave out.
    fn next_field(&mut self) -> Result<Option<FieldDe<'de>>, Error> {
        if self.done {
            return Ok(None);
        }
        loop {
            if let Some(from) = self.fill {
                if let Some(zero) = self.next_zero(from) {
                    return Ok(Some(zero));
                }
                self.fill = None;
                match self.outer.pop() {
                    Some((message, reader, seen)) => {
                        self.message = message;
                        self.reader = reader;
                        self.seen = seen;
                        continue;
                    }
                    None => {
                        self.done = true;
                        return Ok(None);
                    }
                }
            }
            let before = self.reader.buf;
            let Some((number, wire)) = self.reader.field()? else {
                self.fill = Some(0);
                continue;
            };
            let Some(index) = self.message.index_of(number) else {
                continue;
            };
            self.seen.mark(index);
            let field = &self.message.fields[index];
            if field.has(REPEATED) {
                let run = self.reader.run_from(before, number)?;
                return Ok(Some(FieldDe::repeated(field, run, self.depth)));
            }
            match (field.kind, wire) {
                (Kind::Message(i), Wire::Len(bytes)) => {
                    let message = schema::message(i);
                    if field.has(INLINE) {
                        let parent = std::mem::replace(&mut self.reader, Reader::new(bytes));
                        let seen = std::mem::take(&mut self.seen);
                        self.outer.push((
                            std::mem::replace(&mut self.message, message),
                            parent,
                            seen,
                        ));
                        continue;
                    }
                    if (bytes.is_empty()
                        && matches!(message.special, Special::Time | Special::MicroTime))
                        || (message.special == Special::RawJson && raw_json_is_null(bytes))
                    {
                        continue;
                    }
                }
                (Kind::Message(_), _) => return Err(Error::wire_type().at_field(field.name)),
                (_, w) if w.is_zero() && field.flags & (POINTER | OMITEMPTY) == OMITEMPTY => {
                    continue;
                }
                _ => {}
            }
            return Ok(Some(FieldDe::single(field, wire, self.depth)));
        }
    }
}

impl<'de> de::MapAccess<'de> for Fields<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if let Some((api_version, kind)) = self.type_meta {
            let key = match self.type_meta_step {
                0 => "apiVersion",
                1 => "kind",
                _ => {
                    self.type_meta = None;
                    return self.next_key_seed(seed);
                }
            };
            let _ = (api_version, kind);
            return seed
                .deserialize(de::value::BorrowedStrDeserializer::new(key))
                .map(Some);
        }
        match self.next_field()? {
            None => Ok(None),
            Some(field) => {
                let name = field.field.name;
                self.pending = Some(field);
                seed.deserialize(de::value::BorrowedStrDeserializer::new(name))
                    .map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if let Some((api_version, kind)) = self.type_meta {
            let value = if self.type_meta_step == 0 {
                api_version
            } else {
                kind
            };
            self.type_meta_step += 1;
            return seed.deserialize(de::value::BorrowedStrDeserializer::new(value));
        }
        let field = self
            .pending
            .take()
            .ok_or_else(|| Error::malformed("a value was asked for before its key"))?;
        let name = field.field.name;
        seed.deserialize(field).map_err(|e| e.at_field(name))
    }
}
