use serde_json::json;

use super::*;

use crate::validation::texts;

/// A valid v2 object with `spec` fields replaced by `patch`'s.
fn hpa(patch: Value) -> Value {
    let mut spec = json!({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
        "name": "web"}, "minReplicas": 1, "maxReplicas": 3});
    if let (Some(spec), Some(patch)) = (spec.as_object_mut(), patch.as_object()) {
        spec.extend(patch.clone());
    }
    json!({"apiVersion": "autoscaling/v2", "spec": spec})
}

fn check(patch: Value) -> Vec<String> {
    texts(horizontal_pod_autoscaler(&hpa(patch)))
}

/// validateHorizontalPodAutoscalerSpec: the replica bounds (HPAScaleToZero off).
#[test]
fn replica_bounds() {
    assert_eq!(check(json!({})), Vec::<String>::new());
    assert_eq!(
        check(json!({"maxReplicas": 0})),
        [
            "spec.maxReplicas: Invalid value: 0: must be greater than 0",
            "spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`",
        ]
    );
    // a missing minReplicas is defaulted to 1 before validation
    let no_min = json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
        "maxReplicas": 0}});
    assert_eq!(texts(horizontal_pod_autoscaler(&no_min)).len(), 2);
    assert_eq!(
        check(json!({"minReplicas": 5})),
        ["spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`"]
    );
    assert_eq!(
        check(json!({"minReplicas": 0})),
        [
            "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
            "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
        ]
    );
}

/// ValidateHorizontalPodAutoscalerUpdate: an object stored with minReplicas 0 may keep it.
#[test]
fn scale_to_zero_is_kept_on_update() {
    let external = json!({"minReplicas": 0, "metrics": [{"type": "External", "external": {
        "metric": {"name": "queue"}, "target": {"type": "Value", "value": "10"}}}]});
    let old = hpa(external.clone());
    assert_eq!(
        texts(horizontal_pod_autoscaler_update(
            &hpa(external.clone()),
            &old
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        texts(horizontal_pod_autoscaler_update(
            &hpa(external),
            &hpa(json!({}))
        )),
        ["spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"]
    );
}

/// ValidateCrossVersionObjectReference.
#[test]
fn scale_target_ref() {
    assert_eq!(
        check(json!({"scaleTargetRef": {}})),
        [
            "spec.scaleTargetRef.kind: Required value",
            "spec.scaleTargetRef.name: Required value",
        ]
    );
    assert_eq!(
        check(json!({"scaleTargetRef": {"kind": "..", "name": "a/b%"}})),
        [
            "spec.scaleTargetRef.kind: Invalid value: \"..\": may not be '..'",
            "spec.scaleTargetRef.name: Invalid value: \"a/b%\": may not contain '/'",
            "spec.scaleTargetRef.name: Invalid value: \"a/b%\": may not contain '%'",
        ]
    );
}

/// validateMetricSpec: the type is one of five and names the one populated source.
#[test]
fn metric_types() {
    assert_eq!(
        check(json!({"metrics": [{"type": ""}]})),
        [
            "spec.metrics[0].type: Required value: must specify a metric source type",
            "spec.metrics[0].type: Unsupported value: \"\": supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
            "spec.metrics[0].type: Unsupported value: \"\": supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
        ]
    );
    assert_eq!(
        check(json!({"metrics": [{"type": "Pods"}]})),
        [
            "spec.metrics[0].pods: Required value: must populate information for the given metric source"
        ]
    );
    let both = json!({"metrics": [{"type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}},
        "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1"}}}]});
    // only the first present source (in Go's order: pods before resource) is validated
    assert_eq!(
        check(both),
        ["spec.metrics[0].pods: Forbidden: must populate the given metric source only"]
    );
}

