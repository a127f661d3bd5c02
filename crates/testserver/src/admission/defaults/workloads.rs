//! Workload defaults (apps/v1 and friends): replicas, strategies, history limits, and the pod
//! template's spec defaults.

use serde_json::{Map, Value, json};

use super::pod::pod_spec;
use crate::shared::json::{default_field, default_str, object_at};

fn template(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec", "template", "spec"]) {
        pod_spec(spec);
    }
}

fn spec(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    object_at(obj, &["spec"])
}

/// `SetDefaults_Deployment`.
pub(crate) fn deployment(obj: &mut Value) {
    template(obj);
    if let Some(spec) = spec(obj) {
        default_field(spec, "replicas", json!(1));
        let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
        if let Some(strategy) = strategy.as_object_mut() {
            default_str(strategy, "type", "RollingUpdate");
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(rolling) = rolling.as_object_mut() {
                    default_field(rolling, "maxUnavailable", json!("25%"));
                    default_field(rolling, "maxSurge", json!("25%"));
                }
            }
        }
        default_field(spec, "revisionHistoryLimit", json!(10));
        default_field(spec, "progressDeadlineSeconds", json!(600));
    }
    object_at(obj, &["status"]);
}

/// `SetDefaults_ReplicaSet`.
pub(crate) fn replica_set(obj: &mut Value) {
    template(obj);
    if let Some(spec) = spec(obj) {
        default_field(spec, "replicas", json!(1));
    }
    if let Some(status) = object_at(obj, &["status"]) {
        default_field(status, "replicas", json!(0));
    }
}

/// `SetDefaults_ReplicationController`: the selector and the object's labels come from the
/// template's labels when they are empty; replicas default to 1.
pub(crate) fn replication_controller(obj: &mut Value) {
    template(obj);
    let labels = obj
        .pointer("/spec/template/metadata/labels")
        .filter(|l| l.is_object())
        .cloned();
    let empty = |v: Option<&Value>| v.and_then(Value::as_object).is_none_or(Map::is_empty);
    if let Some(labels) = labels {
        if empty(obj.pointer("/spec/selector"))
            && let Some(spec) = spec(obj)
        {
            spec.insert("selector".into(), labels.clone());
        }
        if empty(obj.pointer("/metadata/labels"))
            && let Some(meta) = object_at(obj, &["metadata"])
        {
            meta.insert("labels".into(), labels);
        }
    }
    if let Some(spec) = spec(obj) {
        default_field(spec, "replicas", json!(1));
    }
    if let Some(status) = object_at(obj, &["status"]) {
        default_field(status, "replicas", json!(0));
    }
}

/// `SetDefaults_StatefulSet`.
pub(crate) fn stateful_set(obj: &mut Value) {
    template(obj);
    if let Some(spec) = spec(obj) {
        default_str(spec, "podManagementPolicy", "OrderedReady");
        let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
        if let Some(strategy) = strategy.as_object_mut() {
            default_str(strategy, "type", "RollingUpdate");
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(rolling) = rolling.as_object_mut() {
                    default_field(rolling, "partition", json!(0));
                }
            }
        }
        default_field(spec, "replicas", json!(1));
        default_field(spec, "revisionHistoryLimit", json!(10));
        default_field(
            spec,
            "persistentVolumeClaimRetentionPolicy",
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
        );
    }
    if let Some(status) = object_at(obj, &["status"]) {
        default_field(status, "replicas", json!(0));
        default_field(status, "availableReplicas", json!(0));
    }
}

/// `SetDefaults_DaemonSet`.
pub(crate) fn daemon_set(obj: &mut Value) {
    template(obj);
    if let Some(spec) = spec(obj) {
        let strategy = spec.entry("updateStrategy").or_insert_with(|| json!({}));
        if let Some(strategy) = strategy.as_object_mut() {
            default_str(strategy, "type", "RollingUpdate");
            if strategy.get("type").and_then(Value::as_str) == Some("RollingUpdate") {
                let rolling = strategy.entry("rollingUpdate").or_insert_with(|| json!({}));
                if let Some(rolling) = rolling.as_object_mut() {
                    default_field(rolling, "maxUnavailable", json!(1));
                    default_field(rolling, "maxSurge", json!(0));
                }
            }
        }
        default_field(spec, "revisionHistoryLimit", json!(10));
    }
    if let Some(status) = object_at(obj, &["status"]) {
        for key in [
            "currentNumberScheduled",
            "numberMisscheduled",
            "desiredNumberScheduled",
            "numberReady",
        ] {
            default_field(status, key, json!(0));
        }
    }
}

/// PodDisruptionBudget: its status counters have no `omitempty`.
pub(crate) fn pod_disruption_budget(obj: &mut Value) {
    if let Some(status) = object_at(obj, &["status"]) {
        for key in [
            "disruptionsAllowed",
            "currentHealthy",
            "desiredHealthy",
            "expectedPods",
        ] {
            default_field(status, key, json!(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::admission::defaults::strip_nulls;

    #[test]
    fn deployment_from_kubectl_create() {
        // What `kubectl create deployment web --image=nginx` (v1.32) sends.
        let mut d = json!({"kind": "Deployment", "apiVersion": "apps/v1",
            "metadata": {"name": "web", "creationTimestamp": null, "labels": {"app": "web"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                "template": {"metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}}},
            "status": {}});
        strip_nulls(&mut d);
        super::deployment(&mut d);
        assert_eq!(
            d,
            json!({"kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                    "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {},
                            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                            "imagePullPolicy": "Always"}],
                            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                            "securityContext": {}, "schedulerName": "default-scheduler"}}},
                "status": {}})
        );
    }
}
