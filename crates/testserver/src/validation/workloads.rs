//! apps/v1 Deployment validation (`ValidateDeployment`, the commonly hit parts).

use serde_json::Value;

use super::field_error::BadValue;
use super::selector::matches as selector_matches;
use super::{FieldError, godump, int_or_percent, meta, pod};

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
    let rolling = spec
        .pointer("/strategy/rollingUpdate")
        .filter(|r| !r.is_null());
    match strategy {
        "Recreate" if rolling.is_some() => errs.push(FieldError::forbidden(
            "spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'",
        )),
        "Recreate" => {}
        "RollingUpdate" => match rolling {
            None => errs.push(FieldError::required(
                "spec.strategy.rollingUpdate",
                "this should be defaulted and never be nil",
            )),
            Some(rolling) => errs.extend(rolling_update_deployment(rolling)),
        },
        _ => errs.push(FieldError::not_supported(
            "spec.strategy.type",
            strategy,
            &["Recreate", "RollingUpdate"],
        )),
    }
    for key in [
        "minReadySeconds",
        "revisionHistoryLimit",
        "progressDeadlineSeconds",
    ] {
        if let Some(n) = spec.get(key).and_then(Value::as_i64).filter(|n| *n < 0) {
            errs.push(FieldError::invalid(
                format!("spec.{key}"),
                n,
                "must be greater than or equal to 0",
            ));
        }
    }
    let min_ready = spec
        .get("minReadySeconds")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if let Some(deadline) = spec
        .get("progressDeadlineSeconds")
        .and_then(Value::as_i64)
        .filter(|d| *d <= min_ready)
    {
        errs.push(FieldError::invalid(
            "spec.progressDeadlineSeconds",
            deadline,
            "must be greater than minReadySeconds",
        ));
    }
    errs
}

/// `ValidateRollingUpdateDeployment`.
fn rolling_update_deployment(rolling: &Value) -> Vec<FieldError> {
    const PATH: &str = "spec.strategy.rollingUpdate";
    let unavailable = rolling.get("maxUnavailable").filter(|v| !v.is_null());
    let surge = rolling.get("maxSurge").filter(|v| !v.is_null());
    let u_path = format!("{PATH}.maxUnavailable");
    let mut errs = int_or_percent::positive(unavailable, &u_path);
    errs.extend(int_or_percent::positive(surge, &format!("{PATH}.maxSurge")));
    if int_or_percent::value(unavailable) == 0 && int_or_percent::value(surge) == 0 {
        errs.push(FieldError::invalid(
            u_path.clone(),
            unavailable.cloned().unwrap_or(Value::from(0)),
            "may not be 0 when `maxSurge` is 0",
        ));
    }
    errs.extend(int_or_percent::not_more_than_100_percent(
        unavailable,
        &u_path,
    ));
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    fn with_strategy(strategy: Value) -> Value {
        json!({"spec": {"replicas": 1, "selector": {"matchLabels": {"app": "a"}},
            "strategy": strategy, "progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
            "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"restartPolicy": "Always",
                "dnsPolicy": "ClusterFirst", "containers": [{"name": "c", "image": "i",
                "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}]}}}})
    }

    /// ValidateDeploymentStrategy and ValidateRollingUpdateDeployment.
    #[test]
    fn rolling_updates() {
        let ok = with_strategy(json!({"type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}));
        assert!(deployment(&ok).is_empty(), "{:?}", texts(deployment(&ok)));
        assert_eq!(
            texts(deployment(&with_strategy(json!({"type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"}})))),
            [
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"
            ]
        );
        assert_eq!(
            texts(deployment(&with_strategy(json!({"type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": "110%", "maxSurge": -1}})))),
            [
                "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0",
                "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"110%\": must not be greater than 100%",
            ]
        );
        assert_eq!(
            texts(deployment(&with_strategy(json!({"type": "Recreate",
                "rollingUpdate": {"maxSurge": 1}})))),
            [
                "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
            ]
        );
        let mut slow = ok.clone();
        slow["spec"]["minReadySeconds"] = json!(600);
        assert_eq!(
            texts(deployment(&slow)),
            [
                "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"
            ]
        );
    }
}
