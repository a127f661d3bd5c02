//! [`InformerFactory`]: one [`SharedInformer`] per resource, namespace and selectors.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;

use super::{Dynamic, Object, SharedInformer, WatcherConfig};
use crate::{Api, DynamicObject, PartialObjectMetadata};

/// What makes two informers the same: the object type, the collection watched (resource and
/// namespace, as a path) and the selectors.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    objects: TypeId,
    path: String,
    labels: Option<String>,
    fields: Option<String>,
}

impl Key {
    fn new<K: 'static, T>(api: &Api<T>, config: &WatcherConfig) -> Self {
        Self {
            objects: TypeId::of::<K>(),
            path: api.collection_path().to_owned(),
            labels: config.label_selector.clone(),
            fields: config.field_selector.clone(),
        }
    }
}

/// Hands out [`SharedInformer`]s so that the parts of a program asking for the same objects
/// share one watch and one store (client-go's `SharedInformerFactory`).
///
/// Informers are keyed by object type (whole objects, metadata or [`Dynamic`]), the
/// collection (resource and namespace) and the label and field selectors; the first request
/// of a key decides its other watcher settings (page size, timeouts, backoff). The factory
/// keeps each informer running for as long as it lives. Use one factory per cluster (the
/// key does not tell clients apart). Informers are spawned on the current Tokio runtime.
///
/// ```no_run
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_clientset::runtime::{InformerFactory, WatcherConfig};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let factory = InformerFactory::default();
/// // The scheduler and the metrics exporter ask for the same pods: one watch.
/// let for_scheduler = factory.informer(client.all_pods(), WatcherConfig::default());
/// let for_metrics = factory.informer(client.all_pods(), WatcherConfig::default());
/// let by_node = for_scheduler.store().index("node", |p: &Pod| {
///     p.spec.as_ref().and_then(|s| s.node_name.clone())
/// });
/// factory.wait_until_ready().await;
/// println!("{} pods, {} on node-1", for_metrics.store().len(), by_node.count("node-1"));
/// # }
/// ```
#[derive(Default)]
pub struct InformerFactory {
    informers: Mutex<HashMap<Key, Entry>>,
}

struct Entry {
    informer: Box<dyn Any + Send + Sync>,
    ready: Arc<dyn Fn() -> futures_util::future::BoxFuture<'static, bool> + Send + Sync>,
}

impl std::fmt::Debug for InformerFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let informers = self.informers.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("InformerFactory")
            .field("informers", &informers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl InformerFactory {
    /// The shared informer of `api`'s objects selected by `config`, made on first request.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let factory = kubeset_clientset::runtime::InformerFactory::default();
    /// let nodes = factory.informer(client.nodes(), Default::default());
    /// # }
    /// ```
    pub fn informer<K>(&self, api: Api<K>, config: WatcherConfig) -> SharedInformer<K>
    where
        K: Object + DeserializeOwned + Send + Sync + 'static,
    {
        let key = Key::new::<K, K>(&api, &config);
        self.get_or_make(key, || SharedInformer::new(api, config))
    }

    /// The shared metadata informer of `api`'s objects selected by `config`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let factory = kubeset_clientset::runtime::InformerFactory::default();
    /// let secrets = factory.metadata_informer(client.all_secrets(), Default::default());
    /// # }
    /// ```
    pub fn metadata_informer<T>(
        &self,
        api: Api<T>,
        config: WatcherConfig,
    ) -> SharedInformer<PartialObjectMetadata> {
        let key = Key::new::<PartialObjectMetadata, T>(&api, &config);
        self.get_or_make(key, || SharedInformer::metadata(api, config))
    }

    /// The shared informer of a dynamic handle's objects selected by `config`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// use kubeset_clientset::{Api, ApiResource};
    ///
    /// let factory = kubeset_clientset::runtime::InformerFactory::default();
    /// let crontabs = ApiResource::new("stable.example.com", "v1", "CronTab", "crontabs", true);
    /// let informer = factory.dynamic_informer(Api::dynamic_all(client, &crontabs), Default::default());
    /// # }
    /// ```
    pub fn dynamic_informer(
        &self,
        api: Api<DynamicObject>,
        config: WatcherConfig,
    ) -> SharedInformer<Dynamic> {
        let key = Key::new::<Dynamic, DynamicObject>(&api, &config);
        self.get_or_make(key, || SharedInformer::dynamic(api, config))
    }

    fn get_or_make<K>(
        &self,
        key: Key,
        make: impl FnOnce() -> SharedInformer<K>,
    ) -> SharedInformer<K>
    where
        K: Object + Send + Sync + 'static,
    {
        let mut informers = self.informers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = informers
            .get(&key)
            .and_then(|entry| entry.informer.downcast_ref::<SharedInformer<K>>())
        {
            return found.clone();
        }
        let informer = make();
        let store = informer.store();
        let ready = Arc::new(move || {
            let store = store.clone();
            Box::pin(async move { store.wait_until_ready().await })
                as futures_util::future::BoxFuture<'static, bool>
        });
        informers.insert(
            key,
            Entry {
                informer: Box::new(informer.clone()),
                ready,
            },
        );
        informer
    }

    /// How many informers the factory runs.
    ///
    /// ```
    /// assert_eq!(kubeset_clientset::runtime::InformerFactory::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.informers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Whether the factory runs no informer.
    ///
    /// ```
    /// assert!(kubeset_clientset::runtime::InformerFactory::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until the store of every informer made so far is ready (client-go's
    /// `WaitForCacheSync`); `false` if one never will be (its watch ended first).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) {
    /// let factory = kubeset_clientset::runtime::InformerFactory::default();
    /// let nodes = factory.informer(client.nodes(), Default::default());
    /// let pods = factory.informer(client.all_pods(), Default::default());
    /// let synced = tokio::time::timeout(std::time::Duration::from_secs(30), factory.wait_until_ready()).await;
    /// assert!(matches!(synced, Ok(true)), "the caches did not sync");
    /// # }
    /// ```
    pub async fn wait_until_ready(&self) -> bool {
        let waits: Vec<_> = self
            .informers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|entry| (entry.ready)())
            .collect();
        futures_util::future::join_all(waits)
            .await
            .into_iter()
            .all(|ready| ready)
    }
}
