//! One message being encoded: its block of slots (see [`encoder`](super::encoder)), fields
//! given in any order by JSON name, Go's bytes out (fields by number, non-pointer scalars
//! written even when zero, inlined structs gathered into their field).

use serde::Serialize;

use super::encoder::{DEFAULT, Encoder, Seg, drift, key_len, varint_len};
use super::layout::{self, block_len, inlined};
use super::write_value;
use crate::error::Error;
use crate::schema::{Field, INLINE, Kind, Message, POINTER, REPEATED};

/// A message's block in the encoder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block {
    pub(super) message: &'static Message,
    /// The index of the block's first slot (the message's size).
    pub(super) at: usize,
    /// Where to look first for the next field by name (see [`layout::find`]).
    cursor: usize,
}

impl Block {
    fn new(message: &'static Message, at: usize) -> Self {
        Block {
            message,
            at,
            cursor: 0,
        }
    }
}

/// Where a message goes: field `number`, whose bytes are added to `slot` (the parent's), or
/// the top level.
#[derive(Debug, Clone, Copy)]
pub(super) enum Place {
    Field { slot: usize, number: u32 },
    Top,
}

/// The bytes Go writes for field's zero value when it is not a pointer, if any.
pub(super) fn default_len(field: &Field) -> usize {
    if field.flags & (REPEATED | POINTER | INLINE) != 0 {
        return 0;
    }
    key_len(field.number)
        + match field.kind {
            Kind::Bool
            | Kind::Int32
            | Kind::Int64
            | Kind::Uint32
            | Kind::Uint64
            | Kind::Sint32
            | Kind::Sint64
            | Kind::String => 1,
            Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => 4,
            Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => 8,
            // Go writes a nil []byte not at all, and an absent struct as its zero value,
            // which reads back the same as no field.
            Kind::Bytes | Kind::Message(_) => return 0,
        }
}

impl Encoder {
    /// Starts a message at `place`: takes its block, and links it into its parent's slot.
    pub(super) fn begin(
        &mut self,
        message: &'static Message,
        place: Place,
    ) -> Result<Block, Error> {
        let at = self.take_block(block_len(message));
        if let Place::Field { slot, number } = place {
            self.link(
                slot,
                Seg::Message {
                    at,
                    number,
                    message,
                },
            )?;
        }
        Ok(Block::new(message, at))
    }

    /// Ends a message: adds up its size (the zero scalars Go writes and its inlined structs
    /// included) and adds its field to `place`.
    pub(super) fn end(&mut self, block: Block, place: Place) -> Result<(), Error> {
        self.close(block)?;
        if let Place::Field { slot, number } = place {
            let size = self.slots[block.at];
            *self.slots.get_mut(slot).ok_or_else(drift)? +=
                key_len(number) + varint_len(size as u64) + size;
        }
        Ok(())
    }

    /// The size of `block`'s content, into its first slot.
    fn close(&mut self, block: Block) -> Result<(), Error> {
        let fields = block.message.fields;
        let mut inner = block.at + 1 + fields.len();
        if block_len(block.message) == inner - block.at {
            // No inlined structs: one walk over the block.
            let slots = self.slots.get_mut(block.at..inner).ok_or_else(drift)?;
            let (size, slots) = slots.split_first_mut().ok_or_else(drift)?;
            let mut total = 0;
            for (field, value) in fields.iter().zip(slots) {
                if *value == 0 {
                    let len = default_len(field);
                    if len > 0 {
                        *value = len | DEFAULT;
                    }
                }
                total += *value & !DEFAULT;
            }
            *size = total;
            return Ok(());
        }
        let mut total = 0;
        for (i, field) in fields.iter().enumerate() {
            let slot = block.at + 1 + i;
            let mut value = *self.slots.get(slot).ok_or_else(drift)?;
            if let Some(message) = inlined(field) {
                if value != 0 {
                    let inner_block = Block::new(message, inner);
                    self.close(inner_block)?;
                    let size = self.slots[inner];
                    value = key_len(field.number) + varint_len(size as u64) + size;
                }
                inner += block_len(message);
            } else if value == 0 {
                let len = default_len(field);
                if len > 0 {
                    value = len | DEFAULT;
                }
            }
            self.slots[slot] = value;
            total += value & !DEFAULT;
        }
        self.slots[block.at] = total;
        Ok(())
    }

    /// Writes the value of the JSON key `key` of `block`'s message.
    pub(super) fn field<T: ?Sized + Serialize>(
        &mut self,
        block: &mut Block,
        key: &str,
        value: &T,
    ) -> Result<(), Error> {
        let fields = block.message.fields;
        if let Some(i) = layout::find(block.message, key, &mut block.cursor) {
            return write_value(self, &fields[i], block.at + 1 + i, value, false)
                .map_err(|e| e.at_field(key));
        }
        let mut inner = block.at + 1 + fields.len();
        for (i, field) in fields.iter().enumerate() {
            let Some(message) = inlined(field) else {
                continue;
            };
            if has_key(message, key) {
                // Marks the inlined struct as given, so it is written.
                self.slots[block.at + 1 + i] = 1;
                return self.field(&mut Block::new(message, inner), key, value);
            }
            inner += block_len(message);
        }
        if key == "apiVersion" || key == "kind" {
            return Ok(());
        }
        Err(crate::error::ErrorKind::UnknownField {
            field: key.to_owned(),
            message: block.message.name,
            path: Default::default(),
        }
        .into())
    }
}

/// Whether `key` is a field of `message` or of a struct it inlines (at any depth:
/// `NamedRuleWithOperations` inlines `RuleWithOperations`, which inlines `Rule`).
fn has_key(message: &'static Message, key: &str) -> bool {
    message
        .fields
        .iter()
        .any(|f| f.name == key || inlined(f).is_some_and(|m| has_key(m, key)))
}
