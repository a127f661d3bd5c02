//! Retries that know what is safe to repeat, with exponential backoff and jitter, `Retry-After`
//! honoured (capped), and a retry budget shared by all clones of a client.
//!
//! What is retried:
//! - any method when the request provably never reached the server (the connection could not
//!   be opened), or when the server asked for it: `429`, or a `5xx` with `Retry-After`;
//! - reads (`GET`, `HEAD`, `OPTIONS`, which includes watch establishment) also on `503`, on a
//!   connection that failed mid-request and on a per-attempt timeout.
//!
//! A `POST` answered `500` without `Retry-After` is never repeated: the server may have acted.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{Method, Request, Response, StatusCode};
use tower::retry::budget::{Budget as _, TpsBudget};
use tower::{Layer, Service};

use crate::body::{BoxError, clone_request};
use crate::error::{ConnectError, RequestError, TlsFailure};

/// When and how often to retry. Defaults follow client-go's spirit: a few attempts, short
/// jittered backoff, and `Retry-After` obeyed up to a minute.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts including the first; `1` disables retries.
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Longest backoff (before jitter).
    pub max_backoff: Duration,
    /// Longest wait honoured from a `Retry-After` header.
    pub max_retry_after: Duration,
    /// Retries allowed as a share of requests (0.2 = one retry per five requests), on top of
    /// `min_retries_per_second`; `None` disables the budget.
    pub budget_ratio: Option<f32>,
    /// Retries always allowed per second, whatever the ratio.
    pub min_retries_per_second: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            budget_ratio: Some(0.2),
            min_retries_per_second: 10,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The jittered backoff before retry number `retry` (1-based): half fixed, half random.
    fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Retries failed requests according to a [`RetryPolicy`].
///
/// ```
/// use kubeset_transport::{RetryLayer, RetryPolicy};
///
/// let layer = RetryLayer::new(RetryPolicy::default());
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct RetryLayer {
    policy: Arc<RetryPolicy>,
    budget: Option<Arc<TpsBudget>>,
}

impl std::fmt::Debug for RetryLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryLayer")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl RetryLayer {
    /// A layer retrying by `policy`, with one budget shared by every service it makes.
    pub fn new(policy: RetryPolicy) -> Self {
        let budget = policy.budget_ratio.map(|ratio| {
            Arc::new(TpsBudget::new(
                Duration::from_secs(10),
                policy.min_retries_per_second.min(1_000_000),
                if ratio.is_finite() {
                    ratio.clamp(0.0, 1000.0)
                } else {
                    0.2
                },
            ))
        });
        Self {
            policy: Arc::new(policy),
            budget,
        }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = Retry<S>;

    fn layer(&self, inner: S) -> Retry<S> {
        let attempts = Attempts {
            policy: self.policy.clone(),
            budget: self.budget.clone(),
            attempt: 0,
        };
        Retry {
            inner: tower::retry::Retry::new(attempts, inner),
        }
    }
}

/// The service made by [`RetryLayer`].
#[derive(Clone)]
pub struct Retry<S> {
    inner: tower::retry::Retry<Attempts, S>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Retry<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Retry")
            .field("inner", self.inner.get_ref())
            .finish_non_exhaustive()
    }
}

impl<S> Retry<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        self.inner.get_ref()
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        self.inner.get_mut()
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner.into_inner()
    }
}

impl<S, B, RB> Service<Request<B>> for Retry<S>
where
    S: Service<Request<B>, Response = Response<RB>, Error = BoxError> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Clone + Send + 'static,
    RB: Send + 'static,
{
    type Response = Response<RB>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<RB>, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        Box::pin(self.inner.call(req))
    }
}

/// Per-request retry state (tower clones the policy for each request).
#[derive(Clone)]
struct Attempts {
    policy: Arc<RetryPolicy>,
    budget: Option<Arc<TpsBudget>>,
    attempt: u32,
}

