//! Stream helpers for watcher event streams (kube-runtime's `WatchStreamExt` functions).
//!
//! There is no `default_backoff` here, on purpose: kube-runtime's watcher yields errors
//! without waiting, so its users add a backoff to the stream. The clientset's
//! [`watcher`](crate::watcher) already waits between failures (a jittered exponential
//! backoff, client-go's 800 ms doubling to 30 s, set with
//! [`WatcherConfig::backoff`](crate::WatcherConfig::backoff), and at least what a 429's
//! `retryAfterSeconds` asks for); another one on top would only delay recovery.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use kubeset_runtime::{WatcherConfig, predicates, watcher};
//! use kubeset_runtime::streams::{applied_objects, predicate_filter};
//!
//! # async fn demo(client: kubeset_clientset::Client) {
//! let pvcs = applied_objects(watcher(client.all_persistent_volume_claims(), WatcherConfig::default()));
//! let spec_changes = predicate_filter(pvcs, predicates::generation);
//! let mut spec_changes = std::pin::pin!(spec_changes);
//! while let Some(pvc) = spec_changes.next().await {
//!     match pvc {
//!         Ok(pvc) => println!("{:?} changed its spec", pvc.metadata.name),
//!         Err(err) => eprintln!("watch failed, retrying: {err}"),
//!     }
//! }
//! # }
//! ```

use std::collections::HashMap;

use futures_util::{Stream, StreamExt};
use kubeset_clientset::runtime::{Event, Object};

use crate::controller::ObjectRef;

/// The objects added or changed, as a watcher reports them (the objects of every
/// `InitApply` and `Apply`); deletions and list brackets are dropped.
///
/// ```
/// use futures_util::{StreamExt, stream};
/// use kubeset_runtime::Event;
/// use kubeset_runtime::streams::applied_objects;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let events = stream::iter([Event::Init, Event::InitApply("a"), Event::InitDone, Event::Apply("b"), Event::Delete("a")].map(Ok::<_, kubeset_clientset::Error>));
/// let objects: Vec<_> = applied_objects(events).map(Result::unwrap).collect().await;
/// assert_eq!(objects, ["a", "b"]);
/// # }
/// ```
pub fn applied_objects<K, E>(
    events: impl Stream<Item = Result<Event<K>, E>>,
) -> impl Stream<Item = Result<K, E>> {
    events.filter_map(|event| {
        std::future::ready(match event {
            Ok(Event::InitApply(k) | Event::Apply(k)) => Some(Ok(k)),
            Ok(_) => None,
            Err(err) => Some(Err(err)),
        })
    })
}

/// The objects added, changed or deleted, as a watcher reports them (a deleted object in
/// its last state); list brackets are dropped.
///
/// ```
/// use futures_util::{StreamExt, stream};
/// use kubeset_runtime::Event;
/// use kubeset_runtime::streams::touched_objects;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let events = stream::iter([Event::Init, Event::InitApply("a"), Event::InitDone, Event::Delete("a")].map(Ok::<_, kubeset_clientset::Error>));
/// let objects: Vec<_> = touched_objects(events).map(Result::unwrap).collect().await;
/// assert_eq!(objects, ["a", "a"]);
/// # }
/// ```
pub fn touched_objects<K, E>(
    events: impl Stream<Item = Result<Event<K>, E>>,
) -> impl Stream<Item = Result<K, E>> {
    events.filter_map(|event| std::future::ready(event.map(Event::into_object).transpose()))
}

/// Passes an object only when `predicate` gives a value other than the last one it gave for
/// the same object (by namespace and name), or `None`. Errors pass.
///
/// Remembers one `u64` per object seen; without deletions in the stream it cannot forget
/// deleted objects, so prefer [`Controller::reconcile_when`](crate::controller::Controller::reconcile_when)
/// (which compares old and new states and keeps nothing) for a controller's primary objects.
///
/// ```
/// use futures_util::{StreamExt, stream};
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kubeset_runtime::predicates;
/// use kubeset_runtime::streams::predicate_filter;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let version = |label: &str| {
///     let mut cm = ConfigMap::default();
///     cm.metadata.name = Some("settings".into());
///     cm.metadata.labels = Some([("v".to_string(), label.to_string())].into());
///     cm
/// };
/// let objects = stream::iter([version("1"), version("1"), version("2")].map(Ok::<_, ()>));
/// let passed = predicate_filter(objects, predicates::labels).count().await;
/// assert_eq!(passed, 2, "the repeat is dropped");
/// # }
/// ```
pub fn predicate_filter<K, E>(
    objects: impl Stream<Item = Result<K, E>>,
    predicate: impl Fn(&K) -> Option<u64>,
) -> impl Stream<Item = Result<K, E>>
where
    K: Object,
{
    let mut last: HashMap<ObjectRef, u64> = HashMap::new();
    objects.filter_map(move |object| {
        let pass = match &object {
            Ok(k) => match (predicate(k), ObjectRef::from_object(k)) {
                (Some(value), Some(key)) => last.insert(key, value) != Some(value),
                _ => true,
            },
            Err(_) => true,
        };
        std::future::ready(pass.then_some(object))
    })
}
