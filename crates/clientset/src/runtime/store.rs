//! [`Store`] and [`Writer`]: the cache a reflector keeps of the objects a watcher reports,
//! with its secondary [`Index`]es.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::watch;

use super::index::{IndexData, IndexFn};
use super::{Change, Event, Index, Object, ObjectKey};

/// Objects by namespace (`""` for cluster-scoped objects), then by name.
type Objects<K> = HashMap<String, HashMap<String, Arc<K>>>;

/// What the lock guards: the objects and every index, always consistent with each other.
pub(super) struct State<K> {
    objects: Objects<K>,
    pub(super) indexes: Vec<IndexData<K>>,
}

/// The state a store's readers, writer and index handles share.
pub(super) type Shared<K> = Arc<RwLock<State<K>>>;

impl<K> State<K> {
    pub(super) fn read(shared: &Shared<K>) -> RwLockReadGuard<'_, State<K>> {
        // A panic while holding the lock cannot leave the maps half-updated in a way a
        // reader could misread (every update is one insert or remove per map, or a swap),
        // so a poisoned lock is still usable.
        shared.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(shared: &Shared<K>) -> RwLockWriteGuard<'_, State<K>> {
        shared.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A read-only, always-current view of the objects a [`Writer`] is fed.
///
/// Cheap to clone (two reference counts); every clone sees the same objects. Objects are
/// shared (`Arc<K>`): reading never copies one. Lookups take `&str` and allocate nothing
/// beyond the answer; [`Store::index`] adds secondary indexes.
///
/// ```no_run
/// use kubeset_clientset::runtime::{WatcherConfig, reflector, store, watcher};
///
/// # async fn demo(client: kubeset_clientset::Client) {
/// let (reader, writer) = store();
/// let events = reflector(writer, watcher(client.all_pods(), WatcherConfig::default()));
/// tokio::spawn(futures_util::StreamExt::for_each(events, |_| async {}));
/// reader.wait_until_ready().await;
/// if let Some(pod) = reader.get(Some("apps"), "web-0") {
///     println!("web-0 is on {:?}", pod.spec.as_ref().and_then(|s| s.node_name.as_ref()));
/// }
/// println!("{} pods", reader.len());
/// # }
/// ```
pub struct Store<K> {
    state: Shared<K>,
    ready: watch::Receiver<bool>,
}

impl<K> std::fmt::Debug for Store<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("type", &std::any::type_name::<K>())
            .field("ready", &*self.ready.borrow())
            .finish_non_exhaustive()
    }
}

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
            ready: self.ready.clone(),
        }
    }
}

