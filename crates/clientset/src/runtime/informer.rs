//! [`Informer`]: a watcher, a store and change notifications in one.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt, stream};
use serde::de::DeserializeOwned;

use super::{
    Change, Dynamic, Event, Object, Store, WatcherConfig, Writer, dynamic_watcher,
    metadata_watcher, store, watcher,
};
use crate::{Api, DynamicObject, Error, PartialObjectMetadata};

/// A watcher feeding a store, reporting what changed (client-go's shared informer, for one
/// consumer; [`SharedInformer`](super::SharedInformer) serves many).
///
/// Make one, keep [`Informer::store`] readers wherever objects are looked up, and drive it
/// with [`Informer::run`] (a callback per change) or [`Informer::changes`] (a stream). Each
/// change carries shared objects (`Arc<K>`): the store and the handler see the same one.
/// After a re-list (410 Gone) the differences with the state before are reported, so a
/// handler sees deletions it would otherwise have missed.
///
/// ```no_run
/// use kubeset_clientset::runtime::{Change, Informer, WatcherConfig};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let informer = Informer::new(client.all_pods(), WatcherConfig::default());
/// let pods = informer.store();
/// tokio::spawn(informer.run(|change| match change {
///     Change::Added(pod) => println!("new pod {:?}", pod.metadata.name),
///     Change::Updated { old, new } => println!("{:?} -> {:?}", old.metadata.resource_version, new.metadata.resource_version),
///     Change::Deleted(pod) => println!("pod {:?} gone", pod.metadata.name),
///     _ => {}
/// }));
/// pods.wait_until_ready().await;
/// println!("{} pods in the cluster", pods.len());
/// # }
/// ```
pub struct Informer<K> {
    reader: Store<K>,
    writer: Writer<K>,
    events: BoxStream<'static, Result<Event<K>, Error>>,
}

impl<K> std::fmt::Debug for Informer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Informer")
            .field("type", &std::any::type_name::<K>())
            .finish_non_exhaustive()
    }
}

impl<K> Informer<K>
where
    K: Object + DeserializeOwned + Send + Sync + 'static,
{
    /// An informer over `api`'s objects, selected and watched as `config` says.
    pub fn new(api: Api<K>, config: WatcherConfig) -> Self {
        Self::from_events(watcher(api, config))
    }

    /// An informer over any stream of watcher events (a [`metadata_watcher`](super::metadata_watcher),
    /// a filtered or test stream).
    ///
    /// ```
    /// use futures_util::{StreamExt, stream};
    /// use kubeset_clientset::runtime::{Change, Event, Informer};
    /// use kubeset_clientset::PartialObjectMetadata;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut meta = PartialObjectMetadata::default();
    /// meta.metadata.name = Some("n1".into());
    /// let events = stream::iter([Event::Init, Event::InitApply(meta), Event::InitDone].map(Ok));
    /// let informer = Informer::from_events(events);
    /// let store = informer.store();
    /// let changes: Vec<_> = informer.changes().collect().await;
    /// assert!(matches!(changes[..], [Ok(Change::Added(_))]));
    /// assert_eq!(store.len(), 1);
    /// # }
    /// ```
    pub fn from_events(
        events: impl Stream<Item = Result<Event<K>, Error>> + Send + 'static,
    ) -> Self {
        let (reader, writer) = store();
        Self {
            reader,
            writer,
            events: events.boxed(),
        }
    }

    /// A reader of the informer's store (clone it freely).
    pub fn store(&self) -> Store<K> {
        self.reader.clone()
    }

    /// Every change, as the store applies it; errors are the watcher's (it retries on its
    /// own, so the stream goes on after them). The stream ends only if the events end.
    pub fn changes(self) -> impl Stream<Item = Result<Change<K>, Error>> + Send + 'static {
        let state = (self.writer, self.events, VecDeque::new());
        stream::unfold(state, |(mut writer, mut events, mut ready)| async move {
            loop {
                if let Some(change) = ready.pop_front() {
                    return Some((Ok(change), (writer, events, ready)));
                }
                match events.next().await? {
                    Ok(event) => {
                        let event = event.map(Arc::new);
                        writer.apply_with(&event, |change| ready.push_back(change));
                    }
                    Err(err) => return Some((Err(err), (writer, events, ready))),
                }
            }
        })
    }

    /// The objects added or changed, in order (kube-rs's `applied_objects`); deletions are
    /// left out.
    pub fn applied_objects(self) -> impl Stream<Item = Result<Arc<K>, Error>> + Send + 'static {
        self.changes().filter_map(|change| {
            std::future::ready(match change {
                Ok(Change::Added(k) | Change::Updated { new: k, .. }) => Some(Ok(k)),
                Ok(Change::Deleted(_)) => None,
                Err(err) => Some(Err(err)),
            })
        })
    }

    /// Runs forever, calling `on_change` for each change. Watch errors are logged (at
    /// `warn`) and retried by the watcher.
    pub async fn run(self, mut on_change: impl FnMut(Change<K>) + Send) {
        let mut changes = std::pin::pin!(self.changes());
        while let Some(change) = changes.next().await {
            match change {
                Ok(change) => on_change(change),
                Err(err) => tracing::warn!(error = %err, "informer watch failed; retrying"),
            }
        }
    }
}

impl Informer<PartialObjectMetadata> {
    /// An informer over the metadata of `api`'s objects (a
    /// [`metadata_watcher`](super::metadata_watcher)): names, labels, annotations, owners and
    /// versions at a fraction of the memory of whole objects. Works for any handle, dynamic
    /// ones included.
    ///
    /// ```no_run
    /// use kubeset_clientset::runtime::{Informer, WatcherConfig};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let informer = Informer::metadata(client.all_pods(), WatcherConfig::default());
    /// let pods = informer.store();
    /// tokio::spawn(informer.run(|_| {}));
    /// pods.wait_until_ready().await;
    /// let labelled = pods.list().iter().filter(|p| p.metadata.labels.as_ref().is_some_and(|l| l.contains_key("app"))).count();
    /// # }
    /// ```
    pub fn metadata<T>(api: Api<T>, config: WatcherConfig) -> Self {
        Self::from_events(metadata_watcher(api, config))
    }
}

impl Informer<Dynamic> {
    /// An informer over objects of a kind named at run time (a
    /// [`dynamic_watcher`](super::dynamic_watcher)), each a [`Dynamic`] (JSON).
    ///
    /// ```no_run
    /// use kubeset_clientset::{Api, ApiResource};
    /// use kubeset_clientset::runtime::{Informer, WatcherConfig};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let crontabs = ApiResource::new("stable.example.com", "v1", "CronTab", "crontabs", true);
    /// let informer = Informer::dynamic(Api::dynamic_all(client, &crontabs), WatcherConfig::default());
    /// let store = informer.store();
    /// let by_team = store.index_label("team");
    /// tokio::spawn(informer.run(|_| {}));
    /// store.wait_until_ready().await;
    /// for crontab in by_team.get("sre") {
    ///     println!("{}", crontab["spec"]["schedule"]);
    /// }
    /// # }
    /// ```
    pub fn dynamic(api: Api<DynamicObject>, config: WatcherConfig) -> Self {
        Self::from_events(dynamic_watcher(api, config))
    }
}
