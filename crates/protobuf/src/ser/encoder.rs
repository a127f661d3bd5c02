//! The state of one encoding, shared by its two passes (as Go's `Size()` then
//! `MarshalToSizedBuffer`): the first pass only adds up sizes, the second writes every byte once,
//! at its final place in one buffer of the exact size.
//!
//! Both passes walk the value the same way, and every message takes a block of `slots` in
//! that order: the block's first slot holds the message's size, then one slot per field (in
//! field-number order, as the table lists them), then the blocks of its inlined structs. In the
//! size pass a field's slot adds up the bytes written to it; before the write pass fills a
//! message, each slot becomes the offset where that field's bytes start (the sizes of the fields
//! before it added up), so fields that arrive in any order (k8s-openapi serializes them by JSON
//! name) land in field-number order without sorting or copying.

use crate::error::Error;

/// A slot whose field is a non-pointer scalar that was not given: the write pass writes its
/// zero value, as Go does.
pub(super) const DEFAULT: usize = 1 << (usize::BITS - 1);

/// The state of an encoding.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    /// Message blocks, in the order the messages are met.
    pub(super) slots: Vec<usize>,
    /// The write pass: the next block to take.
    pub(super) next: usize,
    /// Whether this is the write pass.
    pub(super) writing: bool,
    /// The output (the write pass), already at its final length.
    pub(super) out: Vec<u8>,
    /// A reused buffer for values that are encoded before they are written (embedded JSON,
    /// base64 bytes).
    pub(super) scratch: Vec<u8>,
    /// The key of the map entry being written (reused).
    pub(super) map_key: String,
}

/// The value serialized differently in the two passes (a `Serialize` that is not
/// deterministic): never a panic or a wrong length, this error.
pub(super) fn drift() -> Error {
    Error::malformed("the value serialized differently in the size pass and the write pass")
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
    /// Adds `bytes` to field slot `slot`.
    pub(super) fn put(&mut self, slot: usize, bytes: &[u8]) -> Result<(), Error> {
        let cursor = self.slots.get_mut(slot).ok_or_else(drift)?;
        let at = *cursor;
        *cursor += bytes.len();
        if self.writing {
            self.out
                .get_mut(at..at + bytes.len())
                .ok_or_else(drift)?
                .copy_from_slice(bytes);
        }
        Ok(())
    }

    /// Adds a varint to field slot `slot`.
    pub(super) fn varint(&mut self, slot: usize, v: u64) -> Result<(), Error> {
        if self.writing {
            let mut buf = [0; 10];
            let n = encode_varint(v, &mut buf);
            self.put(slot, &buf[..n])
        } else {
            *self.slots.get_mut(slot).ok_or_else(drift)? += varint_len(v);
            Ok(())
        }
    }

    /// Adds a field key to slot `slot`.
    pub(super) fn key(&mut self, slot: usize, number: u32, wire_type: u8) -> Result<(), Error> {
        self.varint(slot, (u64::from(number) << 3) | u64::from(wire_type))
    }

    /// Adds a length-delimited field to slot `slot`.
    pub(super) fn bytes(&mut self, slot: usize, number: u32, bytes: &[u8]) -> Result<(), Error> {
        self.key(slot, number, 2)?;
        self.varint(slot, bytes.len() as u64)?;
        self.put(slot, bytes)
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
        self.key(slot, number, 2)?;
        self.varint(slot, (head.len() + tail.len()) as u64)?;
        self.put(slot, head)?;
        self.put(slot, tail)
    }
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
