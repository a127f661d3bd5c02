//! The conversion between autoscaling/v1 and the stored v2 form, and the defaults.

use serde_json::{Value, json};

use super::convert::{to_v1, to_v2};
use super::*;

fn meta() -> Value {
    json!({"name": "web", "namespace": "ns", "annotations": {"team": "a"}})
}

fn target() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})
}

/// A v2 object with every metric kind, a behavior, current metrics and conditions.
fn full_v2() -> Value {
    json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(),
        "spec": {"scaleTargetRef": target(), "minReplicas": 2, "maxReplicas": 10, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
            {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                "target": {"type": "Utilization", "averageUtilization": 70}}},
            {"type": "Pods", "pods": {"metric": {"name": "qps", "selector": {"matchLabels": {"b": "2", "a": "1"}}},
                "target": {"type": "AverageValue", "averageValue": "1k"}}},
            {"type": "Object", "object": {"describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "main"},
                "metric": {"name": "hits"}, "target": {"type": "Value", "value": "10"}}},
            {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "AverageValue", "averageValue": "30"}}}],
            "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}]},
                "scaleDown": {"selectPolicy": "Min", "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]}}},
        "status": {"currentReplicas": 3, "desiredReplicas": 4, "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 55, "averageValue": "200m"}}},
            {"type": "External", "external": {"metric": {"name": "queue"}, "current": {"value": "0", "averageValue": "12"}}}],
            "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2026-01-02T03:04:05Z",
                "reason": "ReadyForNewScale", "message": "recommended size matches current size"}]}})
}

/// `Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler`: the CPU
/// utilization target becomes `targetCPUUtilizationPercentage`, the rest goes to the
/// annotations in the text Go prints.
#[test]
fn v2_to_v1_carries_the_rest_in_annotations() {
    let v1 = to_v1(&full_v2());
    assert_eq!(v1["apiVersion"], "autoscaling/v1");
    assert_eq!(
        v1["spec"],
        json!({"scaleTargetRef": target(), "minReplicas": 2, "maxReplicas": 10,
            "targetCPUUtilizationPercentage": 60})
    );
    assert_eq!(
        v1["status"],
        json!({"currentReplicas": 3, "desiredReplicas": 4, "currentCPUUtilizationPercentage": 55})
    );
    let a = &v1["metadata"]["annotations"];
    assert_eq!(a["team"], "a");
    assert_eq!(
        a["autoscaling.alpha.kubernetes.io/metrics"],
        concat!(
            r#"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}},"#,
            r#"{"type":"ContainerResource","containerResource":{"name":"cpu","targetAverageUtilization":70,"container":"app"}},"#,
            r#"{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"1k","selector":{"matchLabels":{"a":"1","b":"2"}}}},"#,
            r#"{"type":"Object","object":{"target":{"kind":"Ingress","name":"main","apiVersion":"networking.k8s.io/v1"},"metricName":"hits","targetValue":"10"}},"#,
            r#"{"type":"External","external":{"metricName":"queue","targetAverageValue":"30"}}]"#
        )
    );
    assert_eq!(
        a["autoscaling.alpha.kubernetes.io/current-metrics"],
        concat!(
            r#"[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":55,"currentAverageValue":"200m"}},"#,
            r#"{"type":"External","external":{"metricName":"queue","currentValue":"0","currentAverageValue":"12"}}]"#
        )
    );
    assert_eq!(
        a["autoscaling.alpha.kubernetes.io/behavior"],
        concat!(
            r#"{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}],"Tolerance":null},"#,
            r#""ScaleDown":{"StabilizationWindowSeconds":null,"SelectPolicy":"Min","Policies":[{"Type":"Percent","Value":10,"PeriodSeconds":60}],"Tolerance":null}}"#
        )
    );
    assert_eq!(
        a["autoscaling.alpha.kubernetes.io/conditions"],
        r#"[{"type":"AbleToScale","status":"True","lastTransitionTime":"2026-01-02T03:04:05Z","reason":"ReadyForNewScale","message":"recommended size matches current size"}]"#
    );
}

/// v2 -> v1 -> v2: `Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler`
/// reads the annotations back, puts the CPU target after the annotation's metrics and drops
/// the annotations; everything else is as it was.
#[test]
fn v2_round_trips_through_v1() {
    let original = full_v2();
    let back = to_v2(&to_v1(&original));
    let mut expected = original.clone();
    let metrics = expected["spec"]["metrics"].as_array_mut().unwrap();
    let cpu = metrics.remove(0);
    metrics.push(cpu);
    assert_eq!(back, expected);
    assert_eq!(to_v1(&back), to_v1(&original));
}

/// v1 -> v2 -> v1 for objects with and without a CPU target: the default metric
/// (`DefaultCPUUtilization`) is added on the way in and comes back as the CPU target.
#[test]
fn v1_round_trips_through_v2() {
    let v1 = json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": meta(),
        "spec": {"scaleTargetRef": target(), "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 50},
        "status": {"currentReplicas": 2, "desiredReplicas": 2, "currentCPUUtilizationPercentage": 40}});
    let v2 = to_v2(&v1);
    assert_eq!(
        v2["spec"]["metrics"],
        json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 50}}}])
    );
    assert_eq!(
        v2["status"]["currentMetrics"],
        json!([{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 40}}}])
    );
    // The v1 status round trip records the current metric, as Go's does.
    let mut expected = v1.clone();
    expected["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/current-metrics"] = json!(
        r#"[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":40,"currentAverageValue":"0"}}]"#
    );
    assert_eq!(to_v1(&v2), expected);

    let mut bare = v1.clone();
    bare["spec"]
        .as_object_mut()
        .unwrap()
        .remove("targetCPUUtilizationPercentage");
    bare["status"] = json!({"currentReplicas": 0, "desiredReplicas": 0});
    let v2 = to_v2(&bare);
    assert_eq!(
        v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"],
        80
    );
    assert_eq!(to_v1(&v2)["spec"]["targetCPUUtilizationPercentage"], 80);
}