impl<K> Store<K> {
    fn read(&self) -> RwLockReadGuard<'_, State<K>> {
        State::read(&self.state)
    }

    /// The object `name` in `namespace` (`None` for a cluster-scoped object).
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        self.read()
            .objects
            .get(namespace.unwrap_or(""))
            .and_then(|names| names.get(name))
            .cloned()
    }

    /// Every object, in no particular order.
    pub fn list(&self) -> Vec<Arc<K>> {
        let state = self.read();
        let len = state.objects.values().map(HashMap::len).sum();
        let mut out = Vec::with_capacity(len);
        for names in state.objects.values() {
            out.extend(names.values().cloned());
        }
        out
    }

    /// The objects of one namespace (`None`: the cluster-scoped ones), in no particular order:
    /// the store is keyed by namespace, so this is O(1) plus the answer, no index needed.
    pub fn list_namespace(&self, namespace: Option<&str>) -> Vec<Arc<K>> {
        self.read()
            .objects
            .get(namespace.unwrap_or(""))
            .map(|names| names.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The namespaces that hold at least one object (`""` stands for cluster-scoped ones).
    ///
    /// ```
    /// # let (store, _writer) = kubeset_clientset::runtime::store::<k8s_openapi::api::core::v1::Pod>();
    /// for ns in store.namespaces() {
    ///     println!("{ns}: {} pods", store.list_namespace(Some(&ns)).len());
    /// }
    /// ```
    pub fn namespaces(&self) -> Vec<String> {
        self.read().objects.keys().cloned().collect()
    }

    /// The first object `predicate` accepts.
    pub fn find(&self, mut predicate: impl FnMut(&K) -> bool) -> Option<Arc<K>> {
        self.read()
            .objects
            .values()
            .flat_map(HashMap::values)
            .find(|k| predicate(k))
            .cloned()
    }

    /// How many objects the store holds.
    pub fn len(&self) -> usize {
        self.read().objects.values().map(HashMap::len).sum()
    }

    /// Whether the store holds no object.
    pub fn is_empty(&self) -> bool {
        self.read().objects.values().all(HashMap::is_empty)
    }

    /// Whether the first full list has been applied.
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    /// Waits until the first full list has been applied (client-go's `HasSynced`).
    ///
    /// Returns `false` if the writer was dropped before that (the store will never be
    /// ready); wrap it in `tokio::time::timeout` to bound the wait.
    pub async fn wait_until_ready(&self) -> bool {
        let mut ready = self.ready.clone();
        ready.wait_for(|r| *r).await.is_ok()
    }
}

impl<K: Object> Store<K> {
    /// Adds a secondary index: `function` gives the values (zero or more: an `Option`, a
    /// `Vec`, any iterator of `String`s) each object is filed under, and the returned handle
    /// finds the objects of a value in O(1) plus the size of the answer.
    ///
    /// An index can be added at any time, before the store fills or while it runs (unlike
    /// client-go's `AddIndexers`, which fails once the informer started): it is built from
    /// the current objects under the write lock, so it is complete and consistent the moment
    /// it is returned. `function` must depend on the object only (it is called again on the
    /// old state to take an object out of its values). `name` is for `Debug` output.
    ///
    /// ```
    /// use k8s_openapi::api::core::v1::PersistentVolume;
    /// use kubeset_clientset::runtime::store;
    ///
    /// let (pvs, _writer) = store::<PersistentVolume>();
    /// // A provisioner's question: which volumes can only be used on this node?
    /// let by_node = pvs.index("node-affinity", |pv: &PersistentVolume| {
    ///     let terms = pv.spec.as_ref()
    ///         .and_then(|s| s.node_affinity.as_ref())
    ///         .and_then(|a| a.required.as_ref())
    ///         .map(|r| r.node_selector_terms.clone())
    ///         .unwrap_or_default();
    ///     terms.into_iter()
    ///         .flat_map(|t| t.match_expressions.unwrap_or_default())
    ///         .filter(|e| e.key == "kubernetes.io/hostname" && e.operator == "In")
    ///         .flat_map(|e| e.values.unwrap_or_default())
    ///         .collect::<Vec<_>>()
    /// });
    /// assert!(by_node.get("node-1").is_empty());
    /// ```
    pub fn index<F, I>(&self, name: &str, function: F) -> Index<K>
    where
        F: Fn(&K) -> I + Send + Sync + 'static,
        I: IntoIterator<Item = String>,
    {
        let function: IndexFn<K> = Arc::new(move |k: &K| function(k).into_iter().collect());
        let name: Arc<str> = Arc::from(name);
        let mut state = State::write(&self.state);
        let mut data = IndexData::new(Arc::clone(&name), function);
        fill(&mut data, &state.objects);
        state.indexes.push(data);
        let slot = state.indexes.len() - 1;
        drop(state);
        Index::new(Arc::clone(&self.state), slot, name)
    }

    /// Adds an index by the value of the label `key`: `index_label("app").get("web")` is
    /// every object labelled `app=web`. Objects without the label are in no value.
    ///
    /// ```
    /// # let (deployments, _writer) = kubeset_clientset::runtime::store::<k8s_openapi::api::apps::v1::Deployment>();
    /// let by_team = deployments.index_label("team");
    /// let payments = by_team.get("payments");
    /// ```
    pub fn index_label(&self, key: &str) -> Index<K> {
        let label = key.to_owned();
        self.index(&format!("label {key}"), move |k: &K| {
            k.label(&label).map(str::to_owned)
        })
    }
}

/// Files every object of `objects` in `index`.
fn fill<K: Object>(index: &mut IndexData<K>, objects: &Objects<K>) {
    for (ns, names) in objects {
        for (name, object) in names {
            index.add(&ObjectKey::from_store(ns, name), object);
        }
    }
}

/// The writing half of a store: apply a watcher's events, readers see the result.
///
/// Keep one writer per store (the reflector owns it). During a re-list the old state stays
/// visible until the full new state is in, then both are swapped at once.
///
/// ```
/// use std::sync::Arc;
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kubeset_clientset::runtime::{Event, store};
///
/// let (reader, mut writer) = store::<ConfigMap>();
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// cm.metadata.namespace = Some("apps".into());
/// for event in [Event::Init, Event::InitApply(Arc::new(cm)), Event::InitDone] {
///     writer.apply(&event);
/// }
/// assert!(reader.is_ready());
/// assert!(reader.get(Some("apps"), "settings").is_some());
/// ```
pub struct Writer<K> {
    state: Shared<K>,
    ready: watch::Sender<bool>,
    /// The new state while a full list is coming in.
    incoming: Option<Objects<K>>,
}

impl<K> std::fmt::Debug for Writer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("type", &std::any::type_name::<K>())
            .field("listing", &self.incoming.is_some())
            .finish_non_exhaustive()
    }
}

