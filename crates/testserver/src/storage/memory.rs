//! The in-memory store: a persistent ordered map per revision, a bounded event history.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;

use super::{Event, EventType, Key, Snapshot, Store, StoreError, revision_of};

/// How many past revisions keep a full snapshot (for `resourceVersionMatch=Exact` and `continue`).
const SNAPSHOTS: usize = 2048;
/// How many events the watch history keeps.
const HISTORY: usize = 20_000;

/// An in-memory [`Store`]; cloning a snapshot is O(1) thanks to structural sharing.
#[derive(Debug)]
pub(crate) struct MemoryStore {
    inner: Mutex<Inner>,
    notify: tokio::sync::watch::Sender<u64>,
}

#[derive(Debug)]
struct Inner {
    revision: u64,
    current: imbl::OrdMap<Key, Arc<Value>>,
    /// Past views, oldest first.
    snapshots: VecDeque<Snapshot>,
    /// Every event with a revision above `history_start`, oldest first.
    history: VecDeque<Event>,
    history_start: u64,
}

impl Default for MemoryStore {
    fn default() -> Self {
        let (notify, _) = tokio::sync::watch::channel(1);
        MemoryStore {
            inner: Mutex::new(Inner {
                revision: 1,
                current: imbl::OrdMap::new(),
                snapshots: VecDeque::new(),
                history: VecDeque::new(),
                history_start: 1,
            }),
            notify,
        }
    }
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-written (every write
        // builds the new state first), so a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn commit(
        &self,
        inner: &mut Inner,
        kind: EventType,
        key: &Key,
        object: Option<Value>,
        previous: Option<Arc<Value>>,
    ) -> Arc<Value> {
        let revision = inner.revision + 1;
        let stamped = match object {
            Some(o) => Arc::new(stamp(o, revision)),
            None => Arc::new(stamp(
                previous.as_deref().cloned().unwrap_or(Value::Null),
                revision,
            )),
        };
        // keep the view before this revision
        inner.snapshots.push_back(Snapshot {
            revision: inner.revision,
            map: inner.current.clone(),
        });
        if inner.snapshots.len() > SNAPSHOTS {
            inner.snapshots.pop_front();
        }
        match kind {
            EventType::Deleted => {
                inner.current.remove(key);
            }
            _ => {
                inner.current.insert(key.clone(), stamped.clone());
            }
        }
        inner.revision = revision;
        inner.history.push_back(Event {
            revision,
            kind,
            key: key.clone(),
            object: stamped.clone(),
            previous,
        });
        if inner.history.len() > HISTORY
            && let Some(e) = inner.history.pop_front()
        {
            inner.history_start = e.revision;
        }
        self.notify.send_replace(revision);
        stamped
    }
}

fn stamp(mut object: Value, revision: u64) -> Value {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert(
            "resourceVersion".into(),
            Value::String(revision.to_string()),
        );
    }
    object
}

impl Store for MemoryStore {
    fn revision(&self) -> u64 {
        self.lock().revision
    }

    fn snapshot(&self, at: Option<u64>) -> Result<Snapshot, StoreError> {
        let inner = self.lock();
        let Some(at) = at else {
            return Ok(Snapshot {
                revision: inner.revision,
                map: inner.current.clone(),
            });
        };
        if at > inner.revision {
            return Err(StoreError::TooNew {
                requested: at,
                current: inner.revision,
            });
        }
        if at == inner.revision {
            return Ok(Snapshot {
                revision: at,
                map: inner.current.clone(),
            });
        }
        let oldest = inner
            .snapshots
            .front()
            .map_or(inner.revision, |s| s.revision);
        // snapshots hold consecutive revisions; find the newest at or below `at`
        match inner.snapshots.iter().rev().find(|s| s.revision <= at) {
            Some(s) if at >= oldest => Ok(Snapshot {
                revision: at,
                map: s.map.clone(),
            }),
            _ => Err(StoreError::Compacted {
                requested: at,
                oldest,
            }),
        }
    }

