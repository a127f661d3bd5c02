//! The streaming, parallel decode of a list's items, for any encoding whose items can be
//! found as the body arrives (JSON through [`Splitter`](crate::split::Splitter), protobuf
//! through `kubeset_protobuf::ListSplitter`).
//!
//! What holds: items come out in the order of the body; batches of complete items are
//! decoded on blocking threads (at most one more batch in flight than there are cores) while
//! the rest of the body arrives, so only a few batches of raw bytes are held at any time; a
//! list smaller than [`INLINE_BYTES`] is decoded on the calling task (no thread hand-off).

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use http_body_util::BodyExt;
use kubeset_transport::ResponseBody;
use tokio::task::JoinHandle;

use crate::Error;

/// A batch is handed to a decoding thread once it holds this many bytes of complete items.
const BATCH_BYTES: usize = 256 * 1024;
/// A list smaller than this is decoded on the calling task (no thread hand-off).
const INLINE_BYTES: usize = 64 * 1024;

/// Finds complete items in a list body fed to it piece by piece.
pub(crate) trait Framer {
    /// Complete items, handed out together.
    type Batch: Batch;
    /// Reads the next piece of the body.
    fn feed(&mut self, piece: &[u8], url: &str) -> Result<(), Error>;
    /// Bytes of complete items waiting to be taken.
    fn ready_bytes(&self) -> usize;
    /// The complete items read so far, if any.
    fn take_batch(&mut self) -> Option<Self::Batch>;
    /// Checks that the body ended where a list may end.
    fn finish(&mut self, url: &str) -> Result<(), Error>;
}

/// What the pipeline needs to know of a batch.
pub(crate) trait Batch: Send + 'static {
    /// How many items it holds.
    fn len(&self) -> usize;
    /// How many bytes they take.
    fn byte_len(&self) -> usize;
    /// The index in the list of its first item.
    fn first_index(&self) -> usize;
}

/// Decodes one batch's items, in order (`url` names the request in errors).
pub(crate) type BatchDecoder<B, T> = fn(&B, &str) -> Result<Vec<T>, Error>;

fn parallelism() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Reads `body` through `framer` and decodes its items with `decode`, in parallel batches while
/// the body streams; `inspect` sees each batch before it is decoded. The framer keeps what it
/// read besides the items (the envelope) for the caller.
pub(crate) async fn decode_items<F, T>(
    mut body: ResponseBody,
    url: &str,
    framer: &mut F,
    decode: BatchDecoder<F::Batch, T>,
    mut inspect: impl FnMut(&F::Batch),
) -> Result<Vec<T>, Error>
where
    F: Framer,
    T: Send + 'static,
{
    let runtime = tokio::runtime::Handle::try_current().ok();
    let mut pending: VecDeque<JoinHandle<Result<Vec<T>, Error>>> = VecDeque::new();
    let mut items: Vec<T> = Vec::new();
    // With a known body length, the first batch tells how many items to expect: reserve
    // once instead of growing (and copying) the vector of decoded objects by doubling.
    let body_len = http_body::Body::size_hint(&body).exact();
    let shared_url: Arc<str> = url.into();
    let spawn = |rt: &tokio::runtime::Handle, batch: F::Batch| {
        let task_url = Arc::clone(&shared_url);
        rt.spawn_blocking(move || decode(&batch, &task_url))
    };

    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| Error::ReadBody {
            url: url.to_owned(),
            source,
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        framer.feed(&data, url)?;
        if framer.ready_bytes() < BATCH_BYTES {
            continue;
        }
        let Some(batch) = framer.take_batch() else {
            continue;
        };
        inspect(&batch);
        if let (0, Some(total)) = (batch.first_index(), body_len) {
            let per_item = (batch.byte_len() / batch.len().max(1)).max(1);
            let expected = usize::try_from(total).unwrap_or(usize::MAX) / per_item;
            items.reserve(expected.saturating_add(expected / 16).min(1 << 24));
        }
        match &runtime {
            Some(rt) => {
                pending.push_back(spawn(rt, batch));
                if pending.len() > parallelism()
                    && let Some(oldest) = pending.pop_front()
                {
                    items.extend(join(oldest, url).await?);
                }
            }
            None => items.extend(decode(&batch, url)?),
        }
    }
    framer.finish(url)?;

    if let Some(batch) = framer.take_batch() {
        inspect(&batch);
        match &runtime {
            Some(rt) if !(pending.is_empty() && batch.byte_len() < INLINE_BYTES) => {
                pending.push_back(spawn(rt, batch));
            }
            _ => {
                while let Some(handle) = pending.pop_front() {
                    items.extend(join(handle, url).await?);
                }
                items.extend(decode(&batch, url)?);
            }
        }
    }
    while let Some(handle) = pending.pop_front() {
        items.extend(join(handle, url).await?);
    }
    Ok(items)
}

async fn join<T>(handle: JoinHandle<Result<Vec<T>, Error>>, url: &str) -> Result<Vec<T>, Error> {
    handle.await.map_err(|source| Error::DecodeTask {
        url: url.to_owned(),
        source,
    })?
}
