//! Fault injection: what tests switch on to see how clients cope.

mod scope;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::App;
use crate::api::status::ApiError;
use crate::storage::StoreError;

use scope::Floors;
pub use scope::WatchScope;
pub(crate) use scope::{Ending, Subject, history_compacted};

/// How many watch endings may queue up for a watch before it ends without reading them.
const ENDINGS: usize = 256;

/// A planned failure of the next requests.
#[derive(Debug, Clone, Copy)]
struct Planned {
    code: u16,
    retry_after: u64,
    remaining: u32,
}

/// The fault switches the request path consults.
#[derive(Debug)]
pub(crate) struct Faults {
    latency_ms: AtomicU64,
    planned: Mutex<Option<Planned>>,
    endings: tokio::sync::broadcast::Sender<Ending>,
    floors: Floors,
    tokens_not_before: AtomicI64,
    bookmark_ms: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: AtomicU64::new(0),
            planned: Mutex::new(None),
            endings: tokio::sync::broadcast::channel(ENDINGS).0,
            floors: Floors::default(),
            tokens_not_before: AtomicI64::new(i64::MIN),
            bookmark_ms: AtomicU64::new(60_000),
        }
    }
}

impl Faults {
    /// The delay to add to every request.
    pub(crate) fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// The injected error for this request, if one is planned.
    pub(crate) fn take_failure(&self) -> Option<ApiError> {
        let mut planned = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        let p = planned.as_mut()?;
        let err = if p.code == 429 {
            ApiError::too_many_requests(p.retry_after)
        } else {
            ApiError::injected(p.code)
        };
        p.remaining = p.remaining.saturating_sub(1);
        if p.remaining == 0 {
            *planned = None;
        }
        Some(err)
    }

    /// Every request to end watches from now on (a watch checks whether it is hit).
    pub(crate) fn watch_endings(&self) -> tokio::sync::broadcast::Receiver<Ending> {
        self.endings.subscribe()
    }

    /// Whether the watch history after `after` is still there for `subject`, given the
    /// scoped compactions (the store checks its own, global one).
    pub(crate) fn check_history(
        &self,
        subject: &Subject<'_>,
        after: u64,
    ) -> Result<(), StoreError> {
        self.floors.check_history(subject, after)
    }

    /// Whether the view at `at` is still there for `subject`, given the scoped compactions.
    pub(crate) fn check_snapshot(&self, subject: &Subject<'_>, at: u64) -> Result<(), StoreError> {
        self.floors.check_snapshot(subject, at)
    }

    fn end_watches(&self, ending: Ending) {
        // no receiver means no open watch: nothing to end
        let _ = self.endings.send(ending);
    }

    /// Tokens issued before this Unix time are rejected.
    pub(crate) fn tokens_not_before(&self) -> i64 {
        self.tokens_not_before.load(Ordering::Relaxed)
    }

    /// How often watches with `allowWatchBookmarks` get a bookmark.
    pub(crate) fn bookmark_interval(&self) -> Duration {
        Duration::from_millis(self.bookmark_ms.load(Ordering::Relaxed).max(10))
    }
}

/// Switches faults on a running [`TestServer`](crate::TestServer).
///
/// Most switches act on the whole server. The watch faults also come scoped to one
/// namespace or resource type ([`WatchScope`]), so a test on a server shared with others
/// disturbs only its own watches.
///
/// ```no_run
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// use kubeset_testserver::WatchScope;
///
/// let server = kubeset_testserver::TestServer::start().await?;
/// server.faults().throttle_next(2, 1); // two 429s with Retry-After: 1
/// server.faults().close_watches();
/// server.faults().expire_watches_in(&WatchScope::namespace("my-test"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FaultInjector {
    pub(crate) app: Arc<App>,
}

impl FaultInjector {
    /// Ends every open watch stream (clients see the connection's body end).
    pub fn close_watches(&self) {
        self.app.faults.end_watches(Ending {
            scope: None,
            expired_at: None,
        });
    }

    /// Ends the open watch streams in `scope` (clients see the connection's body end and may
    /// resume from their last resourceVersion); other watches go on.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// use kubeset_testserver::{TestServer, WatchScope};
    ///
    /// let server = TestServer::start().await?;
    /// // a watcher on /api/v1/namespaces/my-test/configmaps resumes without listing again
    /// server.faults().close_watches_in(&WatchScope::namespace("my-test"));
    /// # Ok(()) }
    /// ```
    pub fn close_watches_in(&self, scope: &WatchScope) {
        self.app.faults.end_watches(Ending {
            scope: Some(scope.clone()),
            expired_at: None,
        });
    }

    /// Compacts the history of `scope` at the current revision, the way a real API server
    /// behaves after etcd compaction, but only there: open watches in `scope` get a
    /// `410 Expired` ERROR event (`too old resource version: X (Y)`, X the version the client
    /// would resume from, Y the compacted one) and end; watching again from an older
    /// resourceVersion answers the same ERROR event, and a list at an older exact
    /// resourceVersion (`resourceVersionMatch=Exact`, or with a `limit`) or with an older
    /// `continue` token answers `410 Gone`. The current revision itself stays readable (as
    /// etcd keeps the revision it compacts at), so a client that lists again can watch again.
    /// Other scopes keep their history.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// use kubeset_testserver::{TestServer, WatchScope};
    ///
    /// let server = TestServer::start().await?;
    /// // a watcher on /api/v1/namespaces/my-test/configmaps must list again
    /// server.faults().expire_watches_in(&WatchScope::namespace("my-test"));
    /// // a node informer must list again
    /// server.faults().expire_watches_in(&WatchScope::resource("", "nodes"));
    /// # Ok(()) }
    /// ```
    pub fn expire_watches_in(&self, scope: &WatchScope) {
        let faults = &self.app.faults;
        let floor = faults.floors.raise(scope, self.app.store.revision());
        faults.end_watches(Ending {
            scope: Some(scope.clone()),
            expired_at: Some(floor),
        });
    }

    /// Answers the next `count` requests with `429 TooManyRequests` and `Retry-After`.
    pub fn throttle_next(&self, count: u32, retry_after_seconds: u64) {
        self.plan(429, retry_after_seconds, count);
    }

    /// Answers the next `count` requests with the given 5xx status.
    pub fn fail_next(&self, count: u32, status: u16) {
        self.plan(status, 0, count);
    }

    fn plan(&self, code: u16, retry_after: u64, remaining: u32) {
        let mut planned = self
            .app
            .faults
            .planned
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        *planned = (remaining > 0).then_some(Planned {
            code,
            retry_after,
            remaining,
        });
    }

    /// Delays every request by `latency`.
    pub fn set_latency(&self, latency: Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.app.faults.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Forgets the watch history up to now: watches from an older resourceVersion get 410.
    pub fn compact_history(&self) {
        let rv = self.app.store.revision();
        self.app.store.compact(rv);
    }

    /// Rejects every ServiceAccount token issued until now (clients must re-read their token).
    pub fn expire_tokens(&self) {
        self.app
            .faults
            .tokens_not_before
            .store(crate::clock::unix_now() + 1, Ordering::Relaxed);
    }

    /// Sends a bookmark on watches with `allowWatchBookmarks` this often (default one minute).
    pub fn set_bookmark_interval(&self, interval: Duration) {
        let ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        self.app.faults.bookmark_ms.store(ms, Ordering::Relaxed);
    }
}
