//! autoscaling HorizontalPodAutoscaler validation (`ValidateHorizontalPodAutoscaler` and
//! `ValidateHorizontalPodAutoscalerUpdate` of `pkg/apis/autoscaling/validation`): the scale
//! target reference, the replica bounds, each metric's source and target, and the scaling
//! behaviour.
//!
//! The real server validates the internal (v2-shaped) object; the registry hands these checks
//! the stored v2 form, so a v1 object's `targetCPUUtilizationPercentage` is checked as the
//! resource metric it converts to, with v2's paths
//! (`spec.metrics[0].resource.target.averageUtilization`). The `HPAScaleToZero` feature gate
//! is off: `minReplicas` 0 is accepted only on an update of an object that has it already.
//! The stored form is defaulted already; where a field is still missing (a v1 behavior rule
//! without `policies`), its default is assumed (`minReplicas` 1, the default policies).

use serde_json::{Value, json};

use super::{FieldError, names};
use crate::shared::quantity::Quantity;

/// `MaxPeriodSeconds`.
const MAX_PERIOD_SECONDS: i64 = 1800;
/// `MaxStabilizationWindowSeconds`.
const MAX_STABILIZATION_WINDOW_SECONDS: i64 = 3600;
/// The metric source types, sorted as `sets.List` gives them.
const SOURCE_TYPES: [&str; 5] = [
    "ContainerResource",
    "External",
    "Object",
    "Pods",
    "Resource",
];
/// The `selectPolicy` values, sorted.
const SELECT_POLICIES: [&str; 3] = ["Disabled", "Max", "Min"];
/// The scaling policy types, sorted.
const POLICY_TYPES: [&str; 2] = ["Percent", "Pods"];

/// `ValidateHorizontalPodAutoscaler` after the metadata: the spec of a new object.
pub(crate) fn horizontal_pod_autoscaler(obj: &Value) -> Vec<FieldError> {
    spec(obj, 1)
}

/// `ValidateHorizontalPodAutoscalerUpdate` after the metadata: an object already scaled to
/// zero may keep `minReplicas` 0.
pub(crate) fn horizontal_pod_autoscaler_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let bound = match old.pointer("/spec/minReplicas").and_then(Value::as_i64) {
        Some(0) => 0,
        _ => 1,
    };
    spec(new, bound)
}

/// `validateHorizontalPodAutoscalerSpec` with the lower bound of `minReplicas`.
fn spec(obj: &Value, min_bound: i64) -> Vec<FieldError> {
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let min = spec.get("minReplicas").and_then(Value::as_i64).unwrap_or(1);
    let max = int(spec, "maxReplicas").unwrap_or(0);
    let mut errs = Vec::new();
    if min < min_bound {
        errs.push(FieldError::invalid(
            "spec.minReplicas",
            min,
            format!("must be greater than or equal to {min_bound}"),
        ));
    }
    if max < 1 {
        errs.push(FieldError::invalid(
            "spec.maxReplicas",
            max,
            "must be greater than 0",
        ));
    }
    if max < min {
        errs.push(FieldError::invalid(
            "spec.maxReplicas",
            max,
            "must be greater than or equal to `minReplicas`",
        ));
    }
    errs.extend(object_reference(
        spec.get("scaleTargetRef").unwrap_or(&null),
        "spec.scaleTargetRef",
    ));
    let metrics = metrics(spec);
    let mut scales_to_zero = false;
    for (i, metric) in metrics.iter().enumerate() {
        errs.extend(metric_spec(metric, &format!("spec.metrics[{i}]")));
        scales_to_zero |= matches!(text(metric, "type"), "Object" | "External");
    }
    if min == 0 && !scales_to_zero {
        errs.push(FieldError::forbidden(
            "spec.metrics",
            "must specify at least one Object or External metric to support scaling to zero replicas",
        ));
    }
    if let Some(behavior) = set(spec, "behavior") {
        for key in ["scaleUp", "scaleDown"] {
            if let Some(rules) = set(behavior, key) {
                errs.extend(scaling_rules(rules, &format!("spec.behavior.{key}")));
            }
        }
    }
    errs
}

/// The metrics as the internal type has them: v2's list, or v1's CPU target converted.
fn metrics(spec: &Value) -> Vec<Value> {
    if let Some(list) = spec.get("metrics").and_then(Value::as_array) {
        return list.clone();
    }
    match set(spec, "targetCPUUtilizationPercentage") {
        Some(target) => vec![json!({"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": target}}})],
        None => Vec::new(),
    }
}

/// `ValidateCrossVersionObjectReference`: a kind and a name, each a path segment.
fn object_reference(reference: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["kind", "name"] {
        let field = format!("{path}.{key}");
        match text(reference, key) {
            "" => errs.push(FieldError::required(field, "")),
            value => errs.extend(
                names::path_segment_name(value)
                    .into_iter()
                    .map(|msg| FieldError::invalid(field.as_str(), value, msg)),
            ),
        }
    }
    errs
}

