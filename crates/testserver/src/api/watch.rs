//! WATCH: events from history or "now", selectors, bookmarks, initial events, 410 on too old.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response, header};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api::body::As;
use crate::api::hooks::Filter;
use crate::api::list::{read_error, scope_of, subject_of};
use crate::api::query::ListOptions;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};
use crate::faults::{Subject, history_compacted};
use crate::registry::ResourceType;
use crate::storage::{Event, EventType, Scope, StoreError};

/// Everything the streaming task needs.
struct Watcher {
    app: Arc<App>,
    rt: Arc<ResourceType>,
    scope: Scope,
    filter: Filter,
    metadata_only: bool,
    /// `as=Table`: each event object is a one-row Table (what `kubectl get -w` prints).
    table: Option<crate::api::query::Query>,
    /// Whether a Table with column definitions was sent: as kube-apiserver's watch encoder,
    /// only the first Table of a watch carries them, later ones have `columnDefinitions: null`.
    table_headers_sent: AtomicBool,
    bookmarks: bool,
}

impl Watcher {
    /// What the scoped faults know this watch by.
    fn subject(&self) -> Subject<'_> {
        subject_of(&self.rt, &self.scope)
    }

    fn line(&self, kind: &str, obj: &Value) -> Bytes {
        let obj = if let Some(q) = &self.table {
            let rv = obj
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut table = crate::api::table::render(&self.rt, std::iter::once(obj), rv, q);
            if self.table_headers_sent.swap(true, Ordering::Relaxed) {
                table["columnDefinitions"] = Value::Null;
            }
            table
        } else if self.metadata_only {
            respond::partial_metadata(obj)
        } else {
            // in the version watched (custom resources' served version, events.k8s.io Events)
            crate::api::convert::to_external(&self.rt, obj)
        };
        let mut bytes =
            serde_json::to_vec(&json!({"type": kind, "object": obj})).unwrap_or_default();
        bytes.push(b'\n');
        Bytes::from(bytes)
    }

    fn bookmark(&self, revision: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": revision.to_string()});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj =
            json!({"kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": meta});
        let mut bytes =
            serde_json::to_vec(&json!({"type": "BOOKMARK", "object": obj})).unwrap_or_default();
        bytes.push(b'\n');
        Bytes::from(bytes)
    }

    /// The event as this watcher sees it (selectors can turn updates into ADDED/DELETED).
    fn translate(&self, e: &Event) -> Option<Bytes> {
        if !self.scope.contains(&e.key) {
            return None;
        }
        let now = self.filter.matches(&e.object);
        let before = e
            .previous
            .as_deref()
            .is_some_and(|p| self.filter.matches(p));
        let kind = match (e.kind, before, now) {
            (EventType::Added, _, true) => "ADDED",
            (EventType::Modified, true, true) => "MODIFIED",
            (EventType::Modified, false, true) => "ADDED",
            (EventType::Modified, true, false) => "DELETED",
            (EventType::Deleted, true, _) => "DELETED",
            _ => return None,
        };
        Some(self.line(kind, &e.object))
    }
}

/// Answers a watch: validates, then streams newline-delimited events.
pub(super) fn watch(
    app: &Arc<App>,
    ctx: &Ctx,
    target: &Target,
) -> Result<Response<Body>, ApiError> {
    let rt = target.rt.clone();
    let opts = ListOptions::parse(&ctx.query, true)?;
    let filter = Filter::parse(&rt, &opts.label_selector, &opts.field_selector)?;
    let requested = opts.revision()?;
    let initial_events = opts.send_initial_events == Some(true);
    if ctx.repr.shape == As::Table {
        crate::api::table::check_options(&ctx.query)?;
    }
    let watcher = Watcher {
        app: app.clone(),
        scope: scope_of(&rt, target),
        rt,
        filter,
        metadata_only: ctx.repr.shape == As::Metadata,
        table: (ctx.repr.shape == As::Table)
            .then(|| crate::api::query::Query::parse(Some(&table_query(ctx)))),
        table_headers_sent: AtomicBool::new(false),
        bookmarks: opts.bookmarks,
    };
    let timeout = opts
        .timeout_seconds
        .filter(|t| *t > 0)
        .map(|t| Duration::from_secs(t as u64));
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    tokio::spawn(stream(watcher, requested, initial_events, timeout, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::io::Error>(Frame::data(b)), rx))
    });
    let mut r = Response::new(StreamBody::new(stream).boxed_unsync());
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

