//! [`WorkQueue`]: the keys that need work, handed to workers one key at a time.
//!
//! The guarantees (client-go's `workqueue`, with its dirty and processing sets):
//!
//! - **De-duplicated:** a key added while it waits is queued once.
//! - **Never twice at once:** a key handed out by [`WorkQueue::get`] is not handed out again
//!   until its [`Processing`] guard is dropped; a key added meanwhile is handed out once,
//!   after that.
//! - **Nothing lost:** a key added while it is processed is handed out again when done, so
//!   a change that arrives during the work is always followed by work that sees it.
//! - **Earliest wins:** a key has at most one pending hand-out; [`WorkQueue::add_after`]
//!   for later than an existing request is dropped, one for sooner replaces it, and
//!   [`WorkQueue::add`] replaces any request for later.
//! - **Rate-limited retries:** [`WorkQueue::add_rate_limited`] waits the longer of the
//!   key's exponential backoff and the overall token bucket ([`RateLimiter`]);
//!   [`WorkQueue::forget`] starts the key's backoff over.
//! - **Graceful shutdown:** after [`WorkQueue::shut_down`] no key is handed out and adds are
//!   ignored; [`WorkQueue::shut_down_with_drain`] also waits, up to a deadline, for the keys
//!   being processed.
//!
//! Ready keys are handed out oldest first. Timers use tokio's clock (tests can pause it).
//! The queue starts no task: delayed keys become ready when a worker asks for a key.

mod rate_limit;
mod state;

use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

pub use rate_limit::RateLimiter;
use state::{State, Wake};

/// A queue of keys for N workers, with de-duplication, per-key exclusion, delays and
/// rate-limited retries (see the [module docs](self) for the guarantees).
///
/// Cheap to clone: every clone is the same queue.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::queue::WorkQueue;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let queue: WorkQueue<String> = WorkQueue::default();
/// for _ in 0..3 {
///     let queue = queue.clone();
///     // three workers
///     tokio::spawn(async move {
///         while let Some(item) = queue.get().await {
///             let ok = item.key().len() < 100; // the work
///             if ok {
///                 queue.forget(item.key());
///             } else {
///                 queue.add_rate_limited(item.key().clone());
///             }
///             // dropping `item` marks the key done
///         }
///     });
/// }
/// queue.add("apps/web".to_string());
/// queue.add_after("apps/db".to_string(), Duration::from_secs(30));
/// assert!(queue.shut_down_with_drain(Duration::from_secs(10)).await);
/// # }
/// ```
pub struct WorkQueue<T> {
    inner: Arc<Inner<T>>,
}

struct Inner<T> {
    state: Mutex<State<T>>,
    /// Signalled when a key may be ready, the earliest timer moved, or on shutdown.
    changed: Notify,
    /// Signalled when a key is done.
    finished: Notify,
}

