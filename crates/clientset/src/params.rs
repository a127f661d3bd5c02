//! Query parameters of the verbs: list, watch, get, write and delete options.

use serde::Serialize;

/// A query string under construction (percent-encoded as `application/x-www-form-urlencoded`).
pub(crate) struct Query {
    url: String,
    has_query: bool,
}

impl Query {
    pub(crate) fn new(path: String) -> Self {
        Self {
            url: path,
            has_query: false,
        }
    }
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        self.url.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        self.url
            .extend(form_urlencoded::byte_serialize(key.as_bytes()));
        self.url.push('=');
        self.url
            .extend(form_urlencoded::byte_serialize(value.as_bytes()));
    }
    pub(crate) fn push_opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }
    pub(crate) fn push_num(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.push(key, &value.to_string());
        }
    }
    pub(crate) fn push_flag(&mut self, key: &str, on: bool) {
        if on {
            self.push(key, "true");
        }
    }
    pub(crate) fn finish(self) -> String {
        self.url
    }
}

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

/// How the server validates unknown or duplicate fields in a write (`fieldValidation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldValidation {
    /// Drop them silently.
    Ignore,
    /// Drop them and answer with a `Warning` header (the server's default).
    Warn,
    /// Reject the request.
    Strict,
}

impl FieldValidation {
    fn as_str(self) -> &'static str {
        match self {
            FieldValidation::Ignore => "Ignore",
            FieldValidation::Warn => "Warn",
            FieldValidation::Strict => "Strict",
        }
    }
}

/// Options of `create` and `replace` (and the subresource writes).
///
/// ```
/// use kubeset_clientset::PostParams;
///
/// let pp = PostParams::default().dry_run().field_manager("my-controller");
/// assert!(pp.dry_run);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostParams {
    /// Validate and default but do not persist (`dryRun=All`).
    pub dry_run: bool,
    /// Who owns the written fields (`fieldManager`).
    pub field_manager: Option<String>,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
}

impl PostParams {
    /// Sets dry-run.
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }
    /// Sets the field manager.
    pub fn field_manager(mut self, manager: &str) -> Self {
        self.field_manager = Some(manager.to_owned());
        self
    }
    /// Sets field validation.
    pub fn validation(mut self, validation: FieldValidation) -> Self {
        self.field_validation = Some(validation);
        self
    }

    pub(crate) fn write(&self, q: &mut Query) {
        if self.dry_run {
            q.push("dryRun", "All");
        }
        q.push_opt("fieldManager", self.field_manager.as_deref());
        q.push_opt(
            "fieldValidation",
            self.field_validation.map(FieldValidation::as_str),
        );
    }
}

/// Options of `patch`.
///
/// ```
/// use kubeset_clientset::PatchParams;
///
/// // Server-side apply needs a field manager; force takes over conflicting fields.
/// let pp = PatchParams::apply("my-controller").force();
/// assert!(pp.force);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PatchParams {
    /// Validate and default but do not persist (`dryRun=All`).
    pub dry_run: bool,
    /// Who owns the written fields (`fieldManager`; required for apply).
    pub field_manager: Option<String>,
    /// Take over fields owned by other managers (`force`, apply only).
    pub force: bool,
    /// `fieldValidation`.
    pub field_validation: Option<FieldValidation>,
}

impl PatchParams {
    /// Options for server-side apply as `manager`.
    pub fn apply(manager: &str) -> Self {
        Self {
            field_manager: Some(manager.to_owned()),
            ..Self::default()
        }
    }
    /// Sets force (apply conflicts are overridden).
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }
    /// Sets dry-run.
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }
    /// Sets the field manager.
    pub fn field_manager(mut self, manager: &str) -> Self {
        self.field_manager = Some(manager.to_owned());
        self
    }
    /// Sets field validation.
    pub fn validation(mut self, validation: FieldValidation) -> Self {
        self.field_validation = Some(validation);
        self
    }

    pub(crate) fn write(&self, q: &mut Query) {
        if self.dry_run {
            q.push("dryRun", "All");
        }
        q.push_opt("fieldManager", self.field_manager.as_deref());
        q.push_flag("force", self.force);
        q.push_opt(
            "fieldValidation",
            self.field_validation.map(FieldValidation::as_str),
        );
    }
}

/// What happens to an object's dependents when it is deleted (`propagationPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PropagationPolicy {
    /// Leave dependents, removing their owner references.
    Orphan,
    /// Delete the object now, dependents in the background.
    Background,
    /// Delete dependents first; the object stays with a `foregroundDeletion` finalizer.
    Foreground,
}

/// Preconditions a delete checks (409 Conflict when they fail).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Preconditions {
    /// The object must have this uid (not a re-created namesake).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The object must be at this resourceVersion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

/// Options of `delete` and `delete_collection` (sent as a `DeleteOptions` body).
///
/// ```
/// use kubeset_clientset::{DeleteParams, PropagationPolicy};
///
/// let dp = DeleteParams::default()
///     .grace_period(0)
///     .propagation(PropagationPolicy::Foreground)
///     .precondition_uid("8f0c…");
/// assert_eq!(dp.grace_period_seconds, Some(0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeleteParams {
    /// Validate but do not delete (`dryRun: ["All"]`).
    #[serde(skip)]
    pub dry_run: bool,
    /// Seconds before the object is removed; `0` deletes at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<u32>,
    /// What happens to dependents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation_policy: Option<PropagationPolicy>,
    /// Conditions the object must meet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preconditions: Option<Preconditions>,
}

impl DeleteParams {
    /// Sets dry-run.
    pub fn dry_run(mut self) -> Self {
        self.dry_run = true;
        self
    }
    /// Sets the grace period.
    pub fn grace_period(mut self, seconds: u32) -> Self {
        self.grace_period_seconds = Some(seconds);
        self
    }
    /// Sets the propagation policy.
    pub fn propagation(mut self, policy: PropagationPolicy) -> Self {
        self.propagation_policy = Some(policy);
        self
    }
    /// Requires the object's uid.
    pub fn precondition_uid(mut self, uid: &str) -> Self {
        self.preconditions.get_or_insert_with(Default::default).uid = Some(uid.to_owned());
        self
    }
    /// Requires the object's resourceVersion.
    pub fn precondition_version(mut self, version: &str) -> Self {
        self.preconditions
            .get_or_insert_with(Default::default)
            .resource_version = Some(version.to_owned());
        self
    }

    /// The `DeleteOptions` body, or `None` when every option is default (no body is sent).
    pub(crate) fn body(&self) -> Option<serde_json::Value> {
        if *self == Self::default() {
            return None;
        }
        let mut value = serde_json::to_value(self).ok()?;
        if let Some(object) = value.as_object_mut() {
            object.insert("apiVersion".into(), "v1".into());
            object.insert("kind".into(), "DeleteOptions".into());
            if self.dry_run {
                object.insert("dryRun".into(), serde_json::json!(["All"]));
            }
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn delete_options_body() {
        assert_eq!(DeleteParams::default().body(), None);
        let body = DeleteParams::default()
            .dry_run()
            .precondition_uid("u")
            .propagation(PropagationPolicy::Orphan)
            .body()
            .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"apiVersion": "v1", "kind": "DeleteOptions", "dryRun": ["All"],
                "propagationPolicy": "Orphan", "preconditions": {"uid": "u"}})
        );
    }
}
