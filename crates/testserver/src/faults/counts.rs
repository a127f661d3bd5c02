//! How often each fault fired: one counter per kind, read as a [`FaultCounts`] snapshot.

use std::sync::atomic::{AtomicU64, Ordering};

/// How often each fault fired since the server started, and how many requests arrived (every
/// attempt of a retried request counts).
///
/// A switch that acts on whatever is open when it is flipped (closing watches, expiring
/// history or tokens, rotations, restarts) counts once per flip; a fault that answers
/// requests (429, 5xx, a cut body) counts once per request it answered.
///
/// ```no_run
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = kubeset_testserver::TestServer::start().await?;
/// server.faults().throttle_next(2, 1);
/// // ... requests ...
/// let counts = server.faults().counts();
/// println!("{} of {} requests throttled", counts.throttled, counts.requests);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultCounts {
    /// Requests received (each attempt of a retried request counts).
    pub requests: u64,
    /// Requests answered `429 TooManyRequests` with `Retry-After` (planned or a storm).
    pub throttled: u64,
    /// Requests answered with an injected 5xx.
    pub failed: u64,
    /// Answers whose body was cut by a connection reset after the request was served.
    pub resets: u64,
    /// Answers that stalled after their headers (then the connection was reset).
    pub stalls: u64,
    /// Times open watches were closed.
    pub watch_closes: u64,
    /// Times watch history was expired (410 Gone for watches and lists from before).
    pub watch_expiries: u64,
    /// Server restarts (listener and every connection closed, the store kept).
    pub restarts: u64,
    /// CA rotations (a new serving certificate under a new CA).
    pub ca_rotations: u64,
    /// ServiceAccount token rotations in a [`ServiceAccountEnv`](crate::ServiceAccountEnv).
    pub token_rotations: u64,
    /// Times every token issued so far was rejected.
    pub token_expiries: u64,
}

/// The counters behind [`FaultCounts`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) throttled: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) resets: AtomicU64,
    pub(crate) stalls: AtomicU64,
    pub(crate) watch_closes: AtomicU64,
    pub(crate) watch_expiries: AtomicU64,
    pub(crate) restarts: AtomicU64,
    pub(crate) ca_rotations: AtomicU64,
    pub(crate) token_rotations: AtomicU64,
    pub(crate) token_expiries: AtomicU64,
}

/// Adds one to `counter`.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> FaultCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        FaultCounts {
            requests: get(&self.requests),
            throttled: get(&self.throttled),
            failed: get(&self.failed),
            resets: get(&self.resets),
            stalls: get(&self.stalls),
            watch_closes: get(&self.watch_closes),
            watch_expiries: get(&self.watch_expiries),
            restarts: get(&self.restarts),
            ca_rotations: get(&self.ca_rotations),
            token_rotations: get(&self.token_rotations),
            token_expiries: get(&self.token_expiries),
        }
    }
}
