//! The audit log: one `audit.k8s.io/v1` [`Event`] per authenticated request, at level
//! `Metadata` and stage `ResponseComplete`, as kube-apiserver writes with an audit policy of
//! `level: Metadata` and `--audit-log-path`.
//!
//! Guarantees:
//! - Every authenticated request that is answered gets exactly one event, written by the
//!   listener (the one place every request passes); handlers never call this module. The
//!   authorizer adds its `authorization.k8s.io/decision` and `authorization.k8s.io/reason`
//!   annotations through `annotate_decision`, like Go's audit context.
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
pub(crate) use request::{
    Arrival, DECISION, Pending, annotate, annotate_decision, with_annotations,
};

use crate::answer::body::Body;

/// How many events the memory keeps (the oldest go first).
pub const CAPACITY: usize = 50_000;

/// The `Status` an error answer carried, attached to the response for the audit log.
#[derive(Debug, Clone)]
pub(crate) struct Answered(pub(crate) Arc<Value>);

/// Where events go: a bounded memory and optionally a JSON-lines file.
#[derive(Debug)]
pub(crate) struct AuditLog {
    events: Mutex<VecDeque<Event>>,
    capacity: usize,
    file: Option<Mutex<File>>,
}

impl AuditLog {
    /// A log keeping `capacity` events in memory (the server's default is [`CAPACITY`]) and,
    /// if `path` is given, appending every event to that file.
    pub(crate) fn with_capacity(path: Option<&Path>, capacity: usize) -> std::io::Result<Self> {
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
            capacity: capacity.max(1),
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
        if events.len() >= self.capacity {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn event(verb: &str) -> Event {
        Event {
            kind: "Event".into(),
            api_version: "audit.k8s.io/v1".into(),
            level: "Metadata".into(),
            audit_id: verb.into(),
            stage: "ResponseComplete".into(),
            request_uri: "/api".into(),
            verb: verb.into(),
            user: UserInfo::default(),
            impersonated_user: None,
            source_ips: Vec::new(),
            user_agent: String::new(),
            object_ref: None,
            response_status: Some(ResponseStatus::code(200)),
            request_received_timestamp: String::new(),
            stage_timestamp: String::new(),
            annotations: Default::default(),
        }
    }

    #[test]
    fn memory_keeps_the_newest_and_the_file_every_event() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let log = AuditLog::with_capacity(Some(&path), 2).unwrap();
        for verb in ["get", "list", "watch"] {
            log.record(event(verb));
        }
        let kept: Vec<String> = log.events().into_iter().map(|e| e.verb).collect();
        assert_eq!(kept, ["list", "watch"]);
        let text = std::fs::read_to_string(&path).unwrap();
        let written: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<Event>(l).unwrap().verb)
            .collect();
        assert_eq!(written, ["get", "list", "watch"]);
    }
}
