//! The recorder's handle: callers hand events to a bounded queue that a background task
//! (`worker`) drains.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kubeset_clientset::Client;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::config::EventRecorderConfig;
use super::event::{NewEvent, Reporter};
use super::worker::{Command, Counters, Worker};

/// What a recorder did so far.
///
/// ```no_run
/// # fn demo(recorder: &kubeset_runtime::events::EventRecorder) {
/// let stats = recorder.stats();
/// if stats.dropped > 0 {
///     eprintln!("{} events were dropped", stats.dropped);
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecorderStats {
    /// Events accepted into the queue.
    pub recorded: u64,
    /// Events dropped because the queue was full (or the background task had ended).
    pub dropped: u64,
    /// Writes (creates and series updates) the server accepted.
    pub writes: u64,
    /// Writes given up after their tries.
    pub failed_writes: u64,
    /// Series held in the cache now.
    pub series: u64,
}

/// Records Events (`events.k8s.io/v1`, core/v1 on servers without it) for a controller,
/// aggregating repeats into series as client-go's `tools/events` does.
///
/// [`record`](EventRecorder::record) never blocks and never fails: the event goes to a bounded
/// queue drained by a background task, or is dropped (and counted, and logged) when the queue
/// is full. Clones share the queue; the task writes what is left and ends when the last clone
/// is dropped.
///
/// ```no_run
/// use k8s_openapi::api::core::v1::PersistentVolumeClaim;
/// use kubeset_runtime::events::{EventRecorder, NewEvent, Reporter, reference_to};
///
/// # async fn demo(client: kubeset_clientset::Client, pvc: PersistentVolumeClaim) {
/// let recorder = EventRecorder::new(client, Reporter::new("example.com/provisioner", "pod-1"));
/// recorder.record(
///     NewEvent::normal(reference_to(&pvc), "Provisioned", "Provisioning").note("created pv-17"),
/// );
/// recorder.flush().await; // before exiting: write what is queued
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct EventRecorder {
    queue: mpsc::Sender<Command>,
    counters: Arc<Counters>,
}

impl EventRecorder {
    /// A recorder with the default [`EventRecorderConfig`]; its task runs on the current
    /// tokio runtime.
    pub fn new(client: Client, reporter: Reporter) -> Self {
        Self::with_config(client, reporter, EventRecorderConfig::default())
    }

    /// A recorder with `config`.
    ///
    /// ```no_run
    /// use kubeset_runtime::events::{EventRecorder, EventRecorderConfig, Reporter};
    ///
    /// # fn demo(client: kubeset_clientset::Client) {
    /// let config = EventRecorderConfig::default().queue_capacity(64);
    /// let recorder = EventRecorder::with_config(client, Reporter::new("example.com/x", "x-0"), config);
    /// # }
    /// ```
    pub fn with_config(client: Client, reporter: Reporter, config: EventRecorderConfig) -> Self {
        let (queue, rx) = mpsc::channel(config.queue_capacity.max(1));
        let counters = Arc::new(Counters::default());
        let worker = Worker::new(client, reporter, &config, Arc::clone(&counters));
        tokio::spawn(worker.run(rx, config.series_refresh));
        Self { queue, counters }
    }

    /// Records `event`. Never blocks, never fails: a full queue drops it (counted in
    /// [`stats`](EventRecorder::stats), logged at exponentially spaced counts).
    ///
    /// ```no_run
    /// # use kubeset_runtime::events::{EventRecorder, NewEvent};
    /// # fn demo(recorder: &EventRecorder, node: k8s_openapi::api::core::v1::ObjectReference) {
    /// recorder.record(NewEvent::warning(node, "NodeNotReady", "Scheduling"));
    /// # }
    /// ```
    pub fn record(&self, event: NewEvent) {
        let command = Command::Record {
            event: Box::new(event),
            at: Instant::now(),
            wall: MicroTime(k8s_openapi::jiff::Timestamp::now()),
        };
        match self.queue.try_send(command) {
            Ok(()) => {
                self.counters.recorded.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                let dropped = self.counters.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if dropped.is_power_of_two() {
                    tracing::warn!(dropped, "event queue full; dropping events");
                }
            }
        }
    }

    /// Waits until every event recorded before the call is written (or given up) and every
    /// counted repeat is written to its series. For shutdown and tests; never needed for
    /// correctness.
    ///
    /// ```no_run
    /// # async fn demo(recorder: kubeset_runtime::events::EventRecorder) {
    /// recorder.flush().await;
    /// # }
    /// ```
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.queue.send(Command::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// What the recorder did so far.
    pub fn stats(&self) -> RecorderStats {
        let c = &self.counters;
        RecorderStats {
            recorded: c.recorded.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
            writes: c.writes.load(Ordering::Relaxed),
            failed_writes: c.failed_writes.load(Ordering::Relaxed),
            series: c.series.load(Ordering::Relaxed),
        }
    }
}