/// A new, empty store: its reader and its writer.
pub fn store<K>() -> (Store<K>, Writer<K>) {
    let state = Arc::new(RwLock::new(State {
        objects: HashMap::new(),
        indexes: Vec::new(),
    }));
    let (ready, ready_rx) = watch::channel(false);
    let reader = Store {
        state: Arc::clone(&state),
        ready: ready_rx,
    };
    let writer = Writer {
        state,
        ready,
        incoming: None,
    };
    (reader, writer)
}

impl<K: Object> Writer<K> {
    /// A reader of this writer's store.
    pub fn reader(&self) -> Store<K> {
        Store {
            state: Arc::clone(&self.state),
            ready: self.ready.subscribe(),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, State<K>> {
        State::write(&self.state)
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &Event<Arc<K>>) {
        self.apply_with(event, |_| {});
    }

    /// Applies one event and reports each change to `on_change`.
    ///
    /// A full list (`InitDone`) is compared with the state it replaces: new objects are
    /// `Added`, objects whose resourceVersion differs are `Updated`, and objects it lacks
    /// are `Deleted` (they went away while the watcher could not see it). The objects and
    /// every index change together: a reader never sees one without the other.
    pub fn apply_with(&mut self, event: &Event<Arc<K>>, mut on_change: impl FnMut(Change<K>)) {
        match event {
            Event::Init => self.incoming = Some(HashMap::new()),
            Event::InitApply(object) => {
                if let Some((ns, name)) = key::<K>(object) {
                    let incoming = self.incoming.get_or_insert_with(HashMap::new);
                    insert(incoming, ns, name, Arc::clone(object));
                }
            }
            Event::InitDone => {
                let new = self.incoming.take().unwrap_or_default();
                let old = self.swap(new);
                self.diff(old, &mut on_change);
                self.ready.send_replace(true);
            }
            Event::Apply(object) => {
                let Some((ns, name)) = key::<K>(object) else {
                    return;
                };
                let old = {
                    let mut state = self.write();
                    let state = &mut *state;
                    let old = insert(&mut state.objects, ns, name, Arc::clone(object));
                    if !state.indexes.is_empty() {
                        let key = ObjectKey::from_store(ns, name);
                        for index in &mut state.indexes {
                            match &old {
                                Some(old) => index.update(&key, old, object),
                                None => index.add(&key, object),
                            }
                        }
                    }
                    old
                };
                on_change(match old {
                    Some(old) => Change::Updated {
                        old,
                        new: Arc::clone(object),
                    },
                    None => Change::Added(Arc::clone(object)),
                });
            }
            Event::Delete(object) => {
                let Some((ns, name)) = key::<K>(object) else {
                    return;
                };
                let held = {
                    let mut state = self.write();
                    let state = &mut *state;
                    let mut held = None;
                    if let Some(names) = state.objects.get_mut(ns) {
                        held = names.remove(name);
                        if names.is_empty() {
                            state.objects.remove(ns);
                        }
                    }
                    // The index entries were filed by the state the store held, not by the
                    // event's (newer) one.
                    if let Some(held) = &held
                        && !state.indexes.is_empty()
                    {
                        let key = ObjectKey::from_store(ns, name);
                        for index in &mut state.indexes {
                            index.remove(&key, held);
                        }
                    }
                    held
                };
                // Only what the store held was deleted from it (client-go's DeltaFIFO ignores
                // the deletion of an unknown object too). The event's object is the last
                // state, newer than the one the store held.
                if held.is_some() {
                    on_change(Change::Deleted(Arc::clone(object)));
                }
            }
        }
    }

    /// Replaces the objects with `new` and every index with one built from `new`, in one
    /// step for readers; returns the objects replaced.
    ///
    /// The indexes are built outside the lock (readers keep reading the old state meanwhile);
    /// one added while they were built is built under the lock.
    fn swap(&self, new: Objects<K>) -> Objects<K> {
        let mut indexes: Vec<IndexData<K>> = State::read(&self.state)
            .indexes
            .iter()
            .map(IndexData::empty_like)
            .collect();
        for index in &mut indexes {
            fill(index, &new);
        }
        let mut state = self.write();
        for late in state.indexes.iter().skip(indexes.len()) {
            let mut index = late.empty_like();
            fill(&mut index, &new);
            indexes.push(index);
        }
        state.indexes = indexes;
        std::mem::replace(&mut state.objects, new)
    }

    /// Reports how the store's objects differ from `old`, the state a full list replaced.
    /// The changes are collected first: `on_change` may read the store.
    fn diff(&self, mut old: Objects<K>, on_change: &mut impl FnMut(Change<K>)) {
        let mut changes = Vec::new();
        {
            let state = State::read(&self.state);
            for (ns, names) in state.objects.iter() {
                let mut old_names = old.remove(ns);
                for (name, new) in names {
                    match old_names.as_mut().and_then(|o| o.remove(name)) {
                        None => changes.push(Change::Added(Arc::clone(new))),
                        Some(old) if old.resource_version() != new.resource_version() => {
                            changes.push(Change::Updated {
                                old,
                                new: Arc::clone(new),
                            });
                        }
                        Some(_) => {}
                    }
                }
                changes.extend(
                    old_names
                        .into_iter()
                        .flat_map(HashMap::into_values)
                        .map(Change::Deleted),
                );
            }
        }
        changes.extend(
            old.into_values()
                .flat_map(HashMap::into_values)
                .map(Change::Deleted),
        );
        changes.into_iter().for_each(on_change);
    }
}

/// `(namespace or "", name)` of an object; `None` for an object without a name.
fn key<K: Object>(object: &K) -> Option<(&str, &str)> {
    let name = object.name().filter(|n| !n.is_empty())?;
    Some((object.namespace().unwrap_or(""), name))
}

fn insert<K>(objects: &mut Objects<K>, ns: &str, name: &str, object: Arc<K>) -> Option<Arc<K>> {
    match objects.get_mut(ns) {
        Some(names) => match names.get_mut(name) {
            Some(slot) => Some(std::mem::replace(slot, object)),
            None => names.insert(name.to_owned(), object),
        },
        None => {
            objects
                .entry(ns.to_owned())
                .or_default()
                .insert(name.to_owned(), object);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// An untyped object wrapped by a user, as the [`Object`] docs suggest.
    #[derive(Debug)]
    struct Untyped(Value);

    impl Object for Untyped {
        fn name(&self) -> Option<&str> {
            self.0.pointer("/metadata/name").and_then(Value::as_str)
        }
        fn namespace(&self) -> Option<&str> {
            self.0
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
        }
        fn resource_version(&self) -> Option<&str> {
            self.0
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
        }
    }

    #[test]
    fn a_store_keys_objects_by_namespace_and_name() {
        let (reader, mut writer) = store::<Untyped>();
        let object = |ns: Option<&str>, name: &str, rv: &str| {
            let mut meta = json!({"name": name, "resourceVersion": rv});
            if let Some(ns) = ns {
                meta["namespace"] = ns.into();
            }
            Arc::new(Untyped(json!({ "metadata": meta })))
        };
        let mut changes = Vec::new();
        let mut apply = |event: Event<Arc<Untyped>>| {
            writer.apply_with(&event, |c| {
                changes.push(match c {
                    Change::Added(k) => format!("Added {}", k.name().unwrap_or("")),
                    Change::Updated { new, .. } => format!("Updated {}", new.name().unwrap_or("")),
                    Change::Deleted(k) => format!("Deleted {}", k.name().unwrap_or("")),
                });
            });
        };
        apply(Event::Init);
        apply(Event::InitApply(object(Some("a"), "x", "1")));
        apply(Event::InitApply(object(Some("b"), "x", "2")));
        apply(Event::InitApply(object(None, "node", "3")));
        assert!(
            !reader.is_ready() && reader.is_empty(),
            "nothing shows before InitDone"
        );
        apply(Event::InitDone);
        apply(Event::Apply(object(Some("a"), "x", "4")));
        apply(Event::Delete(object(Some("b"), "x", "5")));
        // Deleting what the store never held changes nothing and reports nothing.
        apply(Event::Delete(object(Some("c"), "ghost", "6")));
        // Objects without a name are ignored.
        apply(Event::Apply(Arc::new(Untyped(json!({"metadata": {}})))));

        assert!(reader.is_ready());
        assert_eq!(reader.len(), 2);
        let rv = |k: Option<Arc<Untyped>>| k.and_then(|k| k.resource_version().map(str::to_owned));
        assert_eq!(rv(reader.get(Some("a"), "x")).as_deref(), Some("4"));
        assert_eq!(rv(reader.get(None, "node")).as_deref(), Some("3"));
        assert!(reader.get(Some("b"), "x").is_none());
        assert!(reader.get(None, "x").is_none());
        assert_eq!(reader.list_namespace(Some("a")).len(), 1);
        assert!(reader.list_namespace(Some("b")).is_empty());
        assert!(reader.find(|k| k.name() == Some("node")).is_some());
        changes[..3].sort();
        assert_eq!(
            changes,
            ["Added node", "Added x", "Added x", "Updated x", "Deleted x"]
        );
    }
}
