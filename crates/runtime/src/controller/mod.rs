//! [`Controller`]: watches turned into reconciles of the primary objects, one key at a time.
//!
//! The guarantees:
//!
//! - **A reconcile sees the change that caused it, or a later state.** Every change of a
//!   primary object queues its key; a key is never reconciled twice at once, and a key
//!   changed during its reconcile is reconciled once more after it (the [`WorkQueue`]'s
//!   guarantees). The reconcile reads the object from the cache, which the watch updated
//!   before the key was queued.
//! - **No reconcile before the caches are complete:** reconciles start once the primary
//!   cache and every cache of [`owns`](Controller::owns) and [`watches`](Controller::watches)
//!   has its first full list (client-go's `WaitForCacheSync`).
//! - **Nothing reconciled that is gone:** a key whose object is no longer in the cache when
//!   its turn comes is dropped (use a [finalizer](crate::finalizer) to act on deletion).
//! - **Faults cost no change:** the watchers resume after closed watches and list again
//!   after 410 Gone; what a re-list shows changed or deleted (primary, owned or watched)
//!   queues its keys, what it shows unchanged queues nothing.
//! - **Retries are paced:** [`Action::backoff`] waits the key's exponential backoff and the
//!   overall token bucket; a successful reconcile starts the key's backoff over.
//! - **Graceful shutdown:** when the future given to
//!   [`graceful_shutdown_on`](Controller::graceful_shutdown_on) completes, no new reconcile
//!   starts, running ones get [`ControllerConfig::shutdown_timeout`] to finish, and the
//!   result stream ends.
//!
//! A reconcile that panics is reported as [`Error::ReconcilePanicked`] and retried with
//! backoff; the controller goes on.

mod action;
mod config;
mod error;
mod object_ref;
mod run;
mod source;

use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, Stream, StreamExt};
use k8s_openapi::Resource;
use kubeset_clientset::runtime::{
    Object, Store, WatcherConfig, Writer, metadata_watcher, store, watcher,
};
use kubeset_clientset::{Api, PartialObjectMetadata};
use serde::de::DeserializeOwned;

pub use action::Action;
pub use config::ControllerConfig;
pub use error::Error;
pub use object_ref::ObjectRef;

use crate::queue::WorkQueue;
use source::Source;

type Predicate<K> = Box<source::PredicateFn<K>>;

/// Reconciles the objects of one resource (the primary) whenever they, the objects they own,
/// or related objects change (kube-runtime's `Controller`; client-go's informers, work queue
/// and workers in one). See the [module docs](self) for the guarantees.
///
/// ```no_run
/// use std::sync::Arc;
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use k8s_openapi::api::core::v1::{ConfigMap, Secret};
/// use kubeset_runtime::WatcherConfig;
/// use kubeset_runtime::controller::{Action, Controller};
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("the write failed")]
/// struct Failed(#[source] kubeset_clientset::Error);
///
/// async fn reconcile(secret: Arc<Secret>, _ctx: Arc<()>) -> Result<Action, Failed> {
///     println!("reconciling {:?}", secret.metadata.name);
///     Ok(Action::requeue(Duration::from_secs(600)))
/// }
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let controller = Controller::new(client.secrets("apps"), WatcherConfig::default())
///     .owns(client.config_maps("apps"), WatcherConfig::default());
/// let results = controller.run(reconcile, |_, _, _| Action::backoff(), Arc::new(()));
/// results.for_each(|result| async move {
///     match result {
///         Ok((object, action)) => println!("{object}: {action:?}"),
///         Err(err) => eprintln!("{err}"),
///     }
/// }).await;
/// # }
/// ```
pub struct Controller<K> {
    store: Store<K>,
    /// The primary watch, made into a source when the controller runs.
    primary: (Api<K>, WatcherConfig, Writer<K>),
    predicate: Option<Predicate<K>>,
    sources: Vec<Source>,
    config: ControllerConfig,
    shutdown: Option<BoxFuture<'static, ()>>,
}

impl<K> std::fmt::Debug for Controller<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("type", &std::any::type_name::<K>())
            .field("sources", &self.sources.len())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<K> Controller<K>
