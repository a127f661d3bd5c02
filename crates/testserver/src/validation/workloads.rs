//! apps/v1 Deployment validation (`ValidateDeployment`, the commonly hit parts).

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, godump, meta, pod};

/// Whether `labels` satisfy a `matchLabels`/`matchExpressions` selector.
pub(super) fn selector_matches(
    selector: &Value,
    labels: Option<&serde_json::Map<String, Value>>,
) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    let labels_ok = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| get(k) == v.as_str());
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    let expressions_ok = expressions.into_iter().flatten().all(|e| {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match e.get("operator").and_then(Value::as_str).unwrap_or("") {
            "In" => get(key).is_some_and(|v| values.contains(&v)),
            "NotIn" => get(key).is_none_or(|v| !values.contains(&v)),
            "Exists" => get(key).is_some(),
            "DoesNotExist" => get(key).is_none(),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

/// The Deployment-specific checks (selector, template, replicas, strategy).
pub(crate) fn deployment(obj: &Value) -> Vec<FieldError> {
    let null = Value::Null;
    let spec = obj.get("spec").unwrap_or(&null);
    let mut errs = Vec::new();
    if let Some(r) = spec
        .get("replicas")
        .and_then(Value::as_i64)
        .filter(|r| *r < 0)
    {
        errs.push(FieldError::invalid(
            "spec.replicas",
            r,
            "must be greater than or equal to 0",
        ));
    }
    let template_labels = spec.pointer("/template/metadata/labels");
    match spec.get("selector").filter(|s| !s.is_null()) {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(selector) => {
            let empty = selector
                .get("matchLabels")
                .and_then(Value::as_object)
                .is_none_or(|m| m.is_empty())
                && selector
                    .get("matchExpressions")
                    .and_then(Value::as_array)
                    .is_none_or(|m| m.is_empty());
            if empty {
                errs.push(FieldError::invalid(
                    "spec.selector",
                    BadValue::Raw(godump::go_json(selector)),
                    "empty selector is invalid for deployment",
                ));
            } else if !selector_matches(selector, template_labels.and_then(Value::as_object)) {
                errs.push(FieldError::invalid(
                    "spec.template.metadata.labels",
                    BadValue::Raw(godump::go_json(template_labels.unwrap_or(&null))),
                    "`selector` does not match template `labels`",
                ));
            }
        }
    }
    errs.extend(meta::labels(
        template_labels,
        "spec.template.metadata.labels",
    ));
    errs.extend(pod::validate_spec(
        spec.pointer("/template/spec").unwrap_or(&null),
        "spec.template.spec",
        &["Always"],
    ));
    let strategy = spec
        .pointer("/strategy/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !["Recreate", "RollingUpdate"].contains(&strategy) {
        errs.push(FieldError::not_supported(
            "spec.strategy.type",
            strategy,
            &["Recreate", "RollingUpdate"],
        ));
    }
    errs
}

/// The selector of a Deployment is immutable.
pub(crate) fn deployment_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let (n, o) = (new.pointer("/spec/selector"), old.pointer("/spec/selector"));
    if n != o {
        let value = BadValue::Raw(godump::go_json(n.unwrap_or(&Value::Null)));
        return vec![FieldError::invalid(
            "spec.selector",
            value,
            "field is immutable",
        )];
    }
    Vec::new()
}
