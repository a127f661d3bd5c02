//! API semantics not covered by the transcripts: metadata-only, YAML, dryRun, JSON patch,
//! bookmarks, selectors turning updates into ADDED/DELETED for a watcher.

use std::time::Duration;

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::admin;

fn events(body: &[u8]) -> Vec<Value> {
    body.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

#[tokio::test]
async fn dry_run_and_json_patch() {
    let server = TestServer::start().await.unwrap();
    let cm = json!({"metadata": {"name": "d"}, "data": {"a": "1"}});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps?dryRun=All",
        Some(cm.clone()),
    )
    .await;
    assert_eq!(a.status, 201);
    assert_eq!(
        admin(
            &server,
            Method::GET,
            "/api/v1/namespaces/default/configmaps/d",
            None
        )
        .await
        .status,
        404
    );
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps?dryRun=Some",
        Some(cm.clone()),
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        admin(
            &server,
            Method::POST,
            "/api/v1/namespaces/default/configmaps",
            Some(cm)
        )
        .await
        .status,
        201
    );
    // JSON patch through the raw client (content type set by hand)
    let a = crate::support::send_with_type(
        &server,
        Method::PATCH,
        "/api/v1/namespaces/default/configmaps/d",
        "application/json-patch+json",
        br#"[{"op":"replace","path":"/data/a","value":"2"},{"op":"test","path":"/data/a","value":"2"}]"#.to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    assert_eq!(a.json()["data"]["a"], "2");
    let a = crate::support::send_with_type(
        &server,
        Method::PATCH,
        "/api/v1/namespaces/default/configmaps/d",
        "application/json-patch+json",
        br#"[{"op":"test","path":"/data/a","value":"nope"}]"#.to_vec(),
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json()["message"],
        "the server rejected our request due to an error in our request"
    );
}

#[tokio::test]
async fn metadata_only_and_yaml() {
    let server = TestServer::start().await.unwrap();
    let a = crate::support::send_accept(
        &server,
        "/api/v1/namespaces",
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
    )
    .await;
    let list = a.json();
    assert_eq!(list["kind"], "PartialObjectMetadataList");
    assert_eq!(list["items"][0]["kind"], "PartialObjectMetadata");
    assert!(list["items"][0].get("spec").is_none());
    let a = crate::support::send_accept(&server, "/api/v1/namespaces/default", "application/yaml")
        .await;
    assert_eq!(a.headers["content-type"], "application/yaml");
    assert!(
        String::from_utf8_lossy(&a.body)
            .starts_with("apiVersion: v1\nkind: Namespace\nmetadata:\n")
    );
    let a = crate::support::send_with_type(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        "application/yaml",
        b"metadata:\n  name: from-yaml\ndata:\n  k: v\n".to_vec(),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(a.json()["data"]["k"], "v");
}

#[tokio::test]
async fn watch_bookmarks_and_selector_transitions() {
    let server = TestServer::start().await.unwrap();
    server
        .faults()
        .set_bookmark_interval(Duration::from_millis(200));
    let list = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/configmaps",
        None,
    )
    .await
    .json();
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let cm = json!({"metadata": {"name": "w", "labels": {"sel": "yes"}}});
    admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        Some(cm),
    )
    .await;
    let unlabel = json!({"metadata": {"name": "w", "labels": {"sel": "no"}}});
    admin(
        &server,
        Method::PUT,
        "/api/v1/namespaces/default/configmaps/w",
        Some(unlabel),
    )
    .await;
    let path = format!(
        "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=sel%3Dyes&allowWatchBookmarks=true&resourceVersion={rv}&timeoutSeconds=1"
    );
    let a = admin(&server, Method::GET, &path, None).await;
    let ev = events(&a.body);
    let types: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(&types[..2], ["ADDED", "DELETED"], "{types:?}");
    assert!(
        types[2..].iter().all(|t| *t == "BOOKMARK") && types.len() > 2,
        "{types:?}"
    );
}

#[tokio::test]
async fn malformed_requests_get_errors_not_crashes() {
    let server = TestServer::start().await.unwrap();
    let cases: &[(Method, &str, &str, &[u8])] = &[
        (
            Method::POST,
            "/api/v1/namespaces/default/serviceaccounts/default/token",
            "application/json",
            b"[1]",
        ),
        (
            Method::POST,
            "/api/v1/namespaces/default/configmaps",
            "application/json",
            b"\"x\"",
        ),
        (
            Method::POST,
            "/api/v1/namespaces/default/configmaps",
            "application/vnd.kubernetes.protobuf",
            b"k8s\0\xff\xff",
        ),
        (
            Method::POST,
            "/api/v1/namespaces/default/configmaps",
            "application/yaml",
            b"a: [unclosed",
        ),
        (
            Method::PATCH,
            "/api/v1/namespaces/default",
            "application/merge-patch+json",
            b"\"scalar\"",
        ),
        (
            Method::PATCH,
            "/api/v1/namespaces/default",
            "application/json-patch+json",
            br#"[{"op":"replace","path":"","value":3}]"#,
        ),
        (
            Method::PATCH,
            "/api/v1/namespaces/default",
            "application/strategic-merge-patch+json",
            b"[]",
        ),
        (
            Method::DELETE,
            "/api/v1/namespaces/default/configmaps/kube-root-ca.crt",
            "application/json",
            b"[]",
        ),
    ];
    for (method, path, ct, body) in cases {
        let a =
            crate::support::send_with_type(&server, method.clone(), path, ct, body.to_vec()).await;
        assert!(
            a.status.is_client_error(),
            "{method} {path} {ct}: {} {:?}",
            a.status,
            a.json()
        );
    }
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces/default", None)
            .await
            .status,
        200
    );
}

// kube-apiserver keeps the `kubernetes` Service's Endpoints and EndpointSlice pointing at its
// own advertise address and secure port: what a pod's KUBERNETES_SERVICE_HOST reaches
// through kube-proxy.
#[tokio::test]
async fn the_kubernetes_service_routes_to_the_server_itself() {
    let server = TestServer::start().await.unwrap();
    let port = server.addr().port();
    let svc = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/services/kubernetes",
        None,
    )
    .await
    .json();
    assert_eq!(svc["spec"]["ports"][0]["port"], 443);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], port);
    let endpoints = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/endpoints/kubernetes",
        None,
    )
    .await
    .json();
    assert_eq!(endpoints["subsets"][0]["addresses"][0]["ip"], "127.0.0.1");
    assert_eq!(endpoints["subsets"][0]["ports"][0]["port"], port);
    let slice = admin(
        &server,
        Method::GET,
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes",
        None,
    )
    .await
    .json();
    assert_eq!(
        slice["metadata"]["labels"]["kubernetes.io/service-name"],
        "kubernetes"
    );
    assert_eq!(slice["endpoints"][0]["addresses"][0], "127.0.0.1");
    assert_eq!(slice["ports"][0]["port"], port);
}
