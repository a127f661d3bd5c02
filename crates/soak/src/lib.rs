//! The fault soak: a controller and a provisioner-style writer built on kubeset's runtime run
//! against the in-process test server while it injects faults, then their views are compared
//! with the server's.
//!
//! What runs ([`run`]):
//! - the **writer** (`writer.rs`) creates ConfigMaps under deterministic names, updates and
//!   deletes them, and settles every write whose answer was lost by reading (so a retried
//!   create that meets `AlreadyExists` is ours or foreign, never a duplicate);
//! - the **controller** (`mirror.rs`, a `kubeset-runtime` `Controller`) mirrors each
//!   ConfigMap into an owned Secret with server-side apply;
//! - the **fault schedule** (`schedule.rs`) injects, in turn: closed watches, answers reset
//!   after a write landed, a 429 storm with `Retry-After`, 503 and 500 bursts, 410 Gone, a
//!   stalled read, ServiceAccount token rotation (the kubelet's `..data` swap, then the old
//!   tokens rejected), reset reads, a CA rotation, and a server restart on the same address.
//!   Both daemons authenticate with rotating ServiceAccount tokens and trust the rotating CA
//!   file, as pods do.
//!
//! What is checked ([`Report::violations`]): after the faults stop, the controller's cache
//! equals the server's objects (0 lost, 0 resurrected, 0 stale), the writer's record equals
//! the server's, every mirror matches its ConfigMap, the server's audit log shows each of the
//! writer's writes made exactly once, no operation was abandoned, and during the storms each
//! logical request took at most the retry policy's attempts and the amplification stayed in
//! the retry budget. Memory is reported (the slope of the resident set after warm-up, and of
//! the daemons' and the server's live heap apart when the binary counts allocations, see
//! [`heap`]), never asserted; so is every speed.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubeset_soak::Error> {
//! let report = kubeset_soak::run(&kubeset_soak::Plan::short()).await?;
//! println!("{}", report.to_markdown());
//! assert!(report.violations().is_empty());
//! # Ok(()) }
//! ```

mod attempts;
mod check;
mod cluster;
mod error;
pub mod heap;
mod memory;
mod mirror;
mod report;
mod schedule;
mod writer;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use kubeset_transport::RetryPolicy;

pub use attempts::Counted;
pub use check::{Diff, ExactlyOnce};
pub use error::Error;
pub use memory::{Level, Memory};
pub use report::Report;
pub use writer::WriterCounts;

/// How long and how hard a soak runs.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// The faulted phase lasts at least this long (whole schedule cycles; at least one).
    pub duration: Duration,
    /// The writer stops after this many operations (or when the faults stop).
    pub max_ops: u64,
    /// The pause after each fault of the schedule.
    pub gap: Duration,
    /// How long the views may take to agree once the faults stopped.
    pub settle: Duration,
    /// Seeds the writer's choices.
    pub seed: u64,
}

impl Plan {
    /// One cycle of every fault with short gaps, at most 400 writes: a few seconds, for
    /// `cargo test`.
    pub fn short() -> Self {
        Plan {
            duration: Duration::ZERO,
            max_ops: 400,
            gap: Duration::from_millis(300),
            settle: Duration::from_secs(60),
            seed: 15,
        }
    }

    /// Fault cycles for `seconds`, a fault every two seconds, writes without a count limit.
    pub fn long(seconds: u64) -> Self {
        Plan {
            duration: Duration::from_secs(seconds),
            max_ops: u64::MAX,
            gap: Duration::from_secs(2),
            ..Plan::short()
        }
    }
}

