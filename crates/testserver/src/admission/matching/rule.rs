//! One `RuleWithOperations` against one request (Go: `webhook/predicates/rules.Matcher`).

use serde_json::Value;

use crate::admission::Attributes;

/// The resource a rule is tested against: the request's own, or an equivalent one
/// (`attrWithResourceOverride` in Go).
#[derive(Debug, Clone, Copy)]
pub(super) struct Target<'a> {
    /// API group.
    pub(super) group: &'a str,
    /// API version.
    pub(super) version: &'a str,
    /// Plural resource.
    pub(super) resource: &'a str,
}

impl<'a> Target<'a> {
    /// The request's own resource.
    pub(super) fn of(attrs: &Attributes<'a>) -> Self {
        Target {
            group: attrs.group,
            version: attrs.version,
            resource: attrs.resource,
        }
    }
}

/// `Matcher.Matches`: scope, operation, group, version and resource (with subresource) all
/// match.
pub(super) fn matches(rule: &Value, attrs: &Attributes<'_>, target: Target<'_>) -> bool {
    scope(rule, attrs, target)
        && listed(rule, "operations", attrs.operation.name())
        && listed(rule, "apiGroups", target.group)
        && listed(rule, "apiVersions", target.version)
        && resource(rule, target.resource, attrs.subresource)
}

fn strings<'v>(rule: &'v Value, field: &str) -> impl Iterator<Item = &'v str> {
    rule.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// A list that names the value or `*` (an absent or empty list names nothing).
fn listed(rule: &Value, field: &str, value: &str) -> bool {
    strings(rule, field).any(|v| v == "*" || v == value)
}

/// `Matcher.scope`: a Namespace object is cluster-scoped; every other request is namespaced
/// when it has a namespace.
fn scope(rule: &Value, attrs: &Attributes<'_>, target: Target<'_>) -> bool {
    let namespace_object =
        target.group.is_empty() && target.version == "v1" && target.resource == "namespaces";
    match rule.get("scope").and_then(Value::as_str) {
        Some("Namespaced") => !namespace_object && !attrs.namespace.is_empty(),
        Some("Cluster") => namespace_object || attrs.namespace.is_empty(),
        _ => true,
    }
}

/// `Matcher.resource`: `pods` names the resource only, `pods/*` it and every subresource of it
/// (Go's `*` matches the empty subresource too), `*/status` that subresource of every resource,
/// `*` every resource without a subresource and `*/*` everything.
fn resource(rule: &Value, resource: &str, subresource: &str) -> bool {
    strings(rule, "resources").any(|entry| {
        let (res, sub) = entry.split_once('/').unwrap_or((entry, ""));
        (res == "*" || res == resource) && (sub == "*" || sub == subresource)
    })
}
