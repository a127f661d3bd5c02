//! HorizontalPodAutoscalers between autoscaling/v1 and the stored autoscaling/v2 form, as
//! `Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler` and
//! `Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler` (with the
//! spec and status conversions) of `pkg/apis/autoscaling/v1/conversion.go` convert through
//! the internal type, whose shape v2 has.
//!
//! Guarantees:
//! - v1's `targetCPUUtilizationPercentage` is the first `cpu` Resource metric's
//!   `averageUtilization`; every other metric, the current metrics, the behavior and the
//!   conditions travel in the `autoscaling.alpha.kubernetes.io/*` annotations, in the text Go
//!   writes (the behavior as the internal type prints it, Go field names);
//! - reading v1 back puts the annotation's metrics first and the CPU target last, adds the
//!   80% CPU metric when there is none, and drops the annotations
//!   (`DropRoundTripHorizontalPodAutoscalerAnnotations`); an annotation that does not decode is
//!   ignored, as Go ignores it.

use serde_json::{Map, Value, json};

use super::gojson::{array, int_ptr, object, quantity_ptr, string, text, text_omitempty};
use super::metrics::{field, spec_from_v1, spec_to_v1, status_from_v1, status_to_v1};

/// `autoscaling/v1`.
pub(super) const V1: &str = "autoscaling/v1";
/// `autoscaling/v2`, the storage version.
pub(super) const V2: &str = "autoscaling/v2";
/// `MetricSpecsAnnotation`.
const METRICS: &str = "autoscaling.alpha.kubernetes.io/metrics";
/// `MetricStatusesAnnotation`.
const CURRENT_METRICS: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
/// `HorizontalPodAutoscalerConditionsAnnotation`.
const CONDITIONS: &str = "autoscaling.alpha.kubernetes.io/conditions";
/// `BehaviorSpecsAnnotation`.
const BEHAVIOR: &str = "autoscaling.alpha.kubernetes.io/behavior";
/// `DefaultCPUUtilization`.
pub(super) const DEFAULT_CPU_UTILIZATION: i64 = 80;

/// `DropRoundTripHorizontalPodAutoscalerAnnotations`: removes the four round-trip annotations
/// (and an annotation map left empty, which Go does not print).
pub(super) fn drop_round_trip(obj: &mut Value) {
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) else {
        return;
    };
    for key in [METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR] {
        annotations.remove(key);
    }
    if annotations.is_empty() {
        meta.remove("annotations");
    }
}

/// The `cpu` Resource metric with a utilization target `averageUtilization`, if `m` is one.
fn cpu_utilization(m: &Value, key: &str) -> Option<Option<i64>> {
    let is_cpu = m.get("type").and_then(Value::as_str) == Some("Resource")
        && m.pointer("/resource/name").and_then(Value::as_str) == Some("cpu");
    is_cpu.then(|| {
        m.get("resource")
            .and_then(|r| r.get(key))
            .and_then(|t| t.get("averageUtilization"))
            .and_then(Value::as_i64)
    })
}

fn list<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// An internal `HPAScalingRules` as `json.Marshal` prints it (no json tags: Go field names,
/// every field printed).
fn rules_text(rules: Option<&Value>) -> String {
    let Some(r) = rules.filter(|r| r.is_object()) else {
        return "null".into();
    };
    let or_null = |v: Option<String>| Some(v.unwrap_or_else(|| "null".into()));
    let policies = r.get("policies").and_then(Value::as_array).map(|ps| {
        array(ps.iter().map(|p| {
            object(&[
                ("Type", text(p, "type")),
                (
                    "Value",
                    Some(int_ptr(p, "value").unwrap_or_else(|| "0".into())),
                ),
                (
                    "PeriodSeconds",
                    Some(int_ptr(p, "periodSeconds").unwrap_or_else(|| "0".into())),
                ),
            ])
        }))
    });
    object(&[
        (
            "StabilizationWindowSeconds",
            or_null(int_ptr(r, "stabilizationWindowSeconds")),
        ),
        (
            "SelectPolicy",
            or_null(r.get("selectPolicy").and_then(Value::as_str).map(string)),
        ),
        ("Policies", or_null(policies)),
        ("Tolerance", or_null(quantity_ptr(r.get("tolerance")))),
    ])
}

/// The internal `HorizontalPodAutoscalerBehavior` as `json.Marshal` prints it.
fn behavior_text(b: &Value) -> String {
    object(&[
        ("ScaleUp", Some(rules_text(b.get("scaleUp")))),
        ("ScaleDown", Some(rules_text(b.get("scaleDown")))),
    ])
}

