//! A `tracing` span per request (method, path without the query, status, attempts, latency)
//! and request metrics through the `metrics` facade.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::{Method, Request, Response, StatusCode, Uri};
use metrics::SharedString;
use tower::{Layer, Service};
use tracing::Instrument as _;

use crate::body::BoxError;

/// `scheme://authority/path` of `uri`: queries can carry secrets (and are long), so they are
/// never logged.
pub(crate) fn redacted_url(uri: &Uri) -> String {
    match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => {
            // Userinfo never belongs in a log either.
            let host = authority
                .as_str()
                .rsplit_once('@')
                .map_or(authority.as_str(), |(_, h)| h);
            format!("{scheme}://{host}{}", uri.path())
        }
        _ => uri.path().to_owned(),
    }
}

/// Traces and measures every request.
///
/// Metrics: `kubeset_request_duration_seconds` (histogram; labels `method`, `code`) and
/// `kubeset_requests_total` (counter; labels `method`, `code`, where `code` is the status or
/// `error`).
///
/// ```
/// use kubeset_transport::TraceLayer;
///
/// let layer = TraceLayer::default();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Default)]
pub struct TraceLayer {
    _priv: (),
}

impl<S> Layer<S> for TraceLayer {
    type Service = Trace<S>;

    fn layer(&self, inner: S) -> Trace<S> {
        Trace { inner }
    }
}

/// The service made by [`TraceLayer`].
#[derive(Debug, Clone)]
pub struct Trace<S> {
    inner: S,
}

impl<S> Trace<S> {
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

impl<S, B, RB> Service<Request<B>> for Trace<S>
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
        let method = req.method().clone();
        let span = tracing::debug_span!(
            "kube_request",
            method = %method,
            path = %req.uri().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let future = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        let started = Instant::now();
        Box::pin(
            async move {
                let result = future.await.map_err(Into::into);
                let elapsed = started.elapsed();
                let span = tracing::Span::current();
                #[allow(clippy::cast_possible_truncation)] // Milliseconds fit in u64.
                span.record("latency_ms", elapsed.as_millis() as u64);
                let code = match &result {
                    Ok(response) => {
                        span.record("status", response.status().as_u16());
                        code_label(response.status())
                    }
                    Err(err) => {
                        tracing::debug!(error = %crate::error_chain(&**err), "request failed");
                        SharedString::const_str("error")
                    }
                };
                let method = method_label(&method);
                metrics::histogram!(
                    "kubeset_request_duration_seconds",
                    "method" => method.clone(),
                    "code" => code.clone()
                )
                .record(elapsed.as_secs_f64());
                metrics::counter!("kubeset_requests_total", "method" => method, "code" => code)
                    .increment(1);
                tracing::debug!("request finished");
                result
            }
            .instrument(span),
        )
    }
}

/// The method as a metric label, without allocating for the methods Kubernetes uses.
fn method_label(method: &Method) -> SharedString {
    match *method {
        Method::GET => SharedString::const_str("GET"),
        Method::POST => SharedString::const_str("POST"),
        Method::PUT => SharedString::const_str("PUT"),
        Method::PATCH => SharedString::const_str("PATCH"),
        Method::DELETE => SharedString::const_str("DELETE"),
        _ => SharedString::from(method.as_str().to_owned()),
    }
}

/// The status code as a metric label, without allocating for the common answers.
fn code_label(status: StatusCode) -> SharedString {
    match status.as_u16() {
        200 => SharedString::const_str("200"),
        201 => SharedString::const_str("201"),
        404 => SharedString::const_str("404"),
        409 => SharedString::const_str("409"),
        _ => SharedString::from(status.as_str().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(uri: &str, expected: &str) {
        assert_eq!(redacted_url(&uri.parse().unwrap()), expected);
    }

    #[test]
    fn urls_lose_queries_and_userinfo() {
        check(
            "https://h:6443/api/v1/pods?token=x",
            "https://h:6443/api/v1/pods",
        );
        check("https://user:pw@h/api", "https://h/api");
        check("/api?watch=1", "/api");
    }
}