/// Runs a soak as `plan` says and reports what it measured (a broken invariant is in
/// [`Report::violations`], not an error).
///
/// # Errors
/// The server or the clients could not be set up, the final reads failed, or another global
/// tracing subscriber keeps the soak from counting attempts.
pub async fn run(plan: &Plan) -> Result<Report, Error> {
    let attempts = attempts::install().ok_or(Error::Subscriber)?;
    let mut cluster = cluster::start().await?;
    attempts.reset();
    let faults = cluster.server.faults();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let memory = tokio::spawn(memory::Sampler::run(
        Duration::from_millis(500),
        stopped(stop_rx.clone()),
    ));
    let mirror_counts = Arc::new(mirror::MirrorCounts::default());
    let (cache, controller) = mirror::controller(
        &cluster.mirror.client,
        mirror_counts.clone(),
        stopped(stop_rx.clone()),
    );
    let controller = tokio::spawn(controller);

    // the faulted phase: the writer writes while the schedule runs
    let started = Instant::now();
    let (faults_done_tx, faults_done) = tokio::sync::watch::channel(false);
    let mut writer = writer::Writer::new(
        cluster.writer.client.config_maps(cluster::NAMESPACE),
        plan.seed,
    );
    let max_ops = plan.max_ops;
    let writing = tokio::spawn(async move {
        let mut ops = 0;
        while ops < max_ops && !*faults_done.borrow() {
            writer.step().await;
            ops += 1;
        }
        writer
    });
    let mut envs = [&mut cluster.writer.env, &mut cluster.mirror.env];
    let cycles = schedule::run(
        &faults,
        &mut envs,
        &attempts,
        plan.gap,
        started + plan.duration,
    )
    .await;
    let _ = faults_done_tx.send(true);
    let writer = writing.await.map_err(|e| Error::Io {
        what: "join the writer",
        source: std::io::Error::other(e),
    })?;
    faults.clear();
    let seconds = started.elapsed().as_secs_f64();

    // settle: the views must come to agree with the server
    let settling = Instant::now();
    let admin = cluster.admin.clone();
    cluster::eventually(plan.settle, || async {
        let Ok(server) = check::server_config_maps(&admin).await else {
            return false;
        };
        let Ok(secrets) = check::server_secrets(&admin).await else {
            return false;
        };
        check::cache(&cache, &server).is_empty() && check::mirrors(&server, &secrets).is_empty()
    })
    .await;
    let settle_seconds = settling.elapsed().as_secs_f64();
    let server = check::server_config_maps(&admin).await?;
    let secrets = check::server_secrets(&admin).await?;
    let _ = stop_tx.send(true);
    let _ = controller.await;
    let memory = memory.await.map(|s| s.figures()).unwrap_or_default();

    let policy = RetryPolicy::default();
    let storm = attempts.in_storm();
    Ok(Report {
        seconds,
        cycles,
        cache: check::cache(&cache, &server),
        written: check::writer(&writer.expected, &writer.unknown, &server),
        mirrors: check::mirrors(&server, &secrets),
        exactly_once: check::exactly_once(&cluster.audit_log, &writer.ledger)?,
        writer: writer.counts,
        reconciles: mirror_counts.reconciles.load(Ordering::Relaxed),
        controller_errors: mirror_counts.errors.load(Ordering::Relaxed),
        controller_errors_by_kind: mirror_counts
            .by_kind
            .lock()
            .map(|k| k.clone())
            .unwrap_or_default(),
        requests: attempts.all(),
        storm_budget: storm_budget(&policy, &storm, cycles),
        max_attempts: u64::from(policy.max_attempts),
        storm,
        faults: faults.counts(),
        settle_seconds,
        memory,
    })
}

/// The most attempts per logical request the retry policy allows the storms' requests: each
/// request at most `max_attempts`, and all retries within the budgets of the two clients
/// (`min_retries_per_second` over the storms and the budget's ten-second window, plus
/// `budget_ratio` of the requests).
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn storm_budget(policy: &RetryPolicy, storm: &Counted, cycles: u64) -> f64 {
    const CLIENTS: f64 = 2.0;
    const WINDOW_SECONDS: f64 = 10.0;
    let per_request = f64::from(policy.max_attempts);
    if storm.requests == 0 {
        return per_request;
    }
    let storm_seconds = schedule::STORM.as_secs_f64() * cycles as f64;
    let ratio = f64::from(policy.budget_ratio.unwrap_or(f32::INFINITY));
    let retries =
        CLIENTS * f64::from(policy.min_retries_per_second) * (storm_seconds + WINDOW_SECONDS)
            + ratio * storm.requests as f64;
    per_request.min(1.0 + retries / storm.requests as f64)
}
