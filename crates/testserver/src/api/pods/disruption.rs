//! PodDisruptionBudgets as the eviction subresource reads them (pure: no storage).
//!
//! The recorded server runs no disruption controller, so a budget's `status` is whatever it was
//! created with (all zero, `observedGeneration` unset) unless someone writes `pdb/status`: a
//! running pod guarded by a fresh budget is refused with 429 "still being processed".

use serde_json::{Map, Value, json};

use super::text;
use crate::api::status::ApiError;
use crate::selector::LabelSelector;

/// How many evictions may wait for the disruption controller before the server refuses more.
const MAX_DISRUPTED_PODS: usize = 2000;

/// `getPodDisruptionBudgets`: the budgets whose selector matches the pod. A missing, empty or
/// invalid selector matches nothing.
pub(crate) fn matching<'a>(
    budgets: impl IntoIterator<Item = &'a Value>,
    pod: &Value,
) -> Vec<&'a Value> {
    budgets
        .into_iter()
        .filter(|pdb| {
            let Some(selector) = pdb.pointer("/spec/selector").filter(|s| !s.is_null()) else {
                return false;
            };
            match LabelSelector::from_object(selector) {
                Ok(s) => !s.is_empty() && s.matches_object(pod),
                Err(_) => false,
            }
        })
        .collect()
}

/// `podutil.IsPodReady`.
pub(crate) fn is_ready(pod: &Value) -> bool {
    pod.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| text(c, "/type") == "Ready" && text(c, "/status") == "True")
}

/// What the budget lets the eviction do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Allowance {
    /// The pod is unhealthy and the budget does not count it: delete it, but only if it is
    /// still the version that was judged (a resourceVersion precondition).
    DeleteUnhealthy,
    /// One disruption is spent: store this budget `status`, then delete the pod.
    Spend(Value),
    /// A dry run that would spend a disruption: delete (dry) without touching the budget.
    DryRun,
}

/// `int64` at a JSON pointer, 0 when missing.
fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// Decides whether `pdb` allows evicting `pod` (`checkAndDecrement` and the unhealthy-pod
/// rules). `now` stamps `status.disruptedPods` and the `DisruptionAllowed` condition.
pub(crate) fn allowance(
    pdb: &Value,
    pod: &Value,
    dry_run: bool,
    now: &str,
) -> Result<Allowance, ApiError> {
    let name = text(pdb, "/metadata/name");
    if !is_ready(pod) {
        if text(pdb, "/spec/unhealthyPodEvictionPolicy") == "AlwaysAllow" {
            return Ok(Allowance::DeleteUnhealthy);
        }
        let current = int(pdb, "/status/currentHealthy");
        let desired = int(pdb, "/status/desiredHealthy");
        if current >= desired && desired > 0 {
            return Ok(Allowance::DeleteUnhealthy);
        }
    }
    if int(pdb, "/status/observedGeneration") < int(pdb, "/metadata/generation") {
        return Err(too_many_requests(
            &format!("The disruption budget {name} is still being processed by the server."),
            10,
        ));
    }
    let allowed = int(pdb, "/status/disruptionsAllowed");
    if allowed < 0 {
        return Err(forbidden(name, "pdb disruptions allowed is negative"));
    }
    let disrupted = pdb
        .pointer("/status/disruptedPods")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    if disrupted > MAX_DISRUPTED_PODS {
        return Err(forbidden(
            name,
            "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
        ));
    }
    if allowed == 0 {
        return Err(too_many_requests(
            &format!(
                "The disruption budget {name} needs {} healthy pods and has {} currently",
                int(pdb, "/status/desiredHealthy"),
                int(pdb, "/status/currentHealthy")
            ),
            0,
        ));
    }
    if dry_run {
        return Ok(Allowance::DryRun);
    }
    let mut spent = pdb.clone();
    let Some(status) = spent.get_mut("status").and_then(Value::as_object_mut) else {
        return Err(ApiError::internal(format!(
            "PodDisruptionBudget {name} has no status"
        )));
    };
    status.insert("disruptionsAllowed".into(), (allowed - 1).into());
    if allowed - 1 == 0 {
        let observed = status
            .get("observedGeneration")
            .cloned()
            .unwrap_or(json!(0));
        set_condition(
            status,
            json!({"type": "DisruptionAllowed", "status": "False", "observedGeneration": observed,
                   "reason": "InsufficientPods", "message": ""}),
            now,
        );
    }
    let pods = status
        .entry("disruptedPods")
        .or_insert_with(|| Value::Object(Map::new()));
    if !pods.is_object() {
        *pods = Value::Object(Map::new());
    }
    if let Some(p) = pods.as_object_mut() {
        p.insert(text(pod, "/metadata/name").to_owned(), now.into());
    }
    Ok(Allowance::Spend(spent))
}

/// `meta.SetStatusCondition`: the transition time changes only with the status.
fn set_condition(status: &mut Map<String, Value>, mut condition: Value, now: &str) {
    let list = status
        .entry("conditions")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let Some(list) = list.as_array_mut() else {
        return;
    };
    let kind = text(&condition, "/type").to_owned();
    match list.iter_mut().find(|c| text(c, "/type") == kind) {
        Some(old) => {
            condition["lastTransitionTime"] = if text(old, "/status") == text(&condition, "/status")
            {
                old.get("lastTransitionTime").cloned().unwrap_or(now.into())
            } else {
                now.into()
            };
            *old = condition;
        }
        None => {
            condition["lastTransitionTime"] = now.into();
            list.push(condition);
        }
    }
}

