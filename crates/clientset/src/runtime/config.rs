//! [`WatcherConfig`]: what a watcher watches and how it recovers.

use std::time::Duration;

use super::Backoff;
use crate::{ListParams, VersionMatch, WatchParams};

/// How a watcher gets the initial state.
///
/// ```
/// use kubeset_clientset::runtime::{InitialList, WatcherConfig};
///
/// let config = WatcherConfig::default().initial_list(InitialList::Streaming);
/// assert_eq!(config.initial_list, InitialList::Streaming);
/// assert_eq!(WatcherConfig::default().initial_list, InitialList::List);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum InitialList {
    /// A (paged) list, then a watch from the list's resourceVersion.
    #[default]
    List,
    /// A streaming list: one watch with `sendInitialEvents=true`, whose events up to the
    /// bookmark annotated `k8s.io/initial-events-end` are the initial state. Cheaper for the
    /// server (no large list response). Falls back to [`InitialList::List`] for the rest of
    /// the watcher's life when the server rejects it (422 Invalid when the `WatchList`
    /// feature is off, as on servers before 1.32 by default). A server older than 1.27,
    /// which ignores the parameter, would never end the initial events: use
    /// [`InitialList::List`] there.
    Streaming,
}

/// Which state the first list may return.
///
/// ```
/// use kubeset_clientset::runtime::{ListVersion, WatcherConfig};
///
/// // A controller that must not start from a stale cache reads the most recent state.
/// let config = WatcherConfig::default().list_version(ListVersion::MostRecent);
/// assert_eq!(config.list_version, ListVersion::MostRecent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ListVersion {
    /// Any state the server has cached (`resourceVersion=0`): cheap for the server, possibly
    /// slightly stale, and the server may ignore the page size. client-go's default.
    #[default]
    Any,
    /// The most recent state (a quorum read), paged.
    MostRecent,
}

/// What a [`watcher`](super::watcher) watches and how it recovers.
///
/// ```
/// use std::time::Duration;
/// use kubeset_clientset::runtime::{InitialList, WatcherConfig};
///
/// let config = WatcherConfig::default()
///     .labels("app=web")
///     .fields("status.phase=Running")
///     .page_size(200)
///     .timeout(Duration::from_secs(120))
///     .initial_list(InitialList::Streaming);
/// assert_eq!(config.label_selector.as_deref(), Some("app=web"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WatcherConfig {
    /// `labelSelector` of the list and every watch.
    pub label_selector: Option<String>,
    /// `fieldSelector` of the list and every watch.
    pub field_selector: Option<String>,
    /// Page size of the list (client-go's pager default: 500).
    pub page_size: u32,
    /// The server-side timeout of each watch request (`timeoutSeconds`; default 290 s); the
    /// watcher then resumes from where it was. A watch silent for this long plus a minute is
    /// taken as a dead connection and resumed too.
    pub timeout: Duration,
    /// How the initial state is fetched.
    pub initial_list: InitialList,
    /// Which state the first list may return (a re-list after 410 Gone always reads the most
    /// recent state, so the watcher never goes back in time).
    pub list_version: ListVersion,
    /// Delays between failed attempts.
    pub backoff: Backoff,
}

impl Default for WatcherConfig {
    fn default() -> Self {
        Self {
            label_selector: None,
            field_selector: None,
            page_size: 500,
            timeout: Duration::from_secs(290),
            initial_list: InitialList::default(),
            list_version: ListVersion::default(),
            backoff: Backoff::default(),
        }
    }
}

/// How much longer than the server-side timeout a silent watch is given.
const SILENCE_GRACE: Duration = Duration::from_secs(60);

impl WatcherConfig {
    /// Sets the label selector.
    pub fn labels(mut self, selector: &str) -> Self {
        self.label_selector = Some(selector.to_owned());
        self
    }
    /// Sets the field selector.
    pub fn fields(mut self, selector: &str) -> Self {
        self.field_selector = Some(selector.to_owned());
        self
    }
    /// Sets the list page size (at least 1).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }
    /// Sets the server-side timeout of each watch request (at least one second).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_secs(1));
        self
    }
    /// Sets how the initial state is fetched.
    pub fn initial_list(mut self, initial: InitialList) -> Self {
        self.initial_list = initial;
        self
    }
    /// Sets which state the first list may return.
    pub fn list_version(mut self, version: ListVersion) -> Self {
        self.list_version = version;
        self
    }
    /// Sets the backoff between failed attempts.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Parameters of the first page of a list; `fresh` asks for the most recent state.
    pub(crate) fn list_params(&self, fresh: bool) -> ListParams {
        let mut lp = ListParams {
            label_selector: self.label_selector.clone(),
            field_selector: self.field_selector.clone(),
            limit: Some(self.page_size),
            ..ListParams::default()
        };
        if !fresh && self.list_version == ListVersion::Any {
            lp.resource_version = Some(String::from("0"));
            lp.version_match = Some(VersionMatch::NotOlderThan);
        }
        lp
    }

    /// Parameters of a watch from `version` (a streaming list when `version` is `None`).
    pub(crate) fn watch_params(&self, version: Option<&str>) -> WatchParams {
        let mut wp = WatchParams {
            label_selector: self.label_selector.clone(),
            field_selector: self.field_selector.clone(),
            allow_bookmarks: true,
            timeout_seconds: Some(u32::try_from(self.timeout.as_secs()).unwrap_or(u32::MAX)),
            ..WatchParams::default()
        };
        match version {
            Some(v) => wp.resource_version = Some(v.to_owned()),
            None => wp.send_initial_events = true,
        }
        wp
    }

    /// How long a watch may stay silent before it is taken as dead.
    pub(crate) fn silence_limit(&self) -> Duration {
        // saturating: `timeout` is the caller's, `Duration::MAX` ("never time out") included
        self.timeout.saturating_add(SILENCE_GRACE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;

    #[track_caller]
    fn check(write: impl FnOnce(&mut Query), expected: &str) {
        let mut q = Query::new(String::from("/p"));
        write(&mut q);
        assert_eq!(q.finish(), expected);
    }

    #[test]
    fn selectors_and_timeout_reach_every_request() {
        let config = WatcherConfig::default()
            .labels("app=web")
            .fields("spec.nodeName=n1")
            .page_size(0)
            .timeout(Duration::from_millis(10));
        check(
            |q| config.list_params(false).write(q),
            "/p?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=1&resourceVersion=0&resourceVersionMatch=NotOlderThan",
        );
        check(
            |q| config.list_params(true).write(q),
            "/p?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=1",
        );
        check(
            |q| config.watch_params(Some("42")).write(q),
            "/p?watch=1&resourceVersion=42&allowWatchBookmarks=true&labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&timeoutSeconds=1",
        );
        check(
            |q| config.watch_params(None).write(q),
            "/p?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&timeoutSeconds=1",
        );
        let most_recent = WatcherConfig::default().list_version(ListVersion::MostRecent);
        check(|q| most_recent.list_params(false).write(q), "/p?limit=500");
    }

    #[test]
    fn a_timeout_of_any_length_gives_a_silence_limit() {
        let forever = WatcherConfig::default().timeout(Duration::MAX);
        assert_eq!(forever.silence_limit(), Duration::MAX);
        check(
            |q| forever.watch_params(Some("1")).write(q),
            &format!(
                "/p?watch=1&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds={}",
                u32::MAX
            ),
        );
        assert_eq!(
            WatcherConfig::default().silence_limit(),
            Duration::from_secs(350)
        );
    }
}
