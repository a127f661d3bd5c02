//! [`Store`] and [`Writer`]: the cache a reflector keeps of the objects a watcher reports.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::watch;

use super::{Event, Object};

/// Objects by namespace (`""` for cluster-scoped objects), then by name.
type Objects<K> = HashMap<String, HashMap<String, Arc<K>>>;

/// A read-only, always-current view of the objects a [`Writer`] is fed.
///
/// Cheap to clone (two reference counts); every clone sees the same objects. Objects are
/// shared (`Arc<K>`): reading never copies one. Lookups take `&str` and allocate nothing.
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
#[derive(Debug)]
pub struct Store<K> {
    objects: Arc<RwLock<Objects<K>>>,
    ready: watch::Receiver<bool>,
}

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Self {
            objects: Arc::clone(&self.objects),
            ready: self.ready.clone(),
        }
    }
}

impl<K> Store<K> {
    fn read(&self) -> RwLockReadGuard<'_, Objects<K>> {
        // A panic while holding the lock cannot leave the maps half-updated (every update is
        // one insert or remove, or a swap), so a poisoned lock is still consistent.
        self.objects.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The object `name` in `namespace` (`None` for a cluster-scoped object).
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<K>> {
        self.read()
            .get(namespace.unwrap_or(""))
            .and_then(|names| names.get(name))
            .cloned()
    }

    /// Every object, in no particular order.
    pub fn list(&self) -> Vec<Arc<K>> {
        let objects = self.read();
        let len = objects.values().map(HashMap::len).sum();
        let mut out = Vec::with_capacity(len);
        for names in objects.values() {
            out.extend(names.values().cloned());
        }
        out
    }

    /// The objects of one namespace (`None`: the cluster-scoped ones), in no particular order.
    pub fn list_namespace(&self, namespace: Option<&str>) -> Vec<Arc<K>> {
        self.read()
            .get(namespace.unwrap_or(""))
            .map(|names| names.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The first object `predicate` accepts.
    pub fn find(&self, mut predicate: impl FnMut(&K) -> bool) -> Option<Arc<K>> {
        self.read()
            .values()
            .flat_map(HashMap::values)
            .find(|k| predicate(k))
            .cloned()
    }

    /// How many objects the store holds.
    pub fn len(&self) -> usize {
        self.read().values().map(HashMap::len).sum()
    }

    /// Whether the store holds no object.
    pub fn is_empty(&self) -> bool {
        self.read().values().all(HashMap::is_empty)
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

/// What applying one event changed, for informers' handlers.
///
/// ```
/// use std::sync::Arc;
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kubeset_clientset::runtime::{Change, Event, store};
///
/// let (_reader, mut writer) = store::<ConfigMap>();
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// let mut changes = Vec::new();
/// writer.apply_with(&Event::Apply(Arc::new(cm)), |change| changes.push(change));
/// assert!(matches!(&changes[..], [Change::Added(cm)] if cm.metadata.name.as_deref() == Some("settings")));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change<K> {
    /// A new object.
    Added(Arc<K>),
    /// An object changed: its previous and its new state.
    Updated {
        /// The state the store held.
        old: Arc<K>,
        /// The new state.
        new: Arc<K>,
    },
    /// An object was deleted: its last state (after a re-list, the last state the store
    /// held).
    Deleted(Arc<K>),
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
#[derive(Debug)]
pub struct Writer<K> {
    objects: Arc<RwLock<Objects<K>>>,
    ready: watch::Sender<bool>,
    /// The new state while a full list is coming in.
    incoming: Option<Objects<K>>,
}

/// A new, empty store: its reader and its writer.
pub fn store<K>() -> (Store<K>, Writer<K>) {
    let objects = Arc::new(RwLock::new(HashMap::new()));
    let (ready, ready_rx) = watch::channel(false);
    let reader = Store {
        objects: Arc::clone(&objects),
        ready: ready_rx,
    };
    let writer = Writer {
        objects,
        ready,
        incoming: None,
    };
    (reader, writer)
}

impl<K: Object> Writer<K> {
    /// A reader of this writer's store.
    pub fn reader(&self) -> Store<K> {
        Store {
            objects: Arc::clone(&self.objects),
            ready: self.ready.subscribe(),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, Objects<K>> {
        self.objects.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &Event<Arc<K>>) {
        self.apply_with(event, |_| {});
    }

    /// Applies one event and reports each change to `on_change`.
    ///
    /// A full list (`InitDone`) is compared with the state it replaces: new objects are
    /// `Added`, objects whose resourceVersion differs are `Updated`, and objects it lacks
    /// are `Deleted` (they went away while the watcher could not see it).
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
                let old = std::mem::replace(&mut *self.write(), new);
                self.diff(old, &mut on_change);
                self.ready.send_replace(true);
            }
            Event::Apply(object) => {
                let Some((ns, name)) = key::<K>(object) else {
                    return;
                };
                let old = insert(&mut self.write(), ns, name, Arc::clone(object));
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
                    let mut objects = self.write();
                    let mut held = false;
                    if let Some(names) = objects.get_mut(ns) {
                        held = names.remove(name).is_some();
                        if names.is_empty() {
                            objects.remove(ns);
                        }
                    }
                    held
                };
                // Only what the store held was deleted from it (client-go's DeltaFIFO ignores
                // the deletion of an unknown object too). The event's object is the last
                // state, newer than the one the store held.
                if held {
                    on_change(Change::Deleted(Arc::clone(object)));
                }
            }
        }
    }

    /// Reports how the store's objects differ from `old`, the state a full list replaced.
    /// The changes are collected first: `on_change` may read the store.
    fn diff(&self, mut old: Objects<K>, on_change: &mut impl FnMut(Change<K>)) {
        let mut changes = Vec::new();
        {
            let objects = self.objects.read().unwrap_or_else(|e| e.into_inner());
            for (ns, names) in objects.iter() {
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
