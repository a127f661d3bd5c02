//! Lists: their items apart from their envelope, whole ([`ListParts`]) or as the bytes
//! arrive ([`ListSplitter`]), so the items can be decoded in parallel.

mod stream;

pub use stream::{ItemBatch, ListSplitter};

use crate::error::{Error, ErrorKind};
use crate::schema::{self, Message};
use crate::{message_or_error, wire};

/// Where a list message keeps its parts: the field numbers of `metadata` and `items`, and
/// the items' message.
#[derive(Debug, Clone, Copy)]
struct ListFields {
    metadata: u32,
    items: u32,
    item: &'static Message,
}

impl ListFields {
    /// The fields of the list type `api_version`/`kind` (`v1`/`PodList`).
    fn of(api_version: &str, kind: &str) -> Result<Self, Error> {
        let message = message_or_error(api_version, kind)?;
        let (Some(metadata), Some(items)) = (
            message.field_named("metadata"),
            message.field_named("items"),
        ) else {
            return Err(ErrorKind::UnknownType {
                api_version: api_version.to_owned(),
                kind: kind.to_owned(),
            }
            .into());
        };
        let schema::Kind::Message(item) = items.kind else {
            return Err(Error::mismatch("list", "message"));
        };
        Ok(ListFields {
            metadata: metadata.number,
            items: items.number,
            item: schema::message(item),
        })
    }
}

/// A list's parts: the bytes of its `metadata` (a `ListMeta`) and of each item, for decoding
/// the items apart (in parallel).
#[derive(Debug)]
pub struct ListParts<'a> {
    /// The `ListMeta` bytes.
    pub metadata: &'a [u8],
    /// Each item's message bytes.
    pub items: Vec<&'a [u8]>,
    /// The items' message.
    pub item: &'static Message,
}

impl<'a> ListParts<'a> {
    /// Splits the message bytes of a list (an [`Envelope`](crate::Envelope)'s `raw`, of a
    /// `...List` kind).
    ///
    /// ```
    /// let list = serde_json::json!({"metadata": {"resourceVersion": "7"}, "items": [{}, {}]});
    /// let bytes = kubeset_protobuf::to_vec(&list, "v1", "PodList")?;
    /// let envelope = kubeset_protobuf::Envelope::read(&bytes)?;
    /// let parts = kubeset_protobuf::ListParts::split(envelope.api_version, envelope.kind, envelope.raw)?;
    /// assert_eq!(parts.items.len(), 2);
    /// # Ok::<(), kubeset_protobuf::Error>(())
    /// ```
    pub fn split(api_version: &str, kind: &str, raw: &'a [u8]) -> Result<Self, Error> {
        let fields = ListFields::of(api_version, kind)?;
        let mut parts = ListParts {
            metadata: &[],
            items: Vec::new(),
            item: fields.item,
        };
        let mut reader = wire::Reader::new(raw);
        while let Some((number, value)) = reader.field()? {
            match value {
                wire::Wire::Len(bytes) if number == fields.items => parts.items.push(bytes),
                wire::Wire::Len(bytes) if number == fields.metadata => parts.metadata = bytes,
                _ => {}
            }
        }
        Ok(parts)
    }
}
