//! Aggregated discovery as kube-apiserver serves it: negotiation, ETag and 304, `Vary`, and a
//! CRD's group appearing once Established and going with the CRD.

use std::time::{Duration, Instant};

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, Who, admin, send_raw};

const V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const CLIENT_GO: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

async fn get(server: &TestServer, path: &str, headers: &[(&str, &str)]) -> Answer {
    let who = Who::Cert(server.admin_cert());
    send_raw(server, &who, Method::GET, path, None, None, headers).await
}

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers.get(name).map_or("", |v| v.to_str().unwrap())
}

#[tokio::test]
async fn roots_are_aggregated_when_asked_for() {
    let server = TestServer::start().await.unwrap();
    let core = get(&server, "/api", &[("accept", CLIENT_GO)]).await;
    assert_eq!(core.status, 200);
    assert_eq!(header(&core, "content-type"), V2);
    assert_eq!(header(&core, "vary"), "Accept");
    assert_eq!(header(&core, "cache-control"), "public");
    let doc = core.json();
    assert_eq!(doc["kind"], "APIGroupDiscoveryList");
    assert_eq!(doc["apiVersion"], "apidiscovery.k8s.io/v2");
    assert_eq!(doc["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        doc["items"][0]["metadata"],
        json!({"creationTimestamp": null})
    );
    let v1 = &doc["items"][0]["versions"][0];
    assert_eq!(
        (v1["version"].as_str(), v1["freshness"].as_str()),
        (Some("v1"), Some("Current"))
    );
    let pods = v1["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "pods")
        .unwrap();
    assert_eq!(
        pods["responseKind"],
        json!({"group": "", "version": "", "kind": "Pod"})
    );
    assert_eq!(pods["scope"], "Namespaced");
    let subs: Vec<&str> = pods["subresources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["subresource"].as_str().unwrap())
        .collect();
    for sub in ["binding", "eviction", "log", "status"] {
        assert!(subs.contains(&sub), "{subs:?}");
    }

    let groups = get(&server, "/apis", &[("accept", CLIENT_GO)]).await.json();
    let apps = groups["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "apps")
        .unwrap();
    let deployments = apps["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deployments")
        .unwrap();
    let scale = deployments["subresources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subresource"] == "scale")
        .unwrap();
    assert_eq!(
        scale["responseKind"],
        json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})
    );

    // v2beta1 for older clients, the legacy documents for plain JSON
    let beta = get(
        &server,
        "/apis",
        &[(
            "accept",
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
        )],
    )
    .await;
    assert_eq!(beta.json()["apiVersion"], "apidiscovery.k8s.io/v2beta1");
    let legacy = get(&server, "/apis", &[("accept", "application/json")]).await;
    assert_eq!(legacy.json()["kind"], "APIGroupList");
    assert_eq!(header(&legacy, "content-type"), "application/json");
}

#[tokio::test]
async fn an_unchanged_document_is_not_sent_again() {
    let server = TestServer::start().await.unwrap();
    let first = get(&server, "/apis", &[("accept", V2)]).await;
    let etag = header(&first, "etag").to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 130,
        "{etag}"
    );
    let again = get(
        &server,
        "/apis",
        &[("accept", V2), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(header(&again, "etag"), etag);
    let other = get(
        &server,
        "/apis",
        &[("accept", V2), ("if-none-match", "\"0\"")],
    )
    .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body, first.body);
}

fn gizmo_crd() -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gizmos.disco.example.com"},
        "spec": {"group": "disco.example.com", "scope": "Cluster",
            "names": {"plural": "gizmos", "kind": "Gizmo", "shortNames": ["gz"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "subresources": {"status": {}}}]}})
}

/// Polls aggregated `/apis` until `pred` holds for the `disco.example.com` group entry.
async fn until_group(
    server: &TestServer,
    pred: impl Fn(Option<&Value>) -> bool,
) -> (Value, String) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let a = get(server, "/apis", &[("accept", V2)]).await;
        let doc = a.json();
        let group = doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["metadata"]["name"] == "disco.example.com")
            .cloned();
        if pred(group.as_ref()) {
            return (group.unwrap_or(Value::Null), header(&a, "etag").to_owned());
        }
        assert!(
            Instant::now() < deadline,
            "discovery never changed: {group:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn established_crds_appear_and_deleted_ones_go() {
    let server = TestServer::start().await.unwrap();
    let (_, before) = until_group(&server, |g| g.is_none()).await;
    let created = admin(
        &server,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(gizmo_crd()),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.json());
    let (group, with_crd) = until_group(&server, |g| g.is_some()).await;
    assert_ne!(before, with_crd, "the ETag follows the document");
    let gizmos = &group["versions"][0]["resources"][0];
    assert_eq!(gizmos["resource"], "gizmos");
    assert_eq!(gizmos["scope"], "Cluster");
    assert_eq!(gizmos["shortNames"], json!(["gz"]));
    assert_eq!(gizmos["subresources"][0]["subresource"], "status");
    let stale = get(
        &server,
        "/apis",
        &[("accept", V2), ("if-none-match", &before)],
    )
    .await;
    assert_eq!(stale.status, 200, "an old ETag gets the new document");

    let deleted = admin(
        &server,
        Method::DELETE,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.disco.example.com",
        None,
    )
    .await;
    assert_eq!(deleted.status, 200);
    until_group(&server, |g| g.is_none()).await;
}
