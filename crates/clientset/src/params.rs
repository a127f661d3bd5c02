//! Query parameters of the read verbs: list, get, watch.

use crate::query::Query;

/// How `resourceVersion` on a list is interpreted (`resourceVersionMatch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersionMatch {
    /// Any data at least as new as the given version (`NotOlderThan`).
    NotOlderThan,
    /// Exactly the given version, or 410 Gone if compacted (`Exact`).
    Exact,
}

impl VersionMatch {
    fn as_str(self) -> &'static str {
        match self {
            VersionMatch::NotOlderThan => "NotOlderThan",
            VersionMatch::Exact => "Exact",
        }
    }
}

/// Options of `list` (client-go's `ListOptions`).
///
/// ```
/// use kubeset_clientset::ListParams;
///
/// let lp = ListParams::default()
///     .labels("app=web,tier!=cache")
///     .fields("spec.nodeName=node-1")
///     .limit(500);
/// assert_eq!(lp.limit, Some(500));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListParams {
    /// `labelSelector` (`app=web,tier in (a,b),!canary`).
    pub label_selector: Option<String>,
    /// `fieldSelector` (`metadata.name=x`, `spec.nodeName=n`, `status.phase!=Running`).
    pub field_selector: Option<String>,
    /// Page size (`limit`); the answer's `metadata.continue` fetches the next page.
    pub limit: Option<u32>,
    /// The `continue` token of the previous page.
    pub continue_token: Option<String>,
    /// `resourceVersion`: unset means most recent (a quorum read), `"0"` means any cached.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub version_match: Option<VersionMatch>,
    /// Server-side timeout in seconds (`timeoutSeconds`).
    pub timeout_seconds: Option<u32>,
}

impl ListParams {
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
    /// Sets the page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    /// Continues from a previous page's `metadata.continue`.
    pub fn continue_token(mut self, token: &str) -> Self {
        self.continue_token = Some(token.to_owned());
        self
    }
    /// Reads at `version` with `version_match` semantics.
    pub fn at(mut self, version: &str, version_match: VersionMatch) -> Self {
        self.resource_version = Some(version.to_owned());
        self.version_match = Some(version_match);
        self
    }
    /// Any cached data is fine (`resourceVersion=0`): cheapest for the server.
    pub fn any_version(mut self) -> Self {
        self.resource_version = Some(String::from("0"));
        self.version_match = None;
        self
    }

    pub(crate) fn write(&self, q: &mut Query) {
        q.push_opt("labelSelector", self.label_selector.as_deref());
        q.push_opt("fieldSelector", self.field_selector.as_deref());
        q.push_num("limit", self.limit);
        q.push_opt("continue", self.continue_token.as_deref());
        q.push_opt("resourceVersion", self.resource_version.as_deref());
        q.push_opt(
            "resourceVersionMatch",
            self.version_match.map(VersionMatch::as_str),
        );
        q.push_num("timeoutSeconds", self.timeout_seconds);
    }
}

/// Options of `get_with` (client-go's `GetOptions`).
///
/// ```
/// use kubeset_clientset::GetParams;
///
/// // Served from the API server's watch cache: cheaper, possibly slightly stale.
/// let gp = GetParams::any_version();
/// assert_eq!(gp.resource_version.as_deref(), Some("0"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetParams {
    /// `resourceVersion`: unset reads the latest (quorum read); `"0"` accepts any cached state.
    pub resource_version: Option<String>,
}

impl GetParams {
    /// Accept any cached state (`resourceVersion=0`).
    pub fn any_version() -> Self {
        Self {
            resource_version: Some(String::from("0")),
        }
    }
    /// At least as new as `version`.
    pub fn at_least(version: &str) -> Self {
        Self {
            resource_version: Some(version.to_owned()),
        }
    }

    pub(crate) fn write(&self, q: &mut Query) {
        q.push_opt("resourceVersion", self.resource_version.as_deref());
    }
}

/// Options of `watch`.
///
/// ```
/// use kubeset_clientset::WatchParams;
///
/// // Resume after a list at its resourceVersion, with bookmarks.
/// let wp = WatchParams::default().from_version("12345").bookmarks().labels("app=web");
/// // Or: the current state as ADDED events, then a bookmark, then changes.
/// let wp = WatchParams::default().initial_events();
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WatchParams {
    /// `labelSelector`.
    pub label_selector: Option<String>,
    /// `fieldSelector`.
    pub field_selector: Option<String>,
    /// Start after this `resourceVersion`; unset starts "now" (with synthetic ADDED events for
    /// existing objects, as the server does), `"0"` from any cached state.
    pub resource_version: Option<String>,
    /// Ask for BOOKMARK events (`allowWatchBookmarks`).
    pub allow_bookmarks: bool,
    /// Send the current state first, ending with a bookmark annotated
    /// `k8s.io/initial-events-end` (`sendInitialEvents`, implies `resourceVersionMatch=NotOlderThan`).
    pub send_initial_events: bool,
    /// Server-side timeout in seconds (`timeoutSeconds`); the stream ends then.
    pub timeout_seconds: Option<u32>,
}

impl WatchParams {
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
    /// Starts after `version`.
    pub fn from_version(mut self, version: &str) -> Self {
        self.resource_version = Some(version.to_owned());
        self
    }
    /// Asks for bookmarks.
    pub fn bookmarks(mut self) -> Self {
        self.allow_bookmarks = true;
        self
    }
    /// Asks for the initial state as events (and bookmarks, which mark its end).
    pub fn initial_events(mut self) -> Self {
        self.send_initial_events = true;
        self.allow_bookmarks = true;
        self
    }
    /// Sets the server-side timeout.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout_seconds = Some(seconds);
        self
    }

    pub(crate) fn write(&self, q: &mut Query) {
        q.push("watch", "1");
        q.push_opt("resourceVersion", self.resource_version.as_deref());
        if self.send_initial_events {
            q.push("sendInitialEvents", "true");
            q.push("resourceVersionMatch", "NotOlderThan");
        }
        q.push_flag("allowWatchBookmarks", self.allow_bookmarks);
        q.push_opt("labelSelector", self.label_selector.as_deref());
        q.push_opt("fieldSelector", self.field_selector.as_deref());
        q.push_num("timeoutSeconds", self.timeout_seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FieldValidation, PatchParams, PostParams};

    #[track_caller]
    fn check(build: impl FnOnce(&mut Query), expected: &str) {
        let mut q = Query::new(String::from("/p"));
        build(&mut q);
        assert_eq!(q.finish(), expected);
    }

    #[test]
    fn query_strings() {
        check(|_| {}, "/p");
        check(
            |q| {
                ListParams::default()
                    .labels("a=b,c in (d, e)")
                    .limit(2)
                    .write(q)
            },
            "/p?labelSelector=a%3Db%2Cc+in+%28d%2C+e%29&limit=2",
        );
        check(
            |q| {
                ListParams::default()
                    .at("5", VersionMatch::NotOlderThan)
                    .write(q)
            },
            "/p?resourceVersion=5&resourceVersionMatch=NotOlderThan",
        );
        check(
            |q| {
                WatchParams::default()
                    .initial_events()
                    .labels("w=list")
                    .write(q)
            },
            "/p?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=w%3Dlist",
        );
        check(
            |q| PatchParams::apply("me").force().dry_run().write(q),
            "/p?dryRun=All&fieldManager=me&force=true",
        );
        check(
            |q| {
                PostParams::default()
                    .validation(FieldValidation::Strict)
                    .write(q)
            },
            "/p?fieldValidation=Strict",
        );
    }
}
