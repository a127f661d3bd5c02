//! The series cache: isomorphic events within a window become one series; at most
//! `capacity` series are remembered, the least recently seen forgotten first.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use tokio::time::Instant;

use super::event::NewEvent;

/// What makes two events isomorphic (client-go's `getKey`): type, reason, action and the
/// objects they concern, regardless of the note. Object references are compared without their
/// resourceVersion, so repeats about a changing object still aggregate.
pub(crate) fn key(event: &NewEvent) -> String {
    fn s(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    fn reference(r: &ObjectReference) -> [&str; 6] {
        [
            s(&r.api_version),
            s(&r.kind),
            s(&r.namespace),
            s(&r.name),
            s(&r.uid),
            s(&r.field_path),
        ]
    }
    let related = event.related.as_ref().map(reference);
    let parts = (
        event.type_.as_str(),
        &event.reason,
        &event.action,
        reference(&event.regarding),
        related,
    );
    // A tuple of strings always serializes.
    serde_json::to_string(&parts).unwrap_or_default()
}

/// One series: the Event object it is written as, and whether the server has the latest count.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// The Event as created (its name and namespace), with the current series.
    pub(crate) event: Event,
    /// Whether the Event object exists on the server.
    pub(crate) created: bool,
    /// Whether the series changed since it was last written.
    pub(crate) dirty: bool,
    /// When the latest repeat was recorded (our clock).
    last_seen: Instant,
}

impl Series {
    /// The number of occurrences so far.
    pub(crate) fn count(&self) -> i32 {
        self.event.series.as_ref().map_or(1, |s| s.count)
    }
}

/// What the writer should do after an event was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A new series: create its Event object now.
    Create,
    /// The first repeat: write the series now (client-go does too).
    WriteSeries,
    /// A further repeat: counted, written with the next refresh or flush.
    Counted,
}

/// The bounded cache of series.
#[derive(Debug)]
pub(crate) struct SeriesCache {
    capacity: usize,
    window: Duration,
    entries: HashMap<String, (u64, Series)>,
    /// Recency: stamp → key, oldest first.
    order: BTreeMap<u64, String>,
    next_stamp: u64,
}

impl SeriesCache {
    /// A cache of at most `capacity` (at least one) series, each ending `window` after its
    /// latest repeat.
    pub(crate) fn new(capacity: usize, window: Duration) -> Self {
        Self {
            capacity: capacity.max(1),
            window,
            entries: HashMap::new(),
            order: BTreeMap::new(),
            next_stamp: 0,
        }
    }

    /// The number of series held.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Records an event with `key` at `now`: a repeat within the window joins the series,
    /// anything else starts a new one whose Event object `make` builds.
    pub(crate) fn record(
        &mut self,
        key: String,
        now: Instant,
        wall: MicroTime,
        make: impl FnOnce() -> Event,
    ) -> Step {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        if let Some((old_stamp, series)) = self.entries.get_mut(&key)
            && now < series.last_seen + self.window
        {
            self.order.remove(old_stamp);
            *old_stamp = stamp;
            self.order.insert(stamp, key);
            series.last_seen = now;
            series.dirty = true;
            let count = series.count().saturating_add(1);
            series.event.series = Some(EventSeries {
                count,
                last_observed_time: wall,
            });
            return if count == 2 {
                Step::WriteSeries
            } else {
                Step::Counted
            };
        }
        if let Some((old_stamp, _)) = self.entries.remove(&key) {
            self.order.remove(&old_stamp);
        }
        while self.entries.len() >= self.capacity {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        let series = Series {
            event: make(),
            created: false,
            dirty: false,
            last_seen: now,
        };
        self.order.insert(stamp, key.clone());
        self.entries.insert(key, (stamp, series));
        Step::Create
    }

    /// The series of `key`, if still held.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut Series> {
        self.entries.get_mut(key).map(|(_, s)| s)
    }

    /// The keys of the series whose latest count is not written yet.
    pub(crate) fn dirty_keys(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(_, (_, s))| s.dirty)
            .map(|(k, _)| k.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::NewEvent;

    fn wall() -> MicroTime {
        MicroTime(k8s_openapi::jiff::Timestamp::now())
    }

    fn event(name: &str, reason: &str) -> NewEvent {
        let reference = ObjectReference {
            name: Some(name.into()),
            ..Default::default()
        };
        NewEvent::normal(reference, reason, "Acting")
    }

    #[test]
    fn repeats_within_the_window_count_up_and_others_start_anew() {
        let mut cache = SeriesCache::new(10, Duration::from_secs(360));
        let t0 = Instant::now();
        let k = key(&event("a", "R"));
        assert_eq!(
            cache.record(k.clone(), t0, wall(), Event::default),
            Step::Create
        );
        assert_eq!(
            cache.record(k.clone(), t0, wall(), Event::default),
            Step::WriteSeries
        );
        assert_eq!(
            cache.record(k.clone(), t0, wall(), Event::default),
            Step::Counted
        );
        assert_eq!(cache.get_mut(&k).unwrap().count(), 3);
        let later = t0 + Duration::from_secs(359);
        assert_eq!(
            cache.record(k.clone(), later, wall(), Event::default),
            Step::Counted
        );
        // The window runs from the latest repeat.
        let after = later + Duration::from_secs(360);
        assert_eq!(
            cache.record(k.clone(), after, wall(), Event::default),
            Step::Create
        );
        assert_eq!(cache.get_mut(&k).unwrap().count(), 1);
    }

    #[test]
    fn the_note_and_resource_version_do_not_split_a_series() {
        let mut changed = event("a", "R").note("other words");
        changed.regarding.resource_version = Some("42".into());
        assert_eq!(key(&event("a", "R")), key(&changed));
        assert_ne!(key(&event("a", "R")), key(&event("a", "S")));
        assert_ne!(key(&event("a", "R")), key(&event("b", "R")));
        let related = event("a", "R").related(ObjectReference::default());
        assert_ne!(key(&event("a", "R")), key(&related));
    }

    #[test]
    fn the_least_recently_seen_series_is_forgotten_first() {
        let mut cache = SeriesCache::new(2, Duration::from_secs(360));
        let t0 = Instant::now();
        let [a, b, c] = ["a", "b", "c"].map(|n| key(&event(n, "R")));
        cache.record(a.clone(), t0, wall(), Event::default);
        cache.record(b.clone(), t0, wall(), Event::default);
        cache.record(a.clone(), t0, wall(), Event::default); // a is now the most recent
        cache.record(c.clone(), t0, wall(), Event::default); // evicts b
        assert_eq!(cache.len(), 2);
        assert!(cache.get_mut(&b).is_none());
        assert_eq!(cache.get_mut(&a).unwrap().count(), 2);
        for i in 0..1000 {
            cache.record(key(&event(&i.to_string(), "R")), t0, wall(), Event::default);
            assert!(cache.len() <= 2);
        }
    }
}
