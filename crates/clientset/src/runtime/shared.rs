//! [`SharedInformer`]: one watch and one store, any number of [`Subscription`]s.

use std::sync::{Arc, Mutex};

use futures_util::future::Either;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

use super::hub::{Hub, Inner, lock};
use super::{
    Change, Dynamic, Event, Object, Store, Subscription, WatcherConfig, Writer, dynamic_watcher,
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
            .field("subscribers", &lock(&self.inner.hub).len())
            .finish_non_exhaustive()
    }
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
        let hub = Arc::new(Mutex::new(Hub::new(buffer)));
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
        lock(&self.inner.hub).set_buffer(buffer);
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
        Subscription::register(&self.inner)
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
