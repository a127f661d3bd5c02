//! The controller runtime: a [`watcher`] that never loses an event, a [`Store`] it keeps
//! current through a [`reflector`], secondary [`Index`]es on the store, an [`Informer`] that
//! ties them together and reports each change, and a [`SharedInformer`] (handed out by an
//! [`InformerFactory`]) that shares one watch and one store among many subscribers.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use kubeset_clientset::runtime::{Event, WatcherConfig, reflector, store, watcher};
//!
//! # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
//! // A cache of the cluster's nodes, kept current, for a scheduler's filters.
//! let (nodes, writer) = store();
//! let events = reflector(writer, watcher(client.nodes(), WatcherConfig::default()));
//! tokio::spawn(async move {
//!     let mut events = std::pin::pin!(events);
//!     // Errors are reported and retried by the watcher: keep polling through them, or the
//!     // cache stops following the cluster.
//!     while let Some(event) = events.next().await {
//!         match event {
//!             Ok(Event::InitDone) => println!("node cache synced"),
//!             Ok(_) => {}
//!             Err(err) => eprintln!("node watch failed, retrying: {err}"),
//!         }
//!     }
//! });
//! nodes.wait_until_ready().await;
//! let schedulable = nodes.list().into_iter().filter(|n| {
//!     !n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false)
//! });
//! println!("{} schedulable nodes", schedulable.count());
//! # Ok(()) }
//! ```
//!
//! # Indexes
//!
//! A store answers "the object with this key" and "the objects of this namespace" in O(1).
//! For any other question a controller asks often, add an index: [`Store::index`] files
//! each object under the values a function returns for it (zero or more), and
//! [`Store::index_label`] under the value of a label. The returned [`Index`] is a typed
//! handle: `get(value)` answers in O(1) plus the size of the answer, with the store's own
//! `Arc`s, allocating only the `Vec` it returns.
//!
//! A scheduler places pods by what is already on each node:
//!
//! ```no_run
//! use k8s_openapi::api::core::v1::Pod;
//! use kubeset_clientset::runtime::{InformerFactory, WatcherConfig};
//!
//! # async fn demo(client: kubeset_clientset::Client) {
//! let factory = InformerFactory::default();
//! let pods = factory.informer(client.all_pods(), WatcherConfig::default());
//! let by_node = pods.store().index("pods-by-node", |pod: &Pod| {
//!     pod.spec.as_ref().and_then(|s| s.node_name.clone())
//! });
//! let by_app = pods.store().index_label("app");
//! factory.wait_until_ready().await;
//! for node in ["node-1", "node-2"] {
//!     let requested: usize = by_node.get(node).iter()
//!         .map(|p| p.spec.as_ref().map_or(0, |s| s.containers.len()))
//!         .sum();
//!     println!("{node}: {} pods, {requested} containers", by_node.count(node));
//! }
//! println!("{} web pods", by_app.count("web"));
//! # }
//! ```
//!
//! Guarantees:
//!
//! - The objects and every index live under one lock. A single change (an `Apply`, a
//!   `Delete`) updates the object and each index in one critical section; a re-list builds
//!   the new objects and new indexes aside and swaps them in together at `InitDone`. A
//!   reader never sees an index that disagrees with the objects, nor a half-applied re-list.
//! - An object is taken out of an index by the values of the state the store held (the
//!   function is called on it again), so index functions must depend on the object only.
//! - Indexes may be added at any time, also after the store filled (unlike client-go's
//!   `AddIndexers`): a new index is built from the current objects under the write lock.
//! - A store of untyped objects works the same way: [`Dynamic`] wraps a
//!   [`DynamicObject`](crate::DynamicObject), [`dynamic_watcher`] and [`Informer::dynamic`]
//!   watch one; [`metadata_watcher`] and [`Informer::metadata`] keep only metadata.
//!
//! # Shared informers
//!
//! A [`SharedInformer`] runs one watch into one store and hands each
//! [`subscribe`](SharedInformer::subscribe)r its own stream of [`Change`]s: a late
//! subscriber first gets the current state as `Added` changes, then the live ones, with
//! nothing missed or repeated at the seam; a subscriber that falls more than its buffer
//! behind is re-synced from the store (one change per object it is behind on) instead of
//! blocking the others or growing without bound. An [`InformerFactory`] makes one shared
//! informer per object type, resource, namespace and selectors.
//!
//! Architecture invariant: the runtime only uses the public verbs of [`Api`](crate::Api)
//! (`list`, `watch` and their metadata forms); it adds no transport of its own.

mod backoff;
mod change;
mod config;
mod dynamic;
mod event;
mod factory;
mod index;
mod informer;
mod object;
mod reflector;
mod shared;
mod store;
mod watcher;

#[cfg(test)]
mod index_tests;
#[cfg(test)]
mod shared_tests;
#[cfg(test)]
mod tests;

pub use backoff::Backoff;
pub use change::Change;
pub use config::{InitialList, ListVersion, WatcherConfig};
pub use dynamic::{Dynamic, dynamic_watcher};
pub use event::Event;
pub use factory::InformerFactory;
pub use index::{Index, ObjectKey};
pub use informer::Informer;
pub use object::Object;
pub use reflector::reflector;
pub use shared::{DEFAULT_BUFFER, SharedInformer, Subscription};
pub use store::{Store, Writer, store};
pub use watcher::{metadata_watcher, watcher};