    fn get(&self, key: &Key) -> Option<Arc<Value>> {
        self.lock().current.get(key).cloned()
    }

    fn create(&self, key: &Key, object: Value) -> Result<Arc<Value>, StoreError> {
        let mut inner = self.lock();
        if inner.current.contains_key(key) {
            return Err(StoreError::AlreadyExists);
        }
        Ok(self.commit(&mut inner, EventType::Added, key, Some(object), None))
    }

    fn update(&self, key: &Key, expected: u64, object: Value) -> Result<Arc<Value>, StoreError> {
        let mut inner = self.lock();
        let Some(old) = inner.current.get(key).cloned() else {
            return Err(StoreError::NotFound);
        };
        let actual = revision_of(&old);
        if actual != expected {
            return Err(StoreError::Conflict { expected, actual });
        }
        Ok(self.commit(
            &mut inner,
            EventType::Modified,
            key,
            Some(object),
            Some(old),
        ))
    }

    fn delete(
        &self,
        key: &Key,
        expected: u64,
        last: Option<Value>,
    ) -> Result<Arc<Value>, StoreError> {
        let mut inner = self.lock();
        let Some(old) = inner.current.get(key).cloned() else {
            return Err(StoreError::NotFound);
        };
        let actual = revision_of(&old);
        if actual != expected {
            return Err(StoreError::Conflict { expected, actual });
        }
        Ok(self.commit(&mut inner, EventType::Deleted, key, last, Some(old)))
    }

    fn events_after(&self, after: u64) -> Result<Vec<Event>, StoreError> {
        let inner = self.lock();
        if after < inner.history_start {
            return Err(StoreError::Compacted {
                requested: after,
                oldest: inner.history_start + 1,
            });
        }
        let skip = inner.history.partition_point(|e| e.revision <= after);
        Ok(inner.history.iter().skip(skip).cloned().collect())
    }

    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.notify.subscribe()
    }

    fn compact(&self, revision: u64) {
        let mut inner = self.lock();
        let revision = revision.min(inner.revision);
        while inner
            .history
            .front()
            .is_some_and(|e| e.revision <= revision)
        {
            inner.history.pop_front();
        }
        inner.history_start = inner.history_start.max(revision);
        while inner
            .snapshots
            .front()
            .is_some_and(|s| s.revision < revision)
        {
            inner.snapshots.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::storage::Scope;

    fn key(name: &str) -> Key {
        Key::new("/configmaps", "ns", name)
    }

    #[test]
    fn writes_bump_one_global_revision_and_history_replays() {
        let s = MemoryStore::default();
        let a = s
            .create(&key("a"), json!({"metadata": {"name": "a"}}))
            .unwrap();
        assert_eq!(revision_of(&a), 2);
        assert_eq!(
            s.create(&key("a"), json!({})).unwrap_err(),
            StoreError::AlreadyExists
        );
        let b = s
            .update(&key("a"), 2, json!({"metadata": {"name": "a", "x": 1}}))
            .unwrap();
        assert_eq!(revision_of(&b), 3);
        assert!(matches!(
            s.update(&key("a"), 2, json!({})),
            Err(StoreError::Conflict { .. })
        ));
        let d = s.delete(&key("a"), 3, None).unwrap();
        assert_eq!(revision_of(&d), 4);
        let kinds: Vec<_> = s.events_after(1).unwrap().iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EventType::Added, EventType::Modified, EventType::Deleted]
        );
        // the view at revision 2 still has the object
        let scope = Scope {
            resource: "/configmaps".into(),
            namespace: None,
        };
        assert_eq!(s.snapshot(Some(2)).unwrap().range(&scope, None).count(), 1);
        assert_eq!(s.snapshot(None).unwrap().range(&scope, None).count(), 0);
        s.compact(3);
        assert!(matches!(
            s.events_after(1),
            Err(StoreError::Compacted { .. })
        ));
        assert_eq!(s.events_after(3).unwrap().len(), 1);
    }
}
