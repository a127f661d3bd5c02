//! Fault injection hooks.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::{Who, admin, send};

#[tokio::test]
async fn throttling_and_server_errors() {
    let server = TestServer::start().await.unwrap();
    server.faults().throttle_next(1, 7);
    let a = admin(&server, Method::GET, "/api/v1/namespaces", None).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.headers["retry-after"], "7");
    assert_eq!(a.json()["reason"], "TooManyRequests");
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        200
    );
    server.faults().fail_next(2, 503);
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        503
    );
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        503
    );
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn compacted_history_answers_410_to_old_watches() {
    let server = TestServer::start().await.unwrap();
    let cm = json!({"metadata": {"name": "a"}, "data": {"x": "1"}});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        Some(cm),
    )
    .await;
    let rv = a.json()["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = json!({"metadata": {"name": "b"}});
    admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/configmaps",
        Some(b),
    )
    .await;
    server.faults().compact_history();
    let path = format!(
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1"
    );
    let a = admin(&server, Method::GET, &path, None).await;
    assert_eq!(a.status, 200);
    let event: serde_json::Value =
        serde_json::from_slice(a.body.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(event["type"], "ERROR");
    assert_eq!(event["object"]["code"], 410);
}

#[tokio::test]
async fn expired_tokens_are_rejected() {
    let server = TestServer::start().await.unwrap();
    let env = server
        .service_account_env("default", "default")
        .await
        .unwrap();
    let t = env.token().expose().to_owned();
    assert_eq!(
        send(&server, Who::Token(&t), Method::GET, "/api", None)
            .await
            .status,
        200
    );
    server.faults().expire_tokens();
    assert_eq!(
        send(&server, Who::Token(&t), Method::GET, "/api", None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn closing_watches_ends_the_stream() {
    let server = TestServer::start().await.unwrap();
    let faults = server.faults();
    let closer = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        faults.close_watches();
    });
    // without the fault this watch would run for an hour
    let a = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=3600",
        None,
    )
    .await;
    closer.await.unwrap();
    assert_eq!(a.status, 200);
    assert!(String::from_utf8_lossy(&a.body).contains("\"ADDED\""));
}
