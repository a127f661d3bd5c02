//! [`Subscription`]: one subscriber's stream of changes of a shared informer.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;

use super::hub::{Inner, lock};
use super::{Change, Object, Store};

/// One subscriber's changes of a [`SharedInformer`](super::SharedInformer): a `Stream` of [`Change`]s that ends when
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
    /// from the store (see [`SharedInformer`](super::SharedInformer)).
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
        lock(&self.informer.hub).resyncs(self.id)
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
        lock(&this.informer.hub).poll(this.id, &this.informer.store, cx)
    }
}

impl<K> Drop for Subscription<K> {
    fn drop(&mut self) {
        lock(&self.informer.hub).remove(self.id);
    }
}

impl<K: Object> Subscription<K> {
    /// A new subscriber of `informer`.
    pub(super) fn register(informer: &Arc<Inner<K>>) -> Self {
        let id = lock(&informer.hub).register(&informer.store);
        Self {
            informer: Arc::clone(informer),
            id,
        }
    }
}
