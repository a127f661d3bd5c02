//! Object storage: a narrow trait over a versioned key-value store with one global revision.
//!
//! Architecture invariant: storage knows nothing about HTTP, Kubernetes semantics or JSON beyond
//! `metadata.resourceVersion`, which it stamps on every write. Everything else (defaulting,
//! admission, conflicts on stale updates) lives in `api/`.

mod memory;

use std::sync::Arc;

use serde_json::Value;

pub(crate) use memory::MemoryStore;

/// Where an object lives: `group/plural`, namespace (empty when cluster scoped), name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key {
    /// `group/plural`, shared by every version of a resource.
    pub(crate) resource: String,
    /// Namespace, empty for cluster-scoped objects.
    pub(crate) namespace: String,
    /// Object name.
    pub(crate) name: String,
}

impl Key {
    /// Builds a key.
    pub(crate) fn new(resource: &str, namespace: &str, name: &str) -> Self {
        Key {
            resource: resource.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// A set of keys a list or watch covers.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// `group/plural`.
    pub(crate) resource: String,
    /// `Some(ns)` for one namespace, `None` for all.
    pub(crate) namespace: Option<String>,
}

impl Scope {
    /// Whether the key is inside the scope.
    pub(crate) fn contains(&self, key: &Key) -> bool {
        key.resource == self.resource
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == key.namespace)
    }
}

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    /// Created.
    Added,
    /// Updated.
    Modified,
    /// Removed.
    Deleted,
}

/// One change, as kept in the watch history.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    /// Revision of the change.
    pub(crate) revision: u64,
    /// What happened.
    pub(crate) kind: EventType,
    /// The object's key.
    pub(crate) key: Key,
    /// The object after the change (for deletions: the last state, stamped with the revision).
    pub(crate) object: Arc<Value>,
    /// The object before the change, if any.
    pub(crate) previous: Option<Arc<Value>>,
}

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum StoreError {
    /// The key is taken.
    #[error("object already exists")]
    AlreadyExists,
    /// The key is free.
    #[error("object not found")]
    NotFound,
    /// The object changed since the revision the caller read.
    #[error("object was modified: expected revision {expected}, found {actual}")]
    Conflict {
        /// Revision the caller based its write on.
        expected: u64,
        /// Revision in storage.
        actual: u64,
    },
    /// The requested revision is no longer retained.
    #[error("revision {requested} is compacted; oldest retained is {oldest}")]
    Compacted {
        /// Revision asked for.
        requested: u64,
        /// Oldest revision still available.
        oldest: u64,
    },
    /// The requested revision is in the future.
    #[error("revision {requested} is newer than the current revision {current}")]
    TooNew {
        /// Revision asked for.
        requested: u64,
        /// Current revision.
        current: u64,
    },
}

/// A consistent view of all objects at one revision.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// Revision of the view.
    pub(crate) revision: u64,
    pub(crate) map: imbl::OrdMap<Key, Arc<Value>>,
}

impl Snapshot {
    /// Objects in `scope` in key order, starting after `after` (exclusive) when given.
    pub(crate) fn range<'a>(
        &'a self,
        scope: &'a Scope,
        after: Option<&Key>,
    ) -> impl Iterator<Item = (&'a Key, &'a Arc<Value>)> + 'a {
        use std::ops::Bound;
        let start = match after {
            Some(k) => Bound::Excluded(k.clone()),
            None => Bound::Included(Key::new(
                &scope.resource,
                scope.namespace.as_deref().unwrap_or(""),
                "",
            )),
        };
        self.map
            .range((start, Bound::Unbounded))
            .take_while(move |(k, _)| {
                k.resource == scope.resource
                    && scope.namespace.as_ref().is_none_or(|ns| *ns == k.namespace)
            })
    }

    /// One object.
    pub(crate) fn get(&self, key: &Key) -> Option<&Arc<Value>> {
        self.map.get(key)
    }
}

/// The storage the API is built on.
pub(crate) trait Store: Send + Sync + std::fmt::Debug {
    /// The latest revision.
    fn revision(&self) -> u64;
    /// A view at the latest revision (`None`) or at an older retained one.
    fn snapshot(&self, at: Option<u64>) -> Result<Snapshot, StoreError>;
    /// The current object at `key`.
    fn get(&self, key: &Key) -> Option<Arc<Value>>;
    /// Stores a new object; fails if the key is taken.
    fn create(&self, key: &Key, object: Value) -> Result<Arc<Value>, StoreError>;
    /// Replaces an object if it is still at revision `expected`.
    fn update(&self, key: &Key, expected: u64, object: Value) -> Result<Arc<Value>, StoreError>;
    /// Removes an object if it is still at revision `expected`; `last` is the state the
    /// deletion event shows (the stored object when `None`). Returns that state, stamped.
    fn delete(
        &self,
        key: &Key,
        expected: u64,
        last: Option<Value>,
    ) -> Result<Arc<Value>, StoreError>;
    /// Events with a revision above `after`, or `Compacted` if some are no longer retained.
    fn events_after(&self, after: u64) -> Result<Vec<Event>, StoreError>;
    /// Notifies on every new revision.
    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64>;
    /// Forgets watch history and snapshots up to and including `revision`.
    fn compact(&self, revision: u64);
}

/// The revision stamped in an object's `metadata.resourceVersion` (0 when absent).
pub(crate) fn revision_of(object: &Value) -> u64 {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
