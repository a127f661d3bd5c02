//! The timing of an election: lease duration, renew deadline, retry period, and their rules.

use std::time::Duration;

/// The most a retry wait is stretched by jitter, as a factor of the retry period (client-go's
/// `JitterFactor`): a waiting candidate sleeps between 1× and 2.2× the retry period.
pub(crate) const JITTER_FACTOR: f64 = 1.2;

/// How long a lease lasts, how long a leader keeps trying to renew it, and how often
/// candidates try (client-go's `LeaderElectionConfig` timings).
///
/// The defaults are client-go's: 15 s / 10 s / 2 s. [`LeaderElectionConfig::validate`]
/// (called by [`LeaderElector::new`](crate::leader::LeaderElector::new)) enforces
/// `retry_period × 1.2 < renew_deadline < lease_duration`, so that a leader that cannot renew
/// stops believing it leads (`renew_deadline` after its last successful renewal started) a
/// margin of `lease_duration - renew_deadline` before any other candidate may take over.
///
/// ```
/// use std::time::Duration;
/// use kubeset_runtime::leader::LeaderElectionConfig;
///
/// let config = LeaderElectionConfig::default()
///     .lease_duration(Duration::from_secs(30))
///     .renew_deadline(Duration::from_secs(20));
/// assert!(config.validate().is_ok());
/// let bad = LeaderElectionConfig::default().renew_deadline(Duration::from_secs(15));
/// assert!(bad.validate().is_err()); // renew deadline must be shorter than the lease
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeaderElectionConfig {
    /// How long other candidates wait, after they last saw the lease change, before they take
    /// it over (`spec.leaseDurationSeconds`; a whole number of seconds, at least one).
    pub lease_duration: Duration,
    /// How long the leader keeps believing it leads after its last successful renewal started;
    /// it retries failed renewals until then, then reports the leadership lost.
    pub renew_deadline: Duration,
    /// How often the leader renews, and (jittered up to 2.2×) how often candidates try.
    pub retry_period: Duration,
    /// Whether [`LeaderHandle::release`](crate::leader::LeaderHandle::release) clears the
    /// holder so a successor takes over at once (client-go's `ReleaseOnCancel`; default on).
    pub release_on_shutdown: bool,
}

impl Default for LeaderElectionConfig {
    fn default() -> Self {
        Self {
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
            release_on_shutdown: true,
        }
    }
}

/// A candidate that could not give the election's guarantees: its timings, identity or Lease
/// handle are wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The lease duration is not a positive whole number of seconds (a Lease stores seconds).
    #[error("the lease duration {lease_duration:?} is not a positive whole number of seconds")]
    LeaseDuration {
        /// The rejected duration.
        lease_duration: Duration,
    },
    /// The renew deadline is not shorter than the lease duration, so a leader that cannot
    /// renew could still believe it leads after another candidate took over.
    #[error(
        "the renew deadline {renew_deadline:?} must be shorter than the lease duration {lease_duration:?}"
    )]
    RenewDeadline {
        /// The configured renew deadline.
        renew_deadline: Duration,
        /// The configured lease duration.
        lease_duration: Duration,
    },
    /// The retry period (with its 1.2× jitter) does not fit in the renew deadline, or is zero.
    #[error(
        "the retry period {retry_period:?} must be positive and, times 1.2, shorter than the renew deadline {renew_deadline:?}"
    )]
    RetryPeriod {
        /// The configured retry period.
        retry_period: Duration,
        /// The configured renew deadline.
        renew_deadline: Duration,
    },
    /// The identity is empty: it is what the Lease names as its holder.
    #[error("the candidate identity is empty")]
    EmptyIdentity,
    /// The Lease handle spans all namespaces; the Lease lives in one (`client.leases(ns)`).
    #[error("the Lease handle has no namespace")]
    NoNamespace,
}

impl LeaderElectionConfig {
    /// Sets [`lease_duration`](Self::lease_duration).
    pub fn lease_duration(mut self, lease_duration: Duration) -> Self {
        self.lease_duration = lease_duration;
        self
    }

