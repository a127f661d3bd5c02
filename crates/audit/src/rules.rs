//! The fewest `PolicyRule`s that allow a set of requests: verbs merged per (API group,
//! resource/subresource), resources with the same verbs in one rule, `resourceNames` only when
//! asked and only for verbs always used on named objects; non-resource URLs grouped by verbs.
//! The order is deterministic (by group, then resources).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::rbac::v1::PolicyRule;

use crate::request::Request;
use crate::rule::sort_verbs;

/// Per verb, the names it was used on (`None` once it was used without a name).
type VerbNames = BTreeMap<String, Option<BTreeSet<String>>>;

/// The rules allowing every request of `requests`.
pub(crate) fn rules_for<'a>(
    requests: impl IntoIterator<Item = &'a Request>,
    resource_names: bool,
) -> Vec<PolicyRule> {
    let mut resources: BTreeMap<(String, String), VerbNames> = BTreeMap::new();
    let mut paths: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for request in requests {
        match request {
            Request::Resource(r) => {
                let names = resources
                    .entry((r.api_group.clone(), r.combined_resource()))
                    .or_default()
                    .entry(r.verb.clone())
                    .or_insert_with(|| Some(BTreeSet::new()));
                match names {
                    Some(set) if resource_names && !r.name.is_empty() => {
                        set.insert(r.name.clone());
                    }
                    _ => *names = None,
                }
            }
            Request::NonResource { verb, path } => {
                paths.entry(path.clone()).or_default().insert(verb.clone());
            }
        }
    }
    let mut plain: BTreeMap<(String, Vec<String>), Vec<String>> = BTreeMap::new();
    let mut named: BTreeMap<(String, String, Vec<String>), Vec<String>> = BTreeMap::new();
    for ((group, resource), verbs) in resources {
        let mut unrestricted = Vec::new();
        for (verb, names) in verbs {
            match names {
                None => unrestricted.push(verb),
                Some(names) => named
                    .entry((group.clone(), resource.clone(), names.into_iter().collect()))
                    .or_default()
                    .push(verb),
            }
        }
        if !unrestricted.is_empty() {
            sort_verbs(&mut unrestricted);
            plain
                .entry((group.clone(), unrestricted))
                .or_default()
                .push(resource);
        }
    }
    let mut rules: Vec<PolicyRule> = plain
        .into_iter()
        .map(|((group, verbs), resources)| PolicyRule {
            api_groups: Some(vec![group]),
            resources: Some(resources),
            verbs,
            ..PolicyRule::default()
        })
        .chain(
            named
                .into_iter()
                .map(|((group, resource, names), mut verbs)| {
                    sort_verbs(&mut verbs);
                    PolicyRule {
                        api_groups: Some(vec![group]),
                        resources: Some(vec![resource]),
                        resource_names: Some(names),
                        verbs,
                        ..PolicyRule::default()
                    }
                }),
        )
        .collect();
    rules.sort_by(|a, b| {
        (&a.api_groups, &a.resources, &a.resource_names).cmp(&(
            &b.api_groups,
            &b.resources,
            &b.resource_names,
        ))
    });
    let mut by_verbs: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (path, verbs) in paths {
        let mut verbs: Vec<String> = verbs.into_iter().collect();
        sort_verbs(&mut verbs);
        by_verbs.entry(verbs).or_default().push(path);
    }
    rules.extend(by_verbs.into_iter().map(|(verbs, urls)| PolicyRule {
        non_resource_urls: Some(urls),
        verbs,
        ..PolicyRule::default()
    }));
    rules
}
