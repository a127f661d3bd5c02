//! Events (`events.k8s.io/v1`, core/v1 where that group is absent), recorded as client-go's
//! `tools/events` does: repeats become a series on one Event object instead of new objects.
//!
//! ```no_run
//! use k8s_openapi::api::core::v1::Pod;
//! use kubeset_runtime::events::{EventRecorder, NewEvent, Reporter, reference_to};
//!
//! # async fn demo(client: kubeset_clientset::Client, pod: Pod) {
//! let recorder = EventRecorder::new(
//!     client,
//!     Reporter::new("example.com/scheduler", std::env::var("POD_NAME").unwrap_or_default()),
//! );
//! // In a reconcile: returns at once, whatever the API server is doing.
//! recorder.record(
//!     NewEvent::warning(reference_to(&pod), "FailedScheduling", "Scheduling")
//!         .note("0/3 nodes are available: 3 Insufficient cpu."),
//! );
//! # }
//! ```
//!
//! # Guarantees
//!
//! - **The caller is never blocked or failed.** [`EventRecorder::record`] is a synchronous
//!   call that puts the event on a bounded queue; a background task writes it. When the queue
//!   is full (the server is down or slow) the event is dropped, counted in
//!   [`RecorderStats::dropped`] and logged at exponentially spaced counts; nothing panics.
//! - **Repeats aggregate.** Events with the same type, reason, action, regarding and related
//!   objects (the note may differ; object references compare without resourceVersion)
//!   within [`series_window`](EventRecorderConfig::series_window) of the previous one are one
//!   series: the first is created, the second writes `series.count = 2` at once, later ones
//!   update `count` and `lastObservedTime` every
//!   [`series_refresh`](EventRecorderConfig::series_refresh) and on
//!   [`flush`](EventRecorder::flush). An Event object the server has dropped meanwhile is
//!   created again.
//! - **Memory is bounded**: at most `queue_capacity` queued events and `cache_capacity`
//!   series (least recently seen forgotten first; a forgotten series' next repeat starts a new
//!   Event object), notes cut to 1 KiB.
//! - **Transient failures are retried** (5xx, 429, no answer: `max_attempts` tries, a pause of
//!   0.5 s doubling in between); other failures are logged and counted in
//!   [`RecorderStats::failed_writes`].
//! - The API is discovered once, on the first write: `events.k8s.io/v1` when the server
//!   serves it, core/v1 (`involvedObject`, `message`, `reportingComponent`) otherwise.

mod cache;
mod config;
mod event;
mod recorder;
mod sink;
mod worker;

#[cfg(test)]
mod tests;

pub use config::EventRecorderConfig;
pub use event::{EventType, NewEvent, Reporter, reference_to};
pub use recorder::{EventRecorder, RecorderStats};