where
    K: Resource + Object + DeserializeOwned + Send + Sync + 'static,
{
    /// A controller of `api`'s objects, selected and watched as `config` says.
    ///
    /// ```no_run
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::Controller;
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// let controller = Controller::new(client.all_pods(), WatcherConfig::default().labels("app=web"));
    /// # }
    /// ```
    pub fn new(api: Api<K>, config: WatcherConfig) -> Self {
        let (reader, writer) = store();
        Self {
            store: reader,
            primary: (api, config, writer),
            predicate: None,
            sources: Vec::new(),
            config: ControllerConfig::default(),
            shutdown: None,
        }
    }

    /// Also reconciles the owner of each object of `api` that changes: the owner named in
    /// its `ownerReferences` with `controller: true` whose kind and apiVersion are the
    /// primary's (client-go's `handleObject`). Both owners of an update that moved an object
    /// are reconciled, and so is the owner of a deleted object (to recreate it).
    ///
    /// Only the owned objects' metadata is watched and cached, a fraction of their memory.
    ///
    /// ```no_run
    /// use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
    /// use kubeset_clientset::Api;
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::Controller;
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// // a Deployment controller is told when a ReplicaSet it controls changes
    /// let deployments = Api::<Deployment>::namespaced(client.clone(), "apps");
    /// let replica_sets = Api::<ReplicaSet>::namespaced(client, "apps");
    /// let controller = Controller::new(deployments, WatcherConfig::default())
    ///     .owns(replica_sets, WatcherConfig::default());
    /// # }
    /// ```
    pub fn owns<C>(mut self, api: Api<C>, config: WatcherConfig) -> Self {
        let cluster_scoped = std::any::TypeId::of::<K::Scope>()
            == std::any::TypeId::of::<k8s_openapi::ClusterResourceScope>();
        let (_, writer) = store::<PartialObjectMetadata>();
        let owned = source::source(
            Arc::from(api.collection_path()),
            metadata_watcher(api, config),
            writer,
            move |change, keys| {
                for object in source::objects(change) {
                    let meta = &object.metadata;
                    // an owner is cluster-scoped or in its object's namespace
                    let namespace = if cluster_scoped {
                        None
                    } else {
                        meta.namespace.as_deref()
                    };
                    keys.extend(source::controller_of(
                        meta.owner_references.as_deref(),
                        K::API_VERSION,
                        K::KIND,
                        namespace,
                    ));
                }
            },
        );
        self.sources.push(owned);
        self
    }

    /// Also reconciles the keys `mapper` returns for each object of `api` that changes
    /// (for an update, the keys of its old and of its new state; for a deletion, of its
    /// last state).
    ///
    /// The related objects are cached, so that a re-list after a watch gap can tell what
    /// changed.
    ///
    /// ```no_run
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::{Controller, ObjectRef};
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// // pods name the ConfigMap they read in an annotation; reconcile a pod when it changes
    /// let controller = Controller::new(client.pods("apps"), WatcherConfig::default())
    ///     .watches(client.config_maps("apps"), WatcherConfig::default(), |cm: &ConfigMap| {
    ///         let pod = cm.metadata.annotations.as_ref().and_then(|a| a.get("example.com/pod"));
    ///         pod.map(|name| ObjectRef::new(name).within("apps"))
    ///     });
    /// # }
    /// ```
    pub fn watches<R, I>(
        mut self,
        api: Api<R>,
        config: WatcherConfig,
        mapper: impl Fn(&R) -> I + Send + 'static,
    ) -> Self
    where
        R: Object + DeserializeOwned + Send + Sync + 'static,
        I: IntoIterator<Item = ObjectRef>,
    {
        let (_, writer) = store::<R>();
        let related = source::source(
            Arc::from(api.collection_path()),
            watcher(api, config),
            writer,
            move |change, keys| {
                for object in source::objects(change) {
                    keys.extend(mapper(object));
                }
            },
        );
        self.sources.push(related);
        self
    }

    /// Also reconciles each key `keys` yields (kube-runtime's `reconcile_on`): a timer, a
    /// channel fed by something outside the cluster. The stream may end.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::{Controller, ObjectRef};
    ///
    /// # fn demo(client: kubeset_clientset::Client, webhook: tokio::sync::mpsc::Receiver<String>) {
    /// let keys = futures_util::stream::unfold(webhook, |mut rx| async move {
    ///     rx.recv().await.map(|name| (ObjectRef::new(&name).within("apps"), rx))
    /// });
    /// let controller = Controller::new(client.secrets("apps"), WatcherConfig::default())
    ///     .reconcile_on(keys);
    /// # }
    /// ```
    pub fn reconcile_on(mut self, keys: impl Stream<Item = ObjectRef> + Send + 'static) -> Self {
        self.sources.push(source::triggers(keys));
        self
    }

    /// Reconciles every primary object in the cache each time `trigger` yields (kube-runtime's
    /// `reconcile_all_on`): after a configuration reload, or on a timer. The stream may end.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use futures_util::stream;
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::Controller;
    ///
    /// # fn demo(client: kubeset_clientset::Client, reloads: tokio::sync::watch::Receiver<()>) {
    /// let reloaded = stream::unfold(reloads, |mut rx| async move {
    ///     rx.changed().await.ok().map(|()| ((), rx))
    /// });
    /// let controller = Controller::new(client.secrets("apps"), WatcherConfig::default())
    ///     .reconcile_all_on(reloaded);
    /// # }
    /// ```
    pub fn reconcile_all_on(mut self, trigger: impl Stream<Item = ()> + Send + 'static) -> Self {
        let store = self.store.clone();
        let keys = trigger.flat_map(move |()| {
            let keys: Vec<ObjectRef> = store
                .list()
                .iter()
                .filter_map(|k| ObjectRef::from_object(&**k))
                .collect();
            futures_util::stream::iter(keys)
        });
        self.sources.push(source::triggers(keys));
        self
    }

    /// Reconciles a changed primary object only when `predicate` gives different values
    /// for its old and new states (or `None` for either); new objects are always
    /// reconciled. Owned and watched objects, and [`reconcile_on`](Self::reconcile_on),
    /// are not filtered. See [`predicates`](crate::predicates).
    ///
    /// Unlike a filter on the event stream this keeps no state: the cache holds the old
    /// state.
    ///
    /// ```no_run
    /// use k8s_openapi::api::apps::v1::Deployment;
    /// use kubeset_clientset::Api;
    /// use kubeset_runtime::{WatcherConfig, predicates};
    /// use kubeset_runtime::controller::Controller;
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// // status updates (our own included) do not reconcile again
    /// let controller = Controller::new(Api::<Deployment>::all(client), WatcherConfig::default())
    ///     .reconcile_when(predicates::generation_or_deletion);
    /// # }
    /// ```
    pub fn reconcile_when(
        mut self,
        predicate: impl Fn(&K) -> Option<u64> + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(Box::new(predicate));
        self
    }

    /// Sets how the controller runs.
    ///
    /// ```no_run
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::{Controller, ControllerConfig};
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// let controller = Controller::new(client.secrets("apps"), WatcherConfig::default())
    ///     .with_config(ControllerConfig::default().concurrency(16));
    /// # }
    /// ```
    pub fn with_config(mut self, config: ControllerConfig) -> Self {
        self.config = config;
        self
    }

    /// Shuts down gracefully when `signal` completes: no reconcile starts after it, running
    /// ones get [`ControllerConfig::shutdown_timeout`] to finish (then they are cancelled),
    /// and the result stream ends.
    ///
    /// ```no_run
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::Controller;
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// let controller = Controller::new(client.secrets("apps"), WatcherConfig::default())
    ///     .graceful_shutdown_on(async { let _ = tokio::signal::ctrl_c().await; });
    /// # }
    /// ```
    pub fn graceful_shutdown_on(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.shutdown = Some(signal.boxed());
        self
    }

    /// The cache of the primary objects (the one reconciles read from); clone it freely.
    ///
    /// ```no_run
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::Controller;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let controller = Controller::new(client.secrets("apps"), WatcherConfig::default());
    /// let secrets = controller.store();
    /// // ... run the controller, then elsewhere:
    /// secrets.wait_until_ready().await;
    /// println!("{} secrets", secrets.len());
    /// # }
    /// ```
    pub fn store(&self) -> Store<K> {
        self.store.clone()
    }

    /// Runs the controller: the returned stream drives the watches and the reconciles, and
    /// yields the outcome of each reconcile and each watch error. Poll it to the end (it
    /// ends only after a graceful shutdown); dropping it stops everything at once.
    ///
    /// `reconcile` gets the object from the cache and the shared `context`, and says when
    /// to come back ([`Action`]). When it fails, `error_policy` decides that instead (usually
    /// [`Action::backoff`]). Reconciles run as tokio tasks, at most
    /// [`ControllerConfig::concurrency`] at once.
    ///
    /// ```no_run
    /// use std::sync::Arc;
    /// use futures_util::StreamExt;
    /// use k8s_openapi::api::core::v1::Secret;
    /// use kubeset_runtime::WatcherConfig;
    /// use kubeset_runtime::controller::{Action, Controller};
    ///
    /// struct Context { client: kubeset_clientset::Client }
    ///
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let context = Arc::new(Context { client: client.clone() });
    /// Controller::new(client.secrets("apps"), WatcherConfig::default())
    ///     .run(
    ///         |secret: Arc<Secret>, ctx: Arc<Context>| async move {
    ///             let _ = (&secret, &ctx.client);
    ///             Ok::<_, kubeset_clientset::Error>(Action::await_change())
    ///         },
    ///         |_secret, _err, _ctx| Action::backoff(),
    ///         context,
    ///     )
    ///     .for_each(|_| async {})
    ///     .await;
    /// # }
    /// ```
    pub fn run<Ctx, R, Fut, E, P>(
        self,
        reconcile: R,
        error_policy: P,
        context: Arc<Ctx>,
    ) -> impl Stream<Item = Result<(ObjectRef, Action), Error<E>>> + Send + 'static
    where
        Ctx: Send + Sync + 'static,
        R: Fn(Arc<K>, Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Action, E>> + Send + 'static,
        E: std::error::Error + Send + 'static,
        P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
    {
        let queue = WorkQueue::new(self.config.rate_limiter);
        let (api, config, writer) = self.primary;
        let predicate = self.predicate;
        let primary = source::source(
            Arc::from(api.collection_path()),
            watcher(api, config),
            writer,
            move |change, keys| source::own_key(change, predicate.as_deref(), keys),
        );
        let mut sources = self.sources;
        sources.insert(0, primary);
        run::Run::new(
            self.store,
            sources,
            queue,
            self.config,
            self.shutdown,
            run::Handlers {
                reconcile,
                error_policy,
                context,
            },
        )
        .into_stream()
    }
}
