//! Bounds on what a server may send in a response body: its size, the size of one watch event,
//! and how long it may go quiet.
//!
//! Guarantees: a body that breaks a bound ends with a [`BodyError`] naming the request (method
//! and URL without its query) and the limit, and nothing more is read from it; a body within
//! the bounds is passed through frame by frame, unchanged and unbuffered. Which bounds apply
//! depends on what was asked for:
//!
//! | request | total size | one watch event | idle time |
//! |---|---|---|---|
//! | a watch (`watch=true`, `/watch/` paths) | — | `max_watch_event_bytes` (JSON streams) | — |
//! | a follow (`follow=true`: logs) | — | — | — |
//! | a connection upgrade (exec, attach, port-forward) | — | — | — |
//! | anything else (get, list, writes, discovery) | `max_response_bytes` | — | `body_idle_timeout` |
//!
//! Sizes count decoded bytes (the layer sits above decompression, so a gzip bomb is bounded
//! too). A list is bounded in total, not per item: its items stream through the decoder, so
//! memory is bounded by the limit either way, and paging (`limit`, as every informer does)
//! keeps real lists far below it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, Uri};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;
use tower::{Layer, Service};

use crate::body::{BoxError, ResponseBody};
use crate::error::BodyError;

/// The bounds [`BodyLimitLayer`] enforces; `None` turns one off.
///
/// ```
/// use std::time::Duration;
/// use kubeset_transport::BodyLimits;
///
/// let mut limits = BodyLimits::default();
/// limits.max_response_bytes = Some(4 << 30); // unpaged lists of a very large cluster
/// limits.body_idle_timeout = Some(Duration::from_secs(120));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyLimits {
    /// The most bytes one response body may hold (watches, follows and upgrades excepted).
    /// Default 1 GiB: far above any paged list or single object (etcd stores objects of at
    /// most 1.5 MiB by default), below what would exhaust a daemon's memory. client-go has no
    /// limit.
    pub max_response_bytes: Option<u64>,
    /// The most bytes one event of a JSON watch stream may hold (up to its newline). Default
    /// 64 MiB. client-go has no limit (its JSON framer grows its buffer as needed).
    pub max_watch_event_bytes: Option<u64>,
    /// The longest a response body may send nothing while it is read (watches, follows and
    /// upgrades excepted: they may rightly be quiet). Default 60 s. client-go has no such
    /// timeout; its `rest.Config.Timeout` (default none) bounds the whole request, and HTTP/2
    /// pings only notice a dead connection, not a server that stalls on a live one.
    pub body_idle_timeout: Option<Duration>,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self {
            max_response_bytes: Some(1 << 30),
            max_watch_event_bytes: Some(64 << 20),
            body_idle_timeout: Some(Duration::from_secs(60)),
        }
    }
}

impl BodyLimits {
    /// No bounds at all.
    ///
    /// ```
    /// let limits = kubeset_transport::BodyLimits::none();
    /// assert_eq!(limits.max_response_bytes, None);
    /// ```
    pub fn none() -> Self {
        Self {
            max_response_bytes: None,
            max_watch_event_bytes: None,
            body_idle_timeout: None,
        }
    }
}

/// Ends response bodies that break [`BodyLimits`] with a [`BodyError`].
///
/// ```
/// use kubeset_transport::{BodyLimitLayer, BodyLimits};
///
/// let layer = BodyLimitLayer::new(BodyLimits::default());
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BodyLimitLayer {
    limits: BodyLimits,
}

impl BodyLimitLayer {
    /// A layer enforcing `limits`.
    pub fn new(limits: BodyLimits) -> Self {
        Self { limits }
    }
}

impl<S> Layer<S> for BodyLimitLayer {
    type Service = BodyLimit<S>;

    fn layer(&self, inner: S) -> BodyLimit<S> {
        BodyLimit {
            inner,
            limits: self.limits,
        }
    }
}

/// The service made by [`BodyLimitLayer`].
#[derive(Debug, Clone)]
pub struct BodyLimit<S> {
    inner: S,
    limits: BodyLimits,
}

impl<S> BodyLimit<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B, RB> Service<Request<B>> for BodyLimit<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    RB: Body<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let bounds = bounds_for(&req, &self.limits);
        // Cheap copies (shared bytes); redacted into a string only for an error.
        let request = Arc::new((req.method().clone(), req.uri().clone()));
        let future = self.inner.call(req);
        Box::pin(async move {
            let response = future.await.map_err(Into::into)?;
            if response.status() == http::StatusCode::SWITCHING_PROTOCOLS || bounds.is_none() {
                return Ok(response.map(|body| body.map_err(Into::into).boxed_unsync()));
            }
            // A watch may be answered with protobuf, framed by lengths instead of newlines.
            let json = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json"));
            let mut bounds = bounds;
            if !json {
                bounds.max_event = None;
            }
            Ok(response.map(|body| LimitedBody::new(body, bounds, request).boxed_unsync()))
        })
    }
}

/// The bounds that apply to the answer of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    max_total: Option<u64>,
    max_event: Option<u64>,
    idle: Option<Duration>,
}

