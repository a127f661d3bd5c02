//! One message being written: its fields in any order in, Go's bytes out (fields by number,
//! non-pointer scalars written even when zero, inlined structs gathered into their field).

use serde::Serialize;

use super::write_value;
use crate::error::Error;
use crate::schema::{self, Field, INLINE, Kind, Message, POINTER, REPEATED};
use crate::wire;

/// The bytes of one message so far.
pub(crate) struct MessageBuf {
    message: &'static Message,
    buf: Vec<u8>,
    /// (field number, start in `buf`) of each field written, in writing order.
    segments: Vec<(u32, usize)>,
    seen: Vec<bool>,
    inline: Vec<(&'static Field, MessageBuf)>,
}

impl MessageBuf {
    pub(crate) fn new(message: &'static Message) -> Self {
        MessageBuf {
            message,
            buf: Vec::new(),
            segments: Vec::new(),
            seen: vec![false; message.fields.len()],
            inline: Vec::new(),
        }
    }

    /// Writes the value of the JSON key `key`.
    pub(crate) fn field<T: ?Sized + Serialize>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), Error> {
        if let Some(i) = self.message.fields.iter().position(|f| f.name == key) {
            let field = &self.message.fields[i];
            let start = self.buf.len();
            write_value(field, value, &mut self.buf, false).map_err(|e| e.at_field(key))?;
            if self.buf.len() > start {
                self.segments.push((field.number, start));
                self.seen[i] = true;
            }
            return Ok(());
        }
        for field in self.message.fields.iter().filter(|f| f.has(INLINE)) {
            let Kind::Message(m) = field.kind else {
                continue;
            };
            let inner = schema::message(m);
            if inner.field_named(key).is_some() {
                let slot = match self
                    .inline
                    .iter()
                    .position(|(f, _)| std::ptr::eq(*f, field))
                {
                    Some(slot) => slot,
                    None => {
                        self.inline.push((field, MessageBuf::new(inner)));
                        self.inline.len() - 1
                    }
                };
                return self.inline[slot].1.field(key, value);
            }
        }
        if key == "apiVersion" || key == "kind" {
            return Ok(());
        }
        Err(crate::error::ErrorKind::UnknownField {
            field: key.to_owned(),
            message: self.message.name,
            path: Default::default(),
        }
        .into())
    }

    /// The message's bytes.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, Error> {
        for (field, inner) in std::mem::take(&mut self.inline) {
            let bytes = inner.finish()?;
            if let Some(i) = self
                .message
                .fields
                .iter()
                .position(|f| std::ptr::eq(f, field))
            {
                self.seen[i] = true;
            }
            self.segments.push((field.number, self.buf.len()));
            wire::put_bytes(&mut self.buf, field.number, &bytes);
        }
        for (field, seen) in self.message.fields.iter().zip(&self.seen) {
            if *seen || field.flags & (REPEATED | POINTER) != 0 {
                continue;
            }
            let start = self.buf.len();
            match field.kind {
                Kind::Bool
                | Kind::Int32
                | Kind::Int64
                | Kind::Uint32
                | Kind::Uint64
                | Kind::Sint32
                | Kind::Sint64 => {
                    wire::put_key(&mut self.buf, field.number, 0);
                    self.buf.push(0);
                }
                Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => {
                    wire::put_key(&mut self.buf, field.number, 5);
                    self.buf.extend_from_slice(&[0; 4]);
                }
                Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => {
                    wire::put_key(&mut self.buf, field.number, 1);
                    self.buf.extend_from_slice(&[0; 8]);
                }
                Kind::String => wire::put_bytes(&mut self.buf, field.number, b""),
                // Go writes a nil []byte not at all, and an absent struct as its zero value,
                // which reads back the same as no field.
                Kind::Bytes | Kind::Message(_) => continue,
            }
            self.segments.push((field.number, start));
        }
        if self.segments.is_sorted_by_key(|s| s.0) {
            return Ok(self.buf);
        }
        let mut spans: Vec<(u32, usize, usize)> = Vec::with_capacity(self.segments.len());
        for (i, &(number, start)) in self.segments.iter().enumerate() {
            let end = self.segments.get(i + 1).map_or(self.buf.len(), |s| s.1);
            spans.push((number, start, end));
        }
        spans.sort_by_key(|s| s.0);
        let mut out = Vec::with_capacity(self.buf.len());
        for (_, start, end) in spans {
            out.extend_from_slice(&self.buf[start..end]);
        }
        Ok(out)
    }
}
