//! Protobuf for built-in types (opt-in: [`ClientBuilder::protobuf`](crate::ClientBuilder::protobuf)).
//!
//! A handle for a type the protobuf table knows asks for
//! `application/vnd.kubernetes.protobuf, application/json` on reads and sends its creates and
//! updates in protobuf; every answer is decoded by its `Content-Type`, so a server (or an
//! aggregated API) that answers JSON is still understood. Custom resources, patches, watches
//! and metadata-only or Table reads stay JSON.
//!
//! A protobuf list is read whole, split at its items (they are length-delimited, so that is
//! one pass over the keys) and decoded in parallel batches on blocking threads, straight into
//! the item type with no JSON in between.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::{HeaderMap, header};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use kubeset_protobuf::schema::Message;
use kubeset_transport::ResponseBody;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::client::collect;
use crate::list::{ObjectList, read_list_with};

/// `Accept` of a read on a protobuf handle: protobuf, else JSON (client-go's default for
/// built-in types when `ContentType` is protobuf).
pub(crate) const ACCEPT: &str = "application/vnd.kubernetes.protobuf, application/json";
/// `Content-Type` of a protobuf request body.
pub(crate) const CONTENT_TYPE: &str = kubeset_protobuf::CONTENT_TYPE;

/// A list with fewer items is decoded on the calling task (no thread hand-off).
const INLINE_ITEMS: usize = 256;
/// Tasks per core, so that a slow batch does not leave the other cores idle.
const TASKS_PER_CORE: usize = 4;

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

fn parallelism() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
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
    let bytes = collect(body, url).await?;
    let error = |source| Error::ProtobufDecode {
        type_name: std::any::type_name::<ObjectList<K>>(),
        url: url.to_owned(),
        source,
    };
    let envelope = kubeset_protobuf::Envelope::read(&bytes).map_err(error)?;
    let parts =
        kubeset_protobuf::ListParts::split(envelope.api_version, envelope.kind, envelope.raw)
            .map_err(error)?;
    let list_meta =
        kubeset_protobuf::schema::message_named("k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta");
    let metadata: ListMeta = match list_meta {
        Some(message) => kubeset_protobuf::from_message(message, parts.metadata).map_err(error)?,
        None => ListMeta::default(),
    };
    let key = match parts.items.last() {
        Some(last) if last_key => kubeset_protobuf::from_message::<KeyProbe>(parts.item, last)
            .ok()
            .map(
                |probe| match probe.metadata.namespace.filter(|ns| !ns.is_empty()) {
                    Some(ns) => format!("{ns}/{}", probe.metadata.name),
                    None => probe.metadata.name,
                },
            ),
        _ => None,
    };
    let (api_version, kind) = (envelope.api_version.to_owned(), envelope.kind.to_owned());
    let items = decode_items::<K>(&bytes, &parts.items, parts.item, url).await?;
    let mut list = ObjectList {
        api_version,
        kind,
        metadata,
        items,
    };
    crate::list::fill_dynamic_types(&mut list);
    Ok((list, key))
}

/// Decodes the items (slices of `body`) in batches, on as many blocking threads as cores.
async fn decode_items<K>(
    body: &Bytes,
    items: &[&[u8]],
    message: &'static Message,
    url: &str,
) -> Result<Vec<K>, Error>
where
    K: DeserializeOwned + Send + 'static,
{
    let decode_range = |body: &[u8], ranges: &[(usize, usize)], first: usize, url: &str| {
        let mut out = Vec::with_capacity(ranges.len());
        for (i, &(start, end)) in ranges.iter().enumerate() {
            out.push(
                kubeset_protobuf::from_message::<K>(message, &body[start..end]).map_err(
                    |source| Error::ProtobufDecode {
                        type_name: std::any::type_name::<K>(),
                        url: format!("{url} (items[{}])", first + i),
                        source,
                    },
                )?,
            );
        }
        Ok::<_, Error>(out)
    };
    let base = body.as_ptr() as usize;
    let ranges: Vec<(usize, usize)> = items
        .iter()
        .map(|item| {
            let start = item.as_ptr() as usize - base;
            (start, start + item.len())
        })
        .collect();
    let runtime = tokio::runtime::Handle::try_current().ok();
    let (Some(runtime), true) = (runtime, ranges.len() > INLINE_ITEMS) else {
        return decode_range(body, &ranges, 0, url);
    };
    let per_task = ranges
        .len()
        .div_ceil(parallelism() * TASKS_PER_CORE)
        .max(INLINE_ITEMS / TASKS_PER_CORE);
    let shared_url: Arc<str> = url.into();
    let mut tasks = Vec::new();
    for (n, chunk) in ranges.chunks(per_task).enumerate() {
        let (body, chunk, task_url) = (body.clone(), chunk.to_vec(), Arc::clone(&shared_url));
        tasks.push(
            runtime.spawn_blocking(move || decode_range(&body, &chunk, n * per_task, &task_url)),
        );
    }
    let mut out = Vec::with_capacity(ranges.len());
    for task in tasks {
        out.extend(task.await.map_err(|source| Error::DecodeTask {
            url: url.to_owned(),
            source,
        })??);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
