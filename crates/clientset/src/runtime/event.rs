//! [`Event`]: what a watcher reports.

/// One step of a [`watcher`](super::watcher) stream.
///
/// A (re-)list is bracketed: [`Init`](Event::Init), every current object as
/// [`InitApply`](Event::InitApply), then [`InitDone`](Event::InitDone). Objects missing from
/// a re-list were deleted while the watcher could not see it, so a consumer that keeps state
/// rebuilds it from the bracket (the [`Writer`](super::Writer) of a store does). Between
/// brackets, [`Apply`](Event::Apply) and [`Delete`](Event::Delete) report single changes.
///
/// An `Init` may also come before the `InitDone` of the bracket it interrupts (the list
/// failed half-way, a continue token expired, a streaming list broke off): the list started
/// over, and whatever the unfinished bracket brought is to be discarded.
///
/// ```
/// use kubeset_clientset::runtime::Event;
///
/// let seen: Vec<Event<&str>> = vec![Event::Init, Event::InitApply("a"), Event::InitDone];
/// let objects: Vec<_> = seen.iter().filter_map(Event::object).collect();
/// assert_eq!(objects, [&"a"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<K> {
    /// A full list starts; what follows until `InitDone` replaces all earlier state.
    Init,
    /// An object of the full list.
    InitApply(K),
    /// The full list is complete: the consumer's state now matches the server.
    InitDone,
    /// An object was created or changed.
    Apply(K),
    /// An object was deleted; this is its last state.
    Delete(K),
}

impl<K> Event<K> {
    /// The object of an `InitApply`, `Apply` or `Delete`.
    pub fn object(&self) -> Option<&K> {
        match self {
            Event::InitApply(k) | Event::Apply(k) | Event::Delete(k) => Some(k),
            Event::Init | Event::InitDone => None,
        }
    }

    /// Takes the object out of an `InitApply`, `Apply` or `Delete`.
    pub fn into_object(self) -> Option<K> {
        match self {
            Event::InitApply(k) | Event::Apply(k) | Event::Delete(k) => Some(k),
            Event::Init | Event::InitDone => None,
        }
    }

    /// The same event with its object mapped by `f`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use kubeset_clientset::runtime::Event;
    ///
    /// let shared = Event::Apply("pod").map(Arc::new);
    /// assert_eq!(shared, Event::Apply(Arc::new("pod")));
    /// ```
    pub fn map<T>(self, f: impl FnOnce(K) -> T) -> Event<T> {
        match self {
            Event::Init => Event::Init,
            Event::InitApply(k) => Event::InitApply(f(k)),
            Event::InitDone => Event::InitDone,
            Event::Apply(k) => Event::Apply(f(k)),
            Event::Delete(k) => Event::Delete(f(k)),
        }
    }
}
