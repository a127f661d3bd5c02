//! The queue's bookkeeping, with the time passed in: client-go's queue, dirty and processing
//! sets, plus the timers of delayed adds.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::time::Duration;

use tokio::time::Instant;

use super::rate_limit::{Limits, RateLimiter};

/// What a change to the state asks of the tasks waiting for keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wake {
    /// Nothing a waiting task must see.
    No,
    /// A key is ready, or the earliest timer moved: waiting tasks look again.
    Yes,
}

#[derive(Debug)]
pub(super) struct State<T> {
    /// Keys ready to be handed out, oldest first; never a key being processed.
    ready: VecDeque<T>,
    /// Keys that will be handed out: those in `ready`, and those processed now that changed
    /// since they were handed out (they go to `ready` when done).
    dirty: HashSet<T>,
    /// Keys handed out and not done yet.
    processing: HashSet<T>,
    /// Keys added for later, with their timer's entry in `timers`.
    waiting: HashMap<T, (Instant, u64)>,
    /// The same timers, by due time (the `u64` breaks ties).
    timers: BTreeMap<(Instant, u64), T>,
    next_timer: u64,
    limits: Limits<T>,
    shut_down: bool,
}

impl<T: Hash + Eq + Clone> State<T> {
    pub(super) fn new(limiter: RateLimiter, now: Instant) -> Self {
        Self {
            ready: VecDeque::new(),
            dirty: HashSet::new(),
            processing: HashSet::new(),
            waiting: HashMap::new(),
            timers: BTreeMap::new(),
            next_timer: 0,
            limits: Limits::new(limiter, now),
            shut_down: false,
        }
    }

    /// Queues `key` now; an earlier request for later is dropped (it would come after this).
    pub(super) fn add(&mut self, key: T) -> Wake {
        if self.shut_down {
            return Wake::No;
        }
        if let Some(timer) = self.waiting.remove(&key) {
            self.timers.remove(&timer);
        }
        if self.dirty.contains(&key) {
            return Wake::No;
        }
        self.dirty.insert(key.clone());
        if self.processing.contains(&key) {
            // handed out again when done, so never to two workers at once
            return Wake::No;
        }
        self.ready.push_back(key);
        Wake::Yes
    }

    /// Queues `key` after `delay`, unless it is due sooner already.
    pub(super) fn add_after(&mut self, key: T, delay: Duration, now: Instant) -> Wake {
        if self.shut_down || self.dirty.contains(&key) {
            return Wake::No;
        }
        let Some(at) = now.checked_add(delay).filter(|at| *at > now) else {
            return self.add(key);
        };
        match self.waiting.entry(key) {
            Entry::Occupied(mut slot) => {
                if slot.get().0 <= at {
                    return Wake::No;
                }
                let id = (at, self.next_timer);
                self.timers.remove(&slot.insert(id));
                self.timers.insert(id, slot.key().clone());
            }
            Entry::Vacant(slot) => {
                let id = (at, self.next_timer);
                self.timers.insert(id, slot.key().clone());
                slot.insert(id);
            }
        }
        self.next_timer += 1;
        // waiting tasks sleep until the earliest timer: tell them when it moved earlier
        if self.timers.first_key_value().map(|(id, _)| id.0) == Some(at) {
            Wake::Yes
        } else {
            Wake::No
        }
    }

    /// Queues `key` after its rate-limited delay.
    pub(super) fn add_rate_limited(&mut self, key: T, now: Instant) -> Wake {
        if self.shut_down {
            return Wake::No;
        }
        let delay = self.limits.when(&key, now);
        self.add_after(key, delay, now)
    }

    pub(super) fn forget(&mut self, key: &T) {
        self.limits.forget(key);
    }

    pub(super) fn failures(&self, key: &T) -> u32 {
        self.limits.failures(key)
    }

