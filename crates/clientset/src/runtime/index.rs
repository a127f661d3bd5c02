//! [`Index`]: a secondary index of a [`Store`](super::Store), and its bookkeeping.
//!
//! An index maps each value its function returns for an object (zero or more) to the objects
//! that returned it. It lives under the store's lock next to the objects, so a reader sees
//! the objects and every index at the same instant: each single change updates both, and a
//! re-list swaps the objects and freshly built indexes in one step.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::sync::Arc;

use super::store::{Shared, State};

/// The function of an index: the values an object is found under.
pub(super) type IndexFn<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

/// The key of an object in a store: its namespace (`None` when cluster-scoped) and name.
///
/// ```
/// use kubeset_clientset::runtime::ObjectKey;
///
/// let key = ObjectKey::new(Some("apps"), "web-0");
/// assert_eq!(key.to_string(), "apps/web-0");
/// assert_eq!(ObjectKey::new(None, "node-1").to_string(), "node-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct ObjectKey {
    /// `metadata.namespace`; `None` for a cluster-scoped object.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectKey {
    /// The key of `name` in `namespace`.
    ///
    /// ```
    /// let key = kubeset_clientset::runtime::ObjectKey::new(Some("apps"), "web-0");
    /// assert_eq!((key.namespace.as_deref(), key.name.as_str()), (Some("apps"), "web-0"));
    /// ```
    pub fn new(namespace: Option<&str>, name: &str) -> Self {
        Self {
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    /// The store's form: `""` for no namespace.
    pub(super) fn from_store(ns: &str, name: &str) -> Self {
        Self::new(Some(ns).filter(|ns| !ns.is_empty()), name)
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}/{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One index's function and its buckets: value -> objects under it.
pub(super) struct IndexData<K> {
    name: Arc<str>,
    function: IndexFn<K>,
    buckets: HashMap<String, HashMap<ObjectKey, Arc<K>>>,
}

impl<K> IndexData<K> {
    /// An empty index.
    pub(super) fn new(name: Arc<str>, function: IndexFn<K>) -> Self {
        Self {
            name,
            function,
            buckets: HashMap::new(),
        }
    }

    /// The same function, no objects: for a re-list to fill.
    pub(super) fn empty_like(&self) -> Self {
        Self::new(Arc::clone(&self.name), Arc::clone(&self.function))
    }

    /// Files `object` under each of its values.
    pub(super) fn add(&mut self, key: &ObjectKey, object: &Arc<K>) {
        for value in (self.function)(object) {
            self.buckets
                .entry(value)
                .or_default()
                .insert(key.clone(), Arc::clone(object));
        }
    }

    /// Moves `key` from the values of `old` (the state filed) to those of `new`. Values both
    /// states have keep their entry (only the object is replaced): the common update, a
    /// status change, allocates nothing here beyond the function's values.
    pub(super) fn update(&mut self, key: &ObjectKey, old: &K, new: &Arc<K>) {
        let (old_values, new_values) = ((self.function)(old), (self.function)(new));
        for value in old_values {
            if !new_values.contains(&value) {
                self.remove_from(value, key);
            }
        }
        for value in new_values {
            let bucket = self.buckets.entry(value).or_default();
            match bucket.get_mut(key) {
                Some(slot) => *slot = Arc::clone(new),
                None => {
                    bucket.insert(key.clone(), Arc::clone(new));
                }
            }
        }
    }

    fn remove_from(&mut self, value: String, key: &ObjectKey) {
        if let Entry::Occupied(mut bucket) = self.buckets.entry(value) {
            bucket.get_mut().remove(key);
            if bucket.get().is_empty() {
                bucket.remove();
            }
        }
    }

    /// Takes `object` (the state filed under `key`) out of each of its values; buckets left
    /// empty go, so the index holds no value without objects.
    pub(super) fn remove(&mut self, key: &ObjectKey, object: &K) {
        for value in (self.function)(object) {
            self.remove_from(value, key);
        }
    }

    fn bucket(&self, value: &str) -> Option<&HashMap<ObjectKey, Arc<K>>> {
        self.buckets.get(value)
    }
}

/// A secondary index of a [`Store`](super::Store): the objects filed under a value, found in
/// O(1) plus the size of the answer (client-go's `Indexer.ByIndex`, typed).
///
/// Made by [`Store::index`](super::Store::index) (any function returning zero or more values
/// per object) or [`Store::index_label`](super::Store::index_label) (the value of one label);
/// lookups by namespace need no index ([`Store::list_namespace`](super::Store::list_namespace)).
/// The handle reads the store it came from, so it cannot be used with another one; clone it
/// freely. An index is always consistent with the objects: see the
/// [module documentation](super#indexes).
///
/// ```
/// use std::sync::Arc;
/// use k8s_openapi::api::core::v1::{Pod, PodSpec};
/// use kubeset_clientset::runtime::{Event, store};
///
/// let (pods, mut writer) = store::<Pod>();
/// // A scheduler's question: which pods are on this node?
/// let by_node = pods.index("node", |pod: &Pod| {
///     pod.spec.as_ref().and_then(|s| s.node_name.clone())
/// });
/// let mut pod = Pod::default();
/// pod.metadata.name = Some("web-0".into());
/// pod.metadata.namespace = Some("apps".into());
/// pod.spec = Some(PodSpec { node_name: Some("node-1".into()), ..PodSpec::default() });
/// writer.apply(&Event::Apply(Arc::new(pod)));
///
/// assert_eq!(by_node.get("node-1").len(), 1);
/// assert!(by_node.get("node-2").is_empty());
/// assert_eq!(by_node.values(), ["node-1"]);
/// ```
pub struct Index<K> {
    state: Shared<K>,
    slot: usize,
    name: Arc<str>,
}

impl<K> Clone for Index<K> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
            slot: self.slot,
            name: Arc::clone(&self.name),
        }
    }
}

