//! pods/log without a kubelet: 204 for unscheduled pods, validation, bound pods.

use http::Method;
use serde_json::json;

use super::*;

#[tokio::test]
async fn logs_without_a_kubelet() {
    let server = server().await;
    create_pod(&server, "one", json!({}), &["c"]).await;
    create_pod(&server, "two", json!({}), &["a", "b"]).await;

    let a = admin(
        &server,
        Method::GET,
        &pods_path("/one/log?follow=true"),
        None,
    )
    .await;
    assert_eq!(a.status, 204);
    assert!(a.body.is_empty());
    assert!(a.headers.get("content-type").is_none());
    check(
        &admin(&server, Method::GET, &pods_path("/two/log"), None).await,
        400,
        "a container name must be specified for pod two, choose one of: [a b]",
    );
    assert_eq!(
        admin(
            &server,
            Method::GET,
            &pods_path("/two/log?container=b"),
            None
        )
        .await
        .status,
        204
    );
    check(
        &admin(
            &server,
            Method::GET,
            &pods_path("/one/log?tailLines=x"),
            None,
        )
        .await,
        400,
        "strconv.ParseInt: parsing \"x\": invalid syntax",
    );
    let both = "/one/log?sinceSeconds=10&sinceTime=2024-01-01T00:00:00Z";
    let a = admin(&server, Method::GET, &pods_path(both), None).await;
    assert_eq!(a.status, 422, "{}", a.json());
    assert_eq!(a.json()["details"]["kind"], "PodLogOptions");
    // validation comes before the pod lookup
    check(
        &admin(
            &server,
            Method::GET,
            &pods_path("/nope/log?limitBytes=0"),
            None,
        )
        .await,
        422,
        "PodLogOptions \"nope\" is invalid: limitBytes: Invalid value: 0: must be greater than 0",
    );

    // bound to a node that does not exist: the node's 404
    assert_eq!(
        bind(&server, "one", binding("one", "ghost")).await.status,
        201
    );
    check(
        &admin(&server, Method::GET, &pods_path("/one/log"), None).await,
        404,
        "nodes \"ghost\" not found",
    );
    // bound to a node with an address: the kubelet does not answer
    let node = json!({"metadata": {"name": "n1"},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.1.2.3"}]}});
    let a = admin(&server, Method::POST, "/api/v1/nodes", Some(node)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(bind(&server, "two", binding("two", "n1")).await.status, 201);
    check(
        &admin(
            &server,
            Method::GET,
            &pods_path("/two/log?container=a&tailLines=5"),
            None,
        )
        .await,
        500,
        &format!(
            "Get \"https://10.1.2.3:10250/containerLogs/{NS}/two/a?tailLines=5\": dial tcp 10.1.2.3:10250: connect: connection refused"
        ),
    );
}
