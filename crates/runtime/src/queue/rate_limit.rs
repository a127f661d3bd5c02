//! [`RateLimiter`]: how long a key that failed waits before it is handed out again.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

use tokio::time::Instant;

/// The delays of [`WorkQueue::add_rate_limited`](super::WorkQueue::add_rate_limited):
/// per-key exponential backoff combined with an overall token bucket, the longer of the two
/// (client-go's `DefaultControllerRateLimiter`).
///
/// - **Per key:** the n-th consecutive failure of a key waits `base · 2ⁿ⁻¹`, capped at `max`
///   (default 5 ms doubling to 1000 s). [`WorkQueue::forget`](super::WorkQueue::forget)
///   starts a key over.
/// - **Overall:** every rate-limited add takes a token from a bucket refilled at `qps` that
///   holds at most `burst` (default 10 per second, 100 at once); when the bucket is empty
///   the add waits for its token, so a storm of failing keys cannot make more than `qps`
///   retries a second after the first `burst`.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::queue::RateLimiter;
///
/// let limiter = RateLimiter::default()
///     .per_key(Duration::from_millis(100), Duration::from_secs(60))
///     .overall(50.0, 200);
/// assert_eq!(limiter.max_delay(), Duration::from_secs(60));
/// let without_bucket = RateLimiter::default().without_overall();
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimiter {
    base: Duration,
    max: Duration,
    /// `None`: no overall limit.
    bucket: Option<(f64, u32)>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(5),
            max: Duration::from_secs(1000),
            bucket: Some((10.0, 100)),
        }
    }
}

impl RateLimiter {
    /// The per-key backoff: `base` after the first failure, doubling up to `max`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kubeset_runtime::queue::RateLimiter;
    ///
    /// let limiter = RateLimiter::default().per_key(Duration::from_secs(1), Duration::from_secs(300));
    /// assert_eq!(limiter.max_delay(), Duration::from_secs(300));
    /// ```
    pub fn per_key(mut self, base: Duration, max: Duration) -> Self {
        self.base = base;
        self.max = max;
        self
    }

    /// The overall limit: `qps` rate-limited adds a second, `burst` at once (both at least
    /// a small positive number).
    ///
    /// ```
    /// use kubeset_runtime::queue::RateLimiter;
    ///
    /// let limiter = RateLimiter::default().overall(100.0, 1000);
    /// assert_ne!(limiter, RateLimiter::default());
    /// ```
    pub fn overall(mut self, qps: f64, burst: u32) -> Self {
        let qps = if qps.is_finite() && qps > 0.0 {
            qps
        } else {
            f64::MIN_POSITIVE
        };
        self.bucket = Some((qps, burst.max(1)));
        self
    }

    /// No overall limit: only the per-key backoff.
    ///
    /// ```
    /// use kubeset_runtime::queue::RateLimiter;
    ///
    /// let limiter = RateLimiter::default().without_overall();
    /// assert_ne!(limiter, RateLimiter::default());
    /// ```
    pub fn without_overall(mut self) -> Self {
        self.bucket = None;
        self
    }

    /// The longest per-key delay.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kubeset_runtime::queue::RateLimiter;
    ///
    /// assert_eq!(RateLimiter::default().max_delay(), Duration::from_secs(1000));
    /// ```
    pub fn max_delay(&self) -> Duration {
        self.max
    }

    /// The per-key delay after `failures` earlier failures.
    fn per_key_delay(&self, failures: u32) -> Duration {
        // 2^failures overflows nothing: past 2^40 any base is beyond every sensible cap
        let factor = 2u64.saturating_pow(failures.min(40));
        let nanos = self.base.as_nanos().saturating_mul(u128::from(factor));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX)).min(self.max)
    }
}

/// The rate limiter's state: failures per key and the bucket.
#[derive(Debug)]
pub(super) struct Limits<T> {
    limiter: RateLimiter,
    failures: HashMap<T, u32>,
    /// Tokens in the bucket (negative: reserved ahead) as of `updated`.
    tokens: f64,
    updated: Instant,
}

