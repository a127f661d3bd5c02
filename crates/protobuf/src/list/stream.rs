//! Splitting a protobuf list as its bytes arrive.
//!
//! A list answer is the `k8s\0` envelope around the list message, whose items are
//! length-delimited: each item's end is known from a few bytes of key and length, so complete
//! items can be handed out (and decoded) while the rest of the body is still on the wire, and
//! only the bytes of the items not yet handed out are held.
//!
//! What holds:
//! - items come out in order, each exactly once, with their index in the list;
//! - the envelope's `TypeMeta` comes before the items in everything Go's marshaller writes;
//!   a body whose items come first is still read, whole, at [`ListSplitter::finish`];
//! - a body cut short, a length past the end of its message, an envelope with two types or
//!   two objects (Go's reader keeps the last; items of the first may be out already), or a
//!   list type the table does not know is an error, never a shorter or different list.

use std::ops::Range;

use super::ListFields;
use crate::envelope::MAGIC;
use crate::error::Error;
use crate::schema::Message;
use crate::wire::{Reader, Wire};
use crate::{Envelope, ListParts};

/// Finds the items of a protobuf list body fed to it in pieces.
///
/// ```
/// use kubeset_protobuf::ListSplitter;
///
/// let list = serde_json::json!({"metadata": {"resourceVersion": "7"}, "items": [{}, {}, {}]});
/// let body = kubeset_protobuf::to_vec(&list, "v1", "PodList")?;
/// let mut splitter = ListSplitter::new();
/// let mut items = 0;
/// for piece in body.chunks(5) {
///     splitter.feed(piece)?;
///     while let Some(batch) = splitter.take_batch() {
///         items += batch.len();
///     }
/// }
/// splitter.finish()?;
/// while let Some(batch) = splitter.take_batch() {
///     items += batch.len();
/// }
/// assert_eq!((items, splitter.kind()), (3, "PodList"));
/// # Ok::<(), kubeset_protobuf::Error>(())
/// ```
#[derive(Debug)]
pub struct ListSplitter {
    /// The bytes from absolute offset `base` on, not yet handed out.
    buf: Vec<u8>,
    base: usize,
    /// The absolute offset of the first byte not yet read.
    pos: usize,
    state: State,
    api_version: String,
    kind: String,
    metadata: Vec<u8>,
    fields: Option<ListFields>,
    /// Absolute ranges of the complete items not yet handed out.
    items: Vec<Range<usize>>,
    taken: usize,
    /// Whether the list message began (a body without one is not an empty list).
    list_seen: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the four bytes of `k8s\0`.
    Magic,
    /// Between the envelope's fields.
    Envelope,
    /// Inside the list message, which ends at this absolute offset.
    List { end: usize },
    /// The items came before the type: everything is kept and read at the end.
    Whole,
}

/// Complete items of a list: their bytes, each item's range in them, and the items' message.
#[derive(Debug)]
pub struct ItemBatch {
    bytes: Vec<u8>,
    ranges: Vec<Range<usize>>,
    first_index: usize,
    item: &'static Message,
}

impl ItemBatch {
    /// How many items the batch holds.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether the batch holds no item.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The bytes the items take, keys and lengths between them included.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// The index in the list of the batch's first item.
    pub fn first_index(&self) -> usize {
        self.first_index
    }

    /// The items' message, for [`from_message`](crate::from_message).
    pub fn message(&self) -> &'static Message {
        self.item
    }

    /// Each item's message bytes, in order.
    pub fn items(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.ranges.iter().map(|r| &self.bytes[r.clone()])
    }
}

/// A field's key and where its payload lies, once enough bytes arrived to know.
struct Head {
    number: u32,
    /// Bytes of the key (and of the length, for a length-delimited field).
    head_len: usize,
    /// Bytes of the payload.
    len: usize,
    delimited: bool,
}

impl Head {
    /// The absolute offset where the field ends, if it starts at `pos`.
    fn end(&self, pos: usize) -> Result<usize, Error> {
        pos.checked_add(self.head_len)
            .and_then(|p| p.checked_add(self.len))
            .ok_or_else(|| Error::malformed("a length is out of range"))
    }
}

