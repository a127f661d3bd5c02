//! Fault injection: what tests switch on to see how clients cope.
//!
//! - answers instead of the real one: 429 with `Retry-After` (the next N requests, or a storm
//!   of every request for a while), injected 5xx, added latency;
//! - answers cut after the request was served (`cut.rs`): the body reset part-way, or the
//!   headers then a stall;
//! - watches closed or expired, per scope (`scope.rs`), history compacted;
//! - the server restarted on its address with its store kept (`restart.rs`), a CA rotation
//!   (`tls.rs`), tokens rejected, ServiceAccount files rotated as the kubelet does
//!   (`projected.rs`).
//!
//! Every fault counts how often it fired (`counts.rs`, [`FaultCounts`]).

mod counts;
mod cut;
mod projected;
mod restart;
mod scope;
mod tls;

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{Method, Response};

use rustls::pki_types::CertificateDer;

use crate::answer::body::Body;
use crate::answer::status::ApiError;
use crate::error::Error;
use crate::storage::{Store, StoreError};

pub use counts::FaultCounts;
use counts::{Counters, bump};
pub use cut::Hits;
pub use projected::write_projected;
pub(crate) use restart::{RestartWatch, rebind};
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
    /// Every request answered 429 until then, with this `Retry-After`.
    storm: Mutex<Option<(Instant, u64)>>,
    cuts: Mutex<Option<cut::Planned>>,
    restarts: restart::Restarts,
    rotation: tls::Rotation,
    counts: Counters,
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
            storm: Mutex::new(None),
            cuts: Mutex::new(None),
            restarts: restart::Restarts::default(),
            rotation: tls::Rotation::default(),
            counts: Counters::default(),
        }
    }
}

impl Faults {
    /// The delay to add to every request.
    pub(crate) fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// The injected error for this request, if one is planned (every request passes here,
    /// and is counted).
    pub(crate) fn take_failure(&self) -> Option<ApiError> {
        bump(&self.counts.requests);
        if let Some(retry_after) = self.storming() {
            bump(&self.counts.throttled);
            return Some(ApiError::too_many_requests(retry_after));
        }
        let mut planned = self.planned.lock().unwrap_or_else(|e| e.into_inner());
        let p = planned.as_mut()?;
        let err = if p.code == 429 {
            bump(&self.counts.throttled);
            ApiError::too_many_requests(p.retry_after)
        } else {
            bump(&self.counts.failed);
            ApiError::injected(p.code)
        };
        p.remaining = p.remaining.saturating_sub(1);
        if p.remaining == 0 {
            *planned = None;
        }
        Some(err)
    }

    /// The `Retry-After` of the 429 storm going on, if one is.
    fn storming(&self) -> Option<u64> {
        let mut storm = self.storm.lock().unwrap_or_else(|e| e.into_inner());
        match *storm {
            Some((until, retry_after)) if Instant::now() < until => Some(retry_after),
            Some(_) => {
                *storm = None;
                None
            }
            None => None,
        }
    }

    /// The answer to a `method` request as the client gets it: cut if a cut is planned.
    pub(crate) fn deliver(&self, method: &Method, response: Response<Body>) -> Response<Body> {
        // only answers of requests that were served (and acted on) are cut; an upgrade's
        // body is not the session
        if !response.status().is_success() {
            return response;
        }
        let cut = {
            let mut planned = self.cuts.lock().unwrap_or_else(|e| e.into_inner());
            planned.as_mut().and_then(|p| p.take(method))
        };
        match cut {
            None => response,
            Some(cut) => {
                bump(match cut {
                    cut::Cut::Reset => &self.counts.resets,
                    cut::Cut::Stall(_) => &self.counts.stalls,
                });
                cut::apply(response, cut)
            }
        }
    }

    /// Notices the restarts asked for from now on.
    pub(crate) fn restart_watch(&self) -> RestartWatch {
        self.restarts.watch()
    }

