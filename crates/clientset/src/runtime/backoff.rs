//! [`Backoff`]: how long a watcher waits between failed attempts.

use std::time::Duration;

use backon::BackoffBuilder;

/// Exponential backoff with jitter, as the watcher uses between failed attempts.
///
/// The first retry waits about `min`, each next one `factor` times longer, capped at `max`;
/// with `jitter`, a random extra of up to the delay itself is added so that many clients
/// restarted together do not retry in lock step. The delay starts over after a success.
/// The defaults follow client-go's reflector: 800 ms doubling to 30 s.
///
/// ```
/// use std::time::Duration;
/// use kubeset_clientset::runtime::Backoff;
///
/// let backoff = Backoff::default().min(Duration::from_millis(100)).max(Duration::from_secs(5));
/// assert_eq!(backoff.max_delay(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    factor: f32,
    jitter: bool,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            min: Duration::from_millis(800),
            max: Duration::from_secs(30),
            factor: 2.0,
            jitter: true,
        }
    }
}

impl Backoff {
    /// The first delay.
    pub fn min(mut self, delay: Duration) -> Self {
        self.min = delay;
        self
    }
    /// The longest delay.
    pub fn max(mut self, delay: Duration) -> Self {
        self.max = delay;
        self
    }
    /// How much longer each delay is than the previous one (at least 1).
    pub fn factor(mut self, factor: f32) -> Self {
        self.factor = factor.max(1.0);
        self
    }
    /// Without random jitter (deterministic delays, for tests).
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }
    /// The longest delay (before jitter).
    pub fn max_delay(&self) -> Duration {
        self.max
    }

    /// A fresh sequence of delays; it never runs out.
    pub(crate) fn delays(&self) -> Delays {
        let mut builder = backon::ExponentialBuilder::default()
            // `max` caps every delay, the first one too (backon would start at `min`)
            .with_min_delay(self.min.min(self.max))
            .with_max_delay(self.max)
            .with_factor(self.factor)
            .without_max_times();
        if self.jitter {
            builder = builder.with_jitter();
        }
        Delays {
            inner: builder.build(),
            max: self.max,
        }
    }
}

/// The delays of one run of failures.
#[derive(Debug)]
pub(crate) struct Delays {
    inner: backon::ExponentialBackoff,
    max: Duration,
}

impl Delays {
    /// The next delay.
    pub(crate) fn next_delay(&mut self) -> Duration {
        self.inner.next().unwrap_or(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap_and_never_end() {
        let backoff = Backoff::default()
            .min(Duration::from_millis(10))
            .max(Duration::from_millis(40))
            .without_jitter();
        let mut delays = backoff.delays();
        // Rounded: the delays are computed in floating point.
        let got: Vec<_> = (0..6)
            .map(|_| (delays.next_delay().as_secs_f64() * 1000.0).round() as u64)
            .collect();
        assert_eq!(got, [10, 20, 40, 40, 40, 40]);
    }

    #[test]
    fn the_cap_holds_for_the_first_delay_too() {
        let backoff = Backoff::default()
            .min(Duration::from_secs(60))
            .max(Duration::from_secs(5))
            .without_jitter();
        let mut delays = backoff.delays();
        let got: Vec<_> = (0..3).map(|_| delays.next_delay()).collect();
        assert_eq!(got, [Duration::from_secs(5); 3]);
    }

    #[test]
    fn jitter_stays_within_twice_the_delay() {
        let backoff = Backoff::default()
            .min(Duration::from_millis(10))
            .max(Duration::from_millis(10));
        let mut delays = backoff.delays();
        for _ in 0..100 {
            let d = delays.next_delay();
            assert!(
                d >= Duration::from_millis(10) && d <= Duration::from_millis(20),
                "{d:?}"
            );
        }
    }
}
