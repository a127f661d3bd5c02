//! The election's decisions on a Lease, as pure functions of what was read and when.
//!
//! client-go's `tryAcquireOrRenew` without the I/O: whether the lease is held by someone else
//! (judged on the local time at which the record last changed, never on its timestamps), and
//! the spec to write when acquiring, renewing or releasing.

use k8s_openapi::api::coordination::v1::LeaseSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use tokio::time::Instant;

/// The record as last read, and the local time at which it was first seen in that state.
#[derive(Debug, Clone)]
pub(crate) struct Observed {
    /// The Lease's spec.
    pub(crate) spec: LeaseSpec,
    /// When this candidate first saw `spec` (its own monotonic clock).
    pub(crate) since: Instant,
}

impl Observed {
    /// Records `spec` read at `now`: the observation time moves only when the record changed.
    pub(crate) fn update(previous: Option<Observed>, spec: LeaseSpec, now: Instant) -> Observed {
        match previous {
            Some(previous) if previous.spec == spec => previous,
            _ => Observed { spec, since: now },
        }
    }

    /// The holder, when the record names one.
    pub(crate) fn holder(&self) -> Option<&str> {
        self.spec
            .holder_identity
            .as_deref()
            .filter(|h| !h.is_empty())
    }

    /// When the lease expires for a candidate that saw it at `since`; the record's own
    /// duration counts (a released lease says one second), ours when it has none.
    pub(crate) fn expires(&self, default_seconds: i32) -> Instant {
        let seconds = self
            .spec
            .lease_duration_seconds
            .unwrap_or(default_seconds)
            .max(0);
        self.since + std::time::Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
    }
}

/// What to do after reading the record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// Another candidate holds an unexpired lease; try again no later than `expires`.
    HeldByOther {
        /// Its identity.
        holder: String,
        /// When its lease expires, on our clock.
        expires: Instant,
    },
    /// Write this spec (with the resourceVersion that was read) to acquire or renew.
    Write(LeaseSpec),
}

/// Decides whether `identity` may write the lease at `now`, and what to write.
pub(crate) fn decide(
    observed: &Observed,
    identity: &str,
    lease_seconds: i32,
    now: Instant,
    wall: MicroTime,
) -> Decision {
    match observed.holder() {
        Some(holder) if holder != identity && observed.expires(lease_seconds) > now => {
            Decision::HeldByOther {
                holder: holder.to_owned(),
                expires: observed.expires(lease_seconds),
            }
        }
        _ => Decision::Write(claim(Some(&observed.spec), identity, lease_seconds, wall)),
    }
}

/// The spec that makes `identity` the holder, from the current record (`None`: no Lease yet).
///
/// A renewal keeps `acquireTime` and `leaseTransitions`; a takeover (from another holder or
/// from a released lease) sets `acquireTime` and counts one more transition.
pub(crate) fn claim(
    current: Option<&LeaseSpec>,
    identity: &str,
    lease_seconds: i32,
    wall: MicroTime,
) -> LeaseSpec {
    let Some(current) = current else {
        return LeaseSpec {
            holder_identity: Some(identity.to_owned()),
            lease_duration_seconds: Some(lease_seconds),
            acquire_time: Some(wall.clone()),
            renew_time: Some(wall),
            lease_transitions: Some(0),
            ..LeaseSpec::default()
        };
    };
    let renewing = current.holder_identity.as_deref() == Some(identity);
    let transitions = current.lease_transitions.unwrap_or(0);
    LeaseSpec {
        holder_identity: Some(identity.to_owned()),
        lease_duration_seconds: Some(lease_seconds),
        acquire_time: if renewing {
            current.acquire_time.clone().or_else(|| Some(wall.clone()))
        } else {
            Some(wall.clone())
        },
        renew_time: Some(wall),
        lease_transitions: Some(if renewing {
            transitions
        } else {
            transitions.saturating_add(1)
        }),
        ..current.clone()
    }
}

/// The spec that gives the lease up: no holder, a one-second duration (client-go's release),
/// transitions kept.
pub(crate) fn release(current: &LeaseSpec, wall: MicroTime) -> LeaseSpec {
    LeaseSpec {
        holder_identity: None,
        lease_duration_seconds: Some(1),
        acquire_time: Some(wall.clone()),
        renew_time: Some(wall),
        ..current.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn wall(second: i64) -> MicroTime {
        MicroTime(k8s_openapi::jiff::Timestamp::from_second(second).unwrap())
    }

    fn held(holder: &str, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(holder.to_owned()),
            lease_duration_seconds: Some(15),
            acquire_time: Some(wall(100)),
            renew_time: Some(wall(110)),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn observation_time_moves_only_when_the_record_changes() {
        let t0 = Instant::now();
        let first = Observed::update(None, held("a", 0), t0);
        let same = Observed::update(Some(first), held("a", 0), t0 + Duration::from_secs(5));
        assert_eq!(same.since, t0);
        let mut renewed = held("a", 0);
        renewed.renew_time = Some(wall(112));
        let moved = Observed::update(Some(same), renewed, t0 + Duration::from_secs(7));
        assert_eq!(moved.since, t0 + Duration::from_secs(7));
    }

    #[test]
    fn expiry_is_judged_on_the_local_observation_time_not_the_remote_timestamps() {
        let t0 = Instant::now();
        // renewTime is far in the past by the wall clock, but we only just saw it change.
        let observed = Observed::update(None, held("a", 3), t0);
        let at = |s| t0 + Duration::from_secs(s);
        assert_eq!(
            decide(&observed, "b", 15, at(14), wall(10_000)),
            Decision::HeldByOther {
                holder: "a".into(),
                expires: at(15)
            }
        );
        let Decision::Write(spec) = decide(&observed, "b", 15, at(15), wall(10_000)) else {
            panic!("an expired lease can be taken");
        };
        assert_eq!(spec.holder_identity.as_deref(), Some("b"));
        assert_eq!(spec.lease_transitions, Some(4));
        assert_eq!(spec.acquire_time, Some(wall(10_000)));
    }

    #[test]
    fn the_holder_renews_keeping_acquire_time_and_transitions() {
        let observed = Observed::update(None, held("a", 3), Instant::now());
        let Decision::Write(spec) = decide(&observed, "a", 15, Instant::now(), wall(200)) else {
            panic!("the holder may always renew");
        };
        assert_eq!(spec.acquire_time, Some(wall(100)));
        assert_eq!(spec.renew_time, Some(wall(200)));
        assert_eq!(spec.lease_transitions, Some(3));
    }

    #[test]
    fn a_released_lease_is_free_at_once() {
        let released = release(&held("a", 3), wall(300));
        assert_eq!(released.holder_identity, None);
        assert_eq!(released.lease_duration_seconds, Some(1));
        assert_eq!(released.lease_transitions, Some(3));
        let observed = Observed::update(None, released, Instant::now());
        let Decision::Write(spec) = decide(&observed, "b", 15, observed.since, wall(301)) else {
            panic!("nobody holds a released lease");
        };
        assert_eq!(spec.lease_transitions, Some(4));
        assert_eq!(spec.lease_duration_seconds, Some(15));
    }

    #[test]
    fn a_new_lease_starts_with_no_transitions() {
        let spec = claim(None, "a", 15, wall(1));
        assert_eq!(spec.holder_identity.as_deref(), Some("a"));
        assert_eq!(spec.lease_transitions, Some(0));
        assert_eq!(spec.acquire_time, spec.renew_time);
    }
}