impl Default for ListSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl ListSplitter {
    /// A splitter at the start of a body.
    pub fn new() -> Self {
        ListSplitter {
            buf: Vec::new(),
            base: 0,
            pos: 0,
            state: State::Magic,
            api_version: String::new(),
            kind: String::new(),
            metadata: Vec::new(),
            fields: None,
            items: Vec::new(),
            taken: 0,
            list_seen: false,
        }
    }

    /// Reads the next piece of the body.
    pub fn feed(&mut self, piece: &[u8]) -> Result<(), Error> {
        self.buf.extend_from_slice(piece);
        while self.step()? {}
        Ok(())
    }

    /// Bytes of complete items waiting to be taken.
    pub fn ready_bytes(&self) -> usize {
        self.items.last().map_or(0, |r| r.end - self.base)
    }

    /// The complete items read so far, if any (the partial item being read stays).
    pub fn take_batch(&mut self) -> Option<ItemBatch> {
        let item = self.fields?.item;
        let cut = self.items.last()?.end;
        let keep = cut - self.base;
        // The next batch gets a buffer as large as this one, so it grows without copying.
        let mut rest = Vec::with_capacity(keep.max(self.buf.len() - keep));
        rest.extend_from_slice(&self.buf[keep..]);
        let mut bytes = std::mem::replace(&mut self.buf, rest);
        bytes.truncate(keep);
        let base = self.base;
        let ranges: Vec<Range<usize>> = self
            .items
            .drain(..)
            .map(|r| r.start - base..r.end - base)
            .collect();
        self.base = cut;
        let first_index = self.taken;
        self.taken += ranges.len();
        Some(ItemBatch {
            bytes,
            ranges,
            first_index,
            item,
        })
    }

    /// Checks that the body ended where a list may end; items read since the last batch
    /// are still to be taken.
    pub fn finish(&mut self) -> Result<(), Error> {
        match self.state {
            State::Envelope if self.pos == self.base + self.buf.len() && self.list_seen => Ok(()),
            State::Whole => self.read_whole(),
            State::Magic if self.buf.is_empty() => Err(Error::malformed("the body is empty")),
            _ => Err(Error::malformed("the body ends before the list does")),
        }
    }

    /// The list's `apiVersion`, once read.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The list's `kind`, once read.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The bytes of the list's `ListMeta`, once read.
    pub fn metadata(&self) -> &[u8] {
        &self.metadata
    }

    /// The unread bytes.
    fn unread(&self) -> &[u8] {
        &self.buf[self.pos - self.base..]
    }

    /// Reads one field (or the magic); `false` when more bytes are needed.
    fn step(&mut self) -> Result<bool, Error> {
        match self.state {
            State::Magic => {
                let Some(magic) = self.unread().get(..MAGIC.len()) else {
                    return Ok(false);
                };
                if magic != MAGIC {
                    return Err(Error::malformed("the body does not start with k8s\\0"));
                }
                self.pos += MAGIC.len();
                self.state = State::Envelope;
                Ok(true)
            }
            State::Envelope => self.envelope_field(),
            State::List { end } if self.pos == end => {
                self.state = State::Envelope;
                Ok(true)
            }
            State::List { end } => self.list_field(end),
            State::Whole => Ok(false),
        }
    }

    fn envelope_field(&mut self) -> Result<bool, Error> {
        let Some(head) = head(self.unread())? else {
            return Ok(false);
        };
        // A second type or object: Go's reader keeps the last one, but items of the first may
        // have been handed out already. No Kubernetes writer repeats them.
        let repeated = match head.number {
            1 => self.fields.is_some(),
            2 => self.list_seen,
            _ => false,
        };
        if repeated && head.delimited {
            return Err(Error::malformed("the envelope repeats a field"));
        }
        if head.number == 2 && head.delimited {
            if self.fields.is_none() {
                self.state = State::Whole;
                return Ok(false);
            }
            let end = head.end(self.pos)?;
            self.pos += head.head_len;
            self.list_seen = true;
            self.state = State::List { end };
            return Ok(true);
        }
        let Some(payload) = self.payload(&head) else {
            return Ok(false);
        };
        if head.number == 4 && head.delimited && std::str::from_utf8(payload).is_err() {
            // `contentType`, a string, as `Envelope::read` checks it
            return Err(Error::malformed("a string is not UTF-8"));
        }
        if head.number == 1 && head.delimited {
            let (api_version, kind) = type_meta(payload)?;
            let fields = ListFields::of(&api_version, &kind)?;
            (self.api_version, self.kind, self.fields) = (api_version, kind, Some(fields));
        }
        self.pos += head.head_len + head.len;
        Ok(true)
    }

