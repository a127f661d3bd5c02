//! ResourceQuota enforcement: the quota controller fills in `status`, and the admission plugin
//! refuses what would exceed it, with the real messages.
//!
//! A real controller acts a moment after a change, so each test waits (with a deadline) for the
//! status it needs before creating what the quota limits. Pods name a scheduler that does not
//! exist, so on a real cluster they stay Pending (and still count).

use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, ResourceQuota};
use kubeset::clientset::{Api, DeleteParams, PostParams};
use serde_json::json;
use tokio::time::Instant;

use crate::support::objects::{config_map, pod};
use crate::support::{Ctx, setup};

const WAIT: Duration = Duration::from_secs(30);

/// An unscheduled pod `name`, its container `c` with `resources` (JSON) when given.
fn quota_pod(name: &str, resources: Option<serde_json::Value>) -> Pod {
    let mut value = serde_json::to_value(pod(name, &[])).unwrap();
    value["spec"]["schedulerName"] = json!("nobody");
    if let Some(r) = resources {
        value["spec"]["containers"][0]["resources"] = r;
    }
    serde_json::from_value(value).unwrap()
}

/// Creates quota `name` limiting `hard`.
async fn create_quota(ctx: &Ctx, name: &str, hard: serde_json::Value) -> Api<ResourceQuota> {
    let quotas = Api::<ResourceQuota>::namespaced(ctx.client.clone(), &ctx.ns);
    let quota: ResourceQuota =
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": {"hard": hard}}))
            .unwrap();
    quotas.create(&PostParams::default(), &quota).await.unwrap();
    quotas
}

/// Polls quota `name` until `status.used[resource]` is `want`; panics after [`WAIT`].
async fn wait_used(quotas: &Api<ResourceQuota>, name: &str, resource: &str, want: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let q = quotas.get(name).await.unwrap();
        let status = q.status.unwrap_or_default();
        let used = status.used.unwrap_or_default();
        let hard = status.hard.unwrap_or_default();
        if hard.contains_key(resource) && used.get(resource).map(|q| q.0.as_str()) == Some(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{name}: used {resource} not {want} within {WAIT:?}: {used:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn pods_up_to_the_quota_then_refused_until_one_goes() {
    let ctx = setup("quota-pods").await;
    let quotas = create_quota(&ctx, "two-pods", json!({"pods": "2"})).await;
    wait_used(&quotas, "two-pods", "pods", "0").await;
    let pods = ctx.client.pods(&ctx.ns);
    for name in ["p0", "p1"] {
        pods.create(&PostParams::default(), &quota_pod(name, None))
            .await
            .unwrap();
    }

    let err = pods
        .create(&PostParams::default(), &quota_pod("p2", None))
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert_eq!(
        err.api().unwrap().message(),
        "pods \"p2\" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2"
    );

    pods.delete("p0", &DeleteParams::default()).await.unwrap();
    wait_used(&quotas, "two-pods", "pods", "1").await;
    pods.create(&PostParams::default(), &quota_pod("p2", None))
        .await
        .unwrap();
    wait_used(&quotas, "two-pods", "pods", "2").await;
}

#[tokio::test]
async fn compute_quotas_need_requests_and_add_them_up() {
    let ctx = setup("quota-cpu").await;
    let quotas = create_quota(
        &ctx,
        "cpu",
        json!({"requests.cpu": "1", "limits.memory": "1Gi"}),
    )
    .await;
    wait_used(&quotas, "cpu", "requests.cpu", "0").await;
    let pods = ctx.client.pods(&ctx.ns);

    let err = pods
        .create(&PostParams::default(), &quota_pod("bare", None))
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        "pods \"bare\" is forbidden: failed quota: cpu: must specify limits.memory for: c; requests.cpu for: c"
    );

    let sized = |cpu: &str| {
        Some(json!({"requests": {"cpu": cpu}, "limits": {"cpu": cpu, "memory": "256Mi"}}))
    };
    pods.create(&PostParams::default(), &quota_pod("a", sized("600m")))
        .await
        .unwrap();
    let err = pods
        .create(&PostParams::default(), &quota_pod("b", sized("500m")))
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        "pods \"b\" is forbidden: exceeded quota: cpu, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1"
    );
    wait_used(&quotas, "cpu", "limits.memory", "256Mi").await;
}

#[tokio::test]
async fn object_counts_include_what_the_namespace_already_holds() {
    let ctx = setup("quota-count").await;
    let quotas = create_quota(&ctx, "maps", json!({"count/configmaps": "2"})).await;
    // the namespace's kube-root-ca.crt ConfigMap counts
    wait_used(&quotas, "maps", "count/configmaps", "1").await;
    let maps = ctx.client.config_maps(&ctx.ns);
    maps.create(&PostParams::default(), &config_map("a", &[], &[]))
        .await
        .unwrap();
    let err = maps
        .create(&PostParams::default(), &config_map("b", &[], &[]))
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        "configmaps \"b\" is forbidden: exceeded quota: maps, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2"
    );
}