/// v1 annotations written by hand decode as `json.Unmarshal` decodes them (names without
/// regard to case), each metric kind with v1's target types; a broken one is ignored.
#[test]
fn v1_annotations_decode_like_go() {
    let metrics = r#"[{"type":"Object","object":{"target":{"kind":"Service","name":"s"},"metricName":"m","targetValue":"0","averageValue":"2"}},
        {"type":"External","external":{"metricName":"q","targetValue":"5"}},
        {"type":"Pods","pods":{"metricName":"p"}},
        {"type":"Resource","resource":{"name":"memory","targetAverageValue":"1Gi"}}]"#;
    let v1 = json!({"metadata": {"name": "h", "annotations": {
            "autoscaling.alpha.kubernetes.io/metrics": metrics,
            "autoscaling.alpha.kubernetes.io/behavior": r#"{"scaleUp":{"selectPolicy":"Disabled"}}"#,
            "autoscaling.alpha.kubernetes.io/conditions": "not json"}},
        "spec": {"scaleTargetRef": target(), "maxReplicas": 3}});
    let v2 = to_v2(&v1);
    assert_eq!(
        v2["spec"]["metrics"],
        json!([
            {"type": "Object", "object": {"describedObject": {"kind": "Service", "name": "s"}, "metric": {"name": "m"},
                "target": {"type": "AverageValue", "value": "0", "averageValue": "2"}}},
            {"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "Value", "value": "5"}}},
            {"type": "Pods", "pods": {"metric": {"name": "p"}, "target": {"type": "AverageValue", "averageValue": "0"}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}}])
    );
    assert_eq!(
        v2["spec"]["behavior"],
        json!({"scaleUp": {"selectPolicy": "Disabled"}})
    );
    assert_eq!(v2["status"], json!({"desiredReplicas": 0}));
    assert!(v2["metadata"].get("annotations").is_none());
}

/// v2's `SetDefaults_HorizontalPodAutoscaler` and `copyHPAScalingRules`.
#[test]
fn v2_defaults() {
    let mut hpa = json!({"apiVersion": "autoscaling/v2", "metadata": {"name": "h", "annotations": {
            "autoscaling.alpha.kubernetes.io/metrics": "[]"}},
        "spec": {"scaleTargetRef": target(), "maxReplicas": 3, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}});
    HORIZONTAL_POD_AUTOSCALERS.default(&mut hpa).unwrap();
    assert_eq!(
        hpa["spec"],
        json!({"scaleTargetRef": target(), "maxReplicas": 3, "minReplicas": 1,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}],
            "behavior": {
                "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                    {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [
                    {"type": "Percent", "value": 100, "periodSeconds": 15}]}}})
    );
    assert!(hpa["metadata"].get("annotations").is_none());
}

/// v1's `SetDefaults_HorizontalPodAutoscaler` sets only `minReplicas`: a behavior from the
/// annotation is stored as given.
#[test]
fn v1_defaults_leave_the_behavior() {
    let mut hpa = to_v2(&json!({"metadata": {"name": "h", "annotations": {
            "autoscaling.alpha.kubernetes.io/behavior": r#"{"ScaleUp":{"SelectPolicy":"Min"}}"#}},
        "spec": {"scaleTargetRef": target(), "maxReplicas": 3}}));
    HORIZONTAL_POD_AUTOSCALERS_V1.default(&mut hpa).unwrap();
    assert_eq!(hpa["spec"]["minReplicas"], 1);
    assert_eq!(
        hpa["spec"]["behavior"],
        json!({"scaleUp": {"selectPolicy": "Min"}})
    );
}

/// `PrepareForCreate` resets the status and sets the generation; `PrepareForUpdate` keeps the
/// status and bumps the generation on a spec change.
#[test]
fn create_and_update_reset() {
    let mut hpa = full_v2();
    HORIZONTAL_POD_AUTOSCALERS.prepare_for_create(&mut hpa, "t");
    assert_eq!(hpa["status"], json!({"desiredReplicas": 0}));
    assert_eq!(hpa["metadata"]["generation"], 1);
    let old = hpa.clone();
    let mut new = full_v2();
    new["spec"]["maxReplicas"] = json!(20);
    HORIZONTAL_POD_AUTOSCALERS_V1.prepare_for_update("", &mut new, &old, "t");
    assert_eq!(new["metadata"]["generation"], 2);
}

#[test]
fn both_versions_print_the_same_table() {
    let names =
        |cols: Vec<Column>| -> Vec<String> { cols.iter().map(|c| c.name.to_string()).collect() };
    assert_eq!(
        names(HORIZONTAL_POD_AUTOSCALERS_V1.columns()),
        names(HORIZONTAL_POD_AUTOSCALERS.columns())
    );
    assert!(HORIZONTAL_POD_AUTOSCALERS_V1.stored_as().is_some());
    assert!(HORIZONTAL_POD_AUTOSCALERS.stored_as().is_none());
}
