//! The background task: aggregates queued events into series and writes them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kubeset_clientset::Client;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::cache::{self, SeriesCache, Step};
use super::config::EventRecorderConfig;
use super::event::{NewEvent, Reporter};
use super::sink::Sink;

/// What the task and the handles count, shared.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) recorded: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) writes: AtomicU64,
    pub(crate) failed_writes: AtomicU64,
    pub(crate) series: AtomicU64,
}

/// What the recorder's handles send the task.
pub(crate) enum Command {
    Record {
        /// Boxed: a queue slot holds a pointer, not a whole event.
        event: Box<NewEvent>,
        at: Instant,
        wall: MicroTime,
    },
    Flush(oneshot::Sender<()>),
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Command::Record { .. } => "Record",
            Command::Flush(_) => "Flush",
        })
    }
}

/// The background task's state.
pub(crate) struct Worker {
    cache: SeriesCache,
    sink: Sink,
    reporter: Reporter,
    counters: Arc<Counters>,
    /// The last name suffix used, so names stay unique within this recorder.
    last_name: i128,
}

impl Worker {
    pub(crate) fn new(
        client: Client,
        reporter: Reporter,
        config: &EventRecorderConfig,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            cache: SeriesCache::new(config.cache_capacity, config.series_window),
            sink: Sink::new(client, config.max_attempts, config.write_timeout),
            reporter,
            counters,
            last_name: 0,
        }
    }

    pub(crate) async fn run(mut self, mut rx: mpsc::Receiver<Command>, refresh: Duration) {
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
        reporting_instance: Some(reporter.instance.clone()),
        ..Event::default()
    }
}
