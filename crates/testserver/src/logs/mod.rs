//! Scripted container logs: what a kubelet would serve for `pods/log`, written by tests.
//!
//! The test server runs no containers, so tests append lines to a container's log with
//! [`PodLogs`] (from [`TestServer::logs`](crate::TestServer::logs)); `GET pods/NAME/log` then
//! answers from it as the kubelet would through kube-apiserver: `tailLines` (the last lines),
//! `sinceSeconds`/`sinceTime` (lines at or after that second; the API server passes `sinceTime`
//! to the kubelet with second precision), `timestamps` (each line prefixed with its RFC 3339
//! time in nanoseconds and a space), `limitBytes`, `previous` (the instance before the last
//! [`PodLogs::restart`]) and `follow` (new lines as they are appended, until the container
//! [finishes](PodLogs::finish) or is restarted).
//!
//! Guarantees: lines keep their append order and their times never go backwards in one log;
//! a follow stream sends every line appended after it started exactly once, in order;
//! [`PodLogs::cut_streams`] breaks every follow stream open at that moment mid-stream (the
//! client sees a connection error, not a clean end), as a dropped connection does.
//!
//! A container with no scripted log keeps the API server's answers without a kubelet (204 for
//! an unscheduled pod, the kubelet's connection error otherwise).

mod select;
mod stream;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;

pub(crate) use select::Selection;
pub(crate) use stream::respond;

/// One log line and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) time: OffsetDateTime,
    pub(crate) text: String,
}

#[derive(Debug, Default)]
struct ContainerLog {
    current: Vec<Line>,
    previous: Option<Vec<Line>>,
    /// Bumped at each restart: a follow stream of an older instance ends.
    instance: u64,
    finished: bool,
}

#[derive(Debug, Default)]
struct State {
    logs: HashMap<(String, String, String), ContainerLog>,
    /// Bumped by `cut_streams`.
    cuts: u64,
}

/// The scripted logs of every pod's containers (cheap to clone; clones share the logs).
///
/// ```no_run
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = kubeset_testserver::TestServer::start().await?;
/// let logs = server.logs();
/// logs.append("default", "web-0", "app", "listening on :8080");
/// // GET /api/v1/namespaces/default/pods/web-0/log?container=app now answers that line
/// logs.cut_streams(); // every follow stream open now breaks
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PodLogs {
    state: Arc<Mutex<State>>,
    changed: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Default for PodLogs {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            changed: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }
}

impl PodLogs {
    /// Appends `line` (without its newline) to the container's current log, written now.
    pub fn append(&self, namespace: &str, pod: &str, container: &str, line: &str) {
        self.append_at(
            namespace,
            pod,
            container,
            std::time::SystemTime::now(),
            line,
        );
    }

    /// Appends `line` written at `time` (never earlier than the log's last line: a later time
    /// is kept, an earlier one becomes the last line's).
    pub fn append_at(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        time: std::time::SystemTime,
        line: &str,
    ) {
        let time = OffsetDateTime::from(time);
        self.edit(namespace, pod, container, |log| {
            let time = log.current.last().map_or(time, |last| time.max(last.time));
            log.current.push(Line {
                time,
                text: line.to_owned(),
            });
        });
    }

    /// The container restarted: its log becomes the `previous=true` log, a new empty one
    /// begins, and follow streams of the old instance end.
    pub fn restart(&self, namespace: &str, pod: &str, container: &str) {
        self.edit(namespace, pod, container, |log| {
            log.previous = Some(std::mem::take(&mut log.current));
            log.instance += 1;
            log.finished = false;
        });
    }

    /// The container exited: follow streams end after its last line.
    pub fn finish(&self, namespace: &str, pod: &str, container: &str) {
        self.edit(namespace, pod, container, |log| log.finished = true);
    }

    /// Breaks every follow stream open now, as a dropped connection would (the client reads
    /// an error, not the end of the body).
    pub fn cut_streams(&self) {
        self.lock().cuts += 1;
        self.changed.send_modify(|n| *n += 1);
    }

    fn edit(&self, namespace: &str, pod: &str, container: &str, f: impl FnOnce(&mut ContainerLog)) {
        let key = (namespace.to_owned(), pod.to_owned(), container.to_owned());
        f(self.lock().logs.entry(key).or_default());
        self.changed.send_modify(|n| *n += 1);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the container has a scripted log.
    pub(crate) fn has(&self, namespace: &str, pod: &str, container: &str) -> bool {
        let key = (namespace.to_owned(), pod.to_owned(), container.to_owned());
        self.lock().logs.contains_key(&key)
    }
}

/// What a follow stream needs to know about one log at one moment.
#[derive(Debug)]
pub(crate) struct Snapshot {
    /// The lines from the requested index on.
    pub(crate) lines: Vec<Line>,
    /// The instance the lines belong to.
    pub(crate) instance: u64,
    /// Whether the container exited.
    pub(crate) finished: bool,
    /// Cuts so far.
    pub(crate) cuts: u64,
}

impl PodLogs {
    /// The current (or previous) log's lines from `from` on; `None` when there is no such log
    /// (for `previous`: the container never restarted).
    pub(crate) fn snapshot(
        &self,
        key: &(String, String, String),
        previous: bool,
        from: usize,
    ) -> Option<Snapshot> {
        let state = self.lock();
        let log = state.logs.get(key)?;
        let lines = if previous {
            log.previous.as_ref()?
        } else {
            &log.current
        };
        Some(Snapshot {
            lines: lines.get(from..).unwrap_or_default().to_vec(),
            instance: log.instance,
            // a previous instance has exited by definition
            finished: previous || log.finished,
            cuts: state.cuts,
        })
    }

    /// A receiver told of every change.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }
}
