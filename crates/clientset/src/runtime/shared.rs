//! [`SharedInformer`]: one watch and one store, any number of [`Subscription`]s.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures_util::future::Either;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use super::{
    Change, Dynamic, Event, Object, ObjectKey, Store, WatcherConfig, Writer, dynamic_watcher,
    metadata_watcher, store, watcher,
};
use crate::{Api, DynamicObject, Error, PartialObjectMetadata};

/// How many changes a subscriber may have waiting before it is re-synced from the store.
///
/// ```
/// assert!(kubeset_clientset::runtime::DEFAULT_BUFFER >= 1);
/// ```
pub const DEFAULT_BUFFER: usize = 1024;

/// A watcher and a store shared by many consumers, each with its own stream of changes
/// (client-go's `SharedIndexInformer`).
///
/// The watch runs in a task spawned when the informer is made (so make it inside a Tokio
/// runtime) and stops when the last handle and the last [`Subscription`] are dropped. Every
/// subscriber sees the same changes in the same order, and:
///
/// - **late subscribers** first get the current state, one [`Change::Added`] per object
///   (once the store is ready; before that the first list brings the `Added`s), then every
///   later change: nothing is missed or reported twice at the seam, because a subscription
///   is registered and its snapshot taken under the lock the changes are published under;
/// - **slow subscribers never block the others**: each has a buffer of [`DEFAULT_BUFFER`]
///   changes (see [`SharedInformer::with_buffer`]; the snapshot a late subscriber starts
///   with does not count). A subscriber whose buffer overflows is *re-synced*: its buffer
///   is dropped and, from then on, only the keys of the objects that changed are
///   remembered, with the state it last saw of each; when it reads again, it gets one
///   change per such key, from what it last saw to what the store holds now (`Added`,
///   `Updated`, `Deleted`, or nothing when it is back where it was). Its memory is bounded
///   by the number of distinct objects, not the number of changes, and it ends with the
///   same state as every other subscriber. What it loses is the intermediate states of an
///   object (an object deleted and created again under the same name while it was behind
///   comes as one `Updated`); [`Subscription::resyncs`] tells how often it happened.
///
/// Watch errors are retried by the watcher and logged at `warn`.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use kubeset_clientset::runtime::{Change, SharedInformer, WatcherConfig};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let informer = SharedInformer::new(client.all_pods(), WatcherConfig::default());
/// let pods = informer.store();
/// let by_node = pods.index("node", |p: &k8s_openapi::api::core::v1::Pod| {
///     p.spec.as_ref().and_then(|s| s.node_name.clone())
/// });
/// // Two parts of a program, one watch.
/// let mut scheduler = informer.subscribe();
/// let mut metrics = informer.subscribe();
/// tokio::spawn(async move {
///     while let Some(change) = metrics.next().await {
///         if let Change::Deleted(pod) = change {
///             println!("pod {:?} gone", pod.metadata.name);
///         }
///     }
/// });
/// pods.wait_until_ready().await;
/// while let Some(_change) = scheduler.next().await {
///     println!("{} pods on node-1", by_node.count("node-1"));
/// }
/// # }
/// ```
pub struct SharedInformer<K> {
    pub(super) inner: Arc<Inner<K>>,
}

pub(super) struct Inner<K> {
    store: Store<K>,
    hub: Arc<Mutex<Hub<K>>>,
    /// Dropped with the last handle: stops the watch task.
    _stop: oneshot::Sender<()>,
}

impl<K> Clone for SharedInformer<K> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<K> std::fmt::Debug for SharedInformer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedInformer")
            .field("type", &std::any::type_name::<K>())
            .field("subscribers", &lock(&self.inner.hub).subscribers.len())
            .finish_non_exhaustive()
    }
}

/// The subscribers' queues; the watch task publishes each change under its lock.
struct Hub<K> {
    subscribers: HashMap<u64, Queue<K>>,
    next_id: u64,
    buffer: usize,
    /// The watch ended (its events ended): subscriptions end once drained.
    ended: bool,
}

/// One subscriber's waiting changes.
struct Queue<K> {
    changes: VecDeque<Change<K>>,
    /// How many of `changes` (at the front) are the snapshot a late subscriber started
    /// with: they do not count against the buffer.
    snapshot: usize,
    /// Set once the buffer overflowed: the state the subscriber last saw of each object
    /// changed since (`None`: it saw none).
    behind: Option<HashMap<ObjectKey, Option<Arc<K>>>>,
    resyncs: u64,
    waker: Option<Waker>,
}

