//! The ResourceQuota plugin (`k8s.io/apiserver/pkg/admission/plugin/resourcequota`, the
//! evaluators of `pkg/quota/v1/evaluator/core`): a create, or an update that raises usage, of
//! a namespaced object is refused when it would take a quota of its namespace past
//! `status.hard`.
//!
//! Guarantees, as the real `checkRequest`: only quotas whose `status.hard` names something the
//! object is charged for apply (a quota the controller has not synced yet does not); a pod one
//! of whose containers lacks the cpu/memory request or limit an applying quota constrains is
//! refused with
//! `failed quota: <quota>: must specify ...`; a quota whose `status.used` lacks a constrained
//! name is refused with `status unknown for quota: ...`; otherwise the first quota (by name)
//! the request would exceed refuses with `exceeded quota: ...`. Subresource writes and events
//! are not charged.
//!
//! Difference: the real plugin charges the request into `status.used` as it admits it; here
//! "used" is counted afresh from the stored objects at each request (the controller then
//! writes the same numbers), which gives the same answers for requests in sequence.

mod scope;
/// The evaluators.
pub(crate) mod usage;

use serde_json::Value;

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation};
use usage::{Amount, Usage};

pub(crate) use scope::matches_scopes;

/// `IgnoredResources` of the quota configuration that can reach a namespaced create.
fn ignored(group: &str, resource: &str) -> bool {
    resource == "events" && (group.is_empty() || group == "events.k8s.io")
}

/// `Evaluator.Handles`: of the main resources, only services and claims are charged on update
/// (a pod only through its `resize` subresource, which this server does not serve).
fn charges_updates(group: &str, resource: &str) -> bool {
    group.is_empty() && matches!(resource, "services" | "persistentvolumeclaims")
}

/// A string map of a quota, e.g. `status.hard`.
pub(crate) fn quantities<'a>(quota: &'a Value, pointer: &str) -> Vec<(&'a str, &'a str)> {
    quota
        .pointer(pointer)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
        .collect()
}

/// `prettyPrintResourceNames`: sorted, comma-separated.
fn names_text(names: &[&str]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort_unstable();
    sorted.join(",")
}

/// Runs the plugin for a create (`old` `None`) or an update.
///
/// # Errors
/// A 403 with the real message when a quota refuses.
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if attrs.namespace.is_empty()
        || !attrs.subresource.is_empty()
        || !matches!(attrs.operation, Operation::Create | Operation::Update)
        || ignored(attrs.group, attrs.resource)
        || (attrs.operation == Operation::Update && !charges_updates(attrs.group, attrs.resource))
    {
        return Ok(());
    }
    let (group, resource) = (attrs.group, attrs.resource);
    let quotas = lookup.list("", "resourcequotas", Some(attrs.namespace));
    let mut applying = Vec::new();
    for quota in &quotas {
        let hard = quantities(quota, "/status/hard");
        let restricted: Vec<&str> = hard
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| usage::matches(group, resource, k))
            .collect();
        if restricted.is_empty() || !matches_scopes(quota, group, resource, obj) {
            continue;
        }
        let name = quota
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if group.is_empty()
            && resource == "pods"
            && let Some(missing) = pod_constraints(&restricted, obj)
        {
            return Err(forbidden(
                attrs,
                Some(obj),
                format!("failed quota: {name}: {missing}"),
            ));
        }
        let used = quantities(quota, "/status/used");
        if restricted.iter().any(|r| !used.iter().any(|(k, _)| k == r)) {
            return Err(forbidden(
                attrs,
                Some(obj),
                format!(
                    "status unknown for quota: {name}, resources: {}",
                    names_text(&restricted)
                ),
            ));
        }
        applying.push((quota, name, hard, restricted));
    }
    if applying.is_empty() {
        return Ok(());
    }
    let delta = delta(group, resource, obj, old);
    if delta.is_empty() {
        return Ok(());
    }
    let stored = lookup.list(group, resource, Some(attrs.namespace));
    for (quota, name, hard, restricted) in applying {
        let counted: Vec<&Value> = stored
            .iter()
            .filter(|o| matches_scopes(quota, group, resource, o))
            .collect();
        let used = usage::namespace_usage(group, resource, counted, &restricted);
        // [requested, used, limited], each `name=value`, in name order (`prettyPrint`)
        let mut parts: [Vec<String>; 3] = Default::default();
        let mut sorted = hard.clone();
        sorted.sort_unstable();
        for (key, limit) in sorted {
            let (Some(requested), Some(limit_q)) = (delta.get(key), Amount::parse(limit)) else {
                continue;
            };
            let now = used.get(key).copied().unwrap_or(Amount::count(0));
            if now.add(*requested).q > limit_q.q {
                parts[0].push(format!("{key}={}", requested.text()));
                parts[1].push(format!("{key}={}", now.text()));
                parts[2].push(format!("{key}={limit}"));
            }
        }
        if !parts[0].is_empty() {
            let [requested, used, limited] = parts.map(|p| p.join(","));
            return Err(forbidden(
                attrs,
                Some(obj),
                format!(
                    "exceeded quota: {name}, requested: {requested}, used: {used}, limited: {limited}"
                ),
            ));
        }
    }
    Ok(())
}

/// The request's usage, less the stored object's on an update (never negative), zeros removed.
fn delta(group: &str, resource: &str, obj: &Value, old: Option<&Value>) -> Usage {
    let new = usage::usage(group, resource, obj);
    let old = old.map(|o| usage::usage(group, resource, o));
    new.into_iter()
        .map(|(k, v)| {
            let before = old.as_ref().and_then(|o| o.get(&k));
            let d = before.map_or(v, |b| v.sub_non_negative(*b));
            (k, d)
        })
        .filter(|(_, v)| !v.is_zero())
        .collect()
}

/// `podEvaluator.Constraints`: every container (and init container) must request or limit each
/// of cpu/memory the quota constrains; `None` when all do.
fn pod_constraints(restricted: &[&str], pod: &Value) -> Option<String> {
    const VALIDATED: [&str; 6] = [
        "cpu",
        "memory",
        "requests.cpu",
        "requests.memory",
        "limits.cpu",
        "limits.memory",
    ];
    let mut required: Vec<&str> = restricted
        .iter()
        .copied()
        .filter(|r| VALIDATED.contains(r))
        .collect();
    required.sort_unstable();
    let containers = ["/spec/containers", "/spec/initContainers"]
        .into_iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten();
    let mut missing: Vec<(&str, Vec<&str>)> = required.iter().map(|r| (*r, Vec::new())).collect();
    for c in containers {
        let used = usage::compute_usage(
            &usage::container_list(c, "requests"),
            &usage::container_list(c, "limits"),
        );
        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
        for (r, names) in &mut missing {
            if !used.contains_key(*r) {
                names.push(name);
            }
        }
    }
    let parts: Vec<String> = missing
        .into_iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(r, mut names)| {
            names.sort_unstable();
            names.dedup();
            format!("{r} for: {}", names.join(","))
        })
        .collect();
    (!parts.is_empty()).then(|| format!("must specify {}", parts.join("; ")))
}

#[cfg(test)]
mod tests;
