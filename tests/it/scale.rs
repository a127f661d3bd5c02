//! The scale subresource of deployments, replicasets and statefulsets: reads with the selector
//! as a string, writes, optimistic concurrency and validation with the real server's messages.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use kubeset::clientset::{Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::setup;

fn workload<K: serde::de::DeserializeOwned>(kind: &str, name: &str) -> K {
    let mut spec = json!({
        "replicas": 2,
        "selector": {"matchLabels": {"app": name}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]},
        "template": {"metadata": {"labels": {"app": name, "tier": "web"}},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}},
    });
    if kind == "StatefulSet" {
        spec["serviceName"] = json!(name);
    }
    serde_json::from_value(
        json!({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}),
    )
    .unwrap()
}

#[tokio::test]
async fn deployments_scale_with_conflicts_and_validation() {
    let ctx = setup("scale-deploy").await;
    let deployments = ctx.client.deployments(&ctx.ns);
    deployments
        .create(
            &PostParams::default(),
            &workload::<Deployment>("Deployment", "web"),
        )
        .await
        .unwrap();
    let scale = deployments.get_scale("web").await.unwrap();
    assert_eq!(scale.spec.as_ref().and_then(|s| s.replicas), Some(2));
    let status = scale.status.as_ref().unwrap();
    assert_eq!(
        status.selector.as_deref(),
        Some("app=web,tier in (api,web)")
    );
    assert_eq!(scale.metadata.name.as_deref(), Some("web"));
    let read_rv = scale.metadata.resource_version.clone().unwrap();

    let scaled = deployments.scale("web", 5).await.unwrap();
    assert_eq!(scaled.spec.as_ref().and_then(|s| s.replicas), Some(5));
    let stored = deployments.get("web").await.unwrap();
    assert_eq!(stored.spec.replicas, Some(5));
    assert_ne!(
        stored.metadata.resource_version.as_deref(),
        Some(read_rv.as_str())
    );

    // a Scale read before the change carries the old resourceVersion: 409
    let mut stale = scale.clone();
    stale.spec.get_or_insert_default().replicas = Some(1);
    let err = deployments
        .replace_scale("web", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.code, api.reason()), (409, "Conflict"));
    assert_eq!(
        api.message(),
        "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
    );

    // a fresh one goes through
    let mut fresh = deployments.get_scale("web").await.unwrap();
    fresh.spec.get_or_insert_default().replicas = Some(1);
    let replaced = deployments
        .replace_scale("web", &PostParams::default(), &fresh)
        .await
        .unwrap();
    assert_eq!(replaced.spec.and_then(|s| s.replicas), Some(1));

    let err = deployments
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": -1}})),
        )
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.code, api.reason()), (422, "Invalid"));
    assert_eq!(
        api.message(),
        "Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    );
    let err = deployments.get_scale("missing").await.unwrap_err();
    assert_eq!(err.api().unwrap().code, 404);
}

#[tokio::test]
async fn replicasets_and_statefulsets_scale_too() {
    let ctx = setup("scale-sets").await;
    let sets = ctx.client.replica_sets(&ctx.ns);
    sets.create(
        &PostParams::default(),
        &workload::<ReplicaSet>("ReplicaSet", "rs"),
    )
    .await
    .unwrap();
    assert_eq!(
        sets.scale("rs", 0)
            .await
            .unwrap()
            .spec
            .and_then(|s| s.replicas),
        Some(0)
    );
    assert_eq!(sets.get("rs").await.unwrap().spec.replicas, Some(0));

    let stateful = ctx.client.stateful_sets(&ctx.ns);
    stateful
        .create(
            &PostParams::default(),
            &workload::<StatefulSet>("StatefulSet", "db"),
        )
        .await
        .unwrap();
    let scale = stateful.scale("db", 3).await.unwrap();
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(3));
    assert_eq!(
        scale.status.and_then(|s| s.selector).as_deref(),
        Some("app=db,tier in (api,web)")
    );
    assert_eq!(stateful.get("db").await.unwrap().spec.replicas, Some(3));
}
