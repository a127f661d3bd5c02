//! Answers cut after the request was served: the body reset part-way, or the headers sent and
//! then nothing until the connection is reset.
//!
//! The handler has acted by the time an answer is cut (a create created, a delete deleted),
//! so these are the faults where a client cannot tell from the answer whether its write
//! happened, and a retried `POST` meets `AlreadyExists`.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Response};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};

use crate::answer::body::Body;

/// Which requests a cut ([`FaultInjector::reset_next`](crate::FaultInjector::reset_next),
/// [`FaultInjector::stall_next`](crate::FaultInjector::stall_next)) hits.
///
/// ```no_run
/// use kubeset_testserver::{Hits, TestServer};
///
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = TestServer::start().await?;
/// // the next create, update, patch or delete is made, but its answer is cut
/// server.faults().reset_next(1, Hits::Writes);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hits {
    /// Every request.
    Any,
    /// `GET` (gets, lists and watches), `HEAD` and `OPTIONS`.
    Reads,
    /// `POST`, `PUT`, `PATCH` and `DELETE`.
    Writes,
}

impl Hits {
    fn covers(self, method: &Method) -> bool {
        let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        match self {
            Hits::Any => true,
            Hits::Reads => read,
            Hits::Writes => !read,
        }
    }
}

/// How an answer is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// Half of the body's first chunk, then the connection reset.
    Reset,
    /// The headers, then nothing for this long, then the connection reset.
    Stall(Duration),
}

/// Cuts planned for the next answers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Planned {
    pub(crate) cut: Cut,
    pub(crate) hits: Hits,
    pub(crate) remaining: u32,
}

impl Planned {
    /// Whether the answer to `method` is cut, using up one of the planned cuts if so.
    pub(crate) fn take(&mut self, method: &Method) -> Option<Cut> {
        if self.remaining == 0 || !self.hits.covers(method) {
            return None;
        }
        self.remaining -= 1;
        Some(self.cut)
    }
}

fn reset() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "connection reset by fault injection",
    )
}

/// `response` with its body cut as `cut` says (its status and headers are kept).
pub(crate) fn apply(response: Response<Body>, cut: Cut) -> Response<Body> {
    let (parts, body) = response.into_parts();
    let body = match cut {
        Cut::Reset => half_then_reset(body),
        Cut::Stall(stall) => stall_then_reset(stall),
    };
    Response::from_parts(parts, body)
}

/// How long a reset body waits before the reset, so that what came before is on the wire.
const FLUSH: Duration = Duration::from_millis(20);

/// What the body stream still has to do.
enum Step {
    Start(Body),
    Reset,
    Done,
}

fn half_then_reset(body: Body) -> Body {
    let frames = futures_util::stream::unfold(Step::Start(body), |step| async move {
        match step {
            Step::Start(mut body) => {
                let half = loop {
                    match body.frame().await {
                        Some(Ok(frame)) => match frame.into_data() {
                            Ok(data) => break data.slice(..data.len() / 2),
                            Err(_trailers) => continue,
                        },
                        Some(Err(_)) | None => break Bytes::new(),
                    }
                };
                if half.is_empty() {
                    Some((Err(reset()), Step::Done))
                } else {
                    Some((Ok(Frame::data(half)), Step::Reset))
                }
            }
            Step::Reset => {
                // pending a moment, so the server flushes the headers and the half first
                tokio::time::sleep(FLUSH).await;
                Some((Err(reset()), Step::Done))
            }
            Step::Done => None,
        }
    });
    StreamBody::new(frames).boxed_unsync()
}

fn stall_then_reset(stall: Duration) -> Body {
    let frames = futures_util::stream::once(async move {
        tokio::time::sleep(stall).await;
        Err::<Frame<Bytes>, _>(reset())
    });
    StreamBody::new(frames).boxed_unsync()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_split_reads_from_writes() {
        for (hits, method, covered) in [
            (Hits::Any, Method::POST, true),
            (Hits::Reads, Method::GET, true),
            (Hits::Reads, Method::DELETE, false),
            (Hits::Writes, Method::PUT, true),
            (Hits::Writes, Method::GET, false),
        ] {
            assert_eq!(hits.covers(&method), covered, "{hits:?} {method}");
        }
    }

    #[test]
    fn planned_cuts_are_used_up_by_the_requests_they_hit() {
        let mut planned = Planned {
            cut: Cut::Reset,
            hits: Hits::Writes,
            remaining: 2,
        };
        assert_eq!(planned.take(&Method::GET), None);
        assert_eq!(planned.take(&Method::POST), Some(Cut::Reset));
        assert_eq!(planned.take(&Method::DELETE), Some(Cut::Reset));
        assert_eq!(planned.take(&Method::POST), None);
    }

    #[tokio::test]
    async fn a_reset_body_gives_half_then_an_error() {
        let response = Response::new(crate::answer::body::full("0123456789"));
        let mut body = apply(response, Cut::Reset).into_body();
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert_eq!(first, Bytes::from_static(b"01234"));
        let err = body.frame().await.unwrap().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
        assert!(body.frame().await.is_none());
    }
}