fn lock<K>(hub: &Mutex<Hub<K>>) -> MutexGuard<'_, Hub<K>> {
    // Every critical section leaves the queues consistent before anything can panic.
    hub.lock().unwrap_or_else(|e| e.into_inner())
}

impl<K: Object> Hub<K> {
    fn publish(&mut self, change: &Change<K>) {
        let buffer = self.buffer;
        for queue in self.subscribers.values_mut() {
            queue.push(change, buffer);
        }
    }

    fn end(&mut self) {
        self.ended = true;
        for queue in self.subscribers.values_mut() {
            if let Some(waker) = queue.waker.take() {
                waker.wake();
            }
        }
    }
}

impl<K: Object> Queue<K> {
    fn push(&mut self, change: &Change<K>, buffer: usize) {
        if self.behind.is_none() && self.changes.len() - self.snapshot >= buffer {
            // Overflow: keep only what the subscriber saw of each object it has pending.
            self.resyncs += 1;
            let mut behind = HashMap::new();
            self.snapshot = 0;
            for pending in self.changes.drain(..) {
                remember(&mut behind, &pending);
            }
            self.behind = Some(behind);
        }
        match &mut self.behind {
            Some(behind) => remember(behind, change),
            None => self.changes.push_back(change.clone()),
        }
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// After an overflow: one change per object remembered, from what the subscriber saw to
    /// what `store` holds now.
    fn resync(&mut self, store: &Store<K>) {
        let Some(behind) = self.behind.take() else {
            return;
        };
        for (key, seen) in behind {
            let now = store.get(key.namespace.as_deref(), &key.name);
            let change = match (seen, now) {
                (None, Some(now)) => Change::Added(now),
                (Some(seen), Some(now)) if seen.resource_version() != now.resource_version() => {
                    Change::Updated {
                        old: seen,
                        new: now,
                    }
                }
                (Some(seen), None) => Change::Deleted(seen),
                _ => continue,
            };
            self.changes.push_back(change);
        }
    }
}

/// Records that the object of `change` changed, keeping the earliest state the subscriber
/// saw of it.
fn remember<K: Object>(behind: &mut HashMap<ObjectKey, Option<Arc<K>>>, change: &Change<K>) {
    let (object, seen) = match change {
        Change::Added(new) => (new, None),
        Change::Updated { old, .. } => (old, Some(Arc::clone(old))),
        Change::Deleted(old) => (old, Some(Arc::clone(old))),
    };
    let Some(name) = object.name() else {
        return;
    };
    let key = ObjectKey::new(object.namespace(), name);
    behind.entry(key).or_insert(seen);
}

impl<K> SharedInformer<K>
where
    K: Object + DeserializeOwned + Send + Sync + 'static,
{
    /// A shared informer over `api`'s objects, selected and watched as `config` says. Spawns
    /// the watch task: call it inside a Tokio runtime.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// use kubeset_clientset::runtime::{SharedInformer, WatcherConfig};
    ///
    /// let web_pods = SharedInformer::new(client.pods("apps"), WatcherConfig::default().labels("app=web"));
    /// # }
    /// ```
    pub fn new(api: Api<K>, config: WatcherConfig) -> Self {
        Self::from_events(watcher(api, config), DEFAULT_BUFFER)
    }
}

impl<K> SharedInformer<K>
where
    K: Object + Send + Sync + 'static,
{
    /// A shared informer over any stream of watcher events, each subscriber buffering up to
    /// `buffer` changes before it is re-synced (at least one). Spawns the task that drives
    /// `events`.
    ///
    /// ```
    /// use futures_util::{StreamExt, stream};
    /// use kubeset_clientset::runtime::{Change, Event, SharedInformer};
    /// use kubeset_clientset::PartialObjectMetadata;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut meta = PartialObjectMetadata::default();
    /// meta.metadata.name = Some("n1".into());
    /// let events = stream::iter([Event::Init, Event::InitApply(meta), Event::InitDone].map(Ok));
    /// let informer = SharedInformer::from_events(events, 16);
    /// let changes: Vec<_> = informer.subscribe().collect().await;
    /// assert!(matches!(changes[..], [Change::Added(_)]));
    /// # }
    /// ```
    pub fn from_events(
        events: impl Stream<Item = Result<Event<K>, Error>> + Send + 'static,
        buffer: usize,
    ) -> Self {
        let (reader, writer) = store();
        let hub = Arc::new(Mutex::new(Hub {
            subscribers: HashMap::new(),
            next_id: 0,
            buffer: buffer.max(1),
            ended: false,
        }));
        let (stop, stopped) = oneshot::channel();
        tokio::spawn(drive(writer, events, Arc::clone(&hub), stopped));
        Self {
            inner: Arc::new(Inner {
                store: reader,
                hub,
                _stop: stop,
            }),
        }
    }

    /// The same informer with each subscriber buffering up to `buffer` changes (at least
    /// one) before it is re-synced; applies to every subscriber.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// use kubeset_clientset::runtime::{SharedInformer, WatcherConfig};
    ///
    /// let informer = SharedInformer::new(client.nodes(), WatcherConfig::default()).with_buffer(64);
    /// # }
    /// ```
    pub fn with_buffer(self, buffer: usize) -> Self {
        lock(&self.inner.hub).buffer = buffer.max(1);
        self
    }

    /// A reader of the shared store; add indexes to it with [`Store::index`].
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// # let informer = kubeset_clientset::runtime::SharedInformer::new(client.nodes(), Default::default());
    /// let nodes = informer.store();
    /// nodes.wait_until_ready().await;
    /// let by_zone = nodes.index_label("topology.kubernetes.io/zone");
    /// println!("{} nodes in zone a", by_zone.count("a"));
    /// # }
    /// ```
    pub fn store(&self) -> Store<K> {
        self.inner.store.clone()
    }

    /// A new subscriber: the current state (if the store is ready), then every change.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// # let informer = kubeset_clientset::runtime::SharedInformer::new(client.nodes(), Default::default());
    /// let mut changes = informer.subscribe();
    /// tokio::spawn(async move {
    ///     while let Some(change) = changes.next().await {
    ///         println!("{change:?}");
    ///     }
    /// });
    /// # }
    /// ```
    pub fn subscribe(&self) -> Subscription<K> {
        let mut hub = lock(&self.inner.hub);
        let id = hub.next_id;
        hub.next_id += 1;
        // Under the hub's lock the store holds exactly the changes published so far.
        let changes = if self.inner.store.is_ready() {
            self.inner
                .store
                .list()
                .into_iter()
                .map(Change::Added)
                .collect()
        } else {
            VecDeque::new()
        };
        hub.subscribers.insert(
            id,
            Queue {
                snapshot: changes.len(),
                changes,
                behind: None,
                resyncs: 0,
                waker: None,
            },
        );
        Subscription {
            informer: Arc::clone(&self.inner),
            id,
        }
    }
}

impl<K> SharedInformer<K>
where
    K: Object + Send + Sync + 'static,
{
    /// Calls `handler` for every change of a new subscription (client-go's
    /// `AddEventHandler`), in a task of its own; abort the returned handle to remove it. A
    /// slow handler is re-synced like any subscriber; it never holds up the others.
    ///
    /// ```no_run
    /// use kubeset_clientset::runtime::{Change, SharedInformer, WatcherConfig};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let informer = SharedInformer::new(client.nodes(), WatcherConfig::default());
    /// let handler = informer.add_handler(|change| {
    ///     if let Change::Deleted(node) = change {
    ///         println!("node {:?} left", node.metadata.name);
    ///     }
    /// });
    /// // later
    /// handler.abort();
    /// # }
    /// ```
    pub fn add_handler(
        &self,
        mut handler: impl FnMut(Change<K>) + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let mut changes = self.subscribe();
        tokio::spawn(async move {
            while let Some(change) = changes.next().await {
                handler(change);
            }
        })
    }
}

impl SharedInformer<PartialObjectMetadata> {
    /// A shared informer over the metadata of `api`'s objects (a
    /// [`metadata_watcher`](super::metadata_watcher)).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// use kubeset_clientset::runtime::{SharedInformer, WatcherConfig};
    ///
    /// let secrets = SharedInformer::metadata(client.all_secrets(), WatcherConfig::default());
    /// # }
    /// ```
    pub fn metadata<T>(api: Api<T>, config: WatcherConfig) -> Self {
        Self::from_events(metadata_watcher(api, config), DEFAULT_BUFFER)
    }
}

impl SharedInformer<Dynamic> {
    /// A shared informer over objects of a kind named at run time (a
    /// [`dynamic_watcher`](super::dynamic_watcher)).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::{Api, ApiResource};
    /// use kubeset_clientset::runtime::{SharedInformer, WatcherConfig};
    ///
    /// let crontabs = ApiResource::new("stable.example.com", "v1", "CronTab", "crontabs", true);
    /// let informer = SharedInformer::dynamic(Api::dynamic_all(client, &crontabs), WatcherConfig::default());
    /// # Ok(()) }
    /// ```
    pub fn dynamic(api: Api<DynamicObject>, config: WatcherConfig) -> Self {
        Self::from_events(dynamic_watcher(api, config), DEFAULT_BUFFER)
    }
}

/// Applies `events` to the store and publishes each change, until they end or `stopped`.
async fn drive<K: Object>(
    mut writer: Writer<K>,
    events: impl Stream<Item = Result<Event<K>, Error>>,
    hub: Arc<Mutex<Hub<K>>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut events = std::pin::pin!(events);
    loop {
        let next = match futures_util::future::select(events.next(), &mut stopped).await {
            Either::Left((next, _)) => next,
            Either::Right(_) => break,
        };
        match next {
            Some(Ok(event)) => {
                let event = event.map(Arc::new);
                let mut hub = lock(&hub);
                // Applied and published in one critical section: a subscriber's snapshot is
                // taken either before both or after both.
                writer.apply_with(&event, |change| hub.publish(&change));
            }
            Some(Err(err)) => {
                tracing::warn!(error = %err, "shared informer watch failed; retrying")
            }
            None => break,
        }
    }
    lock(&hub).end();
}

/// One subscriber's changes of a [`SharedInformer`]: a `Stream` of [`Change`]s that ends when
/// the informer's watch ends. Keeps the informer running while it lives; drop it to
/// unsubscribe.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use kubeset_clientset::runtime::{SharedInformer, WatcherConfig};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let informer = SharedInformer::new(client.nodes(), WatcherConfig::default());
/// let mut changes = informer.subscribe();
/// while let Some(change) = changes.next().await {
///     println!("{change:?}");
/// }
/// # }
/// ```
pub struct Subscription<K> {
    informer: Arc<Inner<K>>,
    id: u64,
}

impl<K> std::fmt::Debug for Subscription<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("type", &std::any::type_name::<K>())
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<K> Subscription<K> {
    /// How many times this subscriber fell more than the buffer behind and was re-synced
    /// from the store (see [`SharedInformer`]).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// # let informer = kubeset_clientset::runtime::SharedInformer::new(client.nodes(), Default::default());
    /// let changes = informer.subscribe();
    /// if changes.resyncs() > 0 {
    ///     eprintln!("the node handler is too slow for the rate of changes");
    /// }
    /// # }
    /// ```
    pub fn resyncs(&self) -> u64 {
        lock(&self.informer.hub)
            .subscribers
            .get(&self.id)
            .map_or(0, |q| q.resyncs)
    }

    /// A reader of the informer's store.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// # let informer = kubeset_clientset::runtime::SharedInformer::new(client.nodes(), Default::default());
    /// let changes = informer.subscribe();
    /// let nodes = changes.store();
    /// # }
    /// ```
    pub fn store(&self) -> Store<K> {
        self.informer.store.clone()
    }
}

impl<K: Object> Stream for Subscription<K> {
    type Item = Change<K>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Change<K>>> {
        let this = self.get_mut();
        let mut hub = lock(&this.informer.hub);
        let ended = hub.ended;
        let Some(queue) = hub.subscribers.get_mut(&this.id) else {
            return Poll::Ready(None);
        };
        if queue.changes.is_empty() {
            // The hub's lock keeps the watch task from applying anything meanwhile.
            queue.resync(&this.informer.store);
        }
        if let Some(change) = queue.changes.pop_front() {
            queue.snapshot = queue.snapshot.saturating_sub(1);
            return Poll::Ready(Some(change));
        }
        if ended {
            return Poll::Ready(None);
        }
        queue.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<K> Drop for Subscription<K> {
    fn drop(&mut self) {
        lock(&self.informer.hub).subscribers.remove(&self.id);
    }
}
