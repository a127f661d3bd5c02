//! The state a shared informer's watch task and its subscriptions share: the store, and one
//! queue of changes per subscriber, all under one lock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::sync::oneshot;

use super::{Change, Object, ObjectKey, Store};

/// What the handles of one shared informer and its subscriptions share.
pub(super) struct Inner<K> {
    pub(super) store: Store<K>,
    pub(super) hub: Arc<Mutex<Hub<K>>>,
    /// Dropped with the last handle or subscription: stops the watch task.
    pub(super) _stop: oneshot::Sender<()>,
}

/// The subscribers' queues; the watch task publishes each change under its lock.
pub(super) struct Hub<K> {
    subscribers: HashMap<u64, Queue<K>>,
    next_id: u64,
    buffer: usize,
    /// The watch ended (its events ended): subscriptions end once drained.
    ended: bool,
}

/// One subscriber's waiting changes.
struct Queue<K> {
    changes: VecDeque<Change<K>>,
    /// How many of `changes` (at the front) are the snapshot a late subscriber started
    /// with: they do not count against the buffer.
    snapshot: usize,
    /// Set once the buffer overflowed: the state the subscriber last saw of each object
    /// changed since (`None`: it saw none).
    behind: Option<HashMap<ObjectKey, Option<Arc<K>>>>,
    resyncs: u64,
    waker: Option<Waker>,
}

pub(super) fn lock<K>(hub: &Mutex<Hub<K>>) -> MutexGuard<'_, Hub<K>> {
    // Every critical section leaves the queues consistent before anything can panic.
    hub.lock().unwrap_or_else(|e| e.into_inner())
}

impl<K> Hub<K> {
    pub(super) fn new(buffer: usize) -> Self {
        Self {
            subscribers: HashMap::new(),
            next_id: 0,
            buffer: buffer.max(1),
            ended: false,
        }
    }

    pub(super) fn set_buffer(&mut self, buffer: usize) {
        self.buffer = buffer.max(1);
    }

    pub(super) fn len(&self) -> usize {
        self.subscribers.len()
    }

    /// How often subscriber `id` was re-synced.
    pub(super) fn resyncs(&self, id: u64) -> u64 {
        self.subscribers.get(&id).map_or(0, |q| q.resyncs)
    }

    pub(super) fn remove(&mut self, id: u64) {
        self.subscribers.remove(&id);
    }
}

impl<K: Object> Hub<K> {
    pub(super) fn publish(&mut self, change: &Change<K>) {
        let buffer = self.buffer;
        for queue in self.subscribers.values_mut() {
            queue.push(change, buffer);
        }
    }

    pub(super) fn end(&mut self) {
        self.ended = true;
        for queue in self.subscribers.values_mut() {
            if let Some(waker) = queue.waker.take() {
                waker.wake();
            }
        }
    }
}

impl<K: Object> Queue<K> {
    fn push(&mut self, change: &Change<K>, buffer: usize) {
        if self.behind.is_none() && self.changes.len() - self.snapshot >= buffer {
            // Overflow: keep only what the subscriber saw of each object it has pending.
            self.resyncs += 1;
            let mut behind = HashMap::new();
            self.snapshot = 0;
            for pending in self.changes.drain(..) {
                remember(&mut behind, &pending);
            }
            self.behind = Some(behind);
        }
        match &mut self.behind {
            Some(behind) => remember(behind, change),
            None => self.changes.push_back(change.clone()),
        }
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// After an overflow: one change per object remembered, from what the subscriber saw to
    /// what `store` holds now.
    fn resync(&mut self, store: &Store<K>) {
        let Some(behind) = self.behind.take() else {
            return;
        };
        for (key, seen) in behind {
            let now = store.get(key.namespace.as_deref(), &key.name);
            let change = match (seen, now) {
                (None, Some(now)) => Change::Added(now),
                (Some(seen), Some(now)) if seen.resource_version() != now.resource_version() => {
                    Change::Updated {
                        old: seen,
                        new: now,
                    }
                }
                (Some(seen), None) => Change::Deleted(seen),
                _ => continue,
            };
            self.changes.push_back(change);
        }
    }
}

/// Records that the object of `change` changed, keeping the earliest state the subscriber
/// saw of it.
fn remember<K: Object>(behind: &mut HashMap<ObjectKey, Option<Arc<K>>>, change: &Change<K>) {
    let (object, seen) = match change {
        Change::Added(new) => (new, None),
        Change::Updated { old, .. } => (old, Some(Arc::clone(old))),
        Change::Deleted(old) => (old, Some(Arc::clone(old))),
    };
    let Some(name) = object.name() else {
        return;
    };
    let key = ObjectKey::new(object.namespace(), name);
    behind.entry(key).or_insert(seen);
}

impl<K: Object> Hub<K> {
    /// A new subscriber: the current state of `store` (if it is ready), then every change.
    /// Under the hub's lock the store holds exactly the changes published so far, so the
    /// snapshot and the live changes neither overlap nor leave a gap.
    pub(super) fn register(&mut self, store: &Store<K>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let changes: VecDeque<_> = if store.is_ready() {
            store.list().into_iter().map(Change::Added).collect()
        } else {
            VecDeque::new()
        };
        self.subscribers.insert(
            id,
            Queue {
                snapshot: changes.len(),
                changes,
                behind: None,
                resyncs: 0,
                waker: None,
            },
        );
        id
    }

    /// The next change for subscriber `id`; `None` once the watch ended and it is drained.
    pub(super) fn poll(
        &mut self,
        id: u64,
        store: &Store<K>,
        cx: &Context<'_>,
    ) -> Poll<Option<Change<K>>> {
        let ended = self.ended;
        let Some(queue) = self.subscribers.get_mut(&id) else {
            return Poll::Ready(None);
        };
        if queue.changes.is_empty() {
            // The hub's lock keeps the watch task from applying anything meanwhile.
            queue.resync(store);
        }
        if let Some(change) = queue.changes.pop_front() {
            queue.snapshot = queue.snapshot.saturating_sub(1);
            return Poll::Ready(Some(change));
        }
        if ended {
            return Poll::Ready(None);
        }
        queue.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}
