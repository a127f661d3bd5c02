//! [`ControllerConfig`]: how many reconciles at once, how retries wait, how shutdown waits.

use std::time::Duration;

use crate::queue::RateLimiter;

/// How a [`Controller`](super::Controller) runs.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::controller::ControllerConfig;
/// use kubeset_runtime::queue::RateLimiter;
///
/// let config = ControllerConfig::default()
///     .concurrency(10)
///     .rate_limiter(RateLimiter::default().per_key(Duration::from_millis(100), Duration::from_secs(60)))
///     .shutdown_timeout(Duration::from_secs(20));
/// assert_eq!(config.concurrency, 10);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ControllerConfig {
    /// How many reconciles run at once (different keys; a key never runs twice at once).
    /// Default 5, the worker count of most kube-controller-manager controllers.
    pub concurrency: usize,
    /// The delays of [`Action::backoff`](super::Action::backoff) (client-go's default
    /// controller rate limiter unless set).
    pub rate_limiter: RateLimiter,
    /// How long a graceful shutdown waits for running reconciles before it cancels them
    /// (default 30 s, Kubernetes' default termination grace period).
    pub shutdown_timeout: Duration,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        Self {
            concurrency: 5,
            rate_limiter: RateLimiter::default(),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

impl ControllerConfig {
    /// Sets how many reconciles run at once (at least 1).
    ///
    /// ```
    /// use kubeset_runtime::controller::ControllerConfig;
    ///
    /// assert_eq!(ControllerConfig::default().concurrency(0).concurrency, 1);
    /// ```
    pub fn concurrency(mut self, workers: usize) -> Self {
        self.concurrency = workers.max(1);
        self
    }
    /// Sets the delays of [`Action::backoff`](super::Action::backoff).
    ///
    /// ```
    /// use kubeset_runtime::controller::ControllerConfig;
    /// use kubeset_runtime::queue::RateLimiter;
    ///
    /// let config = ControllerConfig::default().rate_limiter(RateLimiter::default().without_overall());
    /// assert_eq!(config.rate_limiter, RateLimiter::default().without_overall());
    /// ```
    pub fn rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limiter = limiter;
        self
    }
    /// Sets how long a graceful shutdown waits for running reconciles.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kubeset_runtime::controller::ControllerConfig;
    ///
    /// let config = ControllerConfig::default().shutdown_timeout(Duration::from_secs(5));
    /// assert_eq!(config.shutdown_timeout, Duration::from_secs(5));
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }
}
