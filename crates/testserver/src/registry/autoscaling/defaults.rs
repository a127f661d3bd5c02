//! The defaults of HorizontalPodAutoscalers, applied to the stored (v2) form:
//! `SetDefaults_HorizontalPodAutoscaler` of `pkg/apis/autoscaling/v2/defaults.go` for v2
//! writes, and of `pkg/apis/autoscaling/v1/defaults.go` for v1 writes (only `minReplicas`:
//! the 80% CPU metric of a v1 object comes from its conversion, and its behavior is stored as
//! the annotation gave it).

use serde_json::{Map, Value, json};

use super::convert::DEFAULT_CPU_UTILIZATION;

/// `minReplicas` 1 when unset (both versions).
pub(super) fn min_replicas(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if spec.get("minReplicas").is_none_or(Value::is_null) {
        spec.insert("minReplicas".into(), json!(1));
    }
}

/// v2's `SetDefaults_HorizontalPodAutoscaler`: `minReplicas` 1, the 80% CPU utilization
/// metric when there is none, and, when `behavior` is given, both scaling rules filled
/// (`SetDefaults_HorizontalPodAutoscalerBehavior`).
pub(super) fn v2(obj: &mut Value) {
    min_replicas(obj);
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let no_metrics = spec
        .get("metrics")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if no_metrics {
        spec.insert(
            "metrics".into(),
            json!([{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]),
        );
    }
    if let Some(behavior) = spec.get_mut("behavior").and_then(Value::as_object_mut) {
        let up = rules(behavior.get("scaleUp"), scale_up());
        let down = rules(behavior.get("scaleDown"), scale_down());
        behavior.insert("scaleUp".into(), up);
        behavior.insert("scaleDown".into(), down);
    }
}

/// `defaultHPAScaleUpRules`.
fn scale_up() -> Map<String, Value> {
    let rules = json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
        {"type": "Pods", "value": 4, "periodSeconds": 15},
        {"type": "Percent", "value": 100, "periodSeconds": 15}]});
    rules.as_object().cloned().unwrap_or_default()
}

/// `defaultHPAScaleDownRules`: no stabilization window (the controller's flag decides).
fn scale_down() -> Map<String, Value> {
    let rules = json!({"selectPolicy": "Max", "policies": [
        {"type": "Percent", "value": 100, "periodSeconds": 15}]});
    rules.as_object().cloned().unwrap_or_default()
}

/// `copyHPAScalingRules`: the given rules' set fields over the defaults.
fn rules(given: Option<&Value>, mut defaults: Map<String, Value>) -> Value {
    if let Some(given) = given.and_then(Value::as_object) {
        for key in [
            "selectPolicy",
            "stabilizationWindowSeconds",
            "policies",
            "tolerance",
        ] {
            if let Some(v) = given.get(key).filter(|v| !v.is_null()) {
                defaults.insert(key.into(), v.clone());
            }
        }
    }
    Value::Object(defaults)
}
