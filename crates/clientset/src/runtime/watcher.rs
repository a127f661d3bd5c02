//! [`watcher`]: list, then watch, resume, re-list on 410 Gone, back off on errors; forever.

use std::time::Duration;

use futures_util::{Stream, StreamExt, stream};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::backoff::Delays;
use super::{Event, InitialList, Object, WatcherConfig};
use crate::client::JSON;
use crate::metadata::{ACCEPT_META, ACCEPT_META_LIST};
use crate::{Api, Error, ListParams, PartialObjectMetadata, WatchEvent, WatchStream};

/// Watches every object of `api` (as selected by `config`) and never loses a change.
///
/// The stream starts with the current state, bracketed by [`Event::Init`] and
/// [`Event::InitDone`] (a paged list, or a streaming list with
/// [`InitialList::Streaming`]), then reports each change as [`Event::Apply`] or
/// [`Event::Delete`]. Behind it, like client-go's Reflector:
///
/// - each watch starts at the resourceVersion of the list, asks for bookmarks, and when it
///   ends (server timeout, closed connection, silence) the next starts at once, at the last
///   version seen, so no change is missed and none is repeated; only a watch that ends within
///   a second with nothing in it waits for the backoff first, so a server or proxy that cuts
///   every watch short is not hammered;
/// - when the server no longer has that version (410 Gone, an expired continue token), the
///   watcher lists again, from the most recent state, and reports the new state as a new
///   `Init` … `InitDone` bracket: objects absent from it were deleted in the gap;
/// - on any other failure it yields the error (to log or count: the stream goes on) and
///   tries again after a jittered exponential [`Backoff`](super::Backoff).
///
/// The stream never ends; drop it to stop. It is not `Unpin`: pin it (`std::pin::pin!` or
/// `StreamExt::boxed`).
///
/// ```no_run
/// use futures_util::StreamExt;
/// use kubeset_clientset::runtime::{Event, WatcherConfig, watcher};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let events = watcher(client.pods("apps"), WatcherConfig::default().labels("app=web"));
/// let mut events = std::pin::pin!(events);
/// while let Some(event) = events.next().await {
///     match event {
///         Ok(Event::Apply(pod) | Event::InitApply(pod)) => println!("{:?}", pod.metadata.name),
///         Ok(Event::Delete(pod)) => println!("gone: {:?}", pod.metadata.name),
///         Ok(_) => {}
///         Err(err) => eprintln!("watch failed, retrying: {err}"),
///     }
/// }
/// # }
/// ```
pub fn watcher<K>(
    api: Api<K>,
    config: WatcherConfig,
) -> impl Stream<Item = Result<Event<K>, Error>> + Send + 'static
where
    K: Object + DeserializeOwned + Send + 'static,
{
    Machine::new(api, config, Accept::OBJECTS).into_stream()
}

/// [`watcher`] for metadata only: each object as [`PartialObjectMetadata`] (name, labels,
/// annotations, owners, versions), a fraction of the memory and decoding time of whole
/// objects.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use kubeset_clientset::runtime::{WatcherConfig, metadata_watcher};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let mut events = std::pin::pin!(metadata_watcher(client.all_pods(), WatcherConfig::default()));
/// while let Some(event) = events.next().await {
///     match event {
///         Ok(event) => {
///             if let Some(meta) = event.object() {
///                 println!("{:?}/{:?}", meta.metadata.namespace, meta.metadata.name);
///             }
///         }
///         // Retried by the watcher: the stream goes on.
///         Err(err) => eprintln!("watch failed, retrying: {err}"),
///     }
/// }
/// # }
/// ```
pub fn metadata_watcher<K>(
    api: Api<K>,
    config: WatcherConfig,
) -> impl Stream<Item = Result<Event<PartialObjectMetadata>, Error>> + Send + 'static {
    Machine::new(api.retyped(), config, Accept::METADATA).into_stream()
}

/// The `Accept` headers of the list and the watch requests.
#[derive(Debug, Clone, Copy)]
struct Accept {
    list: &'static str,
    watch: &'static str,
}