/// `validateMetricSpec`: a known type, its source (and no other) populated and valid.
fn metric_spec(metric: &Value, path: &str) -> Vec<FieldError> {
    let kind = text(metric, "type");
    let type_path = format!("{path}.type");
    let mut errs = Vec::new();
    if kind.is_empty() {
        errs.push(FieldError::required(
            type_path.as_str(),
            "must specify a metric source type",
        ));
    }
    let unsupported = !SOURCE_TYPES.contains(&kind);
    if unsupported {
        errs.push(FieldError::not_supported(
            type_path.as_str(),
            kind,
            &SOURCE_TYPES,
        ));
    }
    let mut present = Vec::new();
    for source in [
        "object",
        "external",
        "pods",
        "resource",
        "containerResource",
    ] {
        let Some(src) = set(metric, source) else {
            continue;
        };
        present.push(source);
        if present.len() == 1 {
            errs.extend(metric_source(source, src, &format!("{path}.{source}")));
        }
    }
    let expected = match kind {
        "Object" => "object",
        "Pods" => "pods",
        "Resource" => "resource",
        "External" => "external",
        "ContainerResource" => "containerResource",
        _ => "",
    };
    if unsupported {
        errs.push(FieldError::not_supported(type_path, kind, &SOURCE_TYPES));
    } else if !present.contains(&expected) {
        errs.push(FieldError::required(
            format!("{path}.{expected}"),
            "must populate information for the given metric source",
        ));
    }
    if present.len() != 1 {
        // Go walks a set here: the order of several forbidden sources is unspecified.
        for other in present.iter().filter(|s| **s != expected) {
            errs.push(FieldError::forbidden(
                format!("{path}.{other}"),
                "must populate the given metric source only",
            ));
        }
    }
    errs
}

/// The checks of one metric source (`validateObjectSource`, `validateExternalSource`, ...).
fn metric_source(source: &str, src: &Value, path: &str) -> Vec<FieldError> {
    let null = Value::Null;
    let target = src.get("target").unwrap_or(&null);
    let target_path = format!("{path}.target");
    let has = |key: &str| set(target, key).is_some();
    let mut errs = Vec::new();
    match source {
        "object" => errs.extend(object_reference(
            src.get("describedObject").unwrap_or(&null),
            &format!("{path}.describedObject"),
        )),
        "containerResource" => {
            errs.extend(resource_name(src, path));
            let field = format!("{path}.container");
            match text(src, "container") {
                "" => errs.push(FieldError::required(field, "must specify a container")),
                name => errs.extend(
                    names::dns1123_label(name)
                        .into_iter()
                        .map(|msg| FieldError::invalid(field.as_str(), name, msg)),
                ),
            }
        }
        "resource" if text(src, "name").is_empty() => errs.push(FieldError::required(
            format!("{path}.name"),
            "must specify a resource name",
        )),
        _ => {}
    }
    if matches!(source, "object" | "external" | "pods") {
        errs.extend(metric_identifier(
            src.get("metric").unwrap_or(&null),
            &format!("{path}.metric"),
        ));
    }
    errs.extend(metric_target(target, &target_path));
    let required = |errs: &mut Vec<FieldError>, key: &str, detail: &str| {
        errs.push(FieldError::required(format!("{target_path}.{key}"), detail));
    };
    match source {
        "object" if !has("value") && !has("averageValue") => required(
            &mut errs,
            "averageValue",
            "must set either a target value or averageValue",
        ),
        "external" => {
            if !has("value") && !has("averageValue") {
                required(
                    &mut errs,
                    "averageValue",
                    "must set either a target value for metric or a per-pod target",
                );
            }
            if has("value") && has("averageValue") {
                errs.push(FieldError::forbidden(
                    format!("{target_path}.value"),
                    "may not set both a target value for metric and a per-pod target",
                ));
            }
        }
        "pods" if !has("averageValue") => required(
            &mut errs,
            "averageValue",
            "must specify a positive target averageValue",
        ),
        "resource" | "containerResource" => {
            if !has("averageUtilization") && !has("averageValue") {
                required(
                    &mut errs,
                    "averageUtilization",
                    "must set either a target raw value or a target utilization",
                );
            }
            if has("averageUtilization") && has("averageValue") {
                errs.push(FieldError::forbidden(
                    format!("{target_path}.averageValue"),
                    "may not set both a target raw value and a target utilization",
                ));
            }
        }
        _ => {}
    }
    errs
}

