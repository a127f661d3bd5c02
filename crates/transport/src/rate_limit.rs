//! An optional client-side rate limit: a token bucket (QPS and burst, as client-go's
//! `rest.Config{QPS, Burst}`), shared by every clone of a client. Off by default.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use crate::body::BoxError;

/// A token bucket: `qps` tokens a second, holding at most `burst`.
#[derive(Debug)]
struct Bucket {
    qps: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// Takes a token, returning how long the caller must wait for it (zero if one was there).
    /// Tokens may go negative: later callers queue behind earlier ones.
    fn take(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.qps).min(self.burst);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.qps)
        }
    }
}

/// Delays requests so no more than `qps` a second (bursts of `burst`) are sent.
///
/// ```
/// use kubeset_transport::RateLimitLayer;
///
/// let layer = RateLimitLayer::new(5.0, 10); // client-go's defaults
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    bucket: Arc<Mutex<Bucket>>,
}

impl RateLimitLayer {
    /// A bucket refilled at `qps` tokens a second holding up to `burst` (at least one); a
    /// non-positive or non-finite `qps` is treated as one request a second.
    pub fn new(qps: f64, burst: u32) -> Self {
        let qps = if qps.is_finite() && qps > 0.0 {
            qps
        } else {
            1.0
        };
        let burst = f64::from(burst.max(1));
        Self {
            bucket: Arc::new(Mutex::new(Bucket {
                qps,
                burst,
                tokens: burst,
                last: Instant::now(),
            })),
        }
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> RateLimit<S> {
        RateLimit {
            inner,
            bucket: self.bucket.clone(),
        }
    }
}

/// The service made by [`RateLimitLayer`].
#[derive(Debug, Clone)]
pub struct RateLimit<S> {
    inner: S,
    bucket: Arc<Mutex<Bucket>>,
}

impl<S> RateLimit<S> {
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

impl<S, Req> Service<Req> for RateLimit<S>
where
    S: Service<Req> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
    Req: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness of the inner service is awaited after the wait, in `oneshot`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let now = Instant::now();
        let wait = match self.bucket.lock() {
            Ok(mut bucket) => bucket.take(now),
            Err(poisoned) => poisoned.into_inner().take(now),
        };
        let inner = self.inner.clone();
        Box::pin(async move {
            if !wait.is_zero() {
                metrics::counter!("kubeset_rate_limited_requests_total").increment(1);
                tracing::trace!(?wait, "client-side rate limit");
                tokio::time::sleep_until(now + wait).await;
            }
            inner.oneshot(req).await.map_err(Into::into)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_paces() {
        let start = Instant::now();
        let mut bucket = Bucket {
            qps: 2.0,
            burst: 3.0,
            tokens: 3.0,
            last: start,
        };
        let waits: Vec<_> = (0..5).map(|_| bucket.take(start)).collect();
        assert_eq!(
            waits,
            [
                Duration::ZERO,
                Duration::ZERO,
                Duration::ZERO,
                Duration::from_millis(500),
                Duration::from_secs(1)
            ]
        );
        // After waiting long enough the bucket refills, but never beyond the burst.
        let later = start + Duration::from_secs(100);
        assert_eq!(bucket.take(later), Duration::ZERO);
        assert!(bucket.tokens <= 2.0);
    }
}