/// validateMetricTarget and the per-source target rules.
#[test]
fn metric_targets() {
    let resource = |target: Value| {
        check(
            json!({"metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}]}),
        )
    };
    assert_eq!(
        resource(json!({"type": "Utilization", "averageUtilization": 60})),
        Vec::<String>::new()
    );
    assert_eq!(
        resource(json!({"type": "Percent", "averageUtilization": 0, "averageValue": "-1"})),
        [
            "spec.metrics[0].resource.target.type: Invalid value: \"Percent\": must be either Utilization, Value, or AverageValue",
            "spec.metrics[0].resource.target.averageValue: Invalid value: \"-1\": must be positive",
            "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
            "spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization",
        ]
    );
    assert_eq!(
        resource(json!({})),
        [
            "spec.metrics[0].resource.target.type: Required value: must specify a metric target type",
            "spec.metrics[0].resource.target.type: Invalid value: \"\": must be either Utilization, Value, or AverageValue",
            "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
        ]
    );
    let pods = json!({"metrics": [{"type": "Pods", "pods": {"metric": {"name": ""},
        "target": {"type": "AverageValue"}}}]});
    assert_eq!(
        check(pods),
        [
            "spec.metrics[0].pods.metric.name: Required value: must specify a metric name",
            "spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue",
        ]
    );
    let external = json!({"metrics": [{"type": "External", "external": {"metric": {"name": "q"},
        "target": {"type": "Value", "value": "0", "averageValue": "500m"}}}]});
    assert_eq!(
        check(external),
        [
            "spec.metrics[0].external.target.value: Invalid value: \"0\": must be positive",
            "spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target",
        ]
    );
    let object = json!({"metrics": [{"type": "Object", "object": {"describedObject": {"kind": "Service"},
        "metric": {"name": "rps"}, "target": {"type": "Value"}}}]});
    assert_eq!(
        check(object),
        [
            "spec.metrics[0].object.describedObject.name: Required value",
            "spec.metrics[0].object.target.averageValue: Required value: must set either a target value or averageValue",
        ]
    );
    let container = json!({"metrics": [{"type": "ContainerResource", "containerResource": {
        "name": "gpu", "container": "App", "target": {"type": "AverageValue", "averageValue": "1"}}}]});
    assert_eq!(
        check(container),
        [
            "spec.metrics[0].containerResource.name: Invalid value: \"gpu\": must be a standard resource for containers",
            "spec.metrics[0].containerResource.container: Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ]
    );
}

/// A v1 object's targetCPUUtilizationPercentage is checked as the metric it converts to.
#[test]
fn v1_cpu_target() {
    let v1 = json!({"apiVersion": "autoscaling/v1", "spec": {"scaleTargetRef": {"kind": "Deployment",
        "name": "web"}, "maxReplicas": 2, "targetCPUUtilizationPercentage": 0}});
    assert_eq!(
        texts(horizontal_pod_autoscaler(&v1)),
        [
            "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"
        ]
    );
}

/// validateBehavior, validateScalingRules, validateScalingPolicy.
#[test]
fn behavior() {
    let ok = json!({"behavior": {"scaleDown": {"stabilizationWindowSeconds": 300,
        "selectPolicy": "Min", "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]},
        "scaleUp": {"selectPolicy": "Disabled"}}});
    assert_eq!(check(ok), Vec::<String>::new());
    let bad = json!({"behavior": {"scaleUp": {"stabilizationWindowSeconds": 3601,
        "selectPolicy": "Avg", "policies": []},
        "scaleDown": {"stabilizationWindowSeconds": -1,
            "policies": [{"type": "Cores", "value": 0, "periodSeconds": 1801}]}}});
    assert_eq!(
        check(bad),
        [
            "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600",
            "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Avg\": supported values: \"Disabled\", \"Max\", \"Min\"",
            "spec.behavior.scaleUp.policies: Required value: must specify at least one Policy",
            "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero",
            "spec.behavior.scaleDown.policies[0].type: Unsupported value: \"Cores\": supported values: \"Percent\", \"Pods\"",
            "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero",
            "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
        ]
    );
}
