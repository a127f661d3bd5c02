//! Pod logs as a stream of lines that survives a dropped connection while following.
//!
//! Guarantees of [`Api::log_lines`]:
//! - lines come in the order the kubelet sends them, each once, without its newline (a last
//!   line without one is still a line);
//! - while following, the request asks for timestamps, so every line carries one; when the
//!   connection drops mid-stream (a read error, not a clean end) the stream asks again once
//!   with `sinceTime` set to the last line's time and skips what it already gave: lines older
//!   than that time, and as many lines with exactly that time as it had given. The API server
//!   passes `sinceTime` to the kubelet with second precision, which only means more lines to
//!   skip; two identical-time lines are told apart by their count, so none is lost or repeated
//!   as long as the kubelet's log is not rotated in between;
//! - a clean end of the body (the container exited) ends the stream; a second drop in a row
//!   without a line in between, or a failed reconnect, ends it with the error.

use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Pod;

use crate::{Api, Error, LogParams};

/// One line of a container's log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogLine {
    /// When it was written (RFC 3339 with nanoseconds, as the kubelet writes it): present when
    /// [`LogParams::timestamps`] was asked for, and always while following.
    pub timestamp: Option<String>,
    /// The line, without its newline.
    pub text: String,
}

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

impl Api<Pod> {
    /// The pod's log as lines; with [`LogParams::follow`], new lines as they are written,
    /// resuming after a dropped connection from the last line's time without repeating or
    /// losing lines (the stream asks for timestamps while following, to know where it was).
    ///
    /// ```no_run
    /// use futures_util::TryStreamExt;
    /// use kubeset_clientset::LogParams;
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let lp = LogParams::default().container("app").follow().tail(10);
    /// let mut lines = std::pin::pin!(client.pods("apps").log_lines("web-0", &lp));
    /// while let Some(line) = lines.try_next().await? {
    ///     println!("{} {}", line.timestamp.unwrap_or_default(), line.text);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn log_lines(
        &self,
        name: &str,
        lp: &LogParams,
    ) -> impl Stream<Item = Result<LogLine, Error>> + Send + use<> {
        let mut lp = lp.clone();
        if lp.follow {
            lp.timestamps = true;
        }
        let state = Lines {
            api: self.clone(),
            name: name.to_owned(),
            lp,
            body: None,
            buf: Vec::new(),
            last: None,
            skip: None,
            dropped_without_progress: false,
            done: false,
        };
        futures_util::stream::unfold(state, |mut s| async move {
            let item = s.next().await?;
            Some((item, s))
        })
    }
}

struct Lines {
    api: Api<Pod>,
    name: String,
    lp: LogParams,
    body: Option<Chunks>,
    buf: Vec<u8>,
    /// The last line's time and how many lines given had exactly that time.
    last: Option<(TimeKey, usize)>,
    /// After a resume: skip lines before this time and this many at it.
    skip: Option<(TimeKey, usize)>,
    dropped_without_progress: bool,
    done: bool,
}

impl Lines {
    async fn next(&mut self) -> Option<Result<LogLine, Error>> {
        loop {
            if let Some(end) = self.buf.iter().position(|b| *b == b'\n') {
                let raw: Vec<u8> = self.buf.drain(..=end).collect();
                if let Some(line) = self.accept(&raw[..raw.len() - 1]) {
                    return Some(Ok(line));
                }
                continue;
            }
            if self.done {
                if self.buf.is_empty() {
                    return None;
                }
                let raw = std::mem::take(&mut self.buf);
                if let Some(line) = self.accept(&raw) {
                    return Some(Ok(line));
                }
                return None;
            }
            let body = match &mut self.body {
                Some(body) => body,
                None => match self.api.log_stream(&self.name, &self.lp).await {
                    Ok(body) => self.body.insert(Box::pin(body)),
                    Err(err) => {
                        self.done = true;
                        self.buf.clear();
                        return Some(Err(err));
                    }
                },
            };
            match body.next().await {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                None => self.done = true,
                Some(Err(err)) => {
                    let resumable = self.lp.follow
                        && matches!(err, Error::ReadBody { .. })
                        && !self.dropped_without_progress;
                    if !resumable {
                        self.done = true;
                        self.buf.clear();
                        return Some(Err(err));
                    }
                    tracing::debug!(pod = %self.name, error = %err, "log stream dropped; resuming");
                    self.resume();
                }
            }
        }
    }