/// An autoscaling/v1 `HorizontalPodAutoscalerCondition` as `json.Marshal` prints it.
fn condition_text(c: &Value) -> String {
    let time = c
        .get("lastTransitionTime")
        .and_then(Value::as_str)
        .map_or_else(|| "null".into(), string);
    object(&[
        ("type", text(c, "type")),
        ("status", text(c, "status")),
        ("lastTransitionTime", Some(time)),
        ("reason", text_omitempty(c, "reason")),
        ("message", text_omitempty(c, "message")),
    ])
}

/// A stored (v2) HorizontalPodAutoscaler as autoscaling/v1 serves it.
pub(super) fn to_v1(stored: &Value) -> Value {
    let null = Value::Null;
    let spec = stored.get("spec").unwrap_or(&null);
    let status = stored.get("status").unwrap_or(&null);
    let mut metadata = stored.get("metadata").cloned().unwrap_or_else(|| json!({}));
    let mut annotations = Map::new();

    let metrics = list(spec, "/metrics");
    let others: Vec<String> = metrics
        .iter()
        .filter(|m| !matches!(cpu_utilization(m, "target"), Some(Some(_))))
        .map(spec_to_v1)
        .collect();
    if !others.is_empty() {
        annotations.insert(METRICS.into(), Value::String(array(others)));
    }
    let current = list(status, "/currentMetrics");
    if !current.is_empty() {
        let text = array(current.iter().map(status_to_v1));
        annotations.insert(CURRENT_METRICS.into(), Value::String(text));
    }
    if let Some(b) = spec.get("behavior").filter(|b| b.is_object()) {
        annotations.insert(BEHAVIOR.into(), Value::String(behavior_text(b)));
    }
    let conditions = list(status, "/conditions");
    if !conditions.is_empty() {
        let text = array(conditions.iter().map(condition_text));
        annotations.insert(CONDITIONS.into(), Value::String(text));
    }
    let mut wrapper = json!({"metadata": metadata.take()});
    drop_round_trip(&mut wrapper);
    let mut metadata = wrapper["metadata"].take();
    if !annotations.is_empty()
        && let Some(meta) = metadata.as_object_mut()
        && let Some(own) = meta
            .entry("annotations")
            .or_insert_with(|| json!({}))
            .as_object_mut()
    {
        own.extend(annotations);
    }

    let mut v1_spec = Map::new();
    v1_spec.insert(
        "scaleTargetRef".into(),
        spec.get("scaleTargetRef")
            .cloned()
            .unwrap_or_else(|| json!({"kind": "", "name": ""})),
    );
    if let Some(min) = spec.get("minReplicas").filter(|v| !v.is_null()) {
        v1_spec.insert("minReplicas".into(), min.clone());
    }
    v1_spec.insert(
        "maxReplicas".into(),
        spec.get("maxReplicas").cloned().unwrap_or(json!(0)),
    );
    if let Some(Some(target)) = metrics.iter().find_map(|m| cpu_utilization(m, "target")) {
        v1_spec.insert("targetCPUUtilizationPercentage".into(), json!(target));
    }

    let mut v1_status = Map::new();
    for key in ["observedGeneration", "lastScaleTime"] {
        if let Some(v) = status.get(key).filter(|v| !v.is_null()) {
            v1_status.insert(key.into(), v.clone());
        }
    }
    for key in ["currentReplicas", "desiredReplicas"] {
        v1_status.insert(key.into(), status.get(key).cloned().unwrap_or(json!(0)));
    }
    let cpu_now = current
        .iter()
        .rev()
        .find_map(|m| cpu_utilization(m, "current").flatten());
    if let Some(now) = cpu_now {
        v1_status.insert("currentCPUUtilizationPercentage".into(), json!(now));
    }
    json!({"apiVersion": V1, "kind": "HorizontalPodAutoscaler", "metadata": metadata,
        "spec": v1_spec, "status": v1_status})
}

/// The annotation `key` of a v1 object, decoded; `None` when absent or not JSON.
fn annotation(v1: &Value, key: &str) -> Option<Value> {
    let text = v1.pointer("/metadata/annotations")?.get(key)?.as_str()?;
    serde_json::from_str(text).ok()
}

/// An internal `HPAScalingRules` decoded from the behavior annotation, in v2's form.
fn rules_from_text(r: Option<&Value>) -> Option<Value> {
    let r = r.filter(|r| r.is_object())?;
    let mut out = Map::new();
    if let Some(v) = field(r, "StabilizationWindowSeconds") {
        out.insert("stabilizationWindowSeconds".into(), v.clone());
    }
    if let Some(v) = field(r, "SelectPolicy") {
        out.insert("selectPolicy".into(), v.clone());
    }
    if let Some(ps) = field(r, "Policies").and_then(Value::as_array) {
        let policies = ps
            .iter()
            .map(|p| {
                json!({"type": field(p, "Type").cloned().unwrap_or(json!("")),
                    "value": field(p, "Value").cloned().unwrap_or(json!(0)),
                    "periodSeconds": field(p, "PeriodSeconds").cloned().unwrap_or(json!(0))})
            })
            .collect();
        out.insert("policies".into(), Value::Array(policies));
    }
    if let Some(v) = field(r, "Tolerance") {
        out.insert("tolerance".into(), v.clone());
    }
    Some(Value::Object(out))
}

