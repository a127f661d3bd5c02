//! Protobuf for built-in types (opt-in: [`ClientBuilder::protobuf`](crate::ClientBuilder::protobuf)).
//!
//! A handle for a type the protobuf table knows asks for
//! `application/vnd.kubernetes.protobuf, application/json` on reads and sends its creates and
//! updates in protobuf; every answer is decoded by its `Content-Type`, so a server (or an
//! aggregated API) that answers JSON is still understood. Custom resources, patches, watches
//! and metadata-only or Table reads stay JSON.
//!
//! A protobuf list is split at its items as the body streams (they are length-delimited, so
//! that is one pass over the keys) and decoded in parallel batches on blocking threads,
//! straight into the item type with no JSON in between, as JSON lists are: only a few
//! batches of raw bytes are held at any time.

use bytes::Bytes;
use http::{HeaderMap, header};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use kubeset_protobuf::ItemBatch;
use kubeset_protobuf::schema::Message;
use kubeset_transport::ResponseBody;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::list::{Batch, Framer, ObjectList, decode_items, read_list_with};

/// `Accept` of a read on a protobuf handle: protobuf, else JSON (client-go's default for
/// built-in types when `ContentType` is protobuf).
pub(crate) const ACCEPT: &str = "application/vnd.kubernetes.protobuf, application/json";
/// `Content-Type` of a protobuf request body.
pub(crate) const CONTENT_TYPE: &str = kubeset_protobuf::CONTENT_TYPE;

/// What a handle needs to speak protobuf for its type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProtoType {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
}

impl ProtoType {
    /// The protobuf form of `api_version`/`kind`, when the table has one.
    pub(crate) fn of(api_version: &'static str, kind: &'static str) -> Option<Self> {
        kubeset_protobuf::message_for(api_version, kind)?;
        Some(ProtoType { api_version, kind })
    }

    /// Encodes `object` as this type.
    pub(crate) fn encode<T: Serialize>(&self, object: &T) -> Result<Bytes, Error> {
        kubeset_protobuf::to_vec(object, self.api_version, self.kind)
            .map(Bytes::from)
            .map_err(|source| Error::ProtobufEncode {
                type_name: std::any::type_name::<T>(),
                source,
            })
    }
}

/// Whether an answer's `Content-Type` is protobuf.
pub(crate) fn is_protobuf(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(CONTENT_TYPE))
}

/// Decodes a whole protobuf answer as `T`.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], url: &str) -> Result<T, Error> {
    kubeset_protobuf::from_slice(bytes).map_err(|source| Error::ProtobufDecode {
        type_name: std::any::type_name::<T>(),
        url: url.to_owned(),
        source,
    })
}

/// A protobuf error answer as the JSON `Status` the error path reads.
pub(crate) fn status_as_json(bytes: &[u8]) -> Option<Vec<u8>> {
    let value: serde_json::Value = kubeset_protobuf::from_slice(bytes).ok()?;
    serde_json::to_vec(&value).ok()
}

#[derive(serde::Deserialize, Default)]
struct KeyMeta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(serde::Deserialize)]
struct KeyProbe {
    #[serde(default)]
    metadata: KeyMeta,
}

/// Reads a list answer: a protobuf one split and decoded in parallel, a JSON one by the
/// streaming JSON decoder. With `last_key`, also the storage key (`namespace/name`) of the
/// last item.
pub(crate) async fn read_list<K>(
    headers: &HeaderMap,
    body: ResponseBody,
    url: &str,
    last_key: bool,
) -> Result<(ObjectList<K>, Option<String>), Error>
where
    K: DeserializeOwned + Send + 'static,
{
    if !is_protobuf(headers) {
        let (mut list, key) =
            read_list_with(body, url, crate::list::decode_item::<K>, last_key).await?;
        crate::list::fill_dynamic_types(&mut list);
        return Ok((list, key));
    }
    let mut framer = ProtobufFramer {
        splitter: kubeset_protobuf::ListSplitter::new(),
        type_name: std::any::type_name::<ObjectList<K>>(),
    };
    let mut last = None;
    let items = decode_items(body, url, &mut framer, decode_batch::<K>, |batch| {
        if last_key {
            last = batch
                .items()
                .last()
                .and_then(|item| item_key(batch.message(), item));
        }
    })
    .await?;
    let splitter = &framer.splitter;
    let error = |source| Error::ProtobufDecode {
        type_name: framer.type_name,
        url: url.to_owned(),
        source,
    };
    let list_meta =
        kubeset_protobuf::schema::message_named("k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta");
    let metadata: ListMeta = match list_meta {
        Some(message) => {
            kubeset_protobuf::from_message(message, splitter.metadata()).map_err(error)?
        }
        None => ListMeta::default(),
    };
    let mut list = ObjectList {
        api_version: splitter.api_version().to_owned(),
        kind: splitter.kind().to_owned(),
        metadata,
        items,
    };
    crate::list::fill_dynamic_types(&mut list);
    Ok((list, last))
}

/// The storage key (`namespace/name`) of an item.
fn item_key(message: &'static Message, item: &[u8]) -> Option<String> {
    let probe: KeyProbe = kubeset_protobuf::from_message(message, item).ok()?;
    Some(match probe.metadata.namespace.filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{ns}/{}", probe.metadata.name),
        None => probe.metadata.name,
    })
}

/// A protobuf list's items as `kubeset_protobuf::ListSplitter` finds them while the body
/// streams.
struct ProtobufFramer {
    splitter: kubeset_protobuf::ListSplitter,
    /// The list type being read, for errors.
    type_name: &'static str,
}

impl ProtobufFramer {
    fn error(&self, url: &str, source: kubeset_protobuf::Error) -> Error {
        Error::ProtobufDecode {
            type_name: self.type_name,
            url: url.to_owned(),
            source,
        }
    }
}

impl Framer for ProtobufFramer {
    type Batch = ItemBatch;

    fn feed(&mut self, piece: &[u8], url: &str) -> Result<(), Error> {
        self.splitter
            .feed(piece)
            .map_err(|source| self.error(url, source))
    }

    fn ready_bytes(&self) -> usize {
        self.splitter.ready_bytes()
    }

    fn take_batch(&mut self) -> Option<ItemBatch> {
        self.splitter.take_batch()
    }

    fn finish(&mut self, url: &str) -> Result<(), Error> {
        self.splitter
            .finish()
            .map_err(|source| self.error(url, source))
    }
}

impl Batch for ItemBatch {
    fn len(&self) -> usize {
        ItemBatch::len(self)
    }

    fn byte_len(&self) -> usize {
        ItemBatch::byte_len(self)
    }

    fn first_index(&self) -> usize {
        ItemBatch::first_index(self)
    }
}

/// Decodes a batch's items straight into `K`.
fn decode_batch<K: DeserializeOwned>(batch: &ItemBatch, url: &str) -> Result<Vec<K>, Error> {
    let mut out = Vec::with_capacity(batch.len());
    for (i, item) in batch.items().enumerate() {
        let decoded =
            kubeset_protobuf::from_message::<K>(batch.message(), item).map_err(|source| {
                Error::ProtobufDecode {
                    type_name: std::any::type_name::<K>(),
                    url: format!("{url} (items[{}])", batch.first_index() + i),
                    source,
                }
            })?;
        out.push(decoded);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
