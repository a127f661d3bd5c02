//! The scheduling queue, kube-scheduler's three queues in one map: pods ready to try
//! (active), pods waiting out their backoff after a failure, and unschedulable pods that wait
//! for the cluster to change (a node added or updated, a bound pod gone).
//!
//! Guarantees: a pod is in the queue at most once; an unschedulable pod is retried after a
//! cluster change, never before its backoff (1 s doubling to 10 s, kube-scheduler's defaults)
//! has passed, and at the latest after five minutes even without a change.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use kubeset::runtime::ObjectKey;
use tokio::time::Instant;

const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// kube-scheduler's `podMaxInUnschedulablePodsDuration`.
const MAX_UNSCHEDULABLE: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Active,
    /// Retry at the instant.
    Backoff(Instant),
    /// Wait for a cluster change, then retry no earlier than the first instant; since the
    /// second.
    Unschedulable(Instant, Instant),
}

#[derive(Debug)]
struct Entry {
    attempts: u32,
    state: State,
}

/// Pods waiting to be scheduled, by key.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    entries: HashMap<ObjectKey, Entry>,
    active: VecDeque<ObjectKey>,
}

impl Queue {
    /// A pending pod: tried at once unless it is already queued.
    pub(crate) fn add(&mut self, key: ObjectKey) {
        if !self.entries.contains_key(&key) {
            self.entries.insert(
                key.clone(),
                Entry {
                    attempts: 0,
                    state: State::Active,
                },
            );
            self.active.push_back(key);
        }
    }

    /// The pod is bound or gone.
    pub(crate) fn remove(&mut self, key: &ObjectKey) {
        self.entries.remove(key);
    }

    /// A failed attempt: unschedulable pods wait for a change, others only for the backoff.
    pub(crate) fn failed(&mut self, key: ObjectKey, unschedulable: bool, now: Instant) {
        let entry = self.entries.entry(key).or_insert(Entry {
            attempts: 0,
            state: State::Active,
        });
        entry.attempts += 1;
        let exponent = entry.attempts.saturating_sub(1).min(8);
        let backoff = (INITIAL_BACKOFF * 2u32.pow(exponent)).min(MAX_BACKOFF);
        entry.state = if unschedulable {
            State::Unschedulable(now + backoff, now)
        } else {
            State::Backoff(now + backoff)
        };
    }

    /// Something changed that may let unschedulable pods fit: retry them after their backoff.
    pub(crate) fn cluster_changed(&mut self) {
        for entry in self.entries.values_mut() {
            if let State::Unschedulable(retry, _) = entry.state {
                entry.state = State::Backoff(retry);
            }
        }
    }

    /// The next pod to try, if one is ready at `now`.
    pub(crate) fn pop(&mut self, now: Instant) -> Option<ObjectKey> {
        for (key, entry) in &mut self.entries {
            let ready = match entry.state {
                State::Backoff(at) => at <= now,
                State::Unschedulable(_, since) => since + MAX_UNSCHEDULABLE <= now,
                State::Active => false,
            };
            if ready {
                entry.state = State::Active;
                self.active.push_back(key.clone());
            }
        }
        while let Some(key) = self.active.pop_front() {
            // Removed or re-queued meanwhile: skip stale entries.
            if self
                .entries
                .get(&key)
                .is_some_and(|e| e.state == State::Active)
            {
                // Mark as taken: a failure re-queues it, a success removes it.
                if let Some(entry) = self.entries.get_mut(&key) {
                    entry.state = State::Backoff(now + MAX_UNSCHEDULABLE);
                }
                return Some(key);
            }
        }
        None
    }

    /// When the next backed-off or long-unschedulable pod becomes ready.
    pub(crate) fn next_wakeup(&self) -> Option<Instant> {
        self.entries
            .values()
            .filter_map(|e| match e.state {
                State::Backoff(at) => Some(at),
                State::Unschedulable(_, since) => Some(since + MAX_UNSCHEDULABLE),
                State::Active => None,
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unschedulable_pods_wait_for_a_change_and_their_backoff() {
        let mut queue = Queue::default();
        let key = ObjectKey::new(Some("ns"), "p");
        queue.add(key.clone());
        let now = Instant::now();
        assert_eq!(queue.pop(now), Some(key.clone()));
        queue.failed(key.clone(), true, now);
        assert_eq!(
            queue.pop(now + Duration::from_secs(5)),
            None,
            "no change yet"
        );
        queue.cluster_changed();
        assert_eq!(queue.pop(now), None, "still backing off");
        assert_eq!(queue.pop(now + INITIAL_BACKOFF), Some(key));
    }
}
