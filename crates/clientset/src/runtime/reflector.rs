//! [`reflector`]: feeds a store's [`Writer`] from a watcher stream.

use std::sync::Arc;

use futures_util::{Stream, StreamExt};

use super::{Event, Object, Writer};
use crate::Error;

/// Applies every event of `events` to `writer` and passes it on, its object shared (`Arc`)
/// with the store rather than copied.
///
/// The returned stream must be polled for the store to fill: spawn it, or consume it as part
/// of your controller. Errors pass through unchanged (the watcher retries on its own).
///
/// ```no_run
/// use futures_util::StreamExt;
/// use kubeset_clientset::runtime::{Event, WatcherConfig, reflector, store, watcher};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let (nodes, writer) = store();
/// let events = reflector(writer, watcher(client.nodes(), WatcherConfig::default()));
/// let mut events = std::pin::pin!(events);
/// // An error does not end the stream (the watcher retries): stopping at one would leave
/// // the store behind the cluster.
/// while let Some(event) = events.next().await {
///     match event {
///         Ok(Event::Apply(node)) => {
///             println!("{:?} changed; {} nodes known", node.metadata.name, nodes.len());
///         }
///         Ok(_) => {}
///         Err(err) => eprintln!("node watch failed, retrying: {err}"),
///     }
/// }
/// # }
/// ```
pub fn reflector<K, S>(
    mut writer: Writer<K>,
    events: S,
) -> impl Stream<Item = Result<Event<Arc<K>>, Error>>
where
    K: Object,
    S: Stream<Item = Result<Event<K>, Error>>,
{
    events.map(move |event| {
        event.map(|event| {
            let event = event.map(Arc::new);
            writer.apply(&event);
            event
        })
    })
}
