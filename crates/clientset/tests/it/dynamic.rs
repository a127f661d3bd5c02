//! Discovery and the dynamic handle.

use kubeset_clientset::{Api, ApiResource, Error};
use serde_json::json;

use crate::support::{json, recorded, serve, status};

async fn discovery_server() -> crate::support::Server {
    let mut known = std::collections::HashMap::new();
    for (t, path) in [
        ("discovery-core", "/api"),
        ("discovery-core", "/api/v1"),
        ("discovery-groups", "/apis"),
        ("discovery-groups", "/apis/storage.k8s.io/v1"),
        ("discovery-groups", "/apis/coordination.k8s.io/v1"),
        ("discovery-groups", "/apis/policy/v1"),
    ] {
        known.insert(path.to_string(), recorded(t, "GET", path));
    }
    serve(move |seen| match known.get(&seen.uri) {
        Some(body) => json(200, body),
        None => status(503, "ServiceUnavailable", "aggregated API down"),
    })
    .await
}

#[tokio::test]
async fn discovery_resolves_kinds_names_and_scopes() {
    let server = discovery_server().await;
    let discovery = server.client.discover().await.unwrap();
    let pods = discovery.resolve_kind("", "Pod").unwrap();
    assert_eq!((pods.plural.as_str(), pods.namespaced), ("pods", true));
    let pvc = discovery.resolve_name("pvc").unwrap();
    assert_eq!(pvc.kind, "PersistentVolumeClaim");
    let sc = discovery
        .resolve_name("storageclasses.storage.k8s.io")
        .unwrap();
    assert_eq!(
        (sc.api_version.as_str(), sc.namespaced),
        ("storage.k8s.io/v1", false)
    );
    let lease = discovery
        .resolve_gvk("coordination.k8s.io", "v1", "Lease")
        .unwrap();
    assert!(lease.namespaced);
    let pdb = discovery
        .resolve_kind("policy", "PodDisruptionBudget")
        .unwrap();
    assert_eq!(pdb.plural, "poddisruptionbudgets");
    let pod_entry = discovery
        .resources
        .iter()
        .find(|r| r.resource.kind == "Pod")
        .unwrap();
    for sub in ["status", "log", "binding", "eviction"] {
        assert!(
            pod_entry.subresources.iter().any(|s| s == sub),
            "{sub}: {:?}",
            pod_entry.subresources
        );
    }
    assert!(pod_entry.short_names.iter().any(|s| s == "po"));
    // Groups the canned server does not serve fail alone, as with a down aggregated API.
    assert!(!discovery.failed.is_empty());
    assert!(discovery.failed.iter().all(|(_, e)| e.is_server_error()));
    assert!(discovery.resolve_kind("apps", "NoSuchKind").is_none());
}

#[tokio::test]
async fn resolve_fetches_one_group_version() {
    let server = discovery_server().await;
    let lease = server
        .client
        .resolve("coordination.k8s.io", "v1", "Lease")
        .await
        .unwrap();
    assert_eq!(
        lease,
        ApiResource::new("coordination.k8s.io", "v1", "Lease", "leases", true)
    );
    let err = server
        .client
        .resolve("coordination.k8s.io", "v1", "Nope")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::UnknownResource { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the API server offers no resource coordination.k8s.io/v1 Nope"
    );
}

#[tokio::test]
async fn dynamic_handles_speak_json_values() {
    let server = serve(|seen| match seen.method.as_str() {
        "GET" if seen.uri.ends_with("/d1") => json(200, &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d1"}})),
        "GET" => json(200, &json!({"apiVersion": "apps/v1", "kind": "DeploymentList", "metadata": {}, "items": [{"metadata": {"name": "d1"}}]})),
        _ => json(201, &seen.json()),
    })
    .await;
    let deployments = ApiResource::new("apps", "v1", "Deployment", "deployments", true);
    let api = Api::dynamic_namespaced(server.client.clone(), &deployments, "a").unwrap();
    assert_eq!(api.get("d1").await.unwrap()["metadata"]["name"], "d1");
    let list = api.list(&Default::default()).await.unwrap();
    assert_eq!(
        (list.api_version.as_str(), list.kind.as_str()),
        ("apps/v1", "DeploymentList")
    );
    // As client-go does for unstructured lists, items get the list's apiVersion and kind.
    assert_eq!(
        list.items,
        [json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d1"}})]
    );
    let created = api
        .create(
            &Default::default(),
            &json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d2"}}),
        )
        .await
        .unwrap();
    assert_eq!(created["metadata"]["name"], "d2");
    let uris: Vec<_> = server.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(
        uris,
        [
            "/apis/apps/v1/namespaces/a/deployments/d1",
            "/apis/apps/v1/namespaces/a/deployments",
            "/apis/apps/v1/namespaces/a/deployments",
        ]
    );
    let err = Api::dynamic_cluster(server.client.clone(), &deployments).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Deployment is namespaced, so it has no cluster-scoped handle"
    );
    let nodes = ApiResource::cluster_of::<k8s_openapi::api::core::v1::Node>();
    assert!(Api::dynamic_namespaced(server.client.clone(), &nodes, "a").is_err());
    assert_eq!(
        Api::dynamic_all(server.client.clone(), &deployments).collection_path(),
        "/apis/apps/v1/deployments"
    );
}