/// `errors.NewTooManyRequests` with a `DisruptionBudget` cause (`Retry-After` when > 0).
pub(crate) fn too_many_requests(cause: &str, retry_after: u64) -> ApiError {
    let mut details = Map::new();
    details.insert(
        "causes".into(),
        json!([{"reason": "DisruptionBudget", "message": cause}]),
    );
    if retry_after > 0 {
        details.insert("retryAfterSeconds".into(), retry_after.into());
    }
    ApiError {
        code: 429,
        reason: Some("TooManyRequests"),
        message: "Cannot evict pod as it would violate the pod's disruption budget.".to_owned(),
        details: Some(Box::new(Value::Object(details))),
        plain: false,
        retry_after: (retry_after > 0).then_some(retry_after),
        raw: None,
        warnings: Vec::new(),
    }
}

/// `errors.NewForbidden(policy.Resource("poddisruptionbudget"), name, why)`.
fn forbidden(name: &str, why: &str) -> ApiError {
    ApiError::forbidden(
        format!("poddisruptionbudget.policy \"{name}\" is forbidden: {why}"),
        json!({"name": name, "group": "policy", "kind": "poddisruptionbudget"}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2024-01-01T00:00:00Z";

    fn pdb(status: Value) -> Value {
        json!({"metadata": {"name": "pdb", "generation": 1},
               "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "x"}}},
               "status": status})
    }

    fn running(ready: bool) -> Value {
        let ready = if ready { "True" } else { "False" };
        json!({"metadata": {"name": "p", "labels": {"app": "x"}},
               "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": ready}]}})
    }

    #[track_caller]
    fn check_refused(pdb: &Value, pod: &Value, code: u16, status: Value) {
        let err = allowance(pdb, pod, false, NOW).unwrap_err();
        assert_eq!(err.code, code);
        assert_eq!(err.to_status(), status);
    }

    #[test]
    fn selectors_match_like_the_eviction_registry() {
        let pod = running(true);
        let by = |selector: Value| json!({"spec": {"selector": selector}});
        let budgets = [
            by(json!({"matchLabels": {"app": "x"}})),
            by(json!({})),
            json!({"spec": {}}),
            by(json!({"matchLabels": {"app": "y"}})),
            by(
                json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["x", "z"]}]}),
            ),
            by(json!({"matchExpressions": [{"key": "app", "operator": "Bogus"}]})),
        ];
        let got = matching(&budgets, &pod);
        assert_eq!(got, vec![&budgets[0], &budgets[4]]);
    }

    #[test]
    fn an_unprocessed_budget_answers_429_with_retry_after() {
        let fresh = pdb(
            json!({"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
        );
        check_refused(
            &fresh,
            &running(true),
            429,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Cannot evict pod as it would violate the pod's disruption budget.",
                "reason": "TooManyRequests",
                "details": {"causes": [{"reason": "DisruptionBudget",
                    "message": "The disruption budget pdb is still being processed by the server."}],
                    "retryAfterSeconds": 10},
                "code": 429}),
        );
        assert_eq!(
            allowance(&fresh, &running(true), false, NOW)
                .unwrap_err()
                .retry_after,
            Some(10)
        );
    }

    #[test]
    fn an_exhausted_budget_says_what_it_needs() {
        let exhausted = pdb(json!({"observedGeneration": 1, "disruptionsAllowed": 0,
            "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1}));
        check_refused(
            &exhausted,
            &running(true),
            429,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Cannot evict pod as it would violate the pod's disruption budget.",
                "reason": "TooManyRequests",
                "details": {"causes": [{"reason": "DisruptionBudget",
                    "message": "The disruption budget pdb needs 1 healthy pods and has 1 currently"}]},
                "code": 429}),
        );
        let negative = pdb(json!({"observedGeneration": 1, "disruptionsAllowed": -1}));
        check_refused(
            &negative,
            &running(true),
            403,
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "poddisruptionbudget.policy \"pdb\" is forbidden: pdb disruptions allowed is negative",
                "reason": "Forbidden",
                "details": {"name": "pdb", "group": "policy", "kind": "poddisruptionbudget"},
                "code": 403}),
        );
    }

    #[test]
    fn spending_the_last_disruption_records_pod_and_condition() {
        let one = pdb(json!({"observedGeneration": 1, "disruptionsAllowed": 1,
            "currentHealthy": 2, "desiredHealthy": 1, "expectedPods": 2}));
        let Allowance::Spend(spent) = allowance(&one, &running(true), false, NOW).unwrap() else {
            panic!("expected a spent budget");
        };
        assert_eq!(
            spent["status"],
            json!({"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 2,
                "desiredHealthy": 1, "expectedPods": 2, "disruptedPods": {"p": NOW},
                "conditions": [{"type": "DisruptionAllowed", "status": "False",
                    "observedGeneration": 1, "reason": "InsufficientPods", "message": "",
                    "lastTransitionTime": NOW}]})
        );
        assert_eq!(
            allowance(&one, &running(true), true, NOW).unwrap(),
            Allowance::DryRun
        );
    }

    #[test]
    fn unhealthy_pods_may_go_when_the_budget_is_met() {
        let met = pdb(json!({"observedGeneration": 1, "disruptionsAllowed": 0,
            "currentHealthy": 2, "desiredHealthy": 2}));
        assert_eq!(
            allowance(&met, &running(false), false, NOW).unwrap(),
            Allowance::DeleteUnhealthy
        );
        let mut always = pdb(json!({}));
        always["spec"]["unhealthyPodEvictionPolicy"] = "AlwaysAllow".into();
        assert_eq!(
            allowance(&always, &running(false), false, NOW).unwrap(),
            Allowance::DeleteUnhealthy
        );
        // a ready pod is always counted
        assert!(allowance(&met, &running(true), false, NOW).is_err());
    }
}