    /// Moves the keys whose timers are due to `ready`.
    fn promote(&mut self, now: Instant) {
        while let Some(entry) = self.timers.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = entry.remove();
            self.waiting.remove(&key);
            self.add(key);
        }
    }

    /// Hands out the oldest ready key; `None` when there is none or the queue is shut down.
    pub(super) fn take(&mut self, now: Instant) -> Option<T> {
        if self.shut_down {
            return None;
        }
        self.promote(now);
        let key = self.ready.pop_front()?;
        self.dirty.remove(&key);
        self.processing.insert(key.clone());
        Some(key)
    }

    /// `key` was processed; it is ready again if it changed meanwhile.
    pub(super) fn done(&mut self, key: &T) -> Wake {
        self.processing.remove(key);
        if self.dirty.contains(key) && !self.shut_down {
            self.ready.push_back(key.clone());
            Wake::Yes
        } else {
            Wake::No
        }
    }

    /// When the earliest timer is due.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.timers.first_key_value().map(|(id, _)| id.0)
    }

    pub(super) fn shut_down(&mut self) {
        self.shut_down = true;
    }

    pub(super) fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    pub(super) fn ready_len(&mut self, now: Instant) -> usize {
        self.promote(now);
        self.ready.len()
    }

    pub(super) fn waiting_len(&self) -> usize {
        self.waiting.len()
    }

    pub(super) fn processing_len(&self) -> usize {
        self.processing.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(now: Instant) -> State<&'static str> {
        State::new(RateLimiter::default(), now)
    }

    #[test]
    fn keys_are_deduplicated_while_queued_and_fifo() {
        let now = Instant::now();
        let mut s = state(now);
        assert_eq!(s.add("a"), Wake::Yes);
        assert_eq!(s.add("b"), Wake::Yes);
        assert_eq!(s.add("a"), Wake::No);
        assert_eq!(s.ready_len(now), 2);
        assert_eq!(s.take(now), Some("a"));
        assert_eq!(s.take(now), Some("b"));
        assert_eq!(s.take(now), None);
    }

    #[test]
    fn a_key_added_while_processed_comes_back_once_when_done() {
        let now = Instant::now();
        let mut s = state(now);
        s.add("a");
        assert_eq!(s.take(now), Some("a"));
        s.add("a");
        s.add("a");
        assert_eq!(
            s.take(now),
            None,
            "never to a second worker while processed"
        );
        assert_eq!(s.done(&"a"), Wake::Yes);
        assert_eq!(s.take(now), Some("a"));
        assert_eq!(s.take(now), None, "once");
        assert_eq!(s.done(&"a"), Wake::No);
        assert_eq!(s.processing_len(), 0);
    }

    #[test]
    fn the_earliest_request_wins() {
        let now = Instant::now();
        let mut s = state(now);
        let sec = Duration::from_secs(1);
        assert_eq!(s.add_after("a", 10 * sec, now), Wake::Yes);
        assert_eq!(s.add_after("a", 20 * sec, now), Wake::No, "later: ignored");
        assert_eq!(s.add_after("a", 5 * sec, now), Wake::Yes, "earlier: moves");
        assert_eq!(s.add_after("b", 7 * sec, now), Wake::No, "not the earliest");
        assert_eq!(s.waiting_len(), 2);
        assert_eq!(s.next_due(), Some(now + 5 * sec));
        assert_eq!(s.take(now + 4 * sec), None);
        assert_eq!(s.take(now + 5 * sec), Some("a"));
        assert_eq!(s.take(now + 30 * sec), Some("b"));
        assert_eq!(s.take(now + 30 * sec), None, "the moved timer fired once");
        // an add now cancels a request for later
        s.add_after("c", sec, now);
        s.add("c");
        assert_eq!(s.waiting_len(), 0);
        assert_eq!(s.take(now), Some("c"));
        // a key already queued ignores requests for later
        s.add("d");
        assert_eq!(s.add_after("d", sec, now), Wake::No);
        assert_eq!(s.waiting_len(), 0);
    }

    #[test]
    fn a_shut_down_queue_hands_out_nothing_and_takes_nothing() {
        let now = Instant::now();
        let mut s = state(now);
        s.add("a");
        s.add("b");
        assert_eq!(s.take(now), Some("a"));
        s.add("a");
        s.shut_down();
        assert_eq!(s.take(now), None);
        assert_eq!(s.add("c"), Wake::No);
        assert_eq!(s.done(&"a"), Wake::No, "not queued again");
        assert_eq!(s.processing_len(), 0);
    }
}