/// What a result allows.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Done: success, or a failure that must not be repeated.
    Final,
    /// Retry, after `Retry-After` if the server gave one.
    Retry { retry_after: Option<Duration> },
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Decides whether a result may be retried (pure).
fn verdict<RB>(method: &Method, result: &Result<Response<RB>, BoxError>) -> Verdict {
    match result {
        Ok(response) => {
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let asked = status == StatusCode::TOO_MANY_REQUESTS
                || (status.is_server_error() && retry_after.is_some());
            if asked || (is_read(method) && status == StatusCode::SERVICE_UNAVAILABLE) {
                Verdict::Retry { retry_after }
            } else {
                Verdict::Final
            }
        }
        Err(err) => {
            let request_error = err.downcast_ref::<RequestError>();
            // A certificate the client rejects (or that rejects the client) will not change
            // by retrying; a refused or reset connection may.
            let certificate_problem = request_error
                .and_then(RequestError::connect_error)
                .and_then(ConnectError::tls_failure)
                .is_some_and(|f| !matches!(f, TlsFailure::Other { .. }));
            let never_sent =
                request_error.is_some_and(RequestError::is_connect) && !certificate_problem;
            let read_failure = is_read(method)
                && matches!(
                    request_error,
                    Some(RequestError::Send { .. } | RequestError::Timeout { .. })
                );
            if never_sent || read_failure {
                Verdict::Retry { retry_after: None }
            } else {
                Verdict::Final
            }
        }
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
fn parse_retry_after(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(text).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

impl<B: Clone, RB> tower::retry::Policy<Request<B>, Response<RB>, BoxError> for Attempts {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Request<B>,
        result: &mut Result<Response<RB>, BoxError>,
    ) -> Option<Self::Future> {
        self.attempt += 1;
        if self.attempt == 1
            && let Some(budget) = &self.budget
        {
            budget.deposit();
        }
        tracing::Span::current().record("attempts", self.attempt);
        let Verdict::Retry { retry_after } = verdict(req.method(), result) else {
            return None;
        };
        let give_up = |result: &mut Result<Response<RB>, BoxError>, attempts: u32, why: &str| {
            if attempts > 1 {
                tracing::debug!(attempts, why, "giving up on the request");
            }
            if let Err(err) = result
                && attempts > 1
            {
                let source = std::mem::replace(err, BoxError::from("retried"));
                *err = Box::new(RequestError::RetriesExhausted { attempts, source });
            }
        };
        if self.attempt >= self.policy.max_attempts {
            give_up(result, self.attempt, "no attempts left");
            return None;
        }
        if let Some(budget) = &self.budget
            && !budget.withdraw()
        {
            metrics::counter!("kubeset_request_retries_total", "result" => "budget_exhausted")
                .increment(1);
            give_up(result, self.attempt, "retry budget exhausted");
            return None;
        }
        let delay = match retry_after {
            Some(wait) => wait.min(self.policy.max_retry_after),
            None => self.policy.backoff(self.attempt),
        };
        metrics::counter!("kubeset_request_retries_total", "result" => "retried").increment(1);
        tracing::debug!(attempt = self.attempt, ?delay, "retrying the request");
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, req: &Request<B>) -> Option<Request<B>> {
        Some(clone_request(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, retry_after: Option<&str>) -> Result<Response<()>, BoxError> {
        let mut builder = Response::builder().status(status);
        if let Some(v) = retry_after {
            builder = builder.header(RETRY_AFTER, v);
        }
        Ok(builder.body(()).unwrap())
    }

    fn connect_error() -> Result<Response<()>, BoxError> {
        Err(Box::new(RequestError::Connect {
            method: Method::POST,
            url: "https://x/api".into(),
            source: "refused".into(),
        }))
    }

    fn send_error() -> Result<Response<()>, BoxError> {
        Err(Box::new(RequestError::Send {
            method: Method::POST,
            url: "https://x/api".into(),
            source: "reset".into(),
        }))
    }

    #[track_caller]
    fn check(method: Method, result: Result<Response<()>, BoxError>, expected: Verdict) {
        assert_eq!(verdict(&method, &result), expected, "{method}");
    }

    #[test]
    fn what_is_safe_to_repeat() {
        let retry = |secs: Option<u64>| Verdict::Retry {
            retry_after: secs.map(Duration::from_secs),
        };
        check(Method::GET, response(200, None), Verdict::Final);
        check(Method::GET, response(429, Some("1")), retry(Some(1)));
        check(Method::POST, response(429, None), retry(None));
        check(Method::GET, response(503, None), retry(None));
        check(Method::POST, response(503, None), Verdict::Final);
        check(Method::POST, response(500, None), Verdict::Final);
        check(Method::POST, response(500, Some("2")), retry(Some(2)));
        check(Method::GET, response(500, None), Verdict::Final);
        check(Method::GET, response(404, Some("1")), Verdict::Final);
        check(Method::POST, connect_error(), retry(None));
        check(Method::POST, send_error(), Verdict::Final);
        check(Method::GET, send_error(), retry(None));
        check(Method::DELETE, Err("auth failed".into()), Verdict::Final);
    }

    #[test]
    fn retry_after_dates_and_backoff() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sat, 01 Jan 2000 00:00:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        let policy = RetryPolicy::default();
        for retry in 1..20 {
            let delay = policy.backoff(retry);
            assert!(delay <= policy.max_backoff, "{delay:?}");
        }
        assert!(policy.backoff(1) >= policy.initial_backoff / 2);
    }
}
