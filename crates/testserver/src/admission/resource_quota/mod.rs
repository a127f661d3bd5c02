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
//! Charging, as the real evaluator: "used" is the quota's `status.used`; an admitted request's
//! usage is added to it and written back (a compare-and-swap on the quota's resourceVersion,
//! retried with the quota read again when it changed), before the object is stored, so a
//! burst of creates cannot overshoot. Nothing is charged on a dry run. The quota controller
//! recounts later, which also returns what a request charged but did not store.

mod scope;
/// The evaluators.
pub(crate) mod usage;

use serde_json::Value;

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation, StatusConflict};
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

/// How often a charge is retried after a quota changed under it (the real evaluator's
/// conflict retries; in one process a conflict means a concurrent admission or the
/// controller's write).
const CHARGE_ATTEMPTS: usize = 16;

/// Whether the plugin looks at the request at all: namespaced main-resource creates, and
/// updates of the kinds charged on update.
fn handles(attrs: &Attributes<'_>) -> bool {
    let operation = match attrs.operation {
        Operation::Create => true,
        Operation::Update => charges_updates(attrs.group, attrs.resource),
        Operation::Delete => false,
    };
    operation
        && !attrs.namespace.is_empty()
        && attrs.subresource.is_empty()
        && !ignored(attrs.group, attrs.resource)
}

/// Runs the plugin for a create (`old` `None`) or an update, and charges what it admits to
/// each applying quota's `status.used` (see [`Lookup::write_status`]; a dry run's lookup
/// writes nothing).
///
/// # Errors
/// A 403 with the real message when a quota refuses.
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !handles(attrs) {
        return Ok(());
    }
    let mut charged: Vec<String> = Vec::new();
    for _ in 0..CHARGE_ATTEMPTS {
        let mut quotas = lookup.list("", "resourcequotas", Some(attrs.namespace));
        quotas.sort_by(|a, b| crate::shared::json::name(a).cmp(crate::shared::json::name(b)));
        quotas.retain(|q| !charged.iter().any(|c| c == crate::shared::json::name(q)));
        let charges = check_request(attrs, obj, old, &quotas)?;
        let mut conflict = false;
        for charge in charges {
            match lookup.write_status("", "resourcequotas", &charge.quota) {
                Ok(()) => charged.push(charge.name),
                Err(StatusConflict) => conflict = true,
            }
        }
        if !conflict {
            return Ok(());
        }
    }
    Err(forbidden(
        attrs,
        Some(obj),
        "status unknown for quota: too many conflicts charging the request".to_owned(),
    ))
}

/// A quota after charging a request: its new `status.used`, and the resourceVersion it was
/// computed from.
#[derive(Debug)]
struct Charge {
    name: String,
    quota: Value,
}

/// `checkRequest`: refuses what a quota does not allow, else returns the new status of each
/// quota the request is charged to.
fn check_request(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    quotas: &[Value],
) -> Result<Vec<Charge>, AdmissionError> {
    let (group, resource) = (attrs.group, attrs.resource);
    let mut applying = Vec::new();
    for quota in quotas {
        let hard = quantities(quota, "/status/hard");
        let restricted: Vec<&str> = hard
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| usage::matches(group, resource, k))
            .collect();
        if restricted.is_empty() || !matches_scopes(quota, group, resource, obj) {
            continue;
        }
        let name = crate::shared::json::name(quota);
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
        applying.push((quota, name, hard, used));
    }
    if applying.is_empty() {
        return Ok(Vec::new());
    }
    let delta = delta(group, resource, obj, old);
    if delta.is_empty() {
        return Ok(Vec::new());
    }
    let mut charges = Vec::new();
    for (quota, name, hard, used) in applying {
        let used: Usage = used
            .iter()
            .filter_map(|(k, v)| Some(((*k).to_owned(), Amount::parse(v)?)))
            .collect();
        // [requested, used, limited], each `name=value`, in name order (`prettyPrint`)
        let mut parts: [Vec<String>; 3] = Default::default();
        let mut new_used = used.clone();
        let mut sorted = hard.clone();
        sorted.sort_unstable();
        for (key, limit) in sorted {
            let (Some(requested), Some(limit_q)) = (delta.get(key), Amount::parse(limit)) else {
                continue;
            };
            let now = used.get(key).copied().unwrap_or(Amount::count(0));
            let after = now.add(*requested);
            if after.q > limit_q.q {
                parts[0].push(format!("{key}={}", requested.text()));
                parts[1].push(format!("{key}={}", now.text()));
                parts[2].push(format!("{key}={limit}"));
            }
            new_used.insert(key.to_owned(), after);
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
        let mut charged = quota.clone();
        charged["status"]["used"] = new_used
            .into_iter()
            .map(|(k, v)| (k, Value::String(v.text())))
            .collect::<serde_json::Map<String, Value>>()
            .into();
        charges.push(Charge {
            name: name.to_owned(),
            quota: charged,
        });
    }
    Ok(charges)
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