    /// Asks again from the last line's time; a partial line is dropped (it comes again).
    fn resume(&mut self) {
        self.body = None;
        self.buf.clear();
        self.dropped_without_progress = true;
        if let Some((time, count)) = &self.last {
            self.lp.since_time = Some(time.text.clone());
            self.lp.since_seconds = None;
            self.lp.tail_lines = None;
            self.skip = Some((time.clone(), *count));
        }
    }

    /// A line as given, or `None` when it was given before a resume.
    fn accept(&mut self, raw: &[u8]) -> Option<LogLine> {
        let text = String::from_utf8_lossy(raw).into_owned();
        let (timestamp, text) = if self.lp.timestamps {
            match text.split_once(' ') {
                Some((ts, rest)) if TimeKey::parse(ts).is_some() => {
                    (Some(ts.to_owned()), rest.to_owned())
                }
                _ => (None, text),
            }
        } else {
            (None, text)
        };
        let key = timestamp.as_deref().and_then(TimeKey::parse);
        if let (Some(key), Some((at, remaining))) = (&key, &mut self.skip) {
            match key.cmp(at) {
                std::cmp::Ordering::Less => return None,
                std::cmp::Ordering::Equal if *remaining > 0 => {
                    *remaining -= 1;
                    return None;
                }
                _ => self.skip = None,
            }
        }
        self.dropped_without_progress = false;
        if let Some(key) = key {
            match &mut self.last {
                Some((at, count)) if *at == key => *count += 1,
                last => *last = Some((key, 1)),
            }
        }
        Some(LogLine { timestamp, text })
    }
}

/// A kubelet timestamp made comparable: the date-time to the second and the nanoseconds
/// (`2024-01-01T00:00:00.5Z` sorts after `2024-01-01T00:00:00Z`).
#[derive(Debug, Clone)]
struct TimeKey {
    seconds: String,
    nanos: u32,
    text: String,
}

impl PartialEq for TimeKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for TimeKey {}

impl PartialOrd for TimeKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TimeKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.seconds, self.nanos).cmp(&(&other.seconds, other.nanos))
    }
}

impl TimeKey {
    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; `None` for anything else.
    fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let shape = b.len() >= 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && s.ends_with('Z');
        let seconds = s.get(..19)?;
        if !shape || seconds.bytes().filter(u8::is_ascii_digit).count() != 14 {
            return None;
        }
        let rest = s.get(19..s.len() - 1)?;
        let nanos = match rest.strip_prefix('.') {
            None if rest.is_empty() => 0,
            Some(frac)
                if !frac.is_empty()
                    && frac.len() <= 9
                    && frac.bytes().all(|c| c.is_ascii_digit()) =>
            {
                format!("{frac:0<9}").parse().ok()?
            }
            _ => return None,
        };
        Some(Self {
            seconds: seconds.to_owned(),
            nanos,
            text: s.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_times_compare_by_value() {
        let t = |s| TimeKey::parse(s).unwrap();
        assert!(t("2024-01-01T00:00:00.5Z") > t("2024-01-01T00:00:00Z"));
        assert!(t("2024-01-01T00:00:00.25Z") < t("2024-01-01T00:00:00.5Z"));
        assert!(t("2024-01-01T00:00:01Z") > t("2024-01-01T00:00:00.999999999Z"));
        assert_eq!(t("2024-01-01T00:00:00.5Z"), t("2024-01-01T00:00:00.500Z"));
        for bad in [
            "",
            "hello",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+01:00",
        ] {
            assert!(TimeKey::parse(bad).is_none(), "{bad}");
        }
    }
}