impl<K> fmt::Debug for Index<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("name", &self.name)
            .field("type", &std::any::type_name::<K>())
            .finish_non_exhaustive()
    }
}

impl<K> Index<K> {
    pub(super) fn new(state: Shared<K>, slot: usize, name: Arc<str>) -> Self {
        Self { state, slot, name }
    }

    /// Runs `f` on this index's data, under the store's read lock.
    fn with<T>(&self, f: impl FnOnce(&IndexData<K>) -> T, none: T) -> T {
        let state = State::read(&self.state);
        match state.indexes.get(self.slot) {
            Some(data) => f(data),
            // Slots are only ever added: a handle's slot always exists.
            None => none,
        }
    }

    /// The name given when the index was made.
    ///
    /// ```
    /// # let (pods, _writer) = kubeset_clientset::runtime::store::<k8s_openapi::api::core::v1::Pod>();
    /// assert_eq!(pods.index_label("app").name(), "label app");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The objects filed under `value`, in no particular order (client-go's `ByIndex`).
    /// Allocates one `Vec` of exactly the answer's length.
    ///
    /// ```
    /// # use k8s_openapi::api::core::v1::Pod;
    /// # let (pods, _writer) = kubeset_clientset::runtime::store::<Pod>();
    /// let by_app = pods.index_label("app");
    /// for pod in by_app.get("web") {
    ///     println!("{:?}", pod.metadata.name);
    /// }
    /// ```
    pub fn get(&self, value: &str) -> Vec<Arc<K>> {
        self.with(
            |data| {
                data.bucket(value)
                    .map(|objects| objects.values().cloned().collect())
                    .unwrap_or_default()
            },
            Vec::new(),
        )
    }

    /// The keys of the objects filed under `value` (client-go's `IndexKeys`).
    ///
    /// ```
    /// # use k8s_openapi::api::core::v1::Pod;
    /// # let (pods, _writer) = kubeset_clientset::runtime::store::<Pod>();
    /// let by_app = pods.index_label("app");
    /// let names: Vec<String> = by_app.keys("web").iter().map(ToString::to_string).collect();
    /// ```
    pub fn keys(&self, value: &str) -> Vec<super::ObjectKey> {
        self.with(
            |data| {
                data.bucket(value)
                    .map(|objects| objects.keys().cloned().collect())
                    .unwrap_or_default()
            },
            Vec::new(),
        )
    }

    /// How many objects are filed under `value`; allocates nothing.
    ///
    /// ```
    /// # use k8s_openapi::api::core::v1::Pod;
    /// # let (pods, _writer) = kubeset_clientset::runtime::store::<Pod>();
    /// let by_node = pods.index("node", |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()));
    /// assert_eq!(by_node.count("node-1"), 0);
    /// ```
    pub fn count(&self, value: &str) -> usize {
        self.with(|data| data.bucket(value).map_or(0, HashMap::len), 0)
    }

    /// Every value at least one object is filed under, in no particular order (client-go's
    /// `ListIndexFuncValues`).
    ///
    /// ```
    /// # use k8s_openapi::api::core::v1::Pod;
    /// # let (pods, _writer) = kubeset_clientset::runtime::store::<Pod>();
    /// let by_node = pods.index("node", |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()));
    /// let busy_nodes = by_node.values();
    /// ```
    pub fn values(&self) -> Vec<String> {
        self.with(|data| data.buckets.keys().cloned().collect(), Vec::new())
    }
}
