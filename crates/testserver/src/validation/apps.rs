//! apps/v1 ReplicaSet and DaemonSet validation (`ValidateReplicaSetSpec`,
//! `ValidateDaemonSetSpec` of pkg/apis/apps/validation): replicas, selectors that select the
//! template, the pod template with `restartPolicy: Always`; and the pieces StatefulSets
//! (`stateful_set.rs`) share with them.
//!
//! Objects reach validation defaulted (`admission/defaults/workloads.rs`), so the required
//! strategy and policy fields only fail when set to something unknown.

use serde_json::Value;

use super::selector::{is_empty as is_empty_selector, json_value, matches as selector_matches};
use super::{FieldError, int_or_percent, meta, pod};

pub(super) fn non_negative(spec: &Value, key: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = spec.get(key).and_then(Value::as_i64).filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            format!("spec.{key}"),
            v,
            "must be greater than or equal to 0",
        ));
    }
}

/// The selector rules shared by ReplicaSets and StatefulSets: required, not empty, selecting
/// the template's labels.
pub(super) fn required_selector(spec: &Value, workload: &str, errs: &mut Vec<FieldError>) {
    let selector = spec.get("selector").filter(|s| !s.is_null());
    match selector {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(s) if is_empty_selector(s) => errs.push(FieldError::invalid(
            "spec.selector",
            json_value(Some(s)),
            format!("empty selector is invalid for {workload}"),
        )),
        Some(_) => {}
    }
    let labels = spec.pointer("/template/metadata/labels");
    if let Some(s) = selector.filter(|s| !is_empty_selector(s))
        && !selector_matches(s, labels.and_then(Value::as_object))
    {
        errs.push(FieldError::invalid(
            "spec.template.metadata.labels",
            json_value(labels),
            "`selector` does not match template `labels`",
        ));
    }
}

/// `ValidatePodTemplateSpec` for a workload whose pods must always restart, then the
/// workload's own template rules.
pub(super) fn always_restarting_template(spec: &Value, workload: &str, errs: &mut Vec<FieldError>) {
    let null = Value::Null;
    errs.extend(meta::labels(
        spec.pointer("/template/metadata/labels"),
        "spec.template.metadata.labels",
    ));
    errs.extend(pod::validate_spec(
        spec.pointer("/template/spec").unwrap_or(&null),
        "spec.template.spec",
        &["Always"],
    ));
    if spec
        .pointer("/template/spec/activeDeadlineSeconds")
        .is_some_and(|v| !v.is_null())
    {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            format!("activeDeadlineSeconds in {workload} is not Supported"),
        ));
    }
}

/// The template rules that hold even where the pod spec is not checked again:
/// `restartPolicy: Always` and no `activeDeadlineSeconds`.
pub(super) fn restart_always(spec: &Value, workload: &str, errs: &mut Vec<FieldError>) {
    let restart = spec
        .pointer("/template/spec/restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    if restart != "Always" {
        errs.push(FieldError::not_supported(
            "spec.template.spec.restartPolicy",
            restart,
            &["Always"],
        ));
    }
    if spec
        .pointer("/template/spec/activeDeadlineSeconds")
        .is_some_and(|v| !v.is_null())
    {
        errs.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            format!("activeDeadlineSeconds in {workload} is not Supported"),
        ));
    }
}

/// The object's `spec` (`null` when missing).
pub(super) fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

/// `ValidateReplicaSetSpec` (its selector message says "deployment", as upstream's does).
pub(crate) fn replica_set(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = Vec::new();
    non_negative(spec, "replicas", &mut errs);
    non_negative(spec, "minReadySeconds", &mut errs);
    required_selector(spec, "deployment", &mut errs);
    always_restarting_template(spec, "ReplicaSet", &mut errs);
    errs
}

