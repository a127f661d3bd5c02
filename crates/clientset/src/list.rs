//! [`ObjectList`] and the streaming, parallel list decoder.

use std::collections::VecDeque;
use std::sync::OnceLock;

use http_body_util::BodyExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use kubeset_transport::ResponseBody;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::Error;
use crate::decode::{decode_json, decode_with_prefix};
use crate::split::{Batch, SplitError, Splitter};

/// A batch is handed to a decoding thread once it holds this many bytes of complete items.
const BATCH_BYTES: usize = 256 * 1024;
/// A list smaller than this is decoded on the calling task (no thread hand-off).
const INLINE_BYTES: usize = 64 * 1024;

/// One page of a list: its items and the list metadata (`resourceVersion`, `continue`).
///
/// ```no_run
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let list = client.nodes().list(&Default::default()).await?;
/// println!("{} nodes at resourceVersion {:?}", list.items.len(), list.resource_version());
/// for node in &list {
///     println!("{:?}", node.metadata.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ObjectList<K> {
    /// `resourceVersion`, `continue`, `remainingItemCount`.
    pub metadata: ListMeta,
    /// The objects.
    pub items: Vec<K>,
}

impl<K> ObjectList<K> {
    /// The list's resourceVersion: watch from here to see every later change.
    pub fn resource_version(&self) -> Option<&str> {
        self.metadata.resource_version.as_deref()
    }
    /// The token for the next page, when there is one.
    pub fn continue_token(&self) -> Option<&str> {
        self.metadata.continue_.as_deref().filter(|c| !c.is_empty())
    }
    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, K> {
        self.items.iter()
    }
}

impl<K> IntoIterator for ObjectList<K> {
    type Item = K;
    type IntoIter = std::vec::IntoIter<K>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, K> IntoIterator for &'a ObjectList<K> {
    type Item = &'a K;
    type IntoIter = std::slice::Iter<'a, K>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default)]
    metadata: ListMeta,
}

fn parallelism() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn decode_batch<K: DeserializeOwned>(batch: &Batch, url: &str) -> Result<Vec<K>, Error> {
    let mut out = Vec::with_capacity(batch.ends.len());
    for (offset, bytes) in batch.items().enumerate() {
        let index = batch.first_index + offset;
        out.push(decode_with_prefix(bytes, url, || {
            format!("items[{index}]")
        })?);
    }
    Ok(out)
}

fn split_error<K>(err: SplitError, url: &str, sample: &[u8]) -> Error {
    let path = err.item.map_or_else(String::new, |i| format!("items[{i}]"));
    let source = <serde_json::Error as serde::de::Error>::custom(err.message);
    let excerpt = String::from_utf8_lossy(&sample[..sample.len().min(96)]).into_owned();
    Error::Decode {
        type_name: std::any::type_name::<ObjectList<K>>(),
        url: url.to_owned(),
        path,
        excerpt,
        source,
    }
}

/// Decodes a list body as it streams in: item boundaries are found incrementally and batches
/// of items are decoded on blocking threads (as many at once as there are cores) while the
/// rest of the body arrives. Only a few batches of raw bytes are held at any time.
pub(crate) async fn read_list<K>(mut body: ResponseBody, url: &str) -> Result<ObjectList<K>, Error>
where
    K: DeserializeOwned + Send + 'static,
{
    let runtime = tokio::runtime::Handle::try_current().ok();
    let mut splitter = Splitter::new();
    let mut pending: VecDeque<JoinHandle<Result<Vec<K>, Error>>> = VecDeque::new();
    let mut items: Vec<K> = Vec::new();
    let shared_url: std::sync::Arc<str> = url.into();

    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| Error::ReadBody {
            url: url.to_owned(),
            source,
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        splitter
            .feed(&data)
            .map_err(|e| split_error::<K>(e, url, &data))?;
        if splitter.ready_bytes() < BATCH_BYTES {
            continue;
        }
        let Some(batch) = splitter.take_batch() else {
            continue;
        };
        match &runtime {
            Some(rt) => {
                let task_url = std::sync::Arc::clone(&shared_url);
                pending.push_back(rt.spawn_blocking(move || decode_batch(&batch, &task_url)));
                if pending.len() > parallelism()
                    && let Some(oldest) = pending.pop_front()
                {
                    items.extend(join(oldest, url).await?);
                }
            }
            None => items.extend(decode_batch::<K>(&batch, url)?),
        }
    }
    splitter
        .finish()
        .map_err(|e| split_error::<K>(e, url, splitter.envelope()))?;

    if let Some(batch) = splitter.take_batch() {
        match &runtime {
            Some(rt) if !(pending.is_empty() && batch.bytes.len() < INLINE_BYTES) => {
                let task_url = std::sync::Arc::clone(&shared_url);
                pending.push_back(rt.spawn_blocking(move || decode_batch(&batch, &task_url)));
            }
            _ => {
                while let Some(handle) = pending.pop_front() {
                    items.extend(join(handle, url).await?);
                }
                items.extend(decode_batch::<K>(&batch, url)?);
            }
        }
    }
    while let Some(handle) = pending.pop_front() {
        items.extend(join(handle, url).await?);
    }
    let envelope: Envelope = decode_json(splitter.envelope(), url)?;
    Ok(ObjectList {
        metadata: envelope.metadata,
        items,
    })
}

async fn join<K>(handle: JoinHandle<Result<Vec<K>, Error>>, url: &str) -> Result<Vec<K>, Error> {
    handle.await.map_err(|source| Error::DecodeTask {
        url: url.to_owned(),
        source,
    })?
}
