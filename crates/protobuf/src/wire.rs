//! The protobuf wire format: reading one field at a time, and writing keys and varints.

use crate::error::Error;

/// The payload of one field, by wire type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2.
    Len(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

impl Wire<'_> {
    /// Whether the payload is a zero or empty value (Go's zero for a scalar).
    pub(crate) fn is_zero(&self) -> bool {
        match *self {
            Wire::Varint(v) | Wire::Fixed64(v) => v == 0,
            Wire::Fixed32(v) => v == 0,
            Wire::Len(b) => b.is_empty(),
        }
    }
}

/// Reads the fields of one message, in order.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    pub(crate) buf: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// A varint; one byte (every key of a Kubernetes message, most lengths and numbers)
    /// takes the fast path.
    #[inline(always)]
    pub(crate) fn varint(&mut self) -> Result<u64, Error> {
        match self.buf.split_first() {
            Some((&b, rest)) if b < 0x80 => {
                self.buf = rest;
                Ok(u64::from(b))
            }
            _ => self.varint_slow(),
        }
    }

    #[cold]
    fn varint_slow(&mut self) -> Result<u64, Error> {
        let mut out = 0u64;
        let mut shift = 0;
        while let Some((&b, rest)) = self.buf.split_first() {
            self.buf = rest;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
            shift += 7;
            if shift >= 64 {
                break;
            }
        }
        Err(Error::malformed("a varint is cut short or too long"))
    }

    #[inline(always)]
    fn take(&mut self, len: usize) -> Result<&'a [u8], Error> {
        if len > self.buf.len() {
            return Err(Error::malformed("a field is longer than the bytes left"));
        }
        let (head, rest) = self.buf.split_at(len);
        self.buf = rest;
        Ok(head)
    }

    pub(crate) fn fixed64(&mut self) -> Result<u64, Error> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub(crate) fn fixed32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_le_bytes(a))
    }

    /// The next field's number and payload, `None` at the end.
    #[inline(always)]
    pub(crate) fn field(&mut self) -> Result<Option<(u32, Wire<'a>)>, Error> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let number = u32::try_from(key >> 3)
            .map_err(|_| Error::malformed("a field number is out of range"))?;
        Ok(Some((number, self.payload(key)?)))
    }

    /// The payload of a field whose key is `key`.
    #[inline(always)]
    fn payload(&mut self, key: u64) -> Result<Wire<'a>, Error> {
        Ok(match key & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(self.fixed64()?),
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| Error::malformed("a length is out of range"))?;
                Wire::Len(self.take(len)?)
            }
            5 => Wire::Fixed32(self.fixed32()?),
            _ => return Err(Error::malformed("unsupported wire type (groups)")),
        })
    }

    /// After a field numbered `number` was read from `start` (the bytes before it): reads every
    /// field right after it with the same number and returns the bytes of the whole run (keys
    /// included), the first field's too.
    pub(crate) fn run_from(&mut self, start: &'a [u8], number: u32) -> Result<&'a [u8], Error> {
        loop {
            let before = self.buf;
            let Ok(key) = self.varint() else {
                self.buf = before;
                break;
            };
            if key >> 3 != u64::from(number) {
                self.buf = before;
                break;
            }
            self.payload(key)?;
        }
        Ok(&start[..start.len() - self.buf.len()])
    }
}

/// Appends a varint.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends a field key.
pub(crate) fn put_key(out: &mut Vec<u8>, number: u32, wire_type: u8) {
    put_varint(out, (u64::from(number) << 3) | u64::from(wire_type));
}

/// Appends a length-delimited field.
pub(crate) fn put_bytes(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    put_key(out, number, 2);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}