async fn stream(
    w: Watcher,
    requested: Option<u64>,
    initial_events: bool,
    timeout: Option<Duration>,
    tx: mpsc::Sender<Bytes>,
) {
    let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
    let mut updates = w.app.store.subscribe();
    let mut endings = w.app.faults.watch_endings();
    let store = &w.app.store;
    // where the live stream starts, after any synthetic initial events
    let mut last = match (requested, initial_events) {
        (Some(n), false) if n > 0 => {
            // subscribed to endings first: a scoped compaction is either seen here or ends us
            if let Err(e) = w.app.faults.check_history(&w.subject(), n) {
                let _ = tx.send(error_line(&w, watch_error(e))).await;
                return;
            }
            n
        }
        _ => {
            let snapshot = match store.snapshot(None) {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(error_line(&w, read_error(e))).await;
                    return;
                }
            };
            for (_, obj) in snapshot.range(&w.scope, None) {
                if w.filter.matches(obj) && tx.send(w.line("ADDED", obj)).await.is_err() {
                    return;
                }
            }
            if initial_events
                && w.bookmarks
                && tx.send(w.bookmark(snapshot.revision, true)).await.is_err()
            {
                return;
            }
            snapshot.revision
        }
    };
    // the version the client would resume from: the last it was sent
    let mut resume_from = last;
    let bookmark_every = w.app.faults.bookmark_interval();
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + bookmark_every, bookmark_every);
    loop {
        match store.events_after(last) {
            Ok(events) => {
                for e in &events {
                    last = e.revision;
                    if let Some(line) = w.translate(e) {
                        if tx.send(line).await.is_err() {
                            return;
                        }
                        resume_from = e.revision;
                    }
                }
            }
            Err(e @ StoreError::Compacted { .. }) => {
                let _ = tx.send(error_line(&w, watch_error(e))).await;
                return;
            }
            Err(_) => return,
        }
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = updates.changed() => if changed.is_err() { return },
            _ = sleep => return,
            ending = endings.recv() => match ending {
                Ok(ending) if ending.hits(&w.subject()) => {
                    if let Some(floor) = ending.expired_at {
                        let err = watch_error(history_compacted(resume_from, floor));
                        let _ = tx.send(error_line(&w, err)).await;
                    }
                    return;
                }
                Ok(_) => {}
                // endings were missed: one of them may have been ours
                Err(_) => return,
            },
            _ = ticker.tick() => {
                if w.bookmarks {
                    let rv = store.revision().max(last);
                    if tx.send(w.bookmark(rv, false)).await.is_err() {
                        return;
                    }
                    resume_from = rv;
                }
            }
            () = tx.closed() => return,
        }
    }
}

/// The ERROR of a watch whose history is gone: like kube-apiserver's watch cache, it names the
/// requested version and the oldest one a watch can still start from (the version just before
/// the oldest kept event).
fn watch_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Compacted { requested, oldest } => ApiError::expired(format!(
            "too old resource version: {requested} ({})",
            oldest.saturating_sub(1)
        )),
        other => read_error(other),
    }
}

fn error_line(_w: &Watcher, e: ApiError) -> Bytes {
    let mut bytes =
        serde_json::to_vec(&json!({"type": "ERROR", "object": e.to_status()})).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

/// The query string a Table needs (`includeObject`).
fn table_query(ctx: &Ctx) -> String {
    match ctx.query.get("includeObject") {
        Some(v) => format!("includeObject={v}"),
        None => String::new(),
    }
}
