//! apps/v1 ReplicaSet, StatefulSet and DaemonSet validation (`ValidateReplicaSetSpec`,
//! `ValidateStatefulSetSpec` with `ValidateStatefulSetUpdate`, `ValidateDaemonSetSpec` of
//! pkg/apis/apps/validation): replicas, selectors that select the template, the pod template
//! with `restartPolicy: Always`, and the StatefulSet spec fields that may not change.
//!
//! Objects reach validation defaulted (`admission/defaults/workloads.rs`), so the required
//! strategy and policy fields only fail when set to something unknown.

use serde_json::Value;

use super::field_error::BadValue;
use super::workloads::selector_matches;
use super::{FieldError, godump, meta, pod};

fn non_negative(spec: &Value, key: &str, errs: &mut Vec<FieldError>) {
    if let Some(v) = spec.get(key).and_then(Value::as_i64).filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            format!("spec.{key}"),
            v,
            "must be greater than or equal to 0",
        ));
    }
}

fn is_empty_selector(selector: &Value) -> bool {
    let empty = |key: &str| match selector.get(key) {
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => true,
    };
    empty("matchLabels") && empty("matchExpressions")
}

fn json_value(v: Option<&Value>) -> BadValue {
    BadValue::Raw(godump::go_json(v.unwrap_or(&Value::Null)))
}

/// The selector rules shared by ReplicaSets and StatefulSets: required, not empty, selecting
/// the template's labels.
fn required_selector(spec: &Value, workload: &str, errs: &mut Vec<FieldError>) {
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
fn always_restarting_template(spec: &Value, workload: &str, errs: &mut Vec<FieldError>) {
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

fn spec(obj: &Value) -> &Value {
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

/// `ValidateStatefulSetSpec`.
pub(crate) fn stateful_set(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = Vec::new();
    let policy = spec
        .get("podManagementPolicy")
        .and_then(Value::as_str)
        .unwrap_or("");
    match policy {
        "" => errs.push(FieldError::required("spec.podManagementPolicy", "")),
        "OrderedReady" | "Parallel" => {}
        other => errs.push(FieldError::not_supported(
            "spec.podManagementPolicy",
            other,
            &["OrderedReady", "Parallel"],
        )),
    }
    let strategy = spec
        .pointer("/updateStrategy/type")
        .and_then(Value::as_str)
        .unwrap_or("");
    match strategy {
        "" => errs.push(FieldError::required("spec.updateStrategy", "")),
        "RollingUpdate" | "OnDelete" => {}
        other => errs.push(FieldError::not_supported(
            "spec.updateStrategy",
            other,
            &["RollingUpdate", "OnDelete"],
        )),
    }
    non_negative(spec, "replicas", &mut errs);
    non_negative(spec, "minReadySeconds", &mut errs);
    required_selector(spec, "statefulset", &mut errs);
    always_restarting_template(spec, "StatefulSet", &mut errs);
    errs
}

/// `ValidateStatefulSetUpdate`: only some spec fields may change.
pub(crate) fn stateful_set_update(new: &Value, old: &Value) -> Vec<FieldError> {
    const MUTABLE: &[&str] = &[
        "replicas",
        "template",
        "updateStrategy",
        "minReadySeconds",
        "ordinals",
        "revisionHistoryLimit",
        "persistentVolumeClaimRetentionPolicy",
    ];
    let without_mutable = |obj: &Value| {
        let mut s = spec(obj).as_object().cloned().unwrap_or_default();
        s.retain(|k, v| !MUTABLE.contains(&k.as_str()) && !v.is_null());
        s
    };
    if without_mutable(new) == without_mutable(old) {
        return Vec::new();
    }
    vec![FieldError::forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    )]
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
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn texts(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

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
            texts(&replica_set(&good)).is_empty(),
            "{:?}",
            texts(&replica_set(&good))
        );
        let bad = workload(
            json!({"replicas": -1, "selector": {"matchLabels": {"app": "b"}},
            "template": template(json!({"app": "a"}))}),
        );
        assert_eq!(
            texts(&replica_set(&bad)),
            [
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: {\"app\":\"a\"}: `selector` does not match template `labels`",
            ]
        );
        let none = workload(json!({"template": template(json!({"app": "a"}))}));
        assert_eq!(
            texts(&replica_set(&none)),
            ["spec.selector: Required value"]
        );
        let empty = workload(json!({"selector": {}, "template": template(json!({"app": "a"}))}));
        assert_eq!(
            texts(&replica_set(&empty)),
            ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"]
        );
    }

    /// ValidateStatefulSetSpec and ValidateStatefulSetUpdate.
    #[test]
    fn stateful_sets() {
        let old = workload(
            json!({"replicas": 1, "serviceName": "s", "podManagementPolicy": "OrderedReady",
            "updateStrategy": {"type": "RollingUpdate"}, "selector": {"matchLabels": {"app": "a"}},
            "template": template(json!({"app": "a"}))}),
        );
        assert!(
            texts(&stateful_set(&old)).is_empty(),
            "{:?}",
            texts(&stateful_set(&old))
        );
        let mut new = old.clone();
        new["spec"]["replicas"] = json!(3);
        new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("j");
        assert!(stateful_set_update(&new, &old).is_empty());
        new["spec"]["serviceName"] = json!("t");
        assert_eq!(
            texts(&stateful_set_update(&new, &old)),
            [
                "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
            ]
        );
        let mut bad = old.clone();
        bad["spec"]["podManagementPolicy"] = json!("Random");
        bad["spec"]["template"]["spec"]["activeDeadlineSeconds"] = json!(5);
        assert_eq!(
            texts(&stateful_set(&bad)),
            [
                "spec.podManagementPolicy: Unsupported value: \"Random\": supported values: \"OrderedReady\", \"Parallel\"",
                "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
            ]
        );
    }

    /// ValidateDaemonSetSpec.
    #[test]
    fn daemon_sets() {
        let good = workload(json!({"selector": {"matchLabels": {"app": "a"}},
            "template": template(json!({"app": "a"}))}));
        assert!(
            texts(&daemon_set(&good)).is_empty(),
            "{:?}",
            texts(&daemon_set(&good))
        );
        let none = workload(json!({"template": template(json!({"app": "a"}))}));
        assert_eq!(
            texts(&daemon_set(&none)),
            [
                "spec.template.metadata.labels: Invalid value: {\"app\":\"a\"}: `selector` does not match template `labels`"
            ]
        );
    }
}
