//! The controller runtime: what long-running daemons (controllers, schedulers, provisioners)
//! are built from, over the clientset's watchers and caches.
//!
//! - [`controller`]: a [`Controller`](controller::Controller) turns watches of a primary
//!   resource, the objects it owns and related objects into reconciles of the primary
//!   objects, one key at a time, after every cache synced, with retries and graceful
//!   shutdown.
//! - [`queue`]: the [`WorkQueue`](queue::WorkQueue) under it (client-go's work queue:
//!   de-duplicated keys, never a key twice at once, delayed and rate-limited adds).
//! - [`finalizer`]: cleanup before an object goes away, without losing other controllers'
//!   finalizers.
//! - [`predicates`] and [`streams`]: filters and adapters for watcher event streams.
//! - [`wait`]: waiting until an object meets a condition, e.g. until a
//!   CustomResourceDefinition is Established ([`wait::crd_established`]).
//!
//! The caches themselves (watcher, store, reflector, informer) live in
//! [`kubeset_clientset::runtime`] and are re-exported here, so one path names the whole runtime.
//!
//! # A complete controller
//!
//! Each Secret labelled `mirror=true` gets a ConfigMap of the same name holding its keys
//! (not its values), owned by the Secret, so that a changed or deleted ConfigMap is put back
//! and the garbage collector removes it with the Secret. A finalizer reports each mirrored
//! Secret's deletion to an outside system before the Secret goes.
//!
//! ```no_run
//! use std::collections::BTreeMap;
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use futures_util::StreamExt;
//! use k8s_openapi::api::core::v1::{ConfigMap, Secret};
//! use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
//! use kubeset_clientset::{Api, Client, Patch, PatchParams};
//! use kubeset_runtime::controller::{Action, Controller, ControllerConfig};
//! use kubeset_runtime::finalizer::{self, Event};
//! use kubeset_runtime::{WatcherConfig, predicates};
//!
//! #[derive(Debug, thiserror::Error)]
//! enum Error {
//!     #[error("the Secret has no namespace")]
//!     NoNamespace,
//!     #[error("failed to write the mirror")]
//!     Write(#[source] kubeset_clientset::Error),
//!     #[error("failed to encode the mirror")]
//!     Encode(#[source] serde_json::Error),
//! }
//!
//! /// What every reconcile shares.
//! struct Context {
//!     client: Client,
//! }
//!
//! async fn reconcile(secret: Arc<Secret>, ctx: Arc<Context>) -> Result<Action, finalizer::Error<Error>> {
//!     let ns = secret.metadata.namespace.clone().unwrap_or_default();
//!     let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &ns);
//!     finalizer::finalizer(&secrets, "example.com/mirror", secret, |event| async move {
//!         match event {
//!             Event::Apply(secret) => mirror(&secret, &ctx.client).await,
//!             Event::Cleanup(secret) => {
//!                 println!("{:?} goes away", secret.metadata.name); // tell the outside world
//!                 Ok(Action::await_change())
//!             }
//!             _ => Ok(Action::await_change()),
//!         }
//!     })
//!     .await
//! }
//!
//! /// Writes the ConfigMap with server-side apply (idempotent: the same call every time).
//! async fn mirror(secret: &Secret, client: &Client) -> Result<Action, Error> {
//!     let ns = secret.metadata.namespace.as_deref().ok_or(Error::NoNamespace)?;
//!     let name = secret.metadata.name.clone().unwrap_or_default();
//!     let keys: BTreeMap<String, String> = secret.data.iter().flatten()
//!         .map(|(k, _)| (k.clone(), String::new()))
//!         .collect();
//!     let owner = OwnerReference {
//!         api_version: "v1".into(),
//!         kind: "Secret".into(),
//!         name: name.clone(),
//!         uid: secret.metadata.uid.clone().unwrap_or_default(),
//!         controller: Some(true),
//!         ..OwnerReference::default()
//!     };
//!     let cm = ConfigMap {
//!         metadata: ObjectMeta { name: Some(name.clone()), owner_references: Some(vec![owner]), ..ObjectMeta::default() },
//!         data: Some(keys),
//!         ..ConfigMap::default()
//!     };
//!     let mut apply = serde_json::to_value(&cm).map_err(Error::Encode)?;
//!     apply["apiVersion"] = "v1".into();
//!     apply["kind"] = "ConfigMap".into();
//!     client.config_maps(ns)
//!         .patch(&name, &PatchParams::apply("mirror-controller").force(), &Patch::Apply(apply))
//!         .await
//!         .map_err(Error::Write)?;
//!     // look again in an hour even without a change
//!     Ok(Action::requeue(Duration::from_secs(3600)))
//! }
//!
//! fn hash(value: &impl std::hash::Hash) -> u64 {
//!     use std::hash::Hasher;
//!     let mut hasher = std::hash::DefaultHasher::new();
//!     value.hash(&mut hasher);
//!     hasher.finish()
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), kubeset_clientset::Error> {
//!     let client = Client::infer().await?;
//!     let selected = WatcherConfig::default().labels("mirror=true");
//!     let controller = Controller::new(client.all_secrets(), selected)
//!         // a changed or deleted mirror reconciles its Secret
//!         .owns(client.all_config_maps(), WatcherConfig::default())
//!         // a relabelling or an annotation does not reconcile; data, deletion and
//!         // finalizers do
//!         .reconcile_when(|s: &Secret| {
//!             let keys: Vec<&String> = s.data.iter().flatten().map(|(k, _)| k).collect();
//!             let finalizers = predicates::finalizers(s);
//!             let deleting = s.metadata.deletion_timestamp.is_some();
//!             Some(hash(&(keys, finalizers, deleting)))
//!         })
//!         .with_config(ControllerConfig::default().concurrency(4))
//!         .graceful_shutdown_on(async { let _ = tokio::signal::ctrl_c().await; });
//!     let context = Arc::new(Context { client });
//!     controller
//!         // an error is retried with the key's exponential backoff
//!         .run(reconcile, |_secret, _err, _ctx| Action::backoff(), context)
//!         .for_each(|result| async move {
//!             match result {
//!                 Ok((secret, _action)) => println!("mirrored {secret}"),
//!                 Err(err) => eprintln!("{err}"),
//!             }
//!         })
//!         .await;
//!     Ok(())
//! }
//! ```
//!
//! Architecture invariant: this crate only uses the public API of `kubeset-clientset`; it adds
//! no transport of its own.
//!
//! Architecture invariant: no module here spawns a task that outlives what the caller holds:
//! the queue starts none, a controller's reconcile tasks end with its result stream, a leader
//! election's campaign with its handle and an Event recorder's writer with the recorder.

pub mod controller;
pub mod events;
pub mod finalizer;
pub mod leader;
pub mod predicates;
pub mod queue;
pub mod streams;
pub mod wait;

pub use kubeset_clientset::runtime::*;

pub use events::{
    EventRecorder, EventRecorderConfig, EventType, NewEvent, RecorderStats, Reporter, reference_to,
};
pub use leader::{LeaderElectionConfig, LeaderElector, LeaderHandle, Leadership};
