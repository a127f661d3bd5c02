//! policy/v1 PodDisruptionBudget validation (`ValidatePodDisruptionBudgetSpec` of
//! `pkg/apis/policy/validation`): one of `minAvailable` and `maxUnavailable`, each a count or
//! a percentage up to 100%, a valid selector, a known unhealthy-pod eviction policy.

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, godump, int_or_percent, selector};

const EVICTION_POLICIES: [&str; 2] = ["AlwaysAllow", "IfHealthyBudget"];

/// The spec checks of a PodDisruptionBudget (create and update alike).
pub(crate) fn pod_disruption_budget(obj: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let set = |key: &str| spec.get(key).filter(|v| !v.is_null());
    let mut errs = Vec::new();
    if set("minAvailable").is_some() && set("maxUnavailable").is_some() {
        errs.push(FieldError::invalid(
            "spec",
            spec_value(spec),
            "minAvailable and maxUnavailable cannot be both set",
        ));
    }
    for key in ["minAvailable", "maxUnavailable"] {
        if let Some(v) = set(key) {
            let path = format!("spec.{key}");
            errs.extend(int_or_percent::positive(Some(v), &path));
            errs.extend(int_or_percent::not_more_than_100_percent(Some(v), &path));
        }
    }
    errs.extend(selector::label_selector(set("selector"), "spec.selector"));
    if let Some(policy) = set("unhealthyPodEvictionPolicy").and_then(Value::as_str)
        && !EVICTION_POLICIES.contains(&policy)
    {
        errs.push(FieldError::not_supported(
            "spec.unhealthyPodEvictionPolicy",
            policy,
            &EVICTION_POLICIES,
        ));
    }
    errs
}

/// The internal `PodDisruptionBudgetSpec` as `json.Marshal` prints it.
fn spec_value(spec: &Value) -> BadValue {
    let field = |key: &str| {
        spec.get(key)
            .filter(|v| !v.is_null())
            .map_or("null".to_owned(), godump::go_json)
    };
    BadValue::Raw(format!(
        "{{\"MinAvailable\":{},\"Selector\":{},\"MaxUnavailable\":{},\"UnhealthyPodEvictionPolicy\":{}}}",
        field("minAvailable"),
        field("selector"),
        field("maxUnavailable"),
        field("unhealthyPodEvictionPolicy"),
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// ValidatePodDisruptionBudgetSpec.
    #[test]
    fn budgets() {
        let ok =
            json!({"spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "a"}}}});
        assert!(pod_disruption_budget(&ok).is_empty());
        let both = json!({"spec": {"minAvailable": 1, "maxUnavailable": "150%",
            "selector": {"matchLabels": {"app": "a"}}, "unhealthyPodEvictionPolicy": "Never"}});
        assert_eq!(
            texts(pod_disruption_budget(&both)),
            [
                "spec: Invalid value: {\"MinAvailable\":1,\"Selector\":{\"matchLabels\":{\"app\":\"a\"}},\"MaxUnavailable\":\"150%\",\"UnhealthyPodEvictionPolicy\":\"Never\"}: minAvailable and maxUnavailable cannot be both set",
                "spec.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%",
                "spec.unhealthyPodEvictionPolicy: Unsupported value: \"Never\": supported values: \"AlwaysAllow\", \"IfHealthyBudget\"",
            ]
        );
        let negative = json!({"spec": {"minAvailable": -1}});
        assert_eq!(
            texts(pod_disruption_budget(&negative)),
            ["spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"]
        );
    }
}