impl Accept {
    const OBJECTS: Accept = Accept {
        list: JSON,
        watch: JSON,
    };
    const METADATA: Accept = Accept {
        list: ACCEPT_META_LIST,
        watch: ACCEPT_META,
    };
}

/// A watch that ends sooner than this with no event is suspect (client-go's reflector uses
/// the same second): the next one waits for the backoff.
const SHORT_WATCH: Duration = Duration::from_secs(1);

/// Where the watcher is.
enum State<K> {
    /// Nothing known: start with a full list (`fresh`: the most recent state; `paged`: with
    /// a page size, which a fallback after an expired continue token drops).
    Empty { fresh: bool, paged: bool },
    /// Reporting the items of a list page; `next` fetches the next page.
    Listing {
        items: std::vec::IntoIter<K>,
        next: Option<ListParams>,
        version: String,
    },
    /// A streaming list: its events up to the initial-events-end bookmark are the state.
    InitialEvents { stream: WatchStream<K> },
    /// Start a watch from `version`.
    Watch { version: String },
    /// Reading a watch; `version` is the last one seen; `quiet_since` is when the watch
    /// started, until it yields anything.
    Watching {
        stream: WatchStream<K>,
        version: String,
        quiet_since: Option<Instant>,
    },
}

/// The watcher's state machine: one `step` yields one item.
struct Machine<K> {
    api: Api<K>,
    accept: Accept,
    config: WatcherConfig,
    state: State<K>,
    /// The delays of the current run of failures; `None` after a success.
    delays: Option<Delays>,
    /// Wait this long before the next request.
    pause: Option<Duration>,
    /// Cleared when the server rejects a streaming list.
    streaming: bool,
}

