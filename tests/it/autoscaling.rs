//! HorizontalPodAutoscalers: one stored object served as autoscaling/v2 and autoscaling/v1
//! (the v2 metrics, behavior and status carried in v1's round-trip annotations), each
//! version's defaults, and v2's paths in the 422 of either version, as kube-apiserver serves
//! them.
//!
//! Every wait for a watch event is bounded (10 s). No test sleeps.

use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler as HpaV1;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler as HpaV2;
use kubeset::clientset::{Api, ListParams, PostParams, WatchEvent, WatchParams};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::invalid::invalid;
use crate::support::watch_events::next_change;
use crate::support::{Ctx, setup};

const METRICS: &str = "autoscaling.alpha.kubernetes.io/metrics";
const BEHAVIOR: &str = "autoscaling.alpha.kubernetes.io/behavior";

fn typed<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn json_of<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn apis(ctx: &Ctx) -> (Api<HpaV1>, Api<HpaV2>) {
    (
        Api::namespaced(ctx.client.clone(), &ctx.ns),
        Api::namespaced(ctx.client.clone(), &ctx.ns),
    )
}

fn target() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"})
}

/// A v2 object scaling on memory, with a scale-down rule of its own.
fn memory_hpa(name: &str) -> HpaV2 {
    typed(
        json!({"metadata": {"name": name}, "spec": {"scaleTargetRef": target(), "maxReplicas": 5,
        "metrics": [{"type": "Resource", "resource": {"name": "memory",
            "target": {"type": "AverageValue", "averageValue": "500Mi"}}}],
        "behavior": {"scaleDown": {"selectPolicy": "Min",
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}}),
    )
}

fn annotation<'a>(hpa: &'a HpaV1, key: &str) -> Option<&'a str> {
    hpa.metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

#[tokio::test]
async fn a_v2_object_reads_in_v1_through_annotations_and_back_unchanged() {
    let ctx = setup("hpa-v2-v1").await;
    let (v1, v2) = apis(&ctx);
    let created = v2
        .create(&PostParams::default(), &memory_hpa("mem"))
        .await
        .unwrap();

    let old = v1.get("mem").await.unwrap();
    let spec = &old.spec;
    assert_eq!(spec.target_cpu_utilization_percentage, None);
    assert_eq!((spec.min_replicas, spec.max_replicas), (Some(1), 5));
    assert_eq!(
        annotation(&old, METRICS),
        Some(r#"[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"500Mi"}}]"#)
    );
    let behavior: Value = serde_json::from_str(annotation(&old, BEHAVIOR).unwrap()).unwrap();
    assert_eq!(behavior["ScaleDown"]["SelectPolicy"], "Min");
    assert_eq!(
        behavior["ScaleDown"]["Policies"],
        json!([{"Type": "Pods", "Value": 1, "PeriodSeconds": 60}])
    );
    assert_eq!(behavior["ScaleUp"]["SelectPolicy"], "Max");
    let listed = v1.list(&ListParams::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(
        annotation(&listed.items[0], METRICS),
        annotation(&old, METRICS)
    );

    let again = v2.get("mem").await.unwrap();
    assert_eq!(json_of(&again.spec), json_of(&created.spec));
    assert_eq!(again.metadata.annotations, None);
}

#[tokio::test]
async fn a_v1_cpu_target_reads_as_the_v2_utilization_metric() {
    let ctx = setup("hpa-v1-cpu").await;
    let (v1, v2) = apis(&ctx);
    let created = v1
        .create(
            &PostParams::default(),
            &typed::<HpaV1>(
                json!({"metadata": {"name": "cpu"}, "spec": {"scaleTargetRef": target(),
                "maxReplicas": 4, "targetCPUUtilizationPercentage": 65}}),
            ),
        )
        .await
        .unwrap();
    let spec = &created.spec;
    assert_eq!(spec.target_cpu_utilization_percentage, Some(65));
    assert_eq!(spec.min_replicas, Some(1));
    assert_eq!(created.metadata.annotations, None);

    let new = v2.get("cpu").await.unwrap();
    let spec = json_of(&new.spec);
    assert_eq!(
        spec["metrics"],
        json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 65}}}])
    );
    assert_eq!(spec["minReplicas"], 1);
    assert_eq!(spec.get("behavior"), None);
}

#[tokio::test]
async fn each_version_is_defaulted_as_its_decoding_defaults_it() {
    let ctx = setup("hpa-defaults").await;
    let (v1, v2) = apis(&ctx);
    let bare = json!({"spec": {"scaleTargetRef": target(), "maxReplicas": 3,
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 120}}}});
    let mut body = bare.clone();
    body["metadata"] = json!({"name": "new"});
    let created = json_of(
        &v2.create(&PostParams::default(), &typed::<HpaV2>(body))
            .await
            .unwrap(),
    );
    assert_eq!(created["spec"]["minReplicas"], 1);
    assert_eq!(
        created["spec"]["metrics"],
        json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 80}}}])
    );
    assert_eq!(
        created["spec"]["behavior"],
        json!({"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15},
                {"type": "Percent", "value": 100, "periodSeconds": 15}]},
            "scaleDown": {"stabilizationWindowSeconds": 120, "selectPolicy": "Max", "policies": [
                {"type": "Percent", "value": 100, "periodSeconds": 15}]}})
    );

    let old = v1
        .create(
            &PostParams::default(),
            &typed::<HpaV1>(json!({"metadata": {"name": "old"},
                "spec": {"scaleTargetRef": target(), "maxReplicas": 3}})),
        )
        .await
        .unwrap();
    assert_eq!(old.spec.target_cpu_utilization_percentage, Some(80));
    let stored = json_of(&v2.get("old").await.unwrap());
    assert_eq!(stored["spec"]["metrics"], created["spec"]["metrics"]);
    assert_eq!(stored["spec"]["minReplicas"], 1);
}

/// v1's CPU target is checked as the v2 metric it becomes, with v2's path.
#[tokio::test]
async fn a_v1_write_is_validated_with_v2_paths() {
    let ctx = setup("hpa-v1-invalid").await;
    let (v1, _) = apis(&ctx);
    let err = v1
        .create(
            &PostParams::default(),
            &typed::<HpaV1>(
                json!({"metadata": {"name": "bad"}, "spec": {"scaleTargetRef": target(),
                "maxReplicas": 3, "targetCPUUtilizationPercentage": 0}}),
            ),
        )
        .await
        .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        "HorizontalPodAutoscaler.autoscaling \"bad\" is invalid: spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"
    );
    assert_eq!(
        causes,
        [(
            "spec.metrics[0].resource.target.averageUtilization".to_owned(),
            "FieldValueInvalid".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_v1_watch_sees_a_v2_write_converted() {
    let ctx = setup("hpa-watch").await;
    let (v1, v2) = apis(&ctx);
    let listed = v1.list(&ListParams::default()).await.unwrap();
    let from = listed.resource_version().unwrap_or("0").to_owned();
    let mut watch = v1
        .watch(&WatchParams::default().from_version(&from))
        .await
        .unwrap();
    v2.create(&PostParams::default(), &memory_hpa("watched"))
        .await
        .unwrap();
    match next_change(&mut watch).await {
        WatchEvent::Added(hpa) => {
            assert_eq!(hpa.metadata.name.as_deref(), Some("watched"));
            assert!(annotation(&hpa, METRICS).is_some_and(|m| m.contains("500Mi")));
        }
        other => panic!("unexpected {other:?}"),
    }
}
