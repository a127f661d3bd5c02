//! `PolicyRule`: parsing from stored objects and matching one request, exactly as
//! kube-apiserver's `RuleAllows` does.

use serde_json::{Map, Value};

use super::attributes::Attributes;

/// One rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` `PolicyRule`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PolicyRule {
    /// Verbs (`get`, `list`, `*`, ...).
    pub(crate) verbs: Vec<String>,
    /// API groups (`""` is the core group, `*` all groups).
    pub(crate) api_groups: Vec<String>,
    /// Resources, `resource/subresource`, `*/subresource` or `*`.
    pub(crate) resources: Vec<String>,
    /// Object names the rule is limited to (empty: all names).
    pub(crate) resource_names: Vec<String>,
    /// Non-resource URLs, a trailing `*` matches any suffix.
    pub(crate) non_resource_urls: Vec<String>,
}

/// The strings of a JSON string array at `key`; anything else (absent, `null`, wrong type)
/// is the empty list, like a Go nil slice.
pub(crate) fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl PolicyRule {
    /// A rule from its JSON form; missing or malformed lists are empty.
    pub(crate) fn from_value(v: &Value) -> Self {
        PolicyRule {
            verbs: strings(v, "verbs"),
            api_groups: strings(v, "apiGroups"),
            resources: strings(v, "resources"),
            resource_names: strings(v, "resourceNames"),
            non_resource_urls: strings(v, "nonResourceURLs"),
        }
    }

    /// The `rules` of a Role or ClusterRole object.
    pub(crate) fn list_from(role: &Value) -> Vec<Self> {
        role.get("rules")
            .and_then(Value::as_array)
            .map(|rules| rules.iter().map(Self::from_value).collect())
            .unwrap_or_default()
    }

    /// The JSON form in the server's field order, empty lists omitted (verbs always present).
    pub(crate) fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("verbs".into(), self.verbs.clone().into());
        for (key, list) in [
            ("apiGroups", &self.api_groups),
            ("resources", &self.resources),
            ("resourceNames", &self.resource_names),
            ("nonResourceURLs", &self.non_resource_urls),
        ] {
            if !list.is_empty() {
                m.insert(key.into(), list.clone().into());
            }
        }
        Value::Object(m)
    }

    /// Whether this rule allows the request (`RuleAllows`).
    pub(crate) fn allows(&self, attrs: &Attributes) -> bool {
        if !verb_matches(&self.verbs, &attrs.verb) {
            return false;
        }
        if !attrs.resource_request {
            return self
                .non_resource_urls
                .iter()
                .any(|rule| non_resource_url_matches(rule, &attrs.path));
        }
        let combined = attrs.combined_resource();
        group_matches(&self.api_groups, &attrs.api_group)
            && self
                .resources
                .iter()
                .any(|rule| resource_matches(rule, &combined, &attrs.subresource))
            && (self.resource_names.is_empty() || self.resource_names.contains(&attrs.name))
    }
}

fn verb_matches(verbs: &[String], verb: &str) -> bool {
    verbs.iter().any(|v| v == "*" || v == verb)
}

fn group_matches(groups: &[String], group: &str) -> bool {
    groups.iter().any(|g| g == "*" || g == group)
}

/// `*`, an exact `resource[/subresource]`, or `*/subresource` for a subresource request.
fn resource_matches(rule: &str, combined: &str, subresource: &str) -> bool {
    rule == "*"
        || rule == combined
        || (!subresource.is_empty() && rule.strip_prefix("*/") == Some(subresource))
}

/// `*`, an exact path, or a prefix ending in `*` (all trailing stars trimmed, as Go's
/// `strings.TrimRight` does).
pub(crate) fn non_resource_url_matches(rule: &str, path: &str) -> bool {
    rule == "*"
        || rule == path
        || (rule.ends_with('*') && path.starts_with(rule.trim_end_matches('*')))
}