    /// Sets [`renew_deadline`](Self::renew_deadline).
    pub fn renew_deadline(mut self, renew_deadline: Duration) -> Self {
        self.renew_deadline = renew_deadline;
        self
    }

    /// Sets [`retry_period`](Self::retry_period).
    pub fn retry_period(mut self, retry_period: Duration) -> Self {
        self.retry_period = retry_period;
        self
    }

    /// Sets [`release_on_shutdown`](Self::release_on_shutdown).
    ///
    /// ```
    /// # use kubeset_runtime::leader::LeaderElectionConfig;
    /// // Keep the lease on shutdown: a successor waits out the lease duration.
    /// let config = LeaderElectionConfig::default().release_on_shutdown(false);
    /// ```
    pub fn release_on_shutdown(mut self, release: bool) -> Self {
        self.release_on_shutdown = release;
        self
    }

    /// Checks the rules above (client-go's `NewLeaderElector` checks).
    ///
    /// ```
    /// # use kubeset_runtime::leader::LeaderElectionConfig;
    /// assert!(LeaderElectionConfig::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let lease = self.lease_duration;
        if lease.is_zero() || lease.subsec_nanos() != 0 || i32::try_from(lease.as_secs()).is_err() {
            return Err(ConfigError::LeaseDuration {
                lease_duration: lease,
            });
        }
        if self.renew_deadline.is_zero() || self.renew_deadline >= lease {
            return Err(ConfigError::RenewDeadline {
                renew_deadline: self.renew_deadline,
                lease_duration: lease,
            });
        }
        if self.retry_period.is_zero()
            || self.retry_period.mul_f64(JITTER_FACTOR) >= self.renew_deadline
        {
            return Err(ConfigError::RetryPeriod {
                retry_period: self.retry_period,
                renew_deadline: self.renew_deadline,
            });
        }
        Ok(())
    }

    /// The lease duration in whole seconds, as written to the Lease.
    pub(crate) fn lease_seconds(&self) -> i32 {
        i32::try_from(self.lease_duration.as_secs()).unwrap_or(i32::MAX)
    }

    /// A candidate's wait between tries: the retry period stretched by up to 1.2× at random.
    pub(crate) fn jittered_retry(&self) -> Duration {
        self.retry_period
            .mul_f64(1.0 + fastrand::f64() * JITTER_FACTOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(lease: u64, renew_ms: u64, retry_ms: u64, ok: bool) {
        let config = LeaderElectionConfig {
            lease_duration: Duration::from_secs(lease),
            renew_deadline: Duration::from_millis(renew_ms),
            retry_period: Duration::from_millis(retry_ms),
            release_on_shutdown: true,
        };
        assert_eq!(config.validate().is_ok(), ok, "{config:?}");
    }

    #[test]
    fn timings_are_validated_as_client_go_does() {
        check(15, 10_000, 2_000, true);
        check(2, 1_000, 300, true);
        check(0, 1_000, 300, false); // no lease
        check(15, 15_000, 2_000, false); // renew deadline == lease duration
        check(15, 20_000, 2_000, false); // renew deadline past the lease
        check(15, 2_399, 2_000, false); // 1.2 × retry past the renew deadline
        check(15, 2_500, 2_000, true);
        check(15, 10_000, 0, false); // no retry period
        check(15, 0, 0, false);
        let fractional = LeaderElectionConfig {
            lease_duration: Duration::from_millis(1_500),
            renew_deadline: Duration::from_secs(1),
            retry_period: Duration::from_millis(100),
            release_on_shutdown: true,
        };
        assert!(matches!(
            fractional.validate(),
            Err(ConfigError::LeaseDuration { .. })
        ));
    }

    #[test]
    fn jitter_stays_within_one_to_two_point_two_periods() {
        let config = LeaderElectionConfig::default();
        for _ in 0..1000 {
            let wait = config.jittered_retry();
            assert!(wait >= config.retry_period, "{wait:?}");
            assert!(wait <= config.retry_period.mul_f64(2.2), "{wait:?}");
        }
    }
}
