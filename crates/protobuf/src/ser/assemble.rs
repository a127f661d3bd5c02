//! The end of an encoding: the recorded segments copied out in Go's order, fields by number,
//! each nested message after its key and length (known by then), the zero scalars Go writes
//! for fields that were not given, and inlined structs gathered into their field.

use super::encoder::{DEFAULT, Encoder, NONE, Seg, drift, push_key, push_varint};
use super::layout::{block_len, inlined};
use crate::error::Error;
use crate::schema::{Field, Kind, Message};

impl Encoder {
    /// Appends the content of `message`, whose block starts at slot `at`, to `out`.
    pub(super) fn assemble(
        &self,
        message: &'static Message,
        at: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let fields = message.fields;
        let mut inner = at + 1 + fields.len();
        let slots = self.slots.get(at + 1..inner).ok_or_else(drift)?;
        for (i, (field, &value)) in fields.iter().zip(slots).enumerate() {
            if let Some(inline) = inlined(field) {
                if value != 0 {
                    push_key(out, field.number, 2);
                    push_varint(out, *self.slots.get(inner).ok_or_else(drift)? as u64);
                    self.assemble(inline, inner, out)?;
                }
                inner += block_len(inline);
            } else if value & DEFAULT != 0 {
                write_default(field, out);
            } else if value != 0 {
                self.segments(at + 1 + i, out)?;
            }
        }
        Ok(())
    }

    /// Appends the segments of `slot` to `out`.
    fn segments(&self, slot: usize, out: &mut Vec<u8>) -> Result<(), Error> {
        let mut next = self.links.get(slot).ok_or_else(drift)?.head;
        while next != NONE {
            let node = self.nodes.get(next as usize).ok_or_else(drift)?;
            match node.seg {
                Seg::Bytes { start, end } => {
                    out.extend_from_slice(self.bytes.get(start..end).ok_or_else(drift)?);
                }
                Seg::Message {
                    at,
                    number,
                    message,
                } => {
                    push_key(out, number, 2);
                    push_varint(out, *self.slots.get(at).ok_or_else(drift)? as u64);
                    self.assemble(message, at, out)?;
                }
            }
            next = node.next;
        }
        Ok(())
    }
}

/// The zero value Go writes for a non-pointer scalar field.
fn write_default(field: &Field, out: &mut Vec<u8>) {
    match field.kind {
        Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => {
            push_key(out, field.number, 5);
            out.extend_from_slice(&[0; 4]);
        }
        Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => {
            push_key(out, field.number, 1);
            out.extend_from_slice(&[0; 8]);
        }
        Kind::String => {
            push_key(out, field.number, 2);
            out.push(0);
        }
        _ => {
            push_key(out, field.number, 0);
            out.push(0);
        }
    }
}
