//! [`ObjectList`] and the streaming, parallel list decoder.

mod stream;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ListMeta;
use kubeset_transport::ResponseBody;
use serde::de::DeserializeOwned;

pub(crate) use self::stream::{Batch, Framer, decode_items};
use crate::Error;
use crate::decode::{decode_json, decode_with_prefix};
use crate::split::{self, SplitError, Splitter, StringState};

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

fn decode_batch<T>(
    batch: &split::Batch,
    url: &str,
    decode: ItemDecoder<T>,
) -> Result<Vec<T>, Error> {
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
fn split_error(
    err: SplitError,
    type_name: &'static str,
    url: &str,
    sample: &[u8],
    entry: StringState,
) -> Error {
    let path = err.item.map_or_else(String::new, |i| format!("items[{i}]"));
    let source = <serde_json::Error as serde::de::Error>::custom(err.message);
    let excerpt = crate::decode::excerpt_from(sample, err.offset, entry);
    Error::Decode {
        type_name,
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

/// A JSON list's items as the [`Splitter`] finds them, decoded with one item decoder.
struct JsonFramer<T> {
    splitter: Splitter,
    decode: ItemDecoder<T>,
}

impl<T: Send + 'static> Framer for JsonFramer<T> {
    type Batch = (split::Batch, ItemDecoder<T>);

    fn feed(&mut self, piece: &[u8], url: &str) -> Result<(), Error> {
        let entry = self.splitter.string_state();
        self.splitter
            .feed(piece)
            .map_err(|e| split_error(e, std::any::type_name::<ObjectList<T>>(), url, piece, entry))
    }

    fn ready_bytes(&self) -> usize {
        self.splitter.ready_bytes()
    }

    fn take_batch(&mut self) -> Option<Self::Batch> {
        Some((self.splitter.take_batch()?, self.decode))
    }

    fn finish(&mut self, url: &str) -> Result<(), Error> {
        self.splitter.finish().map_err(|e| {
            let type_name = std::any::type_name::<ObjectList<T>>();
            split_error(
                e,
                type_name,
                url,
                self.splitter.envelope(),
                StringState::Outside,
            )
        })
    }
}

impl<T: Send + 'static> Batch for (split::Batch, ItemDecoder<T>) {
    fn len(&self) -> usize {
        self.0.ends.len()
    }

    fn byte_len(&self) -> usize {
        self.0.bytes.len()
    }

    fn first_index(&self) -> usize {
        self.0.first_index
    }
}

/// [`read_list`] with any item decoder; with `last_key`, also returns the storage key of the
/// last item (one small extra parse per batch, for resuming after an expired continue token).
pub(crate) async fn read_list_with<T>(
    body: ResponseBody,
    url: &str,
    decode: ItemDecoder<T>,
    last_key: bool,
) -> Result<(ObjectList<T>, Option<String>), Error>
where
    T: Send + 'static,
{
    let mut framer = JsonFramer {
        splitter: Splitter::new(),
        decode,
    };
    let mut key = None;
    let items = decode_items(
        body,
        url,
        &mut framer,
        |(batch, decode), url| decode_batch(batch, url, *decode),
        |(batch, _)| {
            if last_key {
                key = batch.items().last().and_then(item_key);
            }
        },
    )
    .await?;
    let envelope: Envelope = decode_json(framer.splitter.envelope(), url)?;
    // A 2xx answer holding a Failure Status is an error, not an empty list (client-go too).
    if envelope.kind == "Status"
        && let Some(failure) =
            crate::status::failure_in_success(framer.splitter.envelope(), &http::Method::GET, url)
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
