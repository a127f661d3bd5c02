//! batch/v1 defaults (`SetDefaults_Job`, `SetDefaults_CronJob`,
//! `SetDefaults_PodFailurePolicyOnPodConditionsPattern` of `pkg/apis/batch/v1`) and the pod
//! template defaults inside both. A CronJob's job template gets only the template's and the
//! failure policy's defaults: `SetDefaults_Job` runs on Jobs, not on job templates.

use serde_json::{Map, Value, json};

use super::pod::pod_spec;
use crate::shared::json::{default_field, default_str, object_at};

/// `SetDefaults_Job` and the template's pod defaults.
pub(crate) fn job(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec", "template", "spec"]) {
        pod_spec(spec);
    }
    let template_labels = obj.pointer("/spec/template/metadata/labels").cloned();
    if let Some(spec) = object_at(obj, &["spec"]) {
        job_spec(spec);
    }
    if let Some(labels) = template_labels.filter(Value::is_object)
        && let Some(meta) = object_at(obj, &["metadata"])
        && meta
            .get("labels")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty)
    {
        meta.insert("labels".into(), labels);
    }
}

fn job_spec(spec: &mut Map<String, Value>) {
    let unset = |spec: &Map<String, Value>, key: &str| spec.get(key).is_none_or(Value::is_null);
    if unset(spec, "completions") && unset(spec, "parallelism") {
        spec.insert("completions".into(), json!(1));
        spec.insert("parallelism".into(), json!(1));
    }
    default_field(spec, "parallelism", json!(1));
    let backoff = if unset(spec, "backoffLimitPerIndex") {
        json!(6)
    } else {
        json!(i32::MAX)
    };
    default_field(spec, "backoffLimit", backoff);
    default_str(spec, "completionMode", "NonIndexed");
    default_field(spec, "suspend", json!(false));
    let replacement = if unset(spec, "podFailurePolicy") {
        "TerminatingOrFailed"
    } else {
        "Failed"
    };
    default_field(spec, "podReplacementPolicy", json!(replacement));
    default_field(spec, "manualSelector", json!(false));
    failure_policy_patterns(spec);
}

/// `SetDefaults_PodFailurePolicyOnPodConditionsPattern`: a pattern's status is `True`.
fn failure_policy_patterns(spec: &mut Map<String, Value>) {
    let rules = spec
        .get_mut("podFailurePolicy")
        .and_then(|p| p.get_mut("rules"))
        .and_then(Value::as_array_mut);
    for rule in rules.into_iter().flatten() {
        let patterns = rule
            .get_mut("onPodConditions")
            .and_then(Value::as_array_mut);
        for pattern in patterns.into_iter().flatten() {
            if let Some(pattern) = pattern.as_object_mut() {
                default_str(pattern, "status", "True");
            }
        }
    }
}

/// `SetDefaults_CronJob` and the job template's pod and failure-policy defaults.
pub(crate) fn cron_job(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec"]) {
        default_str(spec, "concurrencyPolicy", "Allow");
        default_field(spec, "suspend", json!(false));
        default_field(spec, "successfulJobsHistoryLimit", json!(3));
        default_field(spec, "failedJobsHistoryLimit", json!(1));
    }
    if let Some(spec) = object_at(obj, &["spec", "jobTemplate", "spec", "template", "spec"]) {
        pod_spec(spec);
    }
    if let Some(spec) = object_at(obj, &["spec", "jobTemplate", "spec"]) {
        failure_policy_patterns(spec);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// SetDefaults_Job: counts, limits, modes, and the template labels on the Job.
    #[test]
    fn job_defaults() {
        let mut obj = json!({"metadata": {"name": "j"}, "spec": {"template": {
            "metadata": {"labels": {"app": "a"}},
            "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}});
        job(&mut obj);
        let spec = &obj["spec"];
        assert_eq!(spec["completions"], 1);
        assert_eq!(spec["parallelism"], 1);
        assert_eq!(spec["backoffLimit"], 6);
        assert_eq!(spec["completionMode"], "NonIndexed");
        assert_eq!(spec["suspend"], false);
        assert_eq!(spec["podReplacementPolicy"], "TerminatingOrFailed");
        assert_eq!(spec["manualSelector"], false);
        assert_eq!(obj["metadata"]["labels"], json!({"app": "a"}));
        assert_eq!(spec["template"]["spec"]["dnsPolicy"], "ClusterFirst");

        let mut indexed = json!({"spec": {"parallelism": 3, "backoffLimitPerIndex": 1,
            "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}}});
        job(&mut indexed);
        assert!(indexed["spec"].get("completions").is_none());
        assert_eq!(indexed["spec"]["backoffLimit"], i32::MAX);
        assert_eq!(indexed["spec"]["podReplacementPolicy"], "Failed");
        assert_eq!(
            indexed["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"],
            "True"
        );
    }

    /// SetDefaults_CronJob leaves the job template's Job fields alone.
    #[test]
    fn cron_job_defaults() {
        let mut obj = json!({"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {
            "template": {"spec": {"restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "i"}]}}}}}});
        cron_job(&mut obj);
        assert_eq!(obj["spec"]["concurrencyPolicy"], "Allow");
        assert_eq!(obj["spec"]["successfulJobsHistoryLimit"], 3);
        assert_eq!(obj["spec"]["failedJobsHistoryLimit"], 1);
        assert!(
            obj["spec"]["jobTemplate"]["spec"]
                .get("parallelism")
                .is_none()
        );
        assert_eq!(
            obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"],
            "ClusterFirst"
        );
    }
}
