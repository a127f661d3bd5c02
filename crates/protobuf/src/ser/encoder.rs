//! The state of one encoding, in one pass over the value: every byte a field writes is
//! appended to one buffer in the order the fields arrive, and recorded as a segment of the
//! field's slot; a nested message is a segment of its own that points at its block. Sizes add
//! up as the bytes come, so when the value is done every message's size is known, and
//! [`assemble`](super::assemble) copies the segments out in Go's order (fields by number) into
//! one buffer of the exact size.
//!
//! Every message takes a block of `slots` in the order the messages are met: the block's
//! first slot holds the message's size, then one slot per field (in field-number order, as the
//! table lists them), then the blocks of its inlined structs. A field's slot adds up the bytes
//! written to it; [`links`](Encoder::links) holds the first and last of its segments.

use crate::error::Error;
use crate::schema::Message;

/// A slot whose field is a non-pointer scalar that was not given: the assembly writes its
/// zero value, as Go does.
pub(super) const DEFAULT: usize = 1 << (usize::BITS - 1);

/// No segment.
pub(super) const NONE: u32 = u32::MAX;

/// Bytes written to a slot, or a nested message.
#[derive(Debug, Clone, Copy)]
pub(super) enum Seg {
    /// `bytes[start..end]`.
    Bytes { start: usize, end: usize },
    /// Field `number` holding `message`, whose block starts at slot `at`.
    Message {
        at: usize,
        number: u32,
        message: &'static Message,
    },
}

/// A segment and the next one of its slot.
#[derive(Debug, Clone, Copy)]
pub(super) struct Node {
    pub(super) seg: Seg,
    pub(super) next: u32,
}

/// The first and last segments of a slot.
#[derive(Debug, Clone, Copy)]
pub(super) struct Link {
    pub(super) head: u32,
    pub(super) tail: u32,
}

impl Link {
    pub(super) const EMPTY: Link = Link {
        head: NONE,
        tail: NONE,
    };
}

/// The state of an encoding.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    /// Message blocks, in the order the messages are met: sizes.
    pub(super) slots: Vec<usize>,
    /// Per slot, its segments.
    pub(super) links: Vec<Link>,
    /// The segments.
    pub(super) nodes: Vec<Node>,
    /// The fields' bytes, in the order they arrived.
    pub(super) bytes: Vec<u8>,
    /// A reused buffer for values that are encoded before they are written (embedded JSON,
    /// base64 bytes).
    pub(super) scratch: Vec<u8>,
    /// The key of the map entry being written (reused).
    pub(super) map_key: String,
}

/// The encoder's bookkeeping disagrees with itself: never a panic or a wrong length, this
/// error.
pub(super) fn drift() -> Error {
    Error::malformed("the encoder's sizes and bytes disagree")
}

/// The bytes of `v` as a varint.
pub(super) fn varint_len(v: u64) -> usize {
    // 1 + floor(log2(v) / 7), with v = 0 taking one byte.
    (((64 - (v | 1).leading_zeros()) * 9 + 64) / 64) as usize
}

/// The bytes of a field key.
pub(super) fn key_len(number: u32) -> usize {
    varint_len(u64::from(number) << 3)
}

