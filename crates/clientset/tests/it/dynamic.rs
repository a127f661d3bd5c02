//! Discovery and the dynamic handle.

use kubeset_clientset::{Api, ApiResource, Error};
use serde_json::json;

use crate::support::{bytes, json, recorded, serve, status};

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
    // the roots were asked for in aggregated form first, as client-go asks
    let first = &server.seen()[0];
    assert_eq!(first.uri, "/api");
    assert_eq!(
        first.header("accept"),
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
    );
}

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// `/api` and `/apis` in aggregated form; any other request fails the test's expectations.
async fn aggregated_server() -> crate::support::Server {
    let core = json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
        "items": [{"metadata": {"creationTimestamp": null}, "versions": [{"version": "v1", "freshness": "Current", "resources": [
            {"resource": "pods", "responseKind": {"group": "", "version": "", "kind": "Pod"}, "scope": "Namespaced",
             "singularResource": "pod", "verbs": ["get", "list"], "shortNames": ["po"], "categories": ["all"],
             "subresources": [{"subresource": "log", "responseKind": {"group": "", "version": "", "kind": "Pod"}, "verbs": ["get"]}]}]}]}]});
    let groups = json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
    "items": [
        {"metadata": {"name": "apps", "creationTimestamp": null}, "versions": [{"version": "v1", "freshness": "Current", "resources": [
            {"resource": "deployments", "responseKind": {"group": "", "version": "", "kind": "Deployment"}, "scope": "Namespaced",
             "singularResource": "deployment", "verbs": ["get"], "shortNames": ["deploy"],
             "subresources": [{"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": ["get", "update"]}]}]}]},
        {"metadata": {"name": "metrics.k8s.io", "creationTimestamp": null}, "versions": [{"version": "v1beta1", "freshness": "Stale"}]},
        {"metadata": {"name": "example.com", "creationTimestamp": null}, "versions": [
            {"version": "v2", "freshness": "Current", "resources": [
                {"resource": "backups", "responseKind": {"group": "example.com", "version": "v2", "kind": "Backup"}, "scope": "Cluster",
                 "singularResource": "backup", "verbs": ["get"]}]},
            {"version": "v1", "freshness": "Current", "resources": [
                {"resource": "backups", "responseKind": {"group": "example.com", "version": "v1", "kind": "Backup"}, "scope": "Cluster",
                 "singularResource": "backup", "verbs": ["get"]}]}]}
    ]});
    serve(move |seen| match seen.uri.as_str() {
        "/api" => bytes(200, AGGREGATED, serde_json::to_vec(&core).unwrap().into()),
        "/apis" => bytes(200, AGGREGATED, serde_json::to_vec(&groups).unwrap().into()),
        _ => status(404, "NotFound", "not asked for in aggregated discovery"),
    })
    .await
}

#[tokio::test]
async fn aggregated_discovery_needs_two_requests() {
    let server = aggregated_server().await;
    let discovery = server.client.discover().await.unwrap();
    let uris: Vec<_> = server.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(uris, ["/api", "/apis"]);
    assert!(discovery.fresh);
    let pods = discovery.resolve_name("po").unwrap();
    assert_eq!((pods.api_version.as_str(), pods.namespaced), ("v1", true));
    let deploy = discovery
        .resources
        .iter()
        .find(|r| r.resource.kind == "Deployment")
        .unwrap();
    assert_eq!(deploy.subresources, ["scale"]);
    assert_eq!(deploy.resource.api_version, "apps/v1");
    // the first listed version is the preferred one
    let backup = discovery.resolve_kind("example.com", "Backup").unwrap();
    assert_eq!(backup.version, "v2");
    assert!(!backup.namespaced);
    assert!(
        discovery
            .resolve_gvk("example.com", "v1", "Backup")
            .is_some()
    );
    // a stale group-version fails alone
    assert_eq!(discovery.failed.len(), 1, "{:?}", discovery.failed);
    let (gv, err) = &discovery.failed[0];
    assert_eq!(gv, "metrics.k8s.io/v1beta1");
    assert!(matches!(err, Error::StaleDiscovery { .. }), "{err:?}");
}

#[tokio::test]
async fn the_disk_cache_answers_until_it_expires() {
    let server = aggregated_server().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = kubeset_clientset::DiscoveryCache::for_server(dir.path(), "http://127.0.0.1:1");
    let first = server.client.discover_cached(&cache).await.unwrap();
    assert!(first.fresh);
    let host = dir.path().join("discovery/127.0.0.1_1");
    let groups: serde_json::Value =
        serde_json::from_slice(&std::fs::read(host.join("servergroups.json")).unwrap()).unwrap();
    assert_eq!(groups["kind"], "APIGroupList");
    assert_eq!(groups["groups"][0]["name"], "", "core first: {groups}");
    assert_eq!(groups["groups"][3]["preferredVersion"]["version"], "v2");
    for gv in ["v1", "apps/v1", "example.com/v1", "example.com/v2"] {
        assert!(host.join(gv).join("serverresources.json").exists(), "{gv}");
    }
    assert!(
        !host.join("metrics.k8s.io").exists(),
        "stale versions are not cached"
    );
    let asked = server.seen().len();

    let second = server.client.discover_cached(&cache).await.unwrap();
    assert!(!second.fresh);
    assert_eq!(server.seen().len(), asked, "every file was used");
    assert_eq!(second.resolve_name("deploy"), first.resolve_name("deploy"));
    assert_eq!(second.resources, first.resources);

    // a missing file is fetched alone: aggregated roots again, the others stay files
    std::fs::remove_file(host.join("apps/v1/serverresources.json")).unwrap();
    let third = server.client.discover_cached(&cache).await.unwrap();
    assert!(!third.fresh);
    assert!(third.resolve_kind("apps", "Deployment").is_some());
    assert!(host.join("apps/v1/serverresources.json").exists());

    // asked fresh (kubectl after a miss), every file is written again from the server
    std::fs::remove_dir_all(host.join("apps")).unwrap();
    let refreshed = server.client.rediscover_cached(&cache).await.unwrap();
    assert!(refreshed.fresh);
    assert!(host.join("apps/v1/serverresources.json").exists());

    // with a zero TTL every file is stale and the server is asked
    let before = server.seen().len();
    let expired = cache.clone().with_ttl(std::time::Duration::ZERO);
    let fourth = server.client.discover_cached(&expired).await.unwrap();
    assert!(fourth.fresh);
    assert_eq!(server.seen().len(), before + 2);
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
