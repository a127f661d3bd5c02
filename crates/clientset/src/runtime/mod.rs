//! The controller runtime: a [`watcher`] that never loses an event, a [`Store`] it keeps
//! current through a [`reflector`], and an [`Informer`] that ties them together and reports
//! each change.
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
//! Architecture invariant: the runtime only uses the public verbs of [`Api`](crate::Api)
//! (`list`, `watch` and their metadata forms); it adds no transport of its own.

mod backoff;
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
pub use config::{InitialList, ListVersion, WatcherConfig};
pub use dynamic::{Dynamic, dynamic_watcher};
pub use event::Event;
pub use factory::InformerFactory;
pub use index::{Index, ObjectKey};
pub use informer::Informer;
pub use object::Object;
pub use reflector::reflector;
pub use shared::{DEFAULT_BUFFER, SharedInformer, Subscription};
pub use store::{Change, Store, Writer, store};
pub use watcher::{metadata_watcher, watcher};
