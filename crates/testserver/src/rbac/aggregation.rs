//! Aggregated ClusterRoles: what the clusterrole-aggregation controller does. A ClusterRole
//! with an `aggregationRule` gets, as its `rules`, the rules of every other ClusterRole whose
//! labels match one of its `clusterRoleSelectors` (selectors in order, matching roles by
//! name, duplicates dropped).

use serde_json::Value;

use super::objects::name_of;
use super::rule::strings;

/// Whether `labels` (an object of strings, or absent) match a `metav1.LabelSelector`
/// (`matchLabels` and `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`).
/// An empty selector matches everything; an unknown operator matches nothing.
pub(crate) fn selector_matches(selector: &Value, labels: Option<&Value>) -> bool {
    let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
    let match_labels = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| label(k).is_some_and(|have| Some(have) == v.as_str()));
    let match_expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .all(|expr| {
            let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
            let values = strings(expr, "values");
            let have = label(key);
            match expr.get("operator").and_then(Value::as_str) {
                Some("In") => have.is_some_and(|h| values.iter().any(|v| v == h)),
                Some("NotIn") => have.is_none_or(|h| !values.iter().any(|v| v == h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            }
        });
    match_labels && match_expressions
}

/// The rules an aggregated ClusterRole should have given all ClusterRoles, or `None` if
/// `role` has no `aggregationRule`.
pub(crate) fn aggregated_rules(role: &Value, cluster_roles: &[&Value]) -> Option<Vec<Value>> {
    let selectors = role.pointer("/aggregationRule/clusterRoleSelectors")?;
    let mut sorted: Vec<&Value> = cluster_roles.to_vec();
    sorted.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    let mut rules: Vec<Value> = Vec::new();
    for selector in selectors.as_array().into_iter().flatten() {
        for other in &sorted {
            if name_of(other) == name_of(role)
                || !selector_matches(selector, other.pointer("/metadata/labels"))
            {
                continue;
            }
            for rule in other
                .get("rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !rules.contains(rule) {
                    rules.push(rule.clone());
                }
            }
        }
    }
    Some(rules)
}

/// Recomputes every aggregated ClusterRole in `cluster_roles` in place; returns the names of
/// the roles whose rules changed (the objects the controller would update).
///
/// One pass per call, like one controller sync of each role; aggregated roles that select
/// other aggregated roles (admin selects edit, edit selects view) settle when called until
/// nothing changes, which [`aggregate_all`] does.
pub(crate) fn aggregate_once(cluster_roles: &mut [Value]) -> Vec<String> {
    let mut changed = Vec::new();
    for i in 0..cluster_roles.len() {
        let snapshot: Vec<&Value> = cluster_roles.iter().collect();
        let Some(rules) = aggregated_rules(&cluster_roles[i], &snapshot) else {
            continue;
        };
        let role = &mut cluster_roles[i];
        let current = role.get("rules").and_then(Value::as_array);
        // like the controller's semantic equality, a null/absent list equals an empty one
        if current.map_or(rules.is_empty(), |c| *c == rules) {
            continue;
        }
        changed.push(name_of(role).to_owned());
        if let Some(obj) = role.as_object_mut() {
            obj.insert("rules".into(), Value::Array(rules));
        }
    }
    changed
}

/// Recomputes aggregated ClusterRoles until they are stable (at most as many passes as there
/// are roles); returns the names of every role that changed.
pub(crate) fn aggregate_all(cluster_roles: &mut [Value]) -> Vec<String> {
    let mut all = Vec::new();
    for _ in 0..=cluster_roles.len() {
        let changed = aggregate_once(cluster_roles);
        if changed.is_empty() {
            break;
        }
        for name in changed {
            if !all.contains(&name) {
                all.push(name);
            }
        }
    }
    all
}

/// What the clusterrole-aggregation controller writes given the current ClusterRoles: the
/// aggregated roles whose `rules` are out of date, with their new rules, ready to update.
pub(crate) fn reconcile(cluster_roles: &[std::sync::Arc<Value>]) -> Vec<Value> {
    let mut roles: Vec<Value> = cluster_roles.iter().map(|r| (**r).clone()).collect();
    let changed = aggregate_all(&mut roles);
    roles
        .into_iter()
        .filter(|r| changed.iter().any(|n| n == name_of(r)))
        .collect()
}
