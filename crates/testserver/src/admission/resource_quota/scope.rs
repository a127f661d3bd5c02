//! Quota scopes (`spec.scopes`, `spec.scopeSelector`): which objects a scoped quota counts.
//!
//! Only pods are scoped (`podMatchesScopeFunc`): `Terminating`/`NotTerminating` (an
//! `activeDeadlineSeconds`), `BestEffort`/`NotBestEffort` (the QoS class), `PriorityClass`
//! (the pod's `priorityClassName` against the requirement's operator and values) and
//! `CrossNamespacePodAffinity`; every other kind falls outside any scoped quota
//! (`MatchesNoScopeFunc`).

use serde_json::Value;

/// One scope requirement: (scope name, operator, values).
type Requirement<'a> = (&'a str, &'a str, Vec<&'a str>);

fn requirements(quota: &Value) -> Vec<Requirement<'_>> {
    let mut out: Vec<Requirement<'_>> = quota
        .pointer("/spec/scopes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| (s, "Exists", Vec::new()))
        .collect();
    let exprs = quota
        .pointer("/spec/scopeSelector/matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for e in exprs {
        let get = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
        let values = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        out.push((get("scopeName"), get("operator"), values));
    }
    out
}

/// Whether `quota`'s scopes all select `obj` (of `group`/`resource`); true for an unscoped
/// quota.
pub(crate) fn matches_scopes(quota: &Value, group: &str, resource: &str, obj: &Value) -> bool {
    let reqs = requirements(quota);
    if reqs.is_empty() {
        return true;
    }
    if !group.is_empty() || resource != "pods" {
        return false;
    }
    reqs.iter().all(|r| pod_matches(r, obj))
}

fn pod_matches((scope, op, values): &Requirement<'_>, pod: &Value) -> bool {
    let holds = match *scope {
        "Terminating" => terminating(pod),
        "NotTerminating" => !terminating(pod),
        "BestEffort" => best_effort(pod),
        "NotBestEffort" => !best_effort(pod),
        "CrossNamespacePodAffinity" => cross_namespace_affinity(pod),
        "PriorityClass" => {
            let class = pod
                .pointer("/spec/priorityClassName")
                .and_then(Value::as_str)
                .unwrap_or("");
            return match *op {
                "In" => !class.is_empty() && values.contains(&class),
                "NotIn" => class.is_empty() || !values.contains(&class),
                "Exists" => !class.is_empty(),
                "DoesNotExist" => class.is_empty(),
                _ => false,
            };
        }
        _ => return false,
    };
    // the boolean scopes take `Exists` (and `DoesNotExist` for the negation)
    match *op {
        "DoesNotExist" => !holds,
        _ => holds,
    }
}

/// `isTerminating`: `activeDeadlineSeconds >= 0`.
fn terminating(pod: &Value) -> bool {
    pod.pointer("/spec/activeDeadlineSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|d| d >= 0)
}

/// `qos.GetPodQOS(pod) == BestEffort`: no container requests or limits cpu or memory.
fn best_effort(pod: &Value) -> bool {
    if let Some(q) = pod.pointer("/status/qosClass").and_then(Value::as_str) {
        return q == "BestEffort";
    }
    let containers = ["/spec/containers", "/spec/initContainers"]
        .into_iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten();
    let level = pod.get("spec").into_iter();
    !containers.chain(level).any(|c| {
        ["requests", "limits"].iter().any(|f| {
            c.pointer(&format!("/resources/{f}"))
                .and_then(Value::as_object)
                .is_some_and(|m| m.contains_key("cpu") || m.contains_key("memory"))
        })
    })
}

/// `usesCrossNamespacePodAffinity`: an (anti-)affinity term names namespaces or a selector.
fn cross_namespace_affinity(pod: &Value) -> bool {
    let mut terms = Vec::new();
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(a) = pod.pointer(&format!("/spec/affinity/{kind}")) else {
            continue;
        };
        let arr = |k: &str| {
            a.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        terms.extend(arr("requiredDuringSchedulingIgnoredDuringExecution"));
        terms.extend(
            arr("preferredDuringSchedulingIgnoredDuringExecution")
                .into_iter()
                .filter_map(|w| w.get("podAffinityTerm").cloned()),
        );
    }
    terms.iter().any(|t| {
        t.get("namespaceSelector").is_some_and(|s| !s.is_null())
            || t.get("namespaces")
                .and_then(Value::as_array)
                .is_some_and(|n| !n.is_empty())
    })
}
