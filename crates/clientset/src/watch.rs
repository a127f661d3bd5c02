//! Watch streams: newline-delimited events decoded one line at a time as they arrive.

use std::collections::{BTreeMap, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http_body::Body;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kubeset_transport::ResponseBody;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::decode::decode_json;
use crate::status::watch_error;

/// The annotation on the bookmark that ends the initial events of a `sendInitialEvents` watch.
pub const INITIAL_EVENTS_END: &str = "k8s.io/initial-events-end";

/// One change seen by a watch.
///
/// An `ERROR` event is not a variant: the stream yields it as an [`Error::Api`] carrying the
/// server's `Status`, so a watch that started too far back is `err.is_gone()` (relist).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WatchEvent<K> {
    /// The object was created (or existed when the watch started without a resourceVersion).
    Added(K),
    /// The object changed.
    Modified(K),
    /// The object was removed; this is its last state.
    Deleted(K),
    /// A progress marker: every change up to this resourceVersion has been sent.
    Bookmark(Bookmark),
}

impl<K> WatchEvent<K> {
    /// The object of an ADDED, MODIFIED or DELETED event.
    pub fn object(&self) -> Option<&K> {
        match self {
            WatchEvent::Added(k) | WatchEvent::Modified(k) | WatchEvent::Deleted(k) => Some(k),
            WatchEvent::Bookmark(_) => None,
        }
    }

    /// Takes the object out of an ADDED, MODIFIED or DELETED event.
    pub fn into_object(self) -> Option<K> {
        match self {
            WatchEvent::Added(k) | WatchEvent::Modified(k) | WatchEvent::Deleted(k) => Some(k),
            WatchEvent::Bookmark(_) => None,
        }
    }
}

/// A `BOOKMARK` event's content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Bookmark {
    /// The resourceVersion to resume from.
    pub resource_version: String,
    /// Its annotations (`k8s.io/initial-events-end`).
    pub annotations: BTreeMap<String, String>,
}

impl Bookmark {
    /// Whether this bookmark ends the initial events of a `sendInitialEvents` watch.
    pub fn is_initial_events_end(&self) -> bool {
        self.annotations
            .get(INITIAL_EVENTS_END)
            .is_some_and(|v| v == "true")
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookmarkMeta {
    #[serde(default)]
    resource_version: String,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct BookmarkObject {
    metadata: BookmarkMeta,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "object")]
enum RawEvent<K> {
    #[serde(rename = "ADDED")]
    Added(K),
    #[serde(rename = "MODIFIED")]
    Modified(K),
    #[serde(rename = "DELETED")]
    Deleted(K),
    #[serde(rename = "BOOKMARK")]
    Bookmark(BookmarkObject),
    #[serde(rename = "ERROR")]
    Error(Box<Status>),
}

/// The stream of a watch: `Ok` events, `Err` for an `ERROR` event or a broken stream.
///
/// It ends when the server closes the watch (after `timeoutSeconds`, or after an `ERROR`).
/// Resume from the last event's (or bookmark's) resourceVersion.
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// use kubeset_clientset::{WatchEvent, WatchParams};
///
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let mut events = client.pods("apps").watch(&WatchParams::default().bookmarks()).await?;
/// while let Some(event) = events.try_next().await? {
///     match event {
///         WatchEvent::Added(pod) | WatchEvent::Modified(pod) => println!("{:?}", pod.metadata.name),
///         WatchEvent::Deleted(pod) => println!("gone: {:?}", pod.metadata.name),
///         WatchEvent::Bookmark(b) => println!("at {}", b.resource_version),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
pub struct WatchStream<K> {
    body: ResponseBody,
    buf: BytesMut,
    ready: VecDeque<Result<WatchEvent<K>, Error>>,
    url: String,
    done: bool,
}

// Nothing is pinned structurally: the body is boxed and everything else is moved freely.
impl<K> Unpin for WatchStream<K> {}

impl<K> std::fmt::Debug for WatchStream<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WatchStream")
            .field("url", &self.url)
            .field("buffered", &self.buf.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<K: DeserializeOwned> WatchStream<K> {
    pub(crate) fn new(body: ResponseBody, url: String) -> Self {
        Self {
            body,
            buf: BytesMut::new(),
            ready: VecDeque::new(),
            url,
            done: false,
        }
    }

    /// Decodes the lines `data` completes. `buf` never holds a newline between calls, so only
    /// the new bytes are searched: an event arriving in many small frames costs one scan, not
    /// one scan of everything buffered so far per frame.
    fn push(&mut self, data: Bytes) {
        let mut data = data.as_ref();
        if !self.buf.is_empty() {
            let Some(at) = memchr::memchr(b'\n', data) else {
                self.buf.extend_from_slice(data);
                return;
            };
            self.buf.extend_from_slice(&data[..at]);
            let line = std::mem::take(&mut self.buf);
            self.decode_line(&line);
            // Keep the allocation for the next partial line.
            self.buf = line;
            self.buf.clear();
            data = &data[at + 1..];
        }
        let consumed = self.decode_lines(data);
        self.buf.extend_from_slice(&data[consumed..]);
    }

    /// Decodes every complete line of `bytes`; returns how many bytes were consumed.
    fn decode_lines(&mut self, bytes: &[u8]) -> usize {
        let mut start = 0;
        while let Some(at) = memchr::memchr(b'\n', &bytes[start..]) {
            self.decode_line(&bytes[start..start + at]);
            start += at + 1;
        }
        start
    }

    fn decode_line(&mut self, line: &[u8]) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let event = match decode_json::<RawEvent<K>>(line, &self.url) {
            Ok(RawEvent::Added(k)) => Ok(WatchEvent::Added(k)),
            Ok(RawEvent::Modified(k)) => Ok(WatchEvent::Modified(k)),
            Ok(RawEvent::Deleted(k)) => Ok(WatchEvent::Deleted(k)),
            Ok(RawEvent::Bookmark(b)) => Ok(WatchEvent::Bookmark(Bookmark {
                resource_version: b.metadata.resource_version,
                annotations: b.metadata.annotations,
            })),
            Ok(RawEvent::Error(status)) => Err(watch_error(*status, &self.url).into()),
            Err(err) => Err(err),
        };
        self.ready.push_back(event);
    }
}

impl<K: DeserializeOwned> Stream for WatchStream<K> {
    type Item = Result<WatchEvent<K>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.ready.pop_front() {
                return Poll::Ready(Some(event));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        this.push(data);
                    }
                }
                Poll::Ready(Some(Err(source))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::ReadBody {
                        url: this.url.clone(),
                        source,
                    })));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    let rest = std::mem::take(&mut this.buf);
                    this.decode_line(&rest);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
