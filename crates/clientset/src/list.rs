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
use crate::split::{Batch, SplitError, Splitter, StringState};

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
    /// The list's `apiVersion` as the server sent it (`v1`, `apps/v1`).
    pub api_version: String,
    /// The list's `kind` as the server sent it (`PodList`).
    pub kind: String,
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

/// A list of `items` with empty metadata (for tests and mocks).
///
/// ```
/// let list: kubeset_clientset::ObjectList<u32> = [1, 2, 3].into_iter().collect();
/// assert_eq!(list.items, [1, 2, 3]);
/// ```
impl<K> FromIterator<K> for ObjectList<K> {
    fn from_iter<I: IntoIterator<Item = K>>(iter: I) -> Self {
        Self {
            api_version: String::new(),
            kind: String::new(),
            metadata: ListMeta::default(),
            items: iter.into_iter().collect(),
        }
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
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: ListMeta,
}

fn parallelism() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Decodes one list item (its bytes, the URL, its index) into a `T`.
pub(crate) type ItemDecoder<T> = fn(&[u8], &str, usize) -> Result<T, Error>;

/// The plain item decoder.
pub(crate) fn decode_item<K: DeserializeOwned>(
    bytes: &[u8],
    url: &str,
    index: usize,
) -> Result<K, Error> {
    decode_with_prefix(bytes, url, || format!("items[{index}]"))
}

fn decode_batch<T>(batch: &Batch, url: &str, decode: ItemDecoder<T>) -> Result<Vec<T>, Error> {
    let mut out = Vec::with_capacity(batch.ends.len());
    for (offset, bytes) in batch.items().enumerate() {
        out.push(decode(bytes, url, batch.first_index + offset)?);
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct KeyProbe {
    #[serde(default)]
    metadata: KeyMeta,
}

#[derive(serde::Deserialize, Default)]
struct KeyMeta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

/// The storage key of an item, `namespace/name` or `name`: the order of a list's items.
fn item_key(bytes: &[u8]) -> Option<String> {
    let probe: KeyProbe = serde_json::from_slice(bytes).ok()?;
    Some(match probe.metadata.namespace.filter(|ns| !ns.is_empty()) {
        Some(ns) => format!("{ns}/{}", probe.metadata.name),
        None => probe.metadata.name,
    })
}

/// An item with its storage key (for skipping what a paged list already returned).
pub(crate) struct Keyed<K> {
    pub(crate) key: Option<String>,
    pub(crate) object: K,
}

/// The item decoder that also reads each item's storage key.
pub(crate) fn decode_keyed<K: DeserializeOwned>(
    bytes: &[u8],
    url: &str,
    index: usize,
) -> Result<Keyed<K>, Error> {
    Ok(Keyed {
        key: item_key(bytes),
        object: decode_item(bytes, url, index)?,
    })
}

/// The decode error for a body the splitter rejected; `sample` is the piece it was scanning
/// (which may start in the middle of a string: `entry` says).
fn split_error<K>(err: SplitError, url: &str, sample: &[u8], entry: StringState) -> Error {
    let path = err.item.map_or_else(String::new, |i| format!("items[{i}]"));
    let source = <serde_json::Error as serde::de::Error>::custom(err.message);
    let excerpt = crate::decode::excerpt_from(sample, err.offset, entry);
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
pub(crate) async fn read_list<K>(body: ResponseBody, url: &str) -> Result<ObjectList<K>, Error>
where
    K: DeserializeOwned + Send + 'static,
{
    let (mut list, _) = read_list_with(body, url, decode_item::<K>, false).await?;
    fill_dynamic_types(&mut list);
    Ok(list)
}

/// [`read_list`] with any item decoder; with `last_key`, also returns the storage key of the
/// last item (one small extra parse per batch, for resuming after an expired continue token).
pub(crate) async fn read_list_with<T>(
    mut body: ResponseBody,
    url: &str,
    decode: ItemDecoder<T>,
    last_key: bool,
) -> Result<(ObjectList<T>, Option<String>), Error>
where
    T: Send + 'static,
{
    let runtime = tokio::runtime::Handle::try_current().ok();
    let mut splitter = Splitter::new();
    let mut pending: VecDeque<JoinHandle<Result<Vec<T>, Error>>> = VecDeque::new();
    let mut items: Vec<T> = Vec::new();
    let mut key = None;
    // With a known body length, the first batch tells how many items to expect: reserve
    // once instead of growing (and copying) the vector of decoded objects by doubling.
    let body_len = http_body::Body::size_hint(&body).exact();
    let shared_url: std::sync::Arc<str> = url.into();

    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| Error::ReadBody {
            url: url.to_owned(),
            source,
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let entry = splitter.string_state();
        splitter
            .feed(&data)
            .map_err(|e| split_error::<T>(e, url, &data, entry))?;
        if splitter.ready_bytes() < BATCH_BYTES {
            continue;
        }
        let Some(batch) = splitter.take_batch() else {
            continue;
        };
        if last_key {
            key = batch.items().last().and_then(item_key);
        }
        if let (0, Some(total)) = (batch.first_index, body_len) {
            let per_item = (batch.bytes.len() / batch.ends.len().max(1)).max(1);
            let expected = usize::try_from(total).unwrap_or(usize::MAX) / per_item;
            items.reserve(expected.saturating_add(expected / 16).min(1 << 24));
        }
        match &runtime {
            Some(rt) => {
                let task_url = std::sync::Arc::clone(&shared_url);
                pending
                    .push_back(rt.spawn_blocking(move || decode_batch(&batch, &task_url, decode)));
                if pending.len() > parallelism()
                    && let Some(oldest) = pending.pop_front()
                {
                    items.extend(join(oldest, url).await?);
                }
            }
            None => items.extend(decode_batch(&batch, url, decode)?),
        }
    }
    splitter
        .finish()
        .map_err(|e| split_error::<T>(e, url, splitter.envelope(), StringState::Outside))?;

    if let Some(batch) = splitter.take_batch() {
        if last_key {
            key = batch.items().last().and_then(item_key);
        }
        match &runtime {
            Some(rt) if !(pending.is_empty() && batch.bytes.len() < INLINE_BYTES) => {
                let task_url = std::sync::Arc::clone(&shared_url);
                pending
                    .push_back(rt.spawn_blocking(move || decode_batch(&batch, &task_url, decode)));
            }
            _ => {
                while let Some(handle) = pending.pop_front() {
                    items.extend(join(handle, url).await?);
                }
                items.extend(decode_batch(&batch, url, decode)?);
            }
        }
    }
    while let Some(handle) = pending.pop_front() {
        items.extend(join(handle, url).await?);
    }
    let envelope: Envelope = decode_json(splitter.envelope(), url)?;
    // A 2xx answer holding a Failure Status is an error, not an empty list (client-go too).
    if envelope.kind == "Status"
        && let Some(failure) =
            crate::status::failure_in_success(splitter.envelope(), &http::Method::GET, url)
    {
        return Err(failure.into());
    }
    tracing::debug!(url, items = items.len(), "decoded list");
    let list = ObjectList {
        api_version: envelope.api_version,
        kind: envelope.kind,
        metadata: envelope.metadata,
        items,
    };
    Ok((list, key))
}

/// Items of a typed list carry no `apiVersion`/`kind`; for JSON objects (the dynamic handle)
/// they are filled in from the list, as client-go does for unstructured lists, so each item
/// stands on its own (printing, re-applying).
pub(crate) fn fill_dynamic_types<K: 'static>(list: &mut ObjectList<K>) {
    let Some(list) =
        (list as &mut dyn std::any::Any).downcast_mut::<ObjectList<serde_json::Value>>()
    else {
        return;
    };
    let Some(kind) = list.kind.strip_suffix("List") else {
        return;
    };
    let (kind, api_version) = (kind.to_owned(), list.api_version.clone());
    for item in &mut list.items {
        if let Some(object) = item.as_object_mut() {
            object
                .entry("apiVersion")
                .or_insert_with(|| api_version.clone().into());
            object.entry("kind").or_insert_with(|| kind.clone().into());
        }
    }
}

async fn join<K>(handle: JoinHandle<Result<Vec<K>, Error>>, url: &str) -> Result<Vec<K>, Error> {
    handle.await.map_err(|source| Error::DecodeTask {
        url: url.to_owned(),
        source,
    })?
}
