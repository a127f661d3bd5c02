//! Which requests an admission webhook or a ValidatingAdmissionPolicy selects: its rules
//! (operations, groups, versions, resources and subresources, scope), `namespaceSelector`,
//! `objectSelector`, a policy's `excludeResourceRules` and `resourceNames`, and
//! `matchPolicy: Equivalent`, which also matches the request's resource as served in another
//! version (Go: `webhook/generic.Webhook.ShouldCallHook`, `policy/matching.Matcher.Matches`,
//! `webhook/predicates/{namespace,object,rules}`).
//!
//! Writes of webhook configurations, admission policies and their bindings match nothing
//! (`rules.IsExemptAdmissionConfigurationResource`), so no hook can lock itself in.
//!
//! Guarantees, as in Go: the selectors are checked first, and an error from them (a namespace
//! that does not exist) is returned only when the rules match; an empty selector matches
//! everything; an absent `matchPolicy` means `Exact` (the API defaults it to `Equivalent`).
//! `matchConditions` (CEL) are not checked here.

mod rule;

#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::admission::{AdmissionError, Attributes, Lookup, Operation};
use crate::selector::LabelSelector;

/// `matchPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchPolicy {
    /// Only the rules as written.
    Exact,
    /// Also the request's resource in every other version it is served in.
    Equivalent,
}

impl MatchPolicy {
    fn of(value: Option<&Value>) -> Self {
        match value.and_then(Value::as_str) {
            Some("Equivalent") => MatchPolicy::Equivalent,
            _ => MatchPolicy::Exact,
        }
    }
}

/// What a webhook or a policy's `matchResources` selects, borrowed from the stored object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Criteria<'a> {
    /// `rules` of a webhook, `resourceRules` of a policy (a policy may also name
    /// `resourceNames`); a policy with none matches every resource.
    pub(crate) rules: &'a [Value],
    /// `excludeResourceRules` of a policy (empty for a webhook).
    pub(crate) exclude: &'a [Value],
    /// `namespaceSelector` (`None` or `{}` selects every namespace).
    pub(crate) namespace_selector: Option<&'a Value>,
    /// `objectSelector` (`None` or `{}` selects every object).
    pub(crate) object_selector: Option<&'a Value>,
    /// `matchPolicy`.
    pub(crate) policy: MatchPolicy,
    /// Whether empty `rules` match everything (policies) or nothing (webhooks).
    pub(crate) empty_rules_match: bool,
}

const NO_RULES: &[Value] = &[];

fn rules(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map_or(NO_RULES, Vec::as_slice)
}

impl<'a> Criteria<'a> {
    /// A webhook entry of a Mutating- or ValidatingWebhookConfiguration.
    pub(crate) fn of_webhook(webhook: &'a Value) -> Self {
        Criteria {
            rules: rules(webhook.get("rules")),
            exclude: NO_RULES,
            namespace_selector: webhook.get("namespaceSelector"),
            object_selector: webhook.get("objectSelector"),
            policy: MatchPolicy::of(webhook.get("matchPolicy")),
            empty_rules_match: false,
        }
    }

    /// A policy's `matchConstraints` or a binding's `matchResources`.
    pub(crate) fn of_match_resources(m: &'a Value) -> Self {
        Criteria {
            rules: rules(m.get("resourceRules")),
            exclude: rules(m.get("excludeResourceRules")),
            namespace_selector: m.get("namespaceSelector"),
            object_selector: m.get("objectSelector"),
            policy: MatchPolicy::of(m.get("matchPolicy")),
            empty_rules_match: true,
        }
    }
}

/// The resource and kind a matching webhook or policy sees the request as: the request's own,
/// or, for an `Equivalent` match, the version its rule names (the object is converted to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matched {
    /// API group.
    pub(crate) group: String,
    /// API version.
    pub(crate) version: String,
    /// Plural resource.
    pub(crate) resource: String,
    /// The request's subresource.
    pub(crate) subresource: String,
    /// Kind in `group`/`version`.
    pub(crate) kind: String,
}

impl Matched {
    fn request(attrs: &Attributes<'_>) -> Self {
        Matched {
            group: attrs.group.to_owned(),
            version: attrs.version.to_owned(),
            resource: attrs.resource.to_owned(),
            subresource: attrs.subresource.to_owned(),
            kind: attrs.kind.to_owned(),
        }
    }
}

/// Why matching could not decide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum MatchError {
    /// The request's namespace does not exist (Go answers 404 for compatibility).
    #[error("namespaces \"{namespace}\" not found")]
    NamespaceNotFound {
        /// The namespace.
        namespace: String,
    },
    /// A selector of the configuration does not parse.
    #[error("{message}")]
    Selector {
        /// The selector's error.
        message: String,
    },
}

impl From<MatchError> for AdmissionError {
    fn from(error: MatchError) -> Self {
        match error {
            MatchError::NamespaceNotFound { namespace } => AdmissionError::NotFound {
                group: String::new(),
                resource: "namespaces".into(),
                name: namespace,
            },
            MatchError::Selector { message } => AdmissionError::Internal { message },
        }
    }
}