impl<T: Hash + Eq + Clone> Limits<T> {
    pub(super) fn new(limiter: RateLimiter, now: Instant) -> Self {
        let tokens = limiter.bucket.map_or(0.0, |(_, burst)| f64::from(burst));
        Self {
            limiter,
            failures: HashMap::new(),
            tokens,
            updated: now,
        }
    }

    /// Records one more failure of `key` and returns how long it waits.
    pub(super) fn when(&mut self, key: &T, now: Instant) -> Duration {
        let failures = match self.failures.get_mut(key) {
            Some(n) => n,
            None => self.failures.entry(key.clone()).or_insert(0),
        };
        let per_key = self.limiter.per_key_delay(*failures);
        *failures = failures.saturating_add(1);
        per_key.max(self.reserve(now))
    }

    /// Takes a token from the bucket; the wait until it is there (golang.org/x/time/rate's
    /// `Reserve().Delay()`: tokens may be reserved ahead, the bucket goes negative).
    fn reserve(&mut self, now: Instant) -> Duration {
        let Some((qps, burst)) = self.limiter.bucket else {
            return Duration::ZERO;
        };
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.updated = now;
        self.tokens = (self.tokens + elapsed * qps).min(f64::from(burst)) - 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::try_from_secs_f64(-self.tokens / qps).unwrap_or(Duration::MAX)
        }
    }

    pub(super) fn forget(&mut self, key: &T) {
        self.failures.remove(key);
    }

    pub(super) fn failures(&self, key: &T) -> u32 {
        self.failures.get(key).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(d: Duration) -> u128 {
        d.as_millis()
    }

    #[test]
    fn per_key_delays_double_to_the_cap_and_start_over_when_forgotten() {
        let now = Instant::now();
        let mut limits = Limits::new(RateLimiter::default().without_overall(), now);
        let got: Vec<_> = (0..20).map(|_| ms(limits.when(&"a", now))).collect();
        let mut expected: Vec<u128> = (0..18).map(|n| 5 << n).collect();
        expected.extend([1_000_000, 1_000_000]);
        assert_eq!(got, expected, "client-go's 5 ms doubling to 1000 s");
        assert_eq!(ms(limits.when(&"b", now)), 5, "keys are independent");
        assert_eq!(limits.failures(&"a"), 20);
        limits.forget(&"a");
        assert_eq!(limits.failures(&"a"), 0);
        assert_eq!(ms(limits.when(&"a", now)), 5);
        // huge failure counts saturate instead of overflowing
        let mut limits = Limits::new(RateLimiter::default().without_overall(), now);
        limits.failures.insert("c", u32::MAX);
        assert_eq!(limits.when(&"c", now), Duration::from_secs(1000));
    }

    #[test]
    fn the_bucket_allows_a_burst_then_qps() {
        let now = Instant::now();
        let limiter = RateLimiter::default().per_key(Duration::ZERO, Duration::ZERO);
        let mut limits = Limits::new(limiter, now);
        // 100 distinct keys at once: the burst, no wait
        for i in 0..100 {
            assert_eq!(limits.when(&i, now), Duration::ZERO, "key {i}");
        }
        // then one token every 100 ms, reserved ahead
        let got: Vec<_> = (100..104).map(|i| ms(limits.when(&i, now))).collect();
        assert_eq!(got, [100, 200, 300, 400]);
        // a second later 10 tokens came back, 4 of which were already reserved
        let later = now + Duration::from_secs(1);
        let got: Vec<_> = (0..7).map(|i| ms(limits.when(&(200 + i), later))).collect();
        assert_eq!(got, [0, 0, 0, 0, 0, 0, 100]);
    }

    #[test]
    fn the_longer_of_both_delays_wins() {
        let now = Instant::now();
        let limiter = RateLimiter::default()
            .per_key(Duration::from_millis(50), Duration::from_secs(1))
            .overall(1.0, 1);
        let mut limits = Limits::new(limiter, now);
        assert_eq!(ms(limits.when(&"a", now)), 50, "per-key wins");
        assert_eq!(ms(limits.when(&"b", now)), 1000, "bucket wins");
    }
}