/// `ValidateDaemonSetUpdateStrategy` with `ValidateRollingUpdateDaemonSet`.
fn daemon_set_update_strategy(spec: &Value) -> Vec<FieldError> {
    const PATH: &str = "spec.updateStrategy.rollingUpdate";
    let mut errs = Vec::new();
    let strategy = spec.get("updateStrategy").unwrap_or(&Value::Null);
    match strategy.get("type").and_then(Value::as_str).unwrap_or("") {
        "OnDelete" => {}
        "RollingUpdate" => {
            let Some(rolling) = strategy.get("rollingUpdate").filter(|r| !r.is_null()) else {
                errs.push(FieldError::required(PATH, ""));
                return errs;
            };
            let unavailable = rolling.get("maxUnavailable").filter(|v| !v.is_null());
            let surge = rolling.get("maxSurge").filter(|v| !v.is_null());
            let (u_path, s_path) = (format!("{PATH}.maxUnavailable"), format!("{PATH}.maxSurge"));
            errs.extend(int_or_percent::positive(unavailable, &u_path));
            errs.extend(int_or_percent::positive(surge, &s_path));
            errs.extend(int_or_percent::not_more_than_100_percent(
                unavailable,
                &u_path,
            ));
            errs.extend(int_or_percent::not_more_than_100_percent(surge, &s_path));
            let has_unavailable = int_or_percent::value(unavailable) != 0;
            let has_surge = int_or_percent::value(surge) != 0;
            if has_unavailable && has_surge {
                errs.push(FieldError::invalid(
                    s_path,
                    surge.cloned().unwrap_or(Value::Null),
                    "may not be set when maxUnavailable is non-zero",
                ));
            } else if !has_unavailable && !has_surge {
                errs.push(FieldError::required(
                    u_path,
                    "cannot be 0 when maxSurge is 0",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            "spec.updateStrategy",
            other,
            &["RollingUpdate", "OnDelete"],
        )),
    }
    errs
}

/// `ValidateDaemonSetSpec`: a missing selector selects nothing, so it never matches the
/// template.
pub(crate) fn daemon_set(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = Vec::new();
    let selector = spec.get("selector").filter(|s| !s.is_null());
    let labels = spec.pointer("/template/metadata/labels");
    if !selector.is_some_and(|s| selector_matches(s, labels.and_then(Value::as_object))) {
        errs.push(FieldError::invalid(
            "spec.template.metadata.labels",
            json_value(labels),
            "`selector` does not match template `labels`",
        ));
    }
    if let Some(s) = selector.filter(|s| is_empty_selector(s)) {
        errs.push(FieldError::invalid(
            "spec.selector",
            json_value(Some(s)),
            "empty selector is invalid for daemonset",
        ));
    }
    always_restarting_template(spec, "DaemonSet", &mut errs);
    non_negative(spec, "minReadySeconds", &mut errs);
    errs.extend(daemon_set_update_strategy(spec));
    non_negative(spec, "revisionHistoryLimit", &mut errs);
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    fn workload(spec: Value) -> Value {
        json!({"metadata": {"name": "w"}, "spec": spec})
    }

    fn template(labels: Value) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "containers": [{"name": "c", "image": "i", "imagePullPolicy": "IfNotPresent",
            "terminationMessagePolicy": "File"}]}})
    }

    /// ValidateReplicaSetSpec and ValidatePodTemplateSpecForReplicaSet.
    #[test]
    fn replica_sets() {
        let good = workload(
            json!({"replicas": 1, "selector": {"matchLabels": {"app": "a"}},
            "template": template(json!({"app": "a"}))}),
        );
        assert!(
            texts(replica_set(&good)).is_empty(),
            "{:?}",
            texts(replica_set(&good))
        );
        let bad = workload(
            json!({"replicas": -1, "selector": {"matchLabels": {"app": "b"}},
            "template": template(json!({"app": "a"}))}),
        );
        assert_eq!(
            texts(replica_set(&bad)),
            [
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"a\"}: `selector` does not match template `labels`",
            ]
        );
        let none = workload(json!({"template": template(json!({"app": "a"}))}));
        assert_eq!(texts(replica_set(&none)), ["spec.selector: Required value"]);
        let empty = workload(json!({"selector": {}, "template": template(json!({"app": "a"}))}));
        assert_eq!(
            texts(replica_set(&empty)),
            ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]
        );
    }

    /// ValidateDaemonSetSpec.
    #[test]
    fn daemon_sets() {
        let good = workload(json!({"selector": {"matchLabels": {"app": "a"}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
            "template": template(json!({"app": "a"}))}));
        assert!(
            texts(daemon_set(&good)).is_empty(),
            "{:?}",
            texts(daemon_set(&good))
        );
        let none = workload(json!({"updateStrategy": {"type": "OnDelete"},
            "template": template(json!({"app": "a"}))}));
        assert_eq!(
            texts(daemon_set(&none)),
            [
                "spec.template.metadata.labels: Invalid value: {\"app\":\"a\"}: `selector` does not match template `labels`"
            ]
        );
    }

    /// ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of
    /// maxSurge and maxUnavailable is non-zero, both at most 100%.
    #[test]
    fn daemon_set_update_strategies() {
        let with = |rolling: Value| {
            workload(json!({"selector": {"matchLabels": {"app": "a"}},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": rolling},
                "template": template(json!({"app": "a"}))}))
        };
        assert!(daemon_set(&with(json!({"maxUnavailable": 0, "maxSurge": "10%"}))).is_empty());
        assert_eq!(
            texts(daemon_set(&with(
                json!({"maxUnavailable": "20%", "maxSurge": 1})
            ))),
            [
                "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"
            ]
        );
        assert_eq!(
            texts(daemon_set(&with(
                json!({"maxUnavailable": "0%", "maxSurge": 0})
            ))),
            [
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
            ]
        );
        assert_eq!(
            texts(daemon_set(&with(
                json!({"maxUnavailable": "120%", "maxSurge": "x"})
            ))),
            [
                "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: \"x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%",
            ]
        );
    }
}
