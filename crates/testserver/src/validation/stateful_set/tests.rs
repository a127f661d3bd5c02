use serde_json::{Value, json};

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

/// ValidateStatefulSetSpec and ValidateStatefulSetUpdate.
#[test]
fn stateful_sets() {
    let old = workload(
        json!({"replicas": 1, "serviceName": "s", "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate"}, "selector": {"matchLabels": {"app": "a"}},
        "template": template(json!({"app": "a"}))}),
    );
    assert!(
        texts(stateful_set(&old)).is_empty(),
        "{:?}",
        texts(stateful_set(&old))
    );
    let mut new = old.clone();
    new["spec"]["replicas"] = json!(3);
    new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("j");
    assert!(stateful_set_update(&new, &old).is_empty());
    new["spec"]["serviceName"] = json!("t");
    assert_eq!(
        texts(stateful_set_update(&new, &old)),
        [
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
        ]
    );
    let mut bad = old.clone();
    bad["spec"]["podManagementPolicy"] = json!("Random");
    bad["spec"]["template"]["spec"]["activeDeadlineSeconds"] = json!(5);
    assert_eq!(
        texts(stateful_set(&bad)),
        [
            "spec.podManagementPolicy: Unsupported value: \"Random\": supported values: \"OrderedReady\", \"Parallel\"",
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported",
        ]
    );
}

/// validateRollingUpdateStatefulSet, the OnDelete rule and the PVC retention policy.
#[test]
fn stateful_set_update_strategies() {
    let with = |strategy: Value| {
        workload(
            json!({"replicas": 1, "serviceName": "s", "podManagementPolicy": "OrderedReady",
            "updateStrategy": strategy, "selector": {"matchLabels": {"app": "a"}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Keep"},
            "template": template(json!({"app": "a"}))}),
        )
    };
    assert_eq!(
        texts(stateful_set(&with(json!({"type": "RollingUpdate",
            "rollingUpdate": {"partition": -1, "maxUnavailable": 0}})))),
        [
            "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0",
            "spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: \"Keep\": supported values: \"Retain\", \"Delete\"",
        ]
    );
    assert_eq!(
        texts(stateful_set(&with(json!({"type": "OnDelete",
            "rollingUpdate": {"partition": 2}}))))[0],
        "spec.updateStrategy.rollingUpdate: Invalid value: {\"Partition\":2,\"MaxUnavailable\":null}: only allowed for updateStrategy 'RollingUpdate'"
    );
}

/// `validateVolumeClaimTemplates` on create: each template's spec as a new claim's; the pod
/// template may mount the claims (`volumesToAddForTemplates`); the service name is a DNS label.
#[test]
fn claim_templates_and_service_name() {
    let mut sts = workload(
        json!({"replicas": 1, "serviceName": "web", "podManagementPolicy": "OrderedReady",
        "updateStrategy": {"type": "RollingUpdate"}, "selector": {"matchLabels": {"app": "a"}},
        "template": template(json!({"app": "a"})),
        "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}}]}),
    );
    sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "data", "mountPath": "/data"}]);
    assert!(
        stateful_set(&sts).is_empty(),
        "{:?}",
        texts(stateful_set(&sts))
    );
    let mut bad = sts.clone();
    bad["spec"]["serviceName"] = json!("Web_1");
    bad["spec"]["volumeClaimTemplates"][0]["spec"] =
        json!({"resources": {"requests": {"storage": "1Gi"}}});
    bad["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["name"] = json!("logs");
    assert_eq!(
        texts(stateful_set(&bad)),
        [
            "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required",
            "spec.serviceName: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"logs\"",
        ]
    );
    // an update tolerates what is stored: the claim templates and service name are not checked
    let mut stored = bad.clone();
    stored["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0]["name"] = json!("data");
    let mut new = stored.clone();
    new["spec"]["replicas"] = json!(2);
    assert!(
        stateful_set_update(&new, &stored).is_empty(),
        "{:?}",
        texts(stateful_set_update(&new, &stored))
    );
}
