//! The recorder: callers hand events to a bounded queue; one background task aggregates
//! them into series and writes them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kubeset_clientset::Client;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::cache::{self, SeriesCache, Step};
use super::event::{NewEvent, Reporter};
use super::sink::Sink;

/// The recorder's limits and timings.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::events::EventRecorderConfig;
///
/// let config = EventRecorderConfig::default()
///     .queue_capacity(256)
///     .series_refresh(Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventRecorderConfig {
    /// Events waiting to be written; when full, new events are dropped (and counted).
    pub queue_capacity: usize,
    /// Series remembered for aggregation (least recently seen forgotten first; client-go's
    /// cache holds 4096).
    pub cache_capacity: usize,
    /// A repeat joins a series when it comes within this time of the previous one
    /// (client-go's 6 minutes); later, it starts a new Event object.
    pub series_window: Duration,
    /// How often counted repeats are written to their series (client-go waits 30 minutes;
    /// the first repeat is always written at once).
    pub series_refresh: Duration,
    /// Tries per write when the server fails transiently (5xx, 429, no answer).
    pub max_attempts: u32,
    /// How long one try may take.
    pub write_timeout: Duration,
}

impl Default for EventRecorderConfig {
    fn default() -> Self {
        Self {
            queue_capacity: 1024,
            cache_capacity: 4096,
            series_window: Duration::from_secs(6 * 60),
            series_refresh: Duration::from_secs(30),
            max_attempts: 3,
            write_timeout: Duration::from_secs(10),
        }
    }
}

impl EventRecorderConfig {
    /// Sets [`queue_capacity`](Self::queue_capacity).
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = capacity;
        self
    }

    /// Sets [`cache_capacity`](Self::cache_capacity).
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.cache_capacity = capacity;
        self
    }

    /// Sets [`series_window`](Self::series_window).
    pub fn series_window(mut self, window: Duration) -> Self {
        self.series_window = window;
        self
    }

    /// Sets [`series_refresh`](Self::series_refresh).
    pub fn series_refresh(mut self, refresh: Duration) -> Self {
        self.series_refresh = refresh;
        self
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets [`write_timeout`](Self::write_timeout).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }
}

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

#[derive(Debug, Default)]
struct Counters {
    recorded: AtomicU64,
    dropped: AtomicU64,
    writes: AtomicU64,
    failed_writes: AtomicU64,
    series: AtomicU64,
}

enum Command {
    Record {
        /// Boxed: a queue slot holds a pointer, not a whole event.
        event: Box<NewEvent>,
        at: Instant,
        wall: MicroTime,
    },
    Flush(oneshot::Sender<()>),
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

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Record { .. } => "Record",
            Command::Flush(_) => "Flush",
        })
    }
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
        let worker = Worker {
            cache: SeriesCache::new(config.cache_capacity, config.series_window),
            sink: Sink::new(client, config.max_attempts, config.write_timeout),
            reporter,
            counters: Arc::clone(&counters),
            last_name: 0,
        };
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

/// The background task's state.
struct Worker {
    cache: SeriesCache,
    sink: Sink,
    reporter: Reporter,
    counters: Arc<Counters>,
    /// The last name suffix used, so names stay unique within this recorder.
    last_name: i128,
}

impl Worker {
    async fn run(mut self, mut rx: mpsc::Receiver<Command>, refresh: Duration) {
        let mut ticks = tokio::time::interval_at(Instant::now() + refresh, refresh);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(Command::Record { event, at, wall }) => self.record(*event, at, wall).await,
                    Some(Command::Flush(done)) => {
                        self.write_dirty().await;
                        let _ = done.send(());
                    }
                    None => {
                        self.write_dirty().await;
                        return;
                    }
                },
                _ = ticks.tick() => self.write_dirty().await,
            }
        }
    }

    async fn record(&mut self, event: NewEvent, at: Instant, wall: MicroTime) {
        let key = cache::key(&event);
        let reporter = &self.reporter;
        let last_name = &mut self.last_name;
        let step = self.cache.record(key.clone(), at, wall.clone(), || {
            let regarding = event.regarding.name.as_deref().unwrap_or("event");
            let name = next_name(last_name, regarding, &wall);
            build(&event, reporter, name, wall)
        });
        self.counters
            .series
            .store(self.cache.len() as u64, Ordering::Relaxed);
        match step {
            Step::Create | Step::WriteSeries => self.write(&key).await,
            Step::Counted => {}
        }
    }

    /// Writes every series with unwritten repeats.
    async fn write_dirty(&mut self) {
        for key in self.cache.dirty_keys() {
            self.write(&key).await;
        }
    }

    /// Brings the server up to date with the series of `key`: creates its Event object when
    /// it has none (or it expired), else writes the count.
    async fn write(&mut self, key: &str) {
        let Some(series) = self.cache.get_mut(key) else {
            return;
        };
        let event = series.event.clone();
        let result = if series.created {
            match self.sink.write_series(&event).await {
                Err(err) if err.is_not_found() => {
                    // The server dropped it (Events expire): start the object again.
                    let fresh = self.renamed(event.clone());
                    let result = self.sink.create(&fresh).await;
                    if let Some(series) = self.cache.get_mut(key) {
                        series.event = fresh;
                    }
                    result
                }
                other => other,
            }
        } else {
            self.sink.create(&event).await
        };
        let Some(series) = self.cache.get_mut(key) else {
            return;
        };
        // Failed or not, this state is done with: the next repeat makes it dirty again.
        series.dirty = false;
        match result {
            Ok(()) => {
                series.created = true;
                self.counters.writes.fetch_add(1, Ordering::Relaxed);
            }
            Err(err) => {
                self.counters.failed_writes.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    event = ?event.metadata.name,
                    reason = ?event.reason,
                    error = %err,
                    "failed to write an event",
                );
            }
        }
    }

    /// `event` under a fresh name.
    fn renamed(&mut self, mut event: Event) -> Event {
        let regarding = event
            .regarding
            .as_ref()
            .and_then(|r| r.name.clone())
            .unwrap_or_else(|| "event".to_owned());
        let wall = MicroTime(k8s_openapi::jiff::Timestamp::now());
        event.metadata.name = Some(next_name(&mut self.last_name, &regarding, &wall));
        event
    }
}

/// `<regarding>.<hex time>` as client-go names Events; `last` keeps names unique within a
/// recorder when the clock repeats itself.
fn next_name(last: &mut i128, regarding: &str, wall: &MicroTime) -> String {
    let nanos = wall.0.as_nanosecond().max(*last + 1);
    *last = nanos;
    let mut prefix: String = regarding.chars().take(200).collect();
    while prefix.ends_with(['.', '-']) {
        prefix.pop();
    }
    format!("{prefix}.{nanos:x}")
}

/// The events.k8s.io/v1 Event for the first occurrence of `event`.
fn build(event: &NewEvent, reporter: &Reporter, name: String, wall: MicroTime) -> Event {
    let namespace = event
        .regarding
        .namespace
        .clone()
        .filter(|ns| !ns.is_empty())
        .unwrap_or_else(|| "default".to_owned());
    Event {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace),
            ..ObjectMeta::default()
        },
        event_time: Some(wall),
        type_: Some(event.type_.as_str().to_owned()),
        reason: Some(event.reason.clone()),
        action: Some(event.action.clone()),
        note: event.note.clone(),
        regarding: Some(event.regarding.clone()),
        related: event.related.clone(),
        reporting_controller: Some(reporter.controller.clone()),
        reporting_instance: Some(reporter.instance.chars().take(128).collect()),
        ..Event::default()
    }
}
