//! Every typed handle of the client (namespaced, all-namespaces, cluster-scoped), the generic
//! handle and the dynamic handle found through discovery: create, get, list, delete.

use std::fmt::Debug;

use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};
use kubeset::clientset::{Api, ApiResource, DeleteParams, ListParams, PostParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::support::setup;

/// Creates `manifest` through `api`, reads it back by name and by list (through `all` too,
/// when given), deletes it and checks it is gone (or going).
async fn check<K>(api: &Api<K>, all: Option<&Api<K>>, manifest: Value)
where
    K: Resource + Metadata<Ty = ObjectMeta> + Serialize + DeserializeOwned + Debug + Send + 'static,
{
    let object: K = serde_json::from_value(manifest).unwrap();
    let name = object.metadata().name.clone().unwrap();
    let created = api
        .create(&PostParams::default(), &object)
        .await
        .unwrap_or_else(|err| panic!("create {} {name}: {err}", K::KIND));
    assert!(created.metadata().uid.is_some(), "{} {created:?}", K::KIND);

    let got = api.get(&name).await.unwrap();
    assert_eq!(got.metadata().uid, created.metadata().uid, "{}", K::KIND);

    let by_name = ListParams::default().fields(&format!("metadata.name={name}"));
    let listed = api.list(&by_name).await.unwrap();
    assert_eq!(listed.items.len(), 1, "{} list by name", K::KIND);
    if let Some(all) = all {
        let listed = all.list(&by_name).await.unwrap();
        assert!(
            listed
                .iter()
                .any(|o| o.metadata().uid == created.metadata().uid),
            "{} across all namespaces",
            K::KIND
        );
    }

    api.delete(&name, &DeleteParams::default()).await.unwrap();
    if let Some(left) = api.get_opt(&name).await.unwrap() {
        // Namespaces (and objects with finalizers) go away in the background.
        assert!(
            left.metadata().deletion_timestamp.is_some(),
            "{} {left:?}",
            K::KIND
        );
    }
}

#[tokio::test]
async fn namespaced_handles() {
    let ctx = setup("handles-ns").await;
    let c = &ctx.client;
    let ns = ctx.ns.as_str();
    check(
        &c.pods(ns),
        Some(&c.all_pods()),
        json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]},
        }),
    )
    .await;
    check(
        &c.config_maps(ns),
        Some(&c.all_config_maps()),
        json!({
            "metadata": {"name": "cm"}, "data": {"k": "v"},
        }),
    )
    .await;
    check(
        &c.secrets(ns),
        Some(&c.all_secrets()),
        json!({
            "metadata": {"name": "s"}, "type": "Opaque", "stringData": {"password": "hunter2"},
        }),
    )
    .await;
    check(
        &c.service_accounts(ns),
        Some(&c.all_service_accounts()),
        json!({
            "metadata": {"name": "sa"},
        }),
    )
    .await;
    check(
        &c.services(ns),
        Some(&c.all_services()),
        json!({
            "metadata": {"name": "svc"},
            "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "selector": {"app": "x"}},
        }),
    )
    .await;
    check(
        &c.events(ns),
        Some(&c.all_events()),
        json!({
            "metadata": {"name": "ev"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": ns, "apiVersion": "v1"},
            "reason": "Testing", "message": "an e2e event", "type": "Normal",
            "source": {"component": "kubeset-e2e"},
        }),
    )
    .await;
    check(&c.leases(ns), Some(&c.all_leases()), json!({
        "metadata": {"name": "lease"}, "spec": {"holderIdentity": "me", "leaseDurationSeconds": 15},
    }))
    .await;
    check(
        &c.persistent_volume_claims(ns),
        Some(&c.all_persistent_volume_claims()),
        json!({
            "metadata": {"name": "claim"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }),
    )
    .await;
}

#[tokio::test]
async fn cluster_scoped_handles() {
    let ctx = setup("handles-cluster").await;
    let c = &ctx.client;
    let suffix = ctx.ns.as_str();
    check(
        &c.persistent_volumes(),
        None,
        json!({
            "metadata": {"name": format!("pv-{suffix}")},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"],
                "hostPath": {"path": "/tmp/kubeset-e2e"},
                "persistentVolumeReclaimPolicy": "Retain",
            },
        }),
    )
    .await;
    check(
        &c.storage_classes(),
        None,
        json!({
            "metadata": {"name": format!("sc-{suffix}")},
            "provisioner": "kubernetes.io/no-provisioner",
            "volumeBindingMode": "WaitForFirstConsumer",
        }),
    )
    .await;
    check(
        &c.nodes(),
        None,
        json!({"metadata": {"name": format!("node-{suffix}")}}),
    )
    .await;
    check(
        &c.namespaces(),
        None,
        json!({"metadata": {"name": format!("{suffix}-x")}}),
    )
    .await;
    // Any k8s-openapi type through the generic handle.
    check(
        &Api::<PriorityClass>::cluster(c.clone()),
        None,
        json!({
            "metadata": {"name": format!("pc-{suffix}")}, "value": 1000,
        }),
    )
    .await;
}

#[tokio::test]
async fn dynamic_handle_through_discovery() {
    let ctx = setup("handles-dynamic").await;
    let discovery = ctx.client.discover().await.unwrap();
    assert!(discovery.failed.is_empty(), "{:?}", discovery.failed);
    let cms = discovery.resolve_kind("", "ConfigMap").unwrap().clone();
    assert!(cms.namespaced);
    assert_eq!(cms.plural, "configmaps");
    // `kubectl get all`: pods and services are in the category, configmaps are not
    let all: Vec<&str> = discovery
        .resolve_category("all")
        .iter()
        .map(|r| r.plural.as_str())
        .collect();
    assert!(
        all.contains(&"pods") && all.contains(&"services"),
        "{all:?}"
    );
    assert!(!all.contains(&"configmaps"), "{all:?}");
    let leases = ctx
        .client
        .resolve("coordination.k8s.io", "v1", "Lease")
        .await
        .unwrap();
    assert!(leases.namespaced);

    let api = Api::dynamic_namespaced(ctx.client.clone(), &cms, &ctx.ns).unwrap();
    let created = api
        .create(
            &PostParams::default(),
            &json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "dyn"}, "data": {"k": "v"},
            }),
        )
        .await
        .unwrap();
    assert!(created["metadata"]["uid"].is_string(), "{created}");
    let got = api.get("dyn").await.unwrap();
    assert_eq!(got["data"]["k"], "v");
    let list = api.list(&ListParams::default()).await.unwrap();
    assert!(list.iter().any(|o| o["metadata"]["name"] == "dyn"));
    assert!(Api::dynamic_cluster(ctx.client.clone(), &cms).is_err());
    let by_hand = ApiResource::namespaced_of::<k8s_openapi::api::core::v1::ConfigMap>();
    assert_eq!(by_hand.plural, cms.plural);
    api.delete("dyn", &DeleteParams::default()).await.unwrap();
    assert!(api.get_opt("dyn").await.unwrap().is_none());
}