/// Whether the criteria select the request, and as what. `obj` is the new object (`None` for a
/// delete), `old` the stored one (`None` for a create).
///
/// # Errors
/// [`MatchError`] when the rules match but a selector cannot be decided.
pub(crate) fn matches(
    criteria: &Criteria<'_>,
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<Option<Matched>, MatchError> {
    if exempt(attrs) {
        return Ok(None);
    }
    let namespace = namespace_selected(criteria, attrs, obj, lookup);
    if let Ok(false) = namespace {
        return Ok(None);
    }
    let object = object_selected(criteria, obj, old);
    if let Ok(false) = object {
        return Ok(None);
    }
    if !criteria.exclude.is_empty()
        && matched_by(criteria.exclude, criteria.policy, attrs, obj, lookup).is_some()
    {
        return Ok(None);
    }
    let matched = if criteria.rules.is_empty() && criteria.empty_rules_match {
        Some(Matched::request(attrs))
    } else {
        matched_by(criteria.rules, criteria.policy, attrs, obj, lookup)
    };
    if matched.is_none() {
        return Ok(None);
    }
    namespace?;
    object?;
    Ok(matched)
}

/// `IsExemptAdmissionConfigurationResource`.
fn exempt(attrs: &Attributes<'_>) -> bool {
    attrs.group == "admissionregistration.k8s.io"
        && matches!(
            attrs.resource,
            "validatingwebhookconfigurations"
                | "mutatingwebhookconfigurations"
                | "validatingadmissionpolicies"
                | "validatingadmissionpolicybindings"
                | "mutatingadmissionpolicies"
                | "mutatingadmissionpolicybindings"
        )
}

/// The first rule that matches the request, then (for `Equivalent`) the first rule that
/// matches an equivalent resource, rules first.
fn matched_by(
    rules: &[Value],
    policy: MatchPolicy,
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    lookup: &dyn Lookup,
) -> Option<Matched> {
    let own = rule::Target::of(attrs);
    if rules
        .iter()
        .any(|r| rule::matches(r, attrs, own) && named(r, attrs, obj))
    {
        return Some(Matched::request(attrs));
    }
    if policy == MatchPolicy::Exact {
        return None;
    }
    let equivalents = lookup.equivalents(attrs);
    for r in rules {
        for eq in &equivalents {
            let target = rule::Target {
                group: &eq.group,
                version: &eq.version,
                resource: &eq.resource,
            };
            let same = eq.group == attrs.group
                && eq.version == attrs.version
                && eq.resource == attrs.resource;
            // Go does not check `resourceNames` on an equivalent match
            if !same && rule::matches(r, attrs, target) {
                return Some(Matched {
                    group: eq.group.clone(),
                    version: eq.version.clone(),
                    resource: eq.resource.clone(),
                    subresource: attrs.subresource.to_owned(),
                    kind: eq.kind.clone(),
                });
            }
        }
    }
    None
}

/// A policy rule's `resourceNames` (absent or empty: every name). The name is the URL's, or
/// for a create the object's (empty under `generateName`, which no name matches).
fn named(rule: &Value, attrs: &Attributes<'_>, obj: Option<&Value>) -> bool {
    let Some(names) = rule.get("resourceNames").and_then(Value::as_array) else {
        return true;
    };
    if names.is_empty() {
        return true;
    }
    let name = if attrs.name.is_empty() {
        obj.and_then(|o| o.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .unwrap_or("")
    } else {
        attrs.name
    };
    names.iter().any(|n| n.as_str() == Some(name))
}

fn selector(value: Option<&Value>) -> Result<Option<LabelSelector>, MatchError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let selector = LabelSelector::from_object(value).map_err(|e| MatchError::Selector {
        message: e.to_string(),
    })?;
    Ok((!selector.is_empty()).then_some(selector))
}

/// `namespace.Matcher.MatchNamespaceSelector`: cluster-scoped requests other than for a
/// Namespace always match; a Namespace being created or updated is judged by its new labels.
fn namespace_selected(
    criteria: &Criteria<'_>,
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<bool, MatchError> {
    let namespace_object =
        attrs.group.is_empty() && attrs.resource == "namespaces" && attrs.version == "v1";
    if attrs.namespace.is_empty() && !namespace_object {
        return Ok(true);
    }
    let Some(selector) = selector(criteria.namespace_selector)? else {
        return Ok(true);
    };
    let writes_namespace = namespace_object
        && attrs.subresource.is_empty()
        && matches!(attrs.operation, Operation::Create | Operation::Update);
    if writes_namespace && let Some(obj) = obj {
        return Ok(selector.matches_object(obj));
    }
    let name = if namespace_object {
        attrs.name
    } else {
        attrs.namespace
    };
    match lookup.get("", "namespaces", None, name) {
        Some(ns) => Ok(selector.matches_object(&ns)),
        None => Err(MatchError::NamespaceNotFound {
            namespace: name.to_owned(),
        }),
    }
}

/// `object.Matcher.MatchObjectSelector`: the new or the old object's labels match.
fn object_selected(
    criteria: &Criteria<'_>,
    obj: Option<&Value>,
    old: Option<&Value>,
) -> Result<bool, MatchError> {
    let Some(selector) = selector(criteria.object_selector)? else {
        return Ok(true);
    };
    let labelled = |o: Option<&Value>| o.is_some_and(|o| selector.matches_object(o));
    Ok(labelled(obj) || labelled(old))
}