/// Writes `v` as a varint into `buf`, returning its length.
fn encode_varint(mut v: u64, buf: &mut [u8; 10]) -> usize {
    let mut n = 0;
    while v >= 0x80 {
        buf[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    buf[n] = v as u8;
    n + 1
}

impl Encoder {
    /// Forgets the last encoding, keeping the buffers.
    pub(super) fn clear(&mut self) {
        self.slots.clear();
        self.links.clear();
        self.nodes.clear();
        self.bytes.clear();
    }

    /// Takes a block of `len` slots, returning its first.
    pub(super) fn take_block(&mut self, len: usize) -> usize {
        let at = self.slots.len();
        self.slots.resize(at + len, 0);
        self.links.resize(at + len, Link::EMPTY);
        at
    }

    /// Appends segment `seg` to slot `slot`.
    pub(super) fn link(&mut self, slot: usize, seg: Seg) -> Result<(), Error> {
        let index = u32::try_from(self.nodes.len()).map_err(|_| drift())?;
        self.nodes.push(Node { seg, next: NONE });
        let link = self.links.get_mut(slot).ok_or_else(drift)?;
        match self.nodes.get_mut(link.tail as usize) {
            Some(tail) => tail.next = index,
            None => link.head = index,
        }
        link.tail = index;
        Ok(())
    }

    /// Adds what `write` appends to the output to field slot `slot`.
    #[inline]
    fn write(&mut self, slot: usize, write: impl FnOnce(&mut Vec<u8>)) -> Result<(), Error> {
        let start = self.bytes.len();
        write(&mut self.bytes);
        let end = self.bytes.len();
        *self.slots.get_mut(slot).ok_or_else(drift)? += end - start;
        let tail = self.links.get(slot).ok_or_else(drift)?.tail;
        // Bytes right after the slot's last bytes extend that segment.
        if let Some(Node {
            seg: Seg::Bytes { end: last, .. },
            ..
        }) = self.nodes.get_mut(tail as usize)
            && *last == start
        {
            *last = end;
            return Ok(());
        }
        self.link(slot, Seg::Bytes { start, end })
    }

    /// Adds field `number`'s key and `bytes` (a fixed-width value) to slot `slot`.
    pub(super) fn fixed(
        &mut self,
        slot: usize,
        number: u32,
        wire_type: u8,
        bytes: &[u8],
    ) -> Result<(), Error> {
        self.write(slot, |out| {
            push_key(out, number, wire_type);
            out.extend_from_slice(bytes);
        })
    }

    /// Adds field `number` as the varint `v` to slot `slot`.
    pub(super) fn scalar(&mut self, slot: usize, number: u32, v: u64) -> Result<(), Error> {
        self.write(slot, |out| {
            push_key(out, number, 0);
            push_varint(out, v);
        })
    }

    /// Adds a length-delimited field to slot `slot`.
    pub(super) fn bytes(&mut self, slot: usize, number: u32, bytes: &[u8]) -> Result<(), Error> {
        self.write(slot, |out| {
            push_key(out, number, 2);
            push_varint(out, bytes.len() as u64);
            out.extend_from_slice(bytes);
        })
    }

    /// Adds field `number` holding a small message, given whole (`head` then `tail`), to slot
    /// `slot`.
    pub(super) fn small_message(
        &mut self,
        slot: usize,
        number: u32,
        head: &[u8],
        tail: &[u8],
    ) -> Result<(), Error> {
        self.write(slot, |out| {
            push_key(out, number, 2);
            push_varint(out, (head.len() + tail.len()) as u64);
            out.extend_from_slice(head);
            out.extend_from_slice(tail);
        })
    }
}

/// Appends a varint to `out`.
#[inline]
pub(super) fn push_varint(out: &mut Vec<u8>, v: u64) {
    if v < 0x80 {
        out.push(v as u8);
        return;
    }
    let mut buf = [0; 10];
    let n = encode_varint(v, &mut buf);
    out.extend_from_slice(&buf[..n]);
}

/// Appends a field key to `out`.
#[inline]
pub(super) fn push_key(out: &mut Vec<u8>, number: u32, wire_type: u8) {
    push_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// A message's content built on the stack: the bytes of small fixed messages (`Time`,
/// `IntOrString`), so they are written like any other bytes.
pub(super) struct Small {
    buf: [u8; 40],
    len: usize,
}

impl Small {
    pub(super) fn new() -> Self {
        Small {
            buf: [0; 40],
            len: 0,
        }
    }

    pub(super) fn varint(&mut self, v: u64) -> &mut Self {
        let mut tmp = [0; 10];
        let n = encode_varint(v, &mut tmp);
        self.buf[self.len..self.len + n].copy_from_slice(&tmp[..n]);
        self.len += n;
        self
    }

    /// A field key (numbers below 16: one byte).
    pub(super) fn key(&mut self, number: u8, wire_type: u8) -> &mut Self {
        self.varint(u64::from(number << 3 | wire_type))
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varint_lengths_match_the_encoding() {
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut buf = [0; 10];
            assert_eq!(varint_len(v), encode_varint(v, &mut buf), "{v}");
        }
    }
}