impl<T> Clone for WorkQueue<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> std::fmt::Debug for WorkQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkQueue")
            .field("key", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<T: Hash + Eq + Clone> Default for WorkQueue<T> {
    fn default() -> Self {
        Self::new(RateLimiter::default())
    }
}

impl<T: Hash + Eq + Clone> WorkQueue<T> {
    /// An empty queue whose rate-limited adds wait as `limiter` says.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kubeset_runtime::queue::{RateLimiter, WorkQueue};
    ///
    /// let limiter = RateLimiter::default().per_key(Duration::from_secs(1), Duration::from_secs(300));
    /// let queue: WorkQueue<String> = WorkQueue::new(limiter);
    /// assert!(queue.is_empty());
    /// ```
    pub fn new(limiter: RateLimiter) -> Self {
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(State::new(limiter, Instant::now())),
                changed: Notify::new(),
                finished: Notify::new(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State<T>> {
        self.inner.state()
    }

    /// Queues `key` now (ignored after shutdown).
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add("a");
    /// queue.add("a");
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn add(&self, key: T) {
        let wake = self.state().add(key);
        self.inner.wake(wake);
    }

    /// Queues `key` after `delay` (client-go's `AddAfter`, kube-runtime's requeue), unless it
    /// is due sooner already.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
    /// use std::time::Duration;
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add_after("a", Duration::from_secs(5));
    /// assert_eq!(queue.len(), 0);
    /// let item = queue.get().await.unwrap(); // five seconds later
    /// assert_eq!(*item.key(), "a");
    /// # }
    /// ```
    pub fn add_after(&self, key: T, delay: Duration) {
        let wake = self.state().add_after(key, delay, Instant::now());
        self.inner.wake(wake);
    }

    /// Queues `key` after its rate-limited delay (a retry after a failure): the longer of
    /// its exponential backoff and the overall bucket's wait. Counts one more failure.
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add_rate_limited("a");
    /// queue.add_rate_limited("a");
    /// assert_eq!(queue.num_requeues(&"a"), 2);
    /// ```
    pub fn add_rate_limited(&self, key: T) {
        let wake = self.state().add_rate_limited(key, Instant::now());
        self.inner.wake(wake);
    }

    /// Forgets the failures of `key`: its next rate-limited add waits the shortest delay.
    /// Call it when the key's work succeeded (it also frees the key's counter).
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add_rate_limited("a");
    /// queue.forget(&"a");
    /// assert_eq!(queue.num_requeues(&"a"), 0);
    /// ```
    pub fn forget(&self, key: &T) {
        self.state().forget(key);
    }

    /// How many rate-limited adds `key` had since it was last forgotten.
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::<&str>::default();
    /// assert_eq!(queue.num_requeues(&"a"), 0);
    /// ```
    pub fn num_requeues(&self, key: &T) -> u32 {
        self.state().failures(key)
    }

    /// How many keys are ready to be handed out now.
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::<&str>::default();
    /// assert_eq!(queue.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.state().ready_len(Instant::now())
    }

    /// Whether no key is ready, waiting for a timer, or being processed.
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::<&str>::default();
    /// queue.add_after("a", std::time::Duration::from_secs(1));
    /// assert!(!queue.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        let mut state = self.state();
        state.ready_len(Instant::now()) == 0
            && state.waiting_len() == 0
            && state.processing_len() == 0
    }

    /// The next ready key, waiting for one as long as needed; `None` once the queue is shut
    /// down. The key is not handed out again until the returned guard is dropped.
    ///
    /// Cancel-safe: a `get` dropped before it returns takes no key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add("a");
    /// let item = queue.get().await.unwrap();
    /// queue.add("a"); // changed while processed
    /// assert_eq!(queue.len(), 0, "not to a second worker");
    /// drop(item);
    /// assert_eq!(queue.len(), 1, "once done, it is ready again");
    /// # }
    /// ```
    pub async fn get(&self) -> Option<Processing<T>> {
        loop {
            let changed = self.inner.changed.notified();
            let mut changed = std::pin::pin!(changed);
            // registered before looking, so no change in between is missed
            changed.as_mut().enable();
            let due = {
                let mut state = self.state();
                if let Some(key) = state.take(Instant::now()) {
                    return Some(Processing {
                        queue: Arc::clone(&self.inner),
                        key,
                    });
                }
                if state.is_shut_down() {
                    return None;
                }
                state.next_due()
            };
            match due {
                Some(due) => {
                    tokio::select! {
                        () = changed => {}
                        () = tokio::time::sleep_until(due) => {}
                    }
                }
                None => changed.await,
            }
        }
    }

    /// Stops handing out keys: waiting and future `get`s return `None`, adds are ignored.
    /// Keys being processed finish normally.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add("a");
    /// queue.shut_down();
    /// assert!(queue.get().await.is_none());
    /// # }
    /// ```
    pub fn shut_down(&self) {
        self.state().shut_down();
        self.inner.changed.notify_waiters();
    }

    /// Whether [`shut_down`](Self::shut_down) was called.
    ///
    /// ```
    /// # let queue = kubeset_runtime::queue::WorkQueue::<&str>::default();
    /// assert!(!queue.is_shut_down());
    /// ```
    pub fn is_shut_down(&self) -> bool {
        self.state().is_shut_down()
    }

    /// Shuts the queue down and waits until no key is being processed, at most `deadline`;
    /// `true` if the work finished in time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add("a");
    /// let item = queue.get().await.unwrap();
    /// tokio::spawn(async move { drop(item) });
    /// assert!(queue.shut_down_with_drain(std::time::Duration::from_secs(5)).await);
    /// # }
    /// ```
    pub async fn shut_down_with_drain(&self, deadline: Duration) -> bool {
        self.shut_down();
        let drained = async {
            loop {
                let finished = self.inner.finished.notified();
                let mut finished = std::pin::pin!(finished);
                finished.as_mut().enable();
                if self.state().processing_len() == 0 {
                    return;
                }
                finished.await;
            }
        };
        tokio::time::timeout(deadline, drained).await.is_ok()
    }
}

impl<T> Inner<T> {
    fn state(&self) -> MutexGuard<'_, State<T>> {
        // Every state change is complete before anything can panic, so a poisoned lock
        // still guards consistent state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wake(&self, wake: Wake) {
        if wake == Wake::Yes {
            // every waiting worker looks: one woken worker that is cancelled must not
            // leave a ready key behind
            self.changed.notify_waiters();
        }
    }
}

/// A key handed out by [`WorkQueue::get`]; the key is done when this is dropped.
///
/// While it lives, the key is not handed out to anyone else; adds of the key are remembered
/// and hand it out once more after the drop. Dropping it during a panic marks the key done
/// too, so a failed worker cannot block a key forever.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// # let queue = kubeset_runtime::queue::WorkQueue::default();
/// queue.add("apps/web");
/// let item = queue.get().await.unwrap();
/// assert_eq!(*item.key(), "apps/web");
/// item.done();
/// # }
/// ```
pub struct Processing<T: Hash + Eq + Clone> {
    queue: Arc<Inner<T>>,
    key: T,
}

impl<T: Hash + Eq + Clone> Processing<T> {
    /// The key.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add(7);
    /// assert_eq!(queue.get().await.map(|item| *item.key()), Some(7));
    /// # }
    /// ```
    pub fn key(&self) -> &T {
        &self.key
    }

    /// Marks the key done (the same as dropping the guard).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let queue = kubeset_runtime::queue::WorkQueue::default();
    /// queue.add("a");
    /// let item = queue.get().await.unwrap();
    /// queue.add("a");
    /// item.done();
    /// assert_eq!(queue.len(), 1, "handed out again after done");
    /// # }
    /// ```
    pub fn done(self) {}
}

impl<T: Hash + Eq + Clone + std::fmt::Debug> std::fmt::Debug for Processing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processing")
            .field("key", &self.key)
            .finish()
    }
}

impl<T: Hash + Eq + Clone> Drop for Processing<T> {
    fn drop(&mut self) {
        let wake = self.queue.state().done(&self.key);
        self.queue.wake(wake);
        self.queue.finished.notify_waiters();
    }
}
