//! Resource-specific verbs: logs, binding, eviction, cordon, token requests.

use bytes::Bytes;
use futures_util::TryStreamExt;
use kubeset_clientset::{DeleteParams, LogParams, TokenParams};
use serde_json::json;

use crate::support::{bytes, chunked, json, recorded, serve, status};

#[tokio::test]
async fn logs_as_text_stream_and_empty() {
    let server = serve(|seen| {
        if seen.uri.contains("/quiet/") {
            http::Response::builder()
                .status(204)
                .body(http_body_util::BodyExt::boxed(http_body_util::Full::new(
                    Bytes::new(),
                )))
                .unwrap()
        } else if seen.uri.contains("follow=true") {
            chunked(
                200,
                vec![Bytes::from_static(b"one\n"), Bytes::from_static(b"two\n")],
            )
        } else {
            bytes(200, "text/plain", Bytes::from_static(b"hello\nworld\n"))
        }
    })
    .await;
    let pods = server.client.pods("a");
    let lp = LogParams::default()
        .container("c")
        .tail(2)
        .since_seconds(60);
    assert_eq!(pods.logs("p", &lp).await.unwrap(), "hello\nworld\n");
    assert_eq!(pods.logs("quiet", &LogParams::default()).await.unwrap(), "");
    let chunks: Vec<Bytes> = pods
        .log_stream("p", &LogParams::default().follow())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chunks.concat(), b"one\ntwo\n");
    let seen = server.seen();
    assert_eq!(
        seen[0].uri,
        "/api/v1/namespaces/a/pods/p/log?container=c&sinceSeconds=60&tailLines=2"
    );
    assert_eq!(seen[2].uri, "/api/v1/namespaces/a/pods/p/log?follow=true");
    let mut every = LogParams::default().container("c").follow().tail(1);
    every.since_time = Some("2026-05-01T10:00:00Z".into());
    every.limit_bytes = Some(1024);
    every.timestamps = true;
    every.previous = true;
    pods.logs("p", &every).await.unwrap();
    assert_eq!(
        server.seen()[3].uri,
        "/api/v1/namespaces/a/pods/p/log?container=c&follow=true&sinceTime=2026-05-01T10%3A00%3A00Z\
         &tailLines=1&limitBytes=1024&timestamps=true&previous=true"
    );
}

#[tokio::test]
async fn a_bad_container_is_a_bad_request() {
    let body = recorded(
        "pods-log",
        "GET",
        "/api/v1/namespaces/t-pods-log/pods/p1/log?container=zzz",
    );
    let server = serve(move |_| json(400, &body)).await;
    let err = server
        .client
        .pods("t-pods-log")
        .logs("p1", &LogParams::default().container("zzz"))
        .await
        .unwrap_err();
    assert!(err.is_bad_request(), "{err}");
    assert!(
        err.to_string()
            .contains("container zzz is not valid for pod p1")
    );
}

#[tokio::test]
async fn binding_posts_what_a_scheduler_posts() {
    let path = "/api/v1/namespaces/t-pods-binding/pods/p1/binding";
    let answer = recorded("pods-binding", "POST", path);
    let server = serve(move |_| json(201, &answer)).await;
    let status = server
        .client
        .pods("t-pods-binding")
        .bind("p1", "t-pods-binding-node", &Default::default())
        .await
        .unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"));
    let seen = server.one();
    assert_eq!(seen.uri, path);
    let t = crate::support::transcript("pods-binding");
    let sent = t["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["request"]["path"] == path)
        .unwrap()["request"]["body"]
        .clone();
    assert_eq!(seen.json(), sent);
}

#[tokio::test]
async fn eviction_posts_a_policy_v1_eviction() {
    let path = "/api/v1/namespaces/t-pods-eviction/pods/p1/eviction";
    let answer = recorded("pods-eviction", "POST", path);
    let server = serve(move |seen| {
        if seen.uri.contains("/p2/") {
            status(
                429,
                "TooManyRequests",
                "Cannot evict pod as it would violate the pod's disruption budget.",
            )
        } else {
            json(201, &answer)
        }
    })
    .await;
    let pods = server.client.pods("t-pods-eviction");
    pods.evict("p1", &DeleteParams::default()).await.unwrap();
    let err = pods
        .evict("p2", &DeleteParams::default().grace_period(5))
        .await
        .unwrap_err();
    assert!(err.is_too_many_requests(), "{err}");
    let seen = server.seen();
    assert_eq!(seen[0].uri, path);
    assert_eq!(
        seen[0].json(),
        json!({"apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": {"name": "p1", "namespace": "t-pods-eviction"}})
    );
    assert_eq!(seen[1].json()["deleteOptions"]["gracePeriodSeconds"], 5);
}

#[tokio::test]
async fn cordon_and_uncordon_patch_unschedulable() {
    let server = serve(|seen| {
        let unschedulable = seen.json()["spec"]["unschedulable"].clone();
        json(
            200,
            &json!({"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"},
            "spec": {"unschedulable": unschedulable}}),
        )
    })
    .await;
    let node = server.client.nodes().cordon("n").await.unwrap();
    assert_eq!(node.spec.unwrap().unschedulable, Some(true));
    let node = server.client.nodes().uncordon("n").await.unwrap();
    assert_eq!(node.spec.unwrap().unschedulable, None);
    let seen = server.seen();
    assert_eq!(
        seen[0].header("content-type"),
        "application/merge-patch+json"
    );
    assert_eq!(seen[0].json(), json!({"spec": {"unschedulable": true}}));
    assert_eq!(seen[1].json(), json!({"spec": {"unschedulable": null}}));
}

#[tokio::test]
async fn token_requests_return_a_redacted_token() {
    let path = "/api/v1/namespaces/t-tokenrequest/serviceaccounts/default/token";
    let answer = recorded("tokenrequest", "POST", path);
    let server = serve(move |_| json(201, &answer)).await;
    let tp = TokenParams::default()
        .audience("https://example.com")
        .expiration_seconds(600)
        .bound_to_pod("p1", Some("u-1"));
    let issued = server
        .client
        .service_accounts("t-tokenrequest")
        .create_token("default", &tp)
        .await
        .unwrap();
    assert_eq!(issued.token.expose(), "<jwt>");
    assert!(
        !format!("{issued:?}").contains("<jwt>"),
        "the token is redacted in Debug"
    );
    assert!(issued.expiration_timestamp.is_some());
    let seen = server.one();
    assert_eq!(seen.uri, path);
    assert_eq!(
        seen.json(),
        json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": {"audiences": ["https://example.com"], "expirationSeconds": 600,
                "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "p1", "uid": "u-1"}}})
    );
}