    fn list_field(&mut self, end: usize) -> Result<bool, Error> {
        let Some(head) = head(self.unread())? else {
            return Ok(false);
        };
        if head.end(self.pos)? > end {
            return Err(Error::malformed("a field is longer than the bytes left"));
        }
        let Some(payload) = self.payload(&head) else {
            return Ok(false);
        };
        let fields = self
            .fields
            .ok_or_else(|| Error::malformed("a list without a type"))?;
        if head.delimited && head.number == fields.metadata {
            self.metadata = payload.to_vec();
        }
        let start = self.pos + head.head_len;
        if head.delimited && head.number == fields.items {
            self.items.push(start..start + head.len);
        }
        self.pos = start + head.len;
        Ok(true)
    }

    /// The field's payload, once all of it arrived.
    fn payload(&self, head: &Head) -> Option<&[u8]> {
        let end = head.head_len.checked_add(head.len)?;
        self.unread().get(head.head_len..end)
    }

    /// Reads a body kept whole (its items before its type) as one batch.
    fn read_whole(&mut self) -> Result<(), Error> {
        let start = self.base;
        let envelope = Envelope::read(&self.buf)?;
        let parts = ListParts::split(envelope.api_version, envelope.kind, envelope.raw)?;
        let fields = ListFields::of(envelope.api_version, envelope.kind)?;
        let origin = self.buf.as_ptr() as usize;
        let items = parts
            .items
            .iter()
            .map(|item| {
                let offset = item.as_ptr() as usize - origin + start;
                offset..offset + item.len()
            })
            .collect();
        (self.api_version, self.kind) = (envelope.api_version.to_owned(), envelope.kind.to_owned());
        self.metadata = parts.metadata.to_vec();
        self.fields = Some(fields);
        self.items = items;
        self.pos = start + self.buf.len();
        self.list_seen = true;
        self.state = State::Envelope;
        Ok(())
    }
}

/// The key of the field at the start of `bytes` and its payload's extent, or `None` when
/// `bytes` ends before they are known.
fn head(bytes: &[u8]) -> Result<Option<Head>, Error> {
    let Some((key, key_len)) = varint(bytes)? else {
        return Ok(None);
    };
    let number =
        u32::try_from(key >> 3).map_err(|_| Error::malformed("a field number is out of range"))?;
    let (head_len, len, delimited) = match key & 7 {
        0 => match varint(&bytes[key_len..])? {
            Some((_, n)) => (key_len, n, false),
            None => return Ok(None),
        },
        1 => (key_len, 8, false),
        5 => (key_len, 4, false),
        2 => match varint(&bytes[key_len..])? {
            Some((len, n)) => {
                let len = usize::try_from(len)
                    .map_err(|_| Error::malformed("a length is out of range"))?;
                (key_len + n, len, true)
            }
            None => return Ok(None),
        },
        _ => return Err(Error::malformed("unsupported wire type (groups)")),
    };
    Ok(Some(Head {
        number,
        head_len,
        len,
        delimited,
    }))
}

/// A varint at the start of `bytes` and its length, or `None` when it is cut short.
fn varint(bytes: &[u8]) -> Result<Option<(u64, usize)>, Error> {
    let mut out = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        out |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Some((out, i + 1)));
        }
    }
    if bytes.len() >= 10 {
        return Err(Error::malformed("a varint is too long"));
    }
    Ok(None)
}

/// The `apiVersion` and `kind` of a `TypeMeta` message.
fn type_meta(bytes: &[u8]) -> Result<(String, String), Error> {
    let text = |b: &[u8]| {
        String::from_utf8(b.to_vec()).map_err(|_| Error::malformed("a string is not UTF-8"))
    };
    let (mut api_version, mut kind) = (String::new(), String::new());
    let mut reader = Reader::new(bytes);
    while let Some((number, wire)) = reader.field()? {
        match (number, wire) {
            (1, Wire::Len(b)) => api_version = text(b)?,
            (2, Wire::Len(b)) => kind = text(b)?,
            _ => {}
        }
    }
    Ok((api_version, kind))
}

#[cfg(test)]
mod tests;
