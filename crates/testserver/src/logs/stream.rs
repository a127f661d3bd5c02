//! A log answer: the selected lines at once, or (following) a body that stays open and sends
//! each new line as it is appended.

use bytes::Bytes;
use http::{HeaderValue, Response, header};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};

use super::{PodLogs, Selection};
use crate::answer::body::{self as respond, Body};
use crate::answer::status::ApiError;

/// Answers a log request from the scripted log of `key` (namespace, pod, container).
pub(crate) fn respond(
    logs: &PodLogs,
    key: (String, String, String),
    previous: bool,
    follow: bool,
    selection: Selection,
) -> Result<Response<Body>, ApiError> {
    let Some(snapshot) = logs.snapshot(&key, previous, 0) else {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{}\" in pod \"{}\" not found",
            key.2, key.1
        )));
    };
    let mut budget = selection.limit_bytes.unwrap_or(usize::MAX);
    let mut first = String::new();
    for line in &snapshot.lines[selection.pick(&snapshot.lines)] {
        push_limited(&mut first, &selection.render(line), &mut budget);
    }
    if !follow || snapshot.finished || budget == 0 {
        return Ok(text(respond::full(first)));
    }
    let state = Follow {
        logs: logs.clone(),
        key,
        selection,
        next: snapshot.lines.len(),
        instance: snapshot.instance,
        cuts: snapshot.cuts,
        budget,
        pending: (!first.is_empty()).then(|| Bytes::from(first)),
        changes: logs.subscribe(),
        done: false,
    };
    let frames = futures_util::stream::unfold(state, |mut s| async move {
        let item = s.next().await?;
        Some((item.map(Frame::data), s))
    });
    Ok(text(StreamBody::new(frames).boxed_unsync()))
}

fn text(body: Body) -> Response<Body> {
    let mut r = Response::new(body);
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}

/// Appends at most `budget` bytes of `s`.
fn push_limited(out: &mut String, s: &str, budget: &mut usize) {
    let mut n = s.len().min(*budget);
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    out.push_str(&s[..n]);
    *budget -= n;
}

struct Follow {
    logs: PodLogs,
    key: (String, String, String),
    selection: Selection,
    /// Index of the next line of the log to consider.
    next: usize,
    instance: u64,
    cuts: u64,
    budget: usize,
    pending: Option<Bytes>,
    changes: tokio::sync::watch::Receiver<u64>,
    done: bool,
}

impl Follow {
    /// The next chunk, an error when the stream is cut, `None` at the end.
    async fn next(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        loop {
            if let Some(bytes) = self.pending.take() {
                return Some(Ok(bytes));
            }
            if self.done {
                return None;
            }
            let snapshot = self.logs.snapshot(&self.key, false, self.next)?;
            if snapshot.cuts != self.cuts {
                self.done = true;
                return Some(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "log stream cut by a test",
                )));
            }
            if snapshot.instance != self.instance {
                return None;
            }
            self.next += snapshot.lines.len();
            let mut chunk = String::new();
            for line in snapshot.lines.iter().filter(|l| self.selection.admits(l)) {
                push_limited(&mut chunk, &self.selection.render(line), &mut self.budget);
            }
            self.done = snapshot.finished || self.budget == 0;
            if !chunk.is_empty() {
                self.pending = Some(Bytes::from(chunk));
                continue;
            }
            if self.done {
                return None;
            }
            // wait for the next change (appends, restarts, cuts); a closed channel ends it
            self.changes.changed().await.ok()?;
        }
    }
}