    /// The TLS configuration for a new connection, when a CA rotation replaced the original.
    pub(crate) fn serving_tls(&self) -> Option<Arc<rustls::ServerConfig>> {
        self.rotation.serving()
    }

    /// Counts a ServiceAccount token rotation.
    pub(crate) fn count_token_rotation(&self) {
        bump(&self.counts.token_rotations);
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
    faults: Arc<Faults>,
    store: Arc<dyn Store>,
    /// The server's own CA, which a rotation's first bundle names after the new one.
    ca_pem: String,
    ca_der: CertificateDer<'static>,
}

impl FaultInjector {
    /// The switches of a server: its `faults`, the `store` whose history they compact, and
    /// its own CA (PEM and DER), which CA rotations start from.
    pub(crate) fn new(
        faults: Arc<Faults>,
        store: Arc<dyn Store>,
        ca_pem: String,
        ca_der: CertificateDer<'static>,
    ) -> Self {
        FaultInjector {
            faults,
            store,
            ca_pem,
            ca_der,
        }
    }

    /// Ends every open watch stream (clients see the connection's body end).
    pub fn close_watches(&self) {
        bump(&self.faults.counts.watch_closes);
        self.faults.end_watches(Ending {
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
        bump(&self.faults.counts.watch_closes);
        self.faults.end_watches(Ending {
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
        let faults = &self.faults;
        bump(&faults.counts.watch_expiries);
        let floor = faults.floors.raise(scope, self.store.revision());
        faults.end_watches(Ending {
            scope: Some(scope.clone()),
            expired_at: Some(floor),
        });
    }

    /// Answers the next `count` requests with `429 TooManyRequests` and `Retry-After`.
    pub fn throttle_next(&self, count: u32, retry_after_seconds: u64) {
        self.plan(429, retry_after_seconds, count);
    }

    /// Answers every request with `429 TooManyRequests` and `Retry-After` for `duration` from
    /// now (a storm: API Priority and Fairness shedding load), on top of the planned faults.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// server.faults().throttle_for(std::time::Duration::from_secs(3), 1);
    /// # Ok(()) }
    /// ```
    pub fn throttle_for(&self, duration: Duration, retry_after_seconds: u64) {
        let until = Instant::now() + duration;
        let mut storm = self.faults.storm.lock().unwrap_or_else(|e| e.into_inner());
        *storm = Some((until, retry_after_seconds));
    }

    /// Serves the next `count` requests that `hits` covers and succeed (2xx), then resets the
    /// connection half-way through the answer's body: the request was acted on (a create
    /// created), but the client cannot read the answer. Replaces cuts still planned.
    ///
    /// ```no_run
    /// use kubeset_testserver::Hits;
    ///
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// server.faults().reset_next(1, Hits::Writes);
    /// # Ok(()) }
    /// ```
    pub fn reset_next(&self, count: u32, hits: Hits) {
        self.plan_cut(cut::Cut::Reset, hits, count);
    }

    /// Serves the next `count` requests that `hits` covers and succeed (2xx) and sends the
    /// answers' headers, then nothing for `stall`, then resets the connection. Replaces cuts
    /// still planned.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use kubeset_testserver::Hits;
    ///
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// server.faults().stall_next(1, Duration::from_secs(5), Hits::Reads);
    /// # Ok(()) }
    /// ```
    pub fn stall_next(&self, count: u32, stall: Duration, hits: Hits) {
        self.plan_cut(cut::Cut::Stall(stall), hits, count);
    }

    fn plan_cut(&self, cut: cut::Cut, hits: Hits, remaining: u32) {
        let mut planned = self.faults.cuts.lock().unwrap_or_else(|e| e.into_inner());
        *planned = Some(cut::Planned {
            cut,
            hits,
            remaining,
        });
    }

    /// Restarts the server: the listener and every open connection (watches included) are
    /// closed at once, connections are refused for `downtime`, then the same address is
    /// served again. The store is kept, so objects, resourceVersions and watch history
    /// survive, as across a kube-apiserver restart.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// server.faults().restart(std::time::Duration::from_millis(500));
    /// # Ok(()) }
    /// ```
    pub fn restart(&self, downtime: Duration) {
        bump(&self.faults.counts.restarts);
        self.faults.restarts.ask(downtime);
    }

    /// Starts a CA rotation: makes a new CA and a serving certificate under it, and returns
    /// the PEM bundle clients should trust until [`switch_ca`](Self::switch_ca) (the new CA,
    /// then the one served now). The server goes on serving its current certificate.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// let mut env = server.service_account_env("default", "default").await?;
    /// let bundle = server.faults().stage_ca()?;
    /// env.write_ca(&bundle)?; // clients trust both CAs
    /// let new_ca = server.faults().switch_ca()?; // new connections get the new certificate
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Generating the certificates failed.
    pub fn stage_ca(&self) -> Result<String, Error> {
        self.faults.rotation.stage(&self.ca_pem)
    }

    /// Serves the certificate [`stage_ca`](Self::stage_ca) made to every new connection (open
    /// connections keep theirs); returns the new CA (PEM), or `None` when nothing was staged.
    /// Client certificates of the earlier CAs stay valid.
    ///
    /// # Errors
    /// The TLS configuration could not be built.
    pub fn switch_ca(&self) -> Result<Option<String>, Error> {
        let switched = self.faults.rotation.switch(&self.ca_der)?;
        if switched.is_some() {
            bump(&self.faults.counts.ca_rotations);
        }
        Ok(switched)
    }

    /// How often each fault fired so far, and how many requests arrived.
    pub fn counts(&self) -> FaultCounts {
        self.faults.counts.snapshot()
    }

    /// Answers the next `count` requests with the given 5xx status.
    pub fn fail_next(&self, count: u32, status: u16) {
        self.plan(status, 0, count);
    }

    fn plan(&self, code: u16, retry_after: u64, remaining: u32) {
        let mut planned = self
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
        self.faults.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Forgets the watch history up to now: watches from an older resourceVersion get 410.
    pub fn compact_history(&self) {
        bump(&self.faults.counts.watch_expiries);
        let rv = self.store.revision();
        self.store.compact(rv);
    }

    /// Rejects every ServiceAccount token issued until now (clients must re-read their token).
    pub fn expire_tokens(&self) {
        bump(&self.faults.counts.token_expiries);
        self.faults
            .tokens_not_before
            .store(crate::clock::unix_now() + 1, Ordering::Relaxed);
    }

    /// Rejects every ServiceAccount token issued before `time` (whole seconds, as a token's
    /// `iat`): after a rotation, the tokens a client should no longer use.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// let mut env = server.service_account_env("default", "default").await?;
    /// let rotated = std::time::SystemTime::now();
    /// env.rotate_token()?;
    /// // ... once clients had time to read the new token:
    /// server.faults().expire_tokens_issued_before(rotated);
    /// # Ok(()) }
    /// ```
    pub fn expire_tokens_issued_before(&self, time: std::time::SystemTime) {
        bump(&self.faults.counts.token_expiries);
        let secs = time
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        self.faults.tokens_not_before.store(secs, Ordering::Relaxed);
    }

    /// Ends the faults that answer requests: planned 429s and 5xx, a storm, planned cuts and
    /// the added latency. (What was done stays done: expired history and tokens, rotations.)
    pub fn clear(&self) {
        let faults = &self.faults;
        *faults.planned.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *faults.storm.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *faults.cuts.lock().unwrap_or_else(|e| e.into_inner()) = None;
        faults.latency_ms.store(0, Ordering::Relaxed);
    }

    /// Sends a bookmark on watches with `allowWatchBookmarks` this often (default one minute).
    pub fn set_bookmark_interval(&self, interval: Duration) {
        let ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
        self.faults.bookmark_ms.store(ms, Ordering::Relaxed);
    }
}
