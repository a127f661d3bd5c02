//! A per-attempt timeout on the response headers, from which watches are exempt.
//!
//! Guarantees: a request that gets no response headers within the timeout fails with
//! [`RequestError::Timeout`] naming it (the retry layer repeats reads after one); a body is never
//! cut off, so a long list keeps streaming; a watch (`?watch=true`, `?watch=1` or a legacy
//! `/v1/watch/` path) is never timed out at all, as it may wait for its first event.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response, Uri};
use tower::{Layer, Service};

use crate::body::BoxError;
use crate::error::RequestError;

/// Fails a request whose response headers do not arrive within `after`; watches are exempt.
///
/// ```
/// use std::time::Duration;
/// use kubeset_transport::ResponseTimeoutLayer;
///
/// let layer = ResponseTimeoutLayer::new(Duration::from_secs(30));
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ResponseTimeoutLayer {
    after: Duration,
}

impl ResponseTimeoutLayer {
    /// A layer waiting at most `after` for each response's headers.
    pub fn new(after: Duration) -> Self {
        Self { after }
    }
}

impl<S> Layer<S> for ResponseTimeoutLayer {
    type Service = ResponseTimeout<S>;

    fn layer(&self, inner: S) -> ResponseTimeout<S> {
        ResponseTimeout {
            inner,
            after: self.after,
        }
    }
}

/// The service made by [`ResponseTimeoutLayer`].
#[derive(Debug, Clone)]
pub struct ResponseTimeout<S> {
    inner: S,
    after: Duration,
}

impl<S> ResponseTimeout<S> {
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

impl<S, B, RB> Service<Request<B>> for ResponseTimeout<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<RB>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let watch = is_watch(req.uri());
        let method = req.method().clone();
        let url = crate::trace::redacted_url(req.uri());
        let sending = self.inner.call(req);
        let after = self.after;
        Box::pin(async move {
            if watch {
                return sending.await.map_err(Into::into);
            }
            match tokio::time::timeout(after, sending).await {
                Ok(result) => result.map_err(Into::into),
                Err(_elapsed) => Err(BoxError::from(RequestError::Timeout { method, url, after })),
            }
        })
    }
}

/// Whether `uri` asks for a watch, as kube-apiserver decides it: a `watch` query parameter that
/// Go's `strconv.ParseBool` reads as true, or a deprecated `/<version>/watch/` path.
pub(crate) fn is_watch(uri: &Uri) -> bool {
    let by_query = uri.query().is_some_and(|query| {
        query.split('&').any(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            key == "watch" && matches!(value, "1" | "t" | "T" | "true" | "TRUE" | "True")
        })
    });
    let by_path = || {
        let mut previous = "";
        for segment in uri.path().split('/') {
            let version = previous
                .strip_prefix('v')
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
            if segment == "watch" && version {
                return true;
            }
            previous = segment;
        }
        false
    };
    by_query || by_path()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(uri: &str, expected: bool) {
        assert_eq!(is_watch(&uri.parse().unwrap()), expected, "{uri}");
    }

    #[test]
    fn recognises_watches() {
        check("/api/v1/pods?watch=1", true);
        check("/api/v1/namespaces/a/pods?labelSelector=x&watch=true", true);
        check(
            "https://h:6443/prefix/apis/apps/v1/deployments?watch=True",
            true,
        );
        check("/api/v1/watch/namespaces/a/pods", true);
        check("/apis/batch/v1beta1/watch/cronjobs", true);
        check("/api/v1/pods?watch=false", false);
        check("/api/v1/pods?watch=0", false);
        check("/api/v1/pods?watchers=1", false);
        check("/api/v1/namespaces/watch/pods", false);
        check("/api/v1/namespaces/watch", false);
        check("/api/v1/pods", false);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_request_times_out_but_a_stalled_watch_does_not() {
        use tower::ServiceExt;
        let stalled = tower::service_fn(|_req: Request<()>| {
            std::future::pending::<Result<Response<()>, BoxError>>()
        });
        let service = ResponseTimeoutLayer::new(Duration::from_secs(5)).layer(stalled);
        let started = tokio::time::Instant::now();
        let request = Request::get("https://h/api/v1/pods?limit=5")
            .body(())
            .unwrap();
        let err = service.clone().oneshot(request).await.unwrap_err();
        assert_eq!(started.elapsed(), Duration::from_secs(5));
        assert_eq!(
            err.to_string(),
            "GET https://h/api/v1/pods: no response within 5s"
        );

        let watch = Request::get("https://h/api/v1/pods?watch=1")
            .body(())
            .unwrap();
        let waited = tokio::time::timeout(Duration::from_secs(3600), service.oneshot(watch)).await;
        assert!(waited.is_err(), "a watch is never timed out by the layer");
    }
}