/// An autoscaling/v1 HorizontalPodAutoscaler in the stored (v2) form.
pub(super) fn to_v2(v1: &Value) -> Value {
    let null = Value::Null;
    let spec = v1.get("spec").unwrap_or(&null);
    let status = v1.get("status").unwrap_or(&null);

    let mut metrics: Vec<Value> = match annotation(v1, METRICS) {
        Some(Value::Array(others)) => others.iter().map(spec_from_v1).collect(),
        _ => Vec::new(),
    };
    let cpu_target = spec
        .get("targetCPUUtilizationPercentage")
        .filter(|v| !v.is_null());
    let cpu = |target: &Value| {
        json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": target}}})
    };
    if let Some(target) = cpu_target {
        metrics.push(cpu(target));
    }
    if metrics.is_empty() {
        metrics.push(cpu(&json!(DEFAULT_CPU_UTILIZATION)));
    }
    let mut v2_spec = Map::new();
    v2_spec.insert(
        "scaleTargetRef".into(),
        spec.get("scaleTargetRef")
            .cloned()
            .unwrap_or_else(|| json!({"kind": "", "name": ""})),
    );
    if let Some(min) = spec.get("minReplicas").filter(|v| !v.is_null()) {
        v2_spec.insert("minReplicas".into(), min.clone());
    }
    v2_spec.insert(
        "maxReplicas".into(),
        spec.get("maxReplicas").cloned().unwrap_or(json!(0)),
    );
    v2_spec.insert("metrics".into(), Value::Array(metrics));
    if let Some(b) = annotation(v1, BEHAVIOR) {
        let up = rules_from_text(field(&b, "ScaleUp"));
        let down = rules_from_text(field(&b, "ScaleDown"));
        if up.is_some() || down.is_some() {
            let mut behavior = Map::new();
            if let Some(up) = up {
                behavior.insert("scaleUp".into(), up);
            }
            if let Some(down) = down {
                behavior.insert("scaleDown".into(), down);
            }
            v2_spec.insert("behavior".into(), Value::Object(behavior));
        }
    }

    let mut v2_status = Map::new();
    for key in ["observedGeneration", "lastScaleTime"] {
        if let Some(v) = status.get(key).filter(|v| !v.is_null()) {
            v2_status.insert(key.into(), v.clone());
        }
    }
    if let Some(n) = status
        .get("currentReplicas")
        .filter(|v| v.as_i64() != Some(0))
    {
        v2_status.insert("currentReplicas".into(), n.clone());
    }
    v2_status.insert(
        "desiredReplicas".into(),
        status.get("desiredReplicas").cloned().unwrap_or(json!(0)),
    );
    let mut current = match status.get("currentCPUUtilizationPercentage") {
        Some(now) if !now.is_null() => vec![json!({"type": "Resource",
            "resource": {"name": "cpu", "current": {"averageUtilization": now}}})],
        _ => Vec::new(),
    };
    if let Some(Value::Array(all)) = annotation(v1, CURRENT_METRICS) {
        current = all.iter().map(status_from_v1).collect();
    }
    if !current.is_empty() {
        v2_status.insert("currentMetrics".into(), Value::Array(current));
    }
    if let Some(Value::Array(all)) = annotation(v1, CONDITIONS) {
        let conditions: Vec<Value> = all.iter().map(condition_from_text).collect();
        if !conditions.is_empty() {
            v2_status.insert("conditions".into(), Value::Array(conditions));
        }
    }

    let mut out = json!({"apiVersion": V2, "kind": "HorizontalPodAutoscaler",
        "metadata": v1.get("metadata").cloned().unwrap_or_else(|| json!({})),
        "spec": v2_spec, "status": v2_status});
    drop_round_trip(&mut out);
    out
}

/// A condition of the conditions annotation in v2's form.
fn condition_from_text(c: &Value) -> Value {
    let mut out = Map::new();
    for key in ["type", "status"] {
        let v = field(c, key).cloned().unwrap_or(json!(""));
        out.insert(key.into(), v);
    }
    out.insert(
        "lastTransitionTime".into(),
        field(c, "lastTransitionTime")
            .cloned()
            .unwrap_or(Value::Null),
    );
    for key in ["reason", "message"] {
        if let Some(v) = field(c, key).filter(|v| v.as_str() != Some("")) {
            out.insert(key.into(), v.clone());
        }
    }
    Value::Object(out)
}