impl<K> Machine<K>
where
    K: Object + DeserializeOwned + Send + 'static,
{
    fn new(api: Api<K>, config: WatcherConfig, accept: Accept) -> Self {
        let streaming = config.initial_list == InitialList::Streaming;
        Self {
            api,
            accept,
            config,
            state: State::Empty {
                fresh: false,
                paged: true,
            },
            delays: None,
            pause: None,
            streaming,
        }
    }

    fn into_stream(self) -> impl Stream<Item = Result<Event<K>, Error>> + Send + 'static {
        stream::unfold(self, |mut machine| async move {
            let item = machine.step().await;
            Some((item, machine))
        })
    }

    /// Something worked: the next failure waits the shortest delay again.
    fn succeeded(&mut self) {
        self.delays = None;
    }

    /// Something failed: wait before the next attempt (at least as long as the server asked
    /// for with `retryAfterSeconds`, as on 429 TooManyRequests, up to [`MAX_RETRY_AFTER`]),
    /// and report `err`.
    fn failed(&mut self, err: Error) -> Result<Event<K>, Error> {
        let backoff = self.config.backoff;
        let mut delay = self
            .delays
            .get_or_insert_with(|| backoff.delays())
            .next_delay();
        if let Some(asked) = retry_after(&err) {
            // a server asking for a day must not freeze the cache that long
            delay = delay.max(asked.min(MAX_RETRY_AFTER));
        }
        tracing::debug!(url = %self.api.collection_path(), ?delay, error = %err, "watcher retries after an error");
        self.pause = Some(delay);
        Err(err)
    }

    /// Waits before the next attempt without reporting an error: a watch that the server
    /// (or a proxy) ends before it yields anything must not turn into a busy loop.
    fn slow_down(&mut self, why: &str) {
        let backoff = self.config.backoff;
        let delay = self
            .delays
            .get_or_insert_with(|| backoff.delays())
            .next_delay();
        tracing::debug!(url = %self.api.collection_path(), ?delay, why, "watcher slows down");
        self.pause = Some(delay);
    }

    /// Lists again from the most recent state (410 Gone, a lost event).
    fn relist(&mut self, why: &Error) {
        tracing::debug!(url = %self.api.collection_path(), error = %why, "watcher lists again");
        self.state = State::Empty {
            fresh: true,
            paged: true,
        };
    }

    /// The next item of the stream.
    async fn step(&mut self) -> Result<Event<K>, Error> {
        loop {
            if let Some(pause) = self.pause.take() {
                tokio::time::sleep(pause).await;
            }
            let state = std::mem::replace(
                &mut self.state,
                State::Empty {
                    fresh: true,
                    paged: true,
                },
            );
            match state {
                State::Empty { fresh, paged } => {
                    if self.streaming {
                        if let Some(event) = self.start_streaming(fresh, paged).await {
                            return event;
                        }
                        continue;
                    }
                    let mut lp = self.config.list_params(fresh);
                    if !paged {
                        lp.limit = None;
                    }
                    match self.api.list_as::<K>(&lp, self.accept.list).await {
                        Ok(page) => {
                            self.succeeded();
                            self.state = listing(page, lp);
                            return Ok(Event::Init);
                        }
                        Err(err) => {
                            self.state = State::Empty { fresh, paged };
                            return self.failed(err);
                        }
                    }
                }
                State::Listing {
                    mut items,
                    next,
                    version,
                } => {
                    if let Some(item) = items.next() {
                        self.state = State::Listing {
                            items,
                            next,
                            version,
                        };
                        return Ok(Event::InitApply(item));
                    }
                    let Some(lp) = next else {
                        self.state = State::Watch { version };
                        return Ok(Event::InitDone);
                    };
                    match self.api.list_as::<K>(&lp, self.accept.list).await {
                        Ok(page) => {
                            self.succeeded();
                            self.state = listing(page, lp);
                        }
                        Err(err) if err.is_gone() => {
                            // The continue token expired: list everything at once, as
                            // client-go's pager does (FullListIfExpired). The new bracket
                            // replaces what was reported so far.
                            tracing::debug!(url = %self.api.collection_path(), "continue token expired; listing without pages");
                            self.state = State::Empty {
                                fresh: true,
                                paged: false,
                            };
                        }
                        Err(err) => {
                            self.state = State::Listing {
                                items,
                                next: Some(lp),
                                version,
                            };
                            return self.failed(err);
                        }
                    }
                }
                State::InitialEvents { stream } => {
                    if let Some(event) = self.read_initial(stream).await {
                        return event;
                    }
                }
                State::Watch { version } => {
                    let wp = self.config.watch_params(Some(&version));
                    match self.api.watch_as::<K>(&wp, self.accept.watch).await {
                        Ok(stream) => {
                            self.state = State::Watching {
                                stream,
                                version,
                                quiet_since: Some(Instant::now()),
                            };
                        }
                        Err(err) if err.is_gone() => self.relist(&err),
                        Err(err) => {
                            self.state = State::Watch { version };
                            return self.failed(err);
                        }
                    }
                }
                State::Watching {
                    mut stream,
                    mut version,
                    quiet_since,
                } => {
                    let next = tokio::time::timeout(self.config.silence_limit(), stream.next());
                    let event = match next.await {
                        Ok(Some(Ok(event))) => event,
                        Ok(Some(Err(err))) if err.is_gone() => {
                            self.relist(&err);
                            continue;
                        }
                        Ok(Some(Err(err))) => {
                            // A broken connection resumes from `version`; anything else
                            // (an undecodable event, an ERROR event) may have cost a change,
                            // so list again.
                            if matches!(err, Error::ReadBody { .. }) {
                                self.state = State::Watch { version };
                            } else {
                                self.relist(&err);
                            }
                            return self.failed(err);
                        }
                        Ok(None) => {
                            // As client-go's reflector: only a watch that ends within a
                            // second with nothing in it is suspect (a proxy cutting every
                            // watch, a server refusing in a loop). A quiet watch that ran
                            // its course (timeoutSeconds, an idle namespace, a resource
                            // without bookmarks) worked: watch again at once.
                            match quiet_since {
                                Some(start) if start.elapsed() < SHORT_WATCH => {
                                    self.slow_down("the watch ended at once, before any event");
                                }
                                Some(_) => self.succeeded(),
                                None => {}
                            }
                            self.state = State::Watch { version };
                            continue;
                        }
                        Err(_) => {
                            tracing::debug!(url = %self.api.collection_path(), "watch silent for too long; resuming");
                            self.state = State::Watch { version };
                            continue;
                        }
                    };
                    // The watch works: the next failure starts the backoff over.
                    self.succeeded();
                    let out = match event {
                        WatchEvent::Added(k) | WatchEvent::Modified(k) => {
                            remember(&mut version, &k);
                            Some(Event::Apply(k))
                        }
                        WatchEvent::Deleted(k) => {
                            remember(&mut version, &k);
                            Some(Event::Delete(k))
                        }
                        WatchEvent::Bookmark(b) => {
                            if !b.resource_version.is_empty() {
                                version = b.resource_version;
                            }
                            None
                        }
                    };
                    self.state = State::Watching {
                        stream,
                        version,
                        quiet_since: None,
                    };
                    if let Some(out) = out {
                        return Ok(out);
                    }
                }
            }
        }
    }

    /// Starts a streaming list; `None` to go on with the loop (fell back to a list).
    async fn start_streaming(
        &mut self,
        fresh: bool,
        paged: bool,
    ) -> Option<Result<Event<K>, Error>> {
        let wp = self.config.watch_params(None);
        match self.api.watch_as::<K>(&wp, self.accept.watch).await {
            Ok(stream) => {
                self.succeeded();
                self.state = State::InitialEvents { stream };
                Some(Ok(Event::Init))
            }
            Err(err) if matches!(err.code(), Some(400 | 422)) => {
                tracing::debug!(url = %self.api.collection_path(), error = %err, "streaming lists rejected; using lists");
                self.streaming = false;
                self.state = State::Empty { fresh, paged };
                None
            }
            Err(err) => {
                self.state = State::Empty { fresh, paged };
                Some(self.failed(err))
            }
        }
    }

    /// The next event of a streaming list; `None` to go on with the loop.
    async fn read_initial(
        &mut self,
        mut stream: WatchStream<K>,
    ) -> Option<Result<Event<K>, Error>> {
        let next = tokio::time::timeout(self.config.silence_limit(), stream.next());
        match next.await {
            Ok(Some(Ok(WatchEvent::Added(k) | WatchEvent::Modified(k)))) => {
                self.state = State::InitialEvents { stream };
                Some(Ok(Event::InitApply(k)))
            }
            Ok(Some(Ok(WatchEvent::Deleted(_)))) => {
                self.state = State::InitialEvents { stream };
                None
            }
            Ok(Some(Ok(WatchEvent::Bookmark(b)))) => {
                if b.is_initial_events_end() {
                    self.state = State::Watching {
                        stream,
                        version: b.resource_version,
                        quiet_since: None,
                    };
                    Some(Ok(Event::InitDone))
                } else {
                    self.state = State::InitialEvents { stream };
                    None
                }
            }
            Ok(Some(Err(err))) if err.is_gone() => {
                self.relist(&err);
                None
            }
            Ok(Some(Err(err))) => {
                self.relist(&err);
                Some(self.failed(err))
            }
            // Ended or silent before the state was complete: start over, not at once.
            Ok(None) | Err(_) => {
                self.slow_down("the streaming list ended before its end bookmark");
                self.state = State::Empty {
                    fresh: true,
                    paged: true,
                };
                None
            }
        }
    }
}

/// The `Listing` state for a fetched page; `lp` fetched it.
fn listing<K>(page: crate::ObjectList<K>, mut lp: ListParams) -> State<K> {
    let version = page.resource_version().unwrap_or_default().to_owned();
    let next = page.continue_token().map(|token| {
        lp.continue_token = Some(token.to_owned());
        // A continued list carries no resourceVersion of its own.
        lp.resource_version = None;
        lp.version_match = None;
        lp
    });
    State::Listing {
        items: page.items.into_iter(),
        next,
        version,
    }
}

/// Records the resourceVersion of an event's object.
fn remember<K: Object>(version: &mut String, object: &K) {
    if let Some(v) = object.resource_version().filter(|v| !v.is_empty()) {
        v.clone_into(version);
    }
}

/// The longest `retryAfterSeconds` honoured; longer requests wait this long.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// The delay the server asked for in an error's `Status` (`details.retryAfterSeconds`).
fn retry_after(err: &Error) -> Option<Duration> {
    let seconds = err.status()?.details.as_ref()?.retry_after_seconds?;
    u64::try_from(seconds).ok().map(Duration::from_secs)
}
