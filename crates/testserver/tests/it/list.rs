//! Large lists through selectors and pagination over one snapshot (speed is measured in release
//! by hand, not asserted here).

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::admin;

#[tokio::test]
async fn thousands_of_objects_list_and_page_consistently() {
    let server = TestServer::start().await.unwrap();
    let n = 3_000;
    // create through the API in parallel batches
    let mut created = 0;
    while created < n {
        let batch: Vec<_> = (created..(created + 200).min(n))
            .map(|i| {
                let body = json!({"metadata": {"name": format!("c{i:05}"), "labels": {"even": (i % 2 == 0).to_string()}}});
                admin(&server, Method::POST, "/api/v1/namespaces/default/configmaps", Some(body))
            })
            .collect();
        for a in futures_util::future::join_all(batch).await {
            assert_eq!(a.status, 201);
        }
        created = (created + 200).min(n);
    }
    let all = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/configmaps",
        None,
    )
    .await
    .json();
    assert_eq!(all["items"].as_array().unwrap().len(), n + 1); // + kube-root-ca.crt
    let even = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/default/configmaps?labelSelector=even%3Dtrue",
        None,
    )
    .await
    .json();
    assert_eq!(even["items"].as_array().unwrap().len(), n / 2);
    // pages of 1000 see one snapshot even while writes go on
    let mut seen = 0;
    let mut path = "/api/v1/namespaces/default/configmaps?limit=1000".to_owned();
    loop {
        let page = admin(&server, Method::GET, &path, None).await.json();
        seen += page["items"].as_array().unwrap().len();
        admin(
            &server,
            Method::POST,
            "/api/v1/namespaces/default/configmaps",
            Some(json!({"metadata": {"generateName": "x-"}})),
        )
        .await;
        match page["metadata"]["continue"].as_str() {
            Some(c) => {
                path = format!("/api/v1/namespaces/default/configmaps?limit=1000&continue={c}")
            }
            None => break,
        }
    }
    assert_eq!(seen, n + 1);
}
