//! Fault injection: what tests switch on to see how clients cope.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::App;
use crate::api::status::ApiError;

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
    closes: tokio::sync::watch::Sender<u64>,
    tokens_not_before: AtomicI64,
    bookmark_ms: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: AtomicU64::new(0),
            planned: Mutex::new(None),
            closes: tokio::sync::watch::channel(0).0,
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

    /// Fires whenever tests close all watches.
    pub(crate) fn watch_closes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.closes.subscribe()
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
/// ```no_run
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = kubeset_testserver::TestServer::start().await?;
/// server.faults().throttle_next(2, 1); // two 429s with Retry-After: 1
/// server.faults().close_watches();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FaultInjector {
    pub(crate) app: Arc<App>,
}

impl FaultInjector {
    /// Ends every open watch stream (clients see the connection's body end).
    pub fn close_watches(&self) {
        self.app.faults.closes.send_modify(|n| *n += 1);
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