/// A container resource's name: required, and `ValidateContainerResourceName` (a qualified
/// name; unprefixed, a standard container resource or huge pages; prefixed names are not
/// checked against the extended-resource rules).
fn resource_name(src: &Value, path: &str) -> Vec<FieldError> {
    let field = format!("{path}.name");
    let name = text(src, "name");
    if name.is_empty() {
        return vec![FieldError::required(field, "must specify a resource name")];
    }
    let mut errs: Vec<FieldError> = names::qualified_name(name)
        .into_iter()
        .map(|msg| FieldError::invalid(field.as_str(), name, msg))
        .collect();
    let standard = STANDARD_CONTAINER_RESOURCES.contains(&name) || name.starts_with("hugepages-");
    if errs.is_empty() && !name.contains('/') && !standard {
        errs.push(FieldError::invalid(
            field,
            name,
            "must be a standard resource for containers",
        ));
    }
    errs
}

/// The unprefixed resource names a container may name (`standardContainerResources`).
const STANDARD_CONTAINER_RESOURCES: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];

/// `validateMetricIdentifier`: a metric name that is a path segment.
fn metric_identifier(id: &Value, path: &str) -> Vec<FieldError> {
    let field = format!("{path}.name");
    match text(id, "name") {
        "" => vec![FieldError::required(field, "must specify a metric name")],
        name => names::path_segment_name(name)
            .into_iter()
            .map(|msg| FieldError::invalid(field.as_str(), name, msg))
            .collect(),
    }
}

/// `validateMetricTarget`: a known type, positive values and utilization.
fn metric_target(target: &Value, path: &str) -> Vec<FieldError> {
    let kind = text(target, "type");
    let mut errs = Vec::new();
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.type"),
            "must specify a metric target type",
        ));
    }
    if !matches!(kind, "Utilization" | "Value" | "AverageValue") {
        errs.push(FieldError::invalid(
            format!("{path}.type"),
            kind,
            "must be either Utilization, Value, or AverageValue",
        ));
    }
    for key in ["value", "averageValue"] {
        if let Some(q) = set(target, key) {
            let shown = quantity_text(q);
            let positive = Quantity::parse(&shown).is_some_and(|q| q > Quantity::ZERO);
            if !positive {
                errs.push(FieldError::invalid(
                    format!("{path}.{key}"),
                    shown,
                    "must be positive",
                ));
            }
        }
    }
    if let Some(u) = int(target, "averageUtilization")
        && u < 1
    {
        errs.push(FieldError::invalid(
            format!("{path}.averageUtilization"),
            u,
            "must be greater than 0",
        ));
    }
    errs
}

/// `validateScalingRules`: the window, the select policy and at least one valid policy.
fn scaling_rules(rules: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(window) = int(rules, "stabilizationWindowSeconds") {
        let field = format!("{path}.stabilizationWindowSeconds");
        if window < 0 {
            errs.push(FieldError::invalid(
                field.as_str(),
                window,
                "must be greater than or equal to zero",
            ));
        }
        if window > MAX_STABILIZATION_WINDOW_SECONDS {
            errs.push(FieldError::invalid(
                field,
                window,
                format!("must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"),
            ));
        }
    }
    if let Some(select) = set(rules, "selectPolicy").and_then(Value::as_str)
        && !SELECT_POLICIES.contains(&select)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.selectPolicy"),
            select,
            &SELECT_POLICIES,
        ));
    }
    // A missing list is defaulted; only an explicitly empty one is refused.
    let Some(policies) = rules.get("policies").and_then(Value::as_array) else {
        return errs;
    };
    if policies.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.policies"),
            "must specify at least one Policy",
        ));
    }
    for (i, policy) in policies.iter().enumerate() {
        let at = format!("{path}.policies[{i}]");
        let kind = text(policy, "type");
        if !POLICY_TYPES.contains(&kind) {
            errs.push(FieldError::not_supported(
                format!("{at}.type"),
                kind,
                &POLICY_TYPES,
            ));
        }
        let value = int(policy, "value").unwrap_or(0);
        if value <= 0 {
            errs.push(FieldError::invalid(
                format!("{at}.value"),
                value,
                "must be greater than zero",
            ));
        }
        let period = int(policy, "periodSeconds").unwrap_or(0);
        if period <= 0 {
            errs.push(FieldError::invalid(
                format!("{at}.periodSeconds"),
                period,
                "must be greater than zero",
            ));
        }
        if period > MAX_PERIOD_SECONDS {
            errs.push(FieldError::invalid(
                format!("{at}.periodSeconds"),
                period,
                format!("must be less than or equal to {MAX_PERIOD_SECONDS}"),
            ));
        }
    }
    errs
}

/// A quantity as the decoded object prints it (canonical form; numbers as sent).
fn quantity_text(q: &Value) -> String {
    let raw = match q {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Quantity::canonical(&raw).unwrap_or(raw)
}

fn set<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

fn int(obj: &Value, key: &str) -> Option<i64> {
    obj.get(key).and_then(Value::as_i64)
}

fn text<'a>(obj: &'a Value, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests;