impl Bounds {
    fn is_none(&self) -> bool {
        self.max_total.is_none() && self.max_event.is_none() && self.idle.is_none()
    }
}

fn bounds_for<B>(req: &Request<B>, limits: &BodyLimits) -> Bounds {
    let none = Bounds {
        max_total: None,
        max_event: None,
        idle: None,
    };
    if req.headers().contains_key(http::header::UPGRADE) || is_follow(req.uri()) {
        none
    } else if crate::timeout::is_watch(req.uri()) {
        Bounds {
            max_event: limits.max_watch_event_bytes,
            ..none
        }
    } else {
        Bounds {
            max_total: limits.max_response_bytes,
            max_event: None,
            idle: limits.body_idle_timeout,
        }
    }
}

/// Whether `uri` asks to follow a log (`follow=true`): the body may rightly be quiet for ever.
pub(crate) fn is_follow(uri: &Uri) -> bool {
    uri.query().is_some_and(|query| {
        query.split('&').any(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            key == "follow" && matches!(value, "1" | "t" | "T" | "true" | "TRUE" | "True")
        })
    })
}

pin_project_lite::pin_project! {
    /// A body that ends with a [`BodyError`] when it breaks its bounds.
    struct LimitedBody<B> {
        #[pin]
        inner: B,
        bounds: Bounds,
        request: Arc<(Method, Uri)>,
        // Bytes so far, and bytes since the last newline (watch events).
        total: u64,
        event: u64,
        // The idle deadline, armed when a wait for data begins.
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
        waiting: bool,
        failed: bool,
    }
}

impl<B> LimitedBody<B> {
    fn new(inner: B, bounds: Bounds, request: Arc<(Method, Uri)>) -> Self {
        Self {
            inner,
            bounds,
            request,
            total: 0,
            event: 0,
            sleep: None,
            waiting: false,
            failed: false,
        }
    }
}

fn fail(request: &(Method, Uri), make: impl FnOnce(Method, String) -> BodyError) -> BoxError {
    Box::new(make(
        request.0.clone(),
        crate::trace::redacted_url(&request.1),
    ))
}

