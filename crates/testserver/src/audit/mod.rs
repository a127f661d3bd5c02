//! The audit log: one `audit.k8s.io/v1` [`Event`] per authenticated request, at level
//! `Metadata` and stage `ResponseComplete`, as kube-apiserver writes with an audit policy of
//! `level: Metadata` and `--audit-log-path`.
//!
//! Guarantees:
//! - Every request that authenticated gets exactly one event, written by the listener (the
//!   one place every request passes); handlers never call this module. The authorizer adds
//!   its `authorization.k8s.io/decision` and `authorization.k8s.io/reason` annotations through
//!   [`annotate_decision`], like Go's audit context.
//! - A request's event is recorded before its response reaches the client, except for
//!   long-running requests (watches, logs), whose event is recorded when the response ends.
//! - The memory keeps the newest [`CAPACITY`] events; the file (when configured) gets every one,
//!   one JSON line each, in the order they completed.
//!
//! Not audited, as on a real server only partly: requests that fail authentication (kube-apiserver
//! writes those at stage `ResponseStarted`) and the test server's injected faults.

mod body;
mod event;
mod request;

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::Value;

pub use event::{Event, ObjectReference, ResponseStatus, UserInfo};
pub(crate) use request::{Arrival, DECISION, Pending, annotate_decision, with_annotations};

use crate::api::respond::Body;

/// How many events the memory keeps (the oldest go first).
pub const CAPACITY: usize = 50_000;

/// The `Status` an error answer carried, attached to the response for the audit log.
#[derive(Debug, Clone)]
pub(crate) struct Answered(pub(crate) Arc<Value>);

/// Where events go: a bounded memory and optionally a JSON-lines file.
#[derive(Debug)]
pub(crate) struct AuditLog {
    events: Mutex<VecDeque<Event>>,
    file: Option<Mutex<File>>,
}

impl AuditLog {
    /// A log kept in memory and, if `path` is given, appended to that file.
    pub(crate) fn new(path: Option<&Path>) -> std::io::Result<Self> {
        let file = match path {
            Some(p) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            )),
            None => None,
        };
        Ok(AuditLog {
            events: Mutex::new(VecDeque::new()),
            file,
        })
    }

    /// Keeps one event.
    pub(crate) fn record(&self, event: Event) {
        if let Some(file) = &self.file {
            match serde_json::to_vec(&event) {
                Ok(mut line) => {
                    line.push(b'\n');
                    let mut f = file.lock().unwrap_or_else(|e| e.into_inner());
                    if let Err(e) = f.write_all(&line) {
                        tracing::warn!(error = %e, "failed to write the audit log");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "failed to encode an audit event"),
            }
        }
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() == CAPACITY {
            events.pop_front();
        }
        events.push_back(event);
    }

    /// The events kept, oldest first.
    pub(crate) fn events(&self) -> Vec<Event> {
        let events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        events.iter().cloned().collect()
    }
}

/// Finishes a request's event with its answer: records it now, or when the body ends for a
/// long-running request that succeeded. Sets the `Audit-Id` response header.
pub(crate) fn finish(
    log: &Arc<AuditLog>,
    pending: Pending,
    mut response: http::Response<Body>,
    annotations: std::collections::BTreeMap<String, String>,
) -> http::Response<Body> {
    if let Ok(v) = http::HeaderValue::from_str(pending.audit_id()) {
        response.headers_mut().insert("audit-id", v);
    }
    let code = response.status().as_u16();
    let status = match response.extensions_mut().remove::<Answered>() {
        Some(Answered(s)) => ResponseStatus::from_status(code, &s),
        None => ResponseStatus::code(code),
    };
    if pending.long_running() && response.status().is_success() {
        let event = pending.complete(status, annotations);
        return response.map(|b| body::on_end(b, event, log.clone()));
    }
    log.record(pending.complete(status, annotations));
    response
}
