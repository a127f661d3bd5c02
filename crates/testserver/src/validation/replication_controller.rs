//! ReplicationController validation (`ValidateReplicationController`,
//! `ValidateReplicationControllerSpec`, `ValidatePodTemplateSpecForRC` of
//! `pkg/apis/core/validation`): a non-empty selector that selects the template, replicas and
//! `minReadySeconds` not negative, and a pod template whose pods always restart.
//!
//! Objects reach validation defaulted (`SetDefaults_ReplicationController`: the selector and
//! the object's labels come from the template's labels when unset, replicas default to 1).

use serde_json::Value;

use super::selector::json_value;
use super::{FieldError, pod_template};

fn non_negative(spec: &Value, key: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = spec.get(key).and_then(Value::as_i64).filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            format!("spec.{key}"),
            v,
            "must be greater than or equal to 0",
        ));
    }
}

/// `ValidatePodTemplateSpecForRC`.
fn template(spec: &Value, selector: &[(&String, &Value)]) -> Vec<FieldError> {
    const PATH: &str = "spec.template";
    let Some(template) = spec.get("template").filter(|t| !t.is_null()) else {
        return vec![FieldError::required(PATH, "")];
    };
    let mut errs = Vec::new();
    let labels = template.pointer("/metadata/labels");
    let selected = selector
        .iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k.as_str())) == Some(*v));
    if !selector.is_empty() && !selected {
        errs.push(FieldError::invalid(
            format!("{PATH}.metadata.labels"),
            json_value(labels),
            "`selector` does not match template `labels`",
        ));
    }
    errs.extend(pod_template::template_spec(
        template,
        PATH,
        &pod_template::ANY_RESTART,
    ));
    let restart = template
        .pointer("/spec/restartPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    if restart != "Always" {
        errs.push(FieldError::not_supported(
            format!("{PATH}.spec.restartPolicy"),
            restart,
            &["Always"],
        ));
    }
    if template
        .pointer("/spec/activeDeadlineSeconds")
        .is_some_and(|v| !v.is_null())
    {
        errs.push(FieldError::forbidden(
            format!("{PATH}.spec.activeDeadlineSeconds"),
            "activeDeadlineSeconds in ReplicationController is not Supported",
        ));
    }
    errs
}

/// `ValidateReplicationControllerSpec` (what `ValidateReplicationController` checks after the
/// metadata, and `ValidateReplicationControllerUpdate` after the metadata update rules).
pub(crate) fn replication_controller(obj: &Value) -> Vec<FieldError> {
    static NULL: Value = Value::Null;
    let spec = obj.get("spec").unwrap_or(&NULL);
    let mut errs = Vec::new();
    non_negative(spec, "minReadySeconds", &mut errs);
    let selector: Vec<(&String, &Value)> = spec
        .get("selector")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .collect();
    if selector.is_empty() {
        errs.push(FieldError::required("spec.selector", ""));
    }
    non_negative(spec, "replicas", &mut errs);
    errs.extend(template(spec, &selector));
    errs
}

/// The spec checks `ValidateReplicationControllerUpdate` repeats after the strategy ran
/// `ValidateReplicationController` (the real strategy runs both, so each spec error is listed
/// twice).
pub(crate) fn replication_controller_update(new: &Value, _old: &Value) -> Vec<FieldError> {
    replication_controller(new)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    fn template(labels: Value, restart: &str) -> Value {
        json!({"metadata": {"labels": labels}, "spec": {"restartPolicy": restart,
            "dnsPolicy": "ClusterFirst", "containers": [{"name": "c", "image": "i",
            "imagePullPolicy": "IfNotPresent"}]}})
    }

    /// `ValidateReplicationControllerSpec` and `ValidatePodTemplateSpecForRC`.
    #[test]
    fn replication_controllers() {
        let good = json!({"spec": {"replicas": 1, "selector": {"app": "a"},
            "template": template(json!({"app": "a", "x": "y"}), "Always")}});
        assert!(
            replication_controller(&good).is_empty(),
            "{:?}",
            texts(replication_controller(&good))
        );
        let bad = json!({"spec": {"replicas": -1, "minReadySeconds": -2, "selector": {"app": "b"},
            "template": template(json!({"app": "a"}), "OnFailure")}});
        assert_eq!(
            texts(replication_controller(&bad)),
            [
                "spec.minReadySeconds: Invalid value: -2: must be greater than or equal to 0",
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"a\"}: `selector` does not match template `labels`",
                "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
            ]
        );
        let empty = json!({"spec": {"replicas": 1}});
        assert_eq!(
            texts(replication_controller(&empty)),
            [
                "spec.selector: Required value",
                "spec.template: Required value"
            ]
        );
    }
}
