//! Whether a `PolicyRule` allows a request, as kube-apiserver's RBAC authorizer decides
//! (`rbac/v1` helpers `VerbMatches`, `APIGroupMatches`, `ResourceMatches`,
//! `ResourceNameMatches`, `NonResourceURLMatches`), and the canonical verb order.

use k8s_openapi::api::rbac::v1::PolicyRule;

use crate::request::Request;

/// The verbs in the order kubectl and the bootstrap roles list them; others follow sorted.
const VERB_ORDER: [&str; 8] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// Sorts verbs as rules conventionally list them.
pub(crate) fn sort_verbs(verbs: &mut [String]) {
    verbs.sort_by_key(|v| {
        let rank = VERB_ORDER
            .iter()
            .position(|o| o == v)
            .unwrap_or(VERB_ORDER.len());
        (rank, v.clone())
    });
}

/// Whether `rule` allows `request`.
///
/// ```
/// use k8s_openapi::api::rbac::v1::PolicyRule;
/// let rule = PolicyRule {
///     api_groups: Some(vec![String::new()]),
///     resources: Some(vec!["*/status".into()]),
///     verbs: vec!["patch".into()],
///     ..PolicyRule::default()
/// };
/// let line = r#"{"stage":"ResponseComplete","verb":"patch","objectRef":{"resource":"pods","namespace":"a","name":"p","subresource":"status"}}"#;
/// let request = kubeset_audit::Request::of(&kubeset_audit::parse_log(line)?[0]);
/// assert!(kubeset_audit::rule_allows(&rule, &request));
/// # Ok::<_, kubeset_audit::Error>(())
/// ```
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    if !rule.verbs.iter().any(|v| v == "*" || v == request.verb()) {
        return false;
    }
    match request {
        Request::NonResource { path, .. } => rule
            .non_resource_urls
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|u| {
                u == "*" || u == path || u.strip_suffix('*').is_some_and(|p| path.starts_with(p))
            }),
        Request::Resource(r) => {
            let groups = rule.api_groups.as_deref().unwrap_or_default();
            if !groups.iter().any(|g| g == "*" || *g == r.api_group) {
                return false;
            }
            let combined = r.combined_resource();
            let resources = rule.resources.as_deref().unwrap_or_default();
            let resource_matches = resources.iter().any(|res| {
                res == "*"
                    || *res == combined
                    || (!r.subresource.is_empty()
                        && res.strip_prefix("*/") == Some(r.subresource.as_str()))
            });
            if !resource_matches {
                return false;
            }
            match rule.resource_names.as_deref() {
                None | Some([]) => true,
                Some(names) => names.contains(&r.name),
            }
        }
    }
}
