//! The status rules of PodDisruptionBudgets (`ValidatePodDisruptionBudgetStatusUpdate` of
//! `pkg/apis/policy/validation`, policy/v1), HorizontalPodAutoscalers
//! (`ValidateHorizontalPodAutoscalerStatusUpdate` of `pkg/apis/autoscaling/validation`, whose
//! `desiredReplicas` error is reported at `status.desiredReplicasa`, as the real check spells
//! it) and the API Priority and Fairness objects (`ValidateFlowSchemaStatus`,
//! `ValidatePriorityLevelConfigurationStatus` of `pkg/apis/flowcontrol/validation`).
//!
//! Each function is the type's own part, after the metadata update checks the strategy runs.

use serde_json::Value;

use super::FieldError;
use super::common_status::{NEGATIVE, conditions, int};

fn status(obj: &Value) -> &Value {
    obj.get("status").unwrap_or(&Value::Null)
}

/// `ValidatePodDisruptionBudgetStatusUpdate`: the conditions, then the counters.
pub(crate) fn pod_disruption_budget(new: &Value, _old: &Value) -> Vec<FieldError> {
    let s = status(new);
    let mut errs = conditions(s.get("conditions"), "status.conditions");
    super::common_status::non_negative(
        s,
        "status",
        &[
            "disruptionsAllowed",
            "currentHealthy",
            "desiredHealthy",
            "expectedPods",
        ],
        &mut errs,
    );
    errs
}

/// `ValidateHorizontalPodAutoscalerStatusUpdate`.
pub(crate) fn horizontal_pod_autoscaler(new: &Value, _old: &Value) -> Vec<FieldError> {
    let s = status(new);
    let mut errs = Vec::new();
    for (key, path) in [
        ("currentReplicas", "status.currentReplicas"),
        ("desiredReplicas", "status.desiredReplicasa"),
    ] {
        let v = int(s, key);
        if v < 0 {
            errs.push(FieldError::invalid(path, v, NEGATIVE));
        }
    }
    errs
}

/// `ValidateFlowSchemaStatus` / `ValidatePriorityLevelConfigurationStatus`: condition types
/// are set and not repeated.
pub(crate) fn flow_control(new: &Value, _old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let list = status(new).get("conditions").and_then(Value::as_array);
    for (i, c) in list.into_iter().flatten().enumerate() {
        let ty = c.get("type").and_then(Value::as_str).unwrap_or("");
        let path = format!("status.conditions[{i}].type");
        if seen.contains(&ty) {
            errs.push(FieldError::duplicate(path.clone(), ty));
        }
        seen.push(ty);
        if ty.is_empty() {
            errs.push(FieldError::required(path, "must not be empty"));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    #[test]
    fn pdb_counters_and_conditions() {
        let new = json!({"status": {"disruptionsAllowed": -1, "conditions": [
            {"type": "DisruptionAllowed", "status": "Maybe", "reason": "R",
                "lastTransitionTime": "2026-01-01T00:00:00Z"}]}});
        assert_eq!(
            texts(pod_disruption_budget(&new, &json!({}))),
            [
                "status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"",
                "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0",
            ]
        );
    }

    #[test]
    fn hpa_replicas_with_the_real_field_names() {
        let new = json!({"status": {"currentReplicas": -1, "desiredReplicas": -2}});
        assert_eq!(
            texts(horizontal_pod_autoscaler(&new, &json!({}))),
            [
                "status.currentReplicas: Invalid value: -1: must be greater than or equal to 0",
                "status.desiredReplicasa: Invalid value: -2: must be greater than or equal to 0",
            ]
        );
    }

    #[test]
    fn flow_control_condition_types() {
        let new =
            json!({"status": {"conditions": [{"type": "Dangling"}, {"type": "Dangling"}, {}]}});
        assert_eq!(
            texts(flow_control(&new, &json!({}))),
            [
                "status.conditions[1].type: Duplicate value: \"Dangling\"",
                "status.conditions[2].type: Required value: must not be empty",
            ]
        );
    }
}
