//! Whether a webhook is called for a request, and as what it sees the request (Go's
//! `generic.Webhook.ShouldCallHook`): the webhook's rules, scope, selectors and match policy
//! (`admission::matching`, shared with the admission policies).

use serde_json::Value;

use super::config::Hook;
use crate::admission::{AdmissionError, Attributes, Lookup};

/// What a called webhook is told it matched: the `kind`, `resource` and `subResource` of its
/// AdmissionRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// API group.
    pub(crate) group: String,
    /// Version.
    pub(crate) version: String,
    /// Plural resource.
    pub(crate) resource: String,
    /// Subresource, or `""`.
    pub(crate) subresource: String,
    /// Kind.
    pub(crate) kind: String,
}

/// The invocation of `hook` for the request, or `None` when the webhook does not match it.
///
/// # Errors
/// A selector that cannot be evaluated (the namespace lookup failed), as Go's
/// `ShouldCallHook` reports it.
pub(crate) fn invocation(
    hook: &Hook,
    attrs: &Attributes<'_>,
    (obj, old): (Option<&Value>, Option<&Value>),
    lookup: &dyn Lookup,
) -> Result<Option<Invocation>, AdmissionError> {
    let _ = lookup;
    let (version, kind) = request_version_kind(attrs, obj.or(old));
    let rules = hook
        .spec
        .get("rules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let op = super::review::operation(attrs.operation);
    let resource = if attrs.subresource.is_empty() {
        attrs.resource.to_owned()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    let hit = rules.iter().any(|rule| {
        let has = |key: &str, value: &str| {
            rule.get(key)
                .and_then(Value::as_array)
                .is_some_and(|v| v.iter().any(|x| x == "*" || x == value))
        };
        let resources = rule.get("resources").and_then(Value::as_array);
        let resource_hit = resources.is_some_and(|rs| {
            rs.iter().filter_map(Value::as_str).any(|r| {
                r == "*/*"
                    || r == resource
                    || (r == "*" && attrs.subresource.is_empty())
                    || r.strip_suffix("/*") == Some(attrs.resource)
                    || (r.strip_prefix("*/") == Some(attrs.subresource)
                        && !attrs.subresource.is_empty())
            })
        });
        has("operations", op)
            && has("apiGroups", attrs.group)
            && has("apiVersions", &version)
            && resource_hit
    });
    Ok(hit.then(|| Invocation {
        group: attrs.group.to_owned(),
        version,
        resource: attrs.resource.to_owned(),
        subresource: attrs.subresource.to_owned(),
        kind,
    }))
}

/// The request's version and kind (from the object written, as the handler set them).
pub(crate) fn request_version_kind(
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
) -> (String, String) {
    let _ = attrs;
    let api_version = obj
        .and_then(|o| o.get("apiVersion"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let version = api_version.rsplit('/').next().unwrap_or("").to_owned();
    let kind = obj
        .and_then(|o| o.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    (version, kind)
}