impl<B> Body for LimitedBody<B>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        if *this.failed {
            return Poll::Ready(None);
        }
        let polled = this.inner.poll_frame(cx);
        let Poll::Ready(frame) = polled else {
            let Some(after) = this.bounds.idle else {
                return Poll::Pending;
            };
            // The wait starts now: time spent by the reader between frames is not idleness.
            let deadline = tokio::time::Instant::now() + after;
            if !*this.waiting {
                *this.waiting = true;
                match this.sleep {
                    Some(sleep) => sleep.as_mut().reset(deadline),
                    None => *this.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
                }
            }
            if let Some(sleep) = this.sleep {
                ready!(sleep.as_mut().poll(cx));
            }
            *this.failed = true;
            let err = fail(this.request, |method, url| BodyError::Stalled {
                method,
                url,
                after,
            });
            return Poll::Ready(Some(Err(err)));
        };
        *this.waiting = false;
        let frame = match frame {
            Some(Ok(frame)) => frame,
            Some(Err(err)) => return Poll::Ready(Some(Err(err.into()))),
            None => return Poll::Ready(None),
        };
        if let Some(data) = frame.data_ref() {
            let len = data.len() as u64;
            *this.total += len;
            if let Some(limit) = this.bounds.max_total
                && *this.total > limit
            {
                *this.failed = true;
                let err = fail(this.request, |method, url| BodyError::TooLarge {
                    method,
                    url,
                    limit,
                });
                return Poll::Ready(Some(Err(err)));
            }
            if let Some(limit) = this.bounds.max_event {
                *this.event = match memchr::memrchr(b'\n', data) {
                    Some(at) => (data.len() - at - 1) as u64,
                    None => *this.event + len,
                };
                if *this.event > limit {
                    *this.failed = true;
                    let err = fail(this.request, |method, url| BodyError::EventTooLarge {
                        method,
                        url,
                        limit,
                    });
                    return Poll::Ready(Some(Err(err)));
                }
            }
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.failed || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::StreamBody;
    use tower::ServiceExt as _;

    type Fed = tower::util::BoxCloneService<Request<()>, Response<ResponseBody>, BoxError>;
    type Feed = tokio::sync::mpsc::Sender<Result<Frame<Bytes>, BoxError>>;

    /// A service answering one request with a body fed through the returned sender.
    fn fed(content_type: &'static str) -> (Fed, Feed) {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let rx = Arc::new(std::sync::Mutex::new(Some(rx)));
        let service = tower::service_fn(move |_req: Request<()>| {
            let rx = rx.lock().unwrap().take();
            async move {
                let rx = rx.expect("one request per test");
                let stream = futures_util::stream::unfold(rx, |mut rx| async move {
                    rx.recv().await.map(|item| (item, rx))
                });
                let body = StreamBody::new(stream).boxed_unsync();
                Ok::<_, BoxError>(
                    Response::builder()
                        .header(http::header::CONTENT_TYPE, content_type)
                        .body(body)
                        .unwrap(),
                )
            }
        });
        (tower::util::BoxCloneService::new(service), tx)
    }

    fn data(bytes: &'static [u8]) -> Result<Frame<Bytes>, BoxError> {
        Ok(Frame::data(Bytes::from_static(bytes)))
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_body_fails_after_the_idle_timeout_measured_from_the_wait() {
        let (service, tx) = fed("application/json");
        let limits = BodyLimits {
            body_idle_timeout: Some(Duration::from_secs(10)),
            ..BodyLimits::default()
        };
        let service = BodyLimitLayer::new(limits).layer(service);
        let request = Request::get("https://h/api/v1/pods?limit=5")
            .body(())
            .unwrap();
        let mut body = service.oneshot(request).await.unwrap().into_body();
        tx.send(data(b"{\"items\":[")).await.unwrap();
        assert!(body.frame().await.unwrap().is_ok());
        // The reader is busy for longer than the timeout: that is not the server's fault.
        tokio::time::sleep(Duration::from_secs(30)).await;
        tx.send(data(b"]}")).await.unwrap();
        assert!(body.frame().await.unwrap().is_ok());
        let started = tokio::time::Instant::now();
        let err = body.frame().await.unwrap().unwrap_err();
        assert_eq!(started.elapsed(), Duration::from_secs(10));
        assert_eq!(
            err.to_string(),
            "GET https://h/api/v1/pods: the server sent no body data for 10s (body_idle_timeout)"
        );
        assert!(
            body.frame().await.is_none(),
            "nothing is read after the error"
        );
        drop(tx);
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_watch_or_follow_is_not_timed_out() {
        for uri in [
            "https://h/api/v1/pods?watch=true",
            "https://h/api/v1/namespaces/a/pods/p/log?follow=true",
        ] {
            let (service, tx) = fed("application/json");
            let service = BodyLimitLayer::new(BodyLimits::default()).layer(service);
            let request = Request::get(uri).body(()).unwrap();
            let mut body = service.oneshot(request).await.unwrap().into_body();
            let waited = tokio::time::timeout(Duration::from_secs(3600), body.frame()).await;
            assert!(waited.is_err(), "{uri}: a quiet stream is left alone");
            drop(tx);
        }
    }

    #[tokio::test]
    async fn sizes_are_bounded_in_total_and_per_watch_event() {
        let limits = BodyLimits {
            max_response_bytes: Some(10),
            max_watch_event_bytes: Some(8),
            body_idle_timeout: None,
        };
        // A plain answer: 6 + 6 bytes breaks the total of 10.
        let (service, tx) = fed("application/json");
        let service = BodyLimitLayer::new(limits).layer(service);
        let request = Request::get("https://h/api/v1/pods").body(()).unwrap();
        let mut body = service.oneshot(request).await.unwrap().into_body();
        tx.send(data(b"123456")).await.unwrap();
        tx.send(data(b"123456")).await.unwrap();
        assert!(body.frame().await.unwrap().is_ok());
        let err = body.frame().await.unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET https://h/api/v1/pods: the response body exceeds 10 bytes (max_response_bytes)"
        );

        // A watch: many short events are fine, whatever the total; one long one is not.
        let (service, tx) = fed("application/json");
        let service = BodyLimitLayer::new(limits).layer(service);
        let request = Request::get("https://h/api/v1/pods?watch=1")
            .body(())
            .unwrap();
        let mut body = service.oneshot(request).await.unwrap().into_body();
        for _ in 0..4 {
            tx.send(data(b"{\"a\":1}\n{\"b\"")).await.unwrap();
            assert!(body.frame().await.unwrap().is_ok());
        }
        tx.send(data(b":2}\n12345678")).await.unwrap();
        assert!(body.frame().await.unwrap().is_ok(), "8 bytes is the limit");
        tx.send(data(b"9")).await.unwrap();
        let err = body.frame().await.unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            "GET https://h/api/v1/pods: a watch event exceeds 8 bytes without a newline (max_watch_event_bytes)"
        );

        // A protobuf watch has no newlines to count: its decoder bounds its frames.
        let (service, tx) = fed("application/vnd.kubernetes.protobuf;stream=watch");
        let service = BodyLimitLayer::new(limits).layer(service);
        let request = Request::get("https://h/api/v1/pods?watch=1")
            .body(())
            .unwrap();
        let mut body = service.oneshot(request).await.unwrap().into_body();
        tx.send(data(b"0123456789abcdef")).await.unwrap();
        assert!(body.frame().await.unwrap().is_ok());
    }

    #[test]
    fn follows_are_recognised() {
        for (uri, follow) in [
            ("/api/v1/namespaces/a/pods/p/log?follow=true", true),
            ("/api/v1/namespaces/a/pods/p/log?container=c&follow=1", true),
            ("/api/v1/namespaces/a/pods/p/log?follow=false", false),
            ("/api/v1/namespaces/a/pods/p/log", false),
        ] {
            assert_eq!(is_follow(&uri.parse().unwrap()), follow, "{uri}");
        }
    }
}
