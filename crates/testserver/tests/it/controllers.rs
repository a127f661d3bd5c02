//! The controllers: default ServiceAccount, kube-root-ca.crt, namespace deletion.

use http::Method;
use kubeset_testserver::TestServer;

use crate::support::{admin, namespace};

#[tokio::test]
async fn namespaces_get_their_credentials_and_are_emptied_on_delete() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "ctl").await;
    let ca = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/ctl/configmaps/kube-root-ca.crt",
        None,
    )
    .await
    .json();
    assert_eq!(ca["data"]["ca.crt"], server.ca_pem());
    // the controller repairs a deleted root CA ConfigMap
    admin(
        &server,
        Method::DELETE,
        "/api/v1/namespaces/ctl/configmaps/kube-root-ca.crt",
        None,
    )
    .await;
    let mut back = false;
    for _ in 0..100 {
        if admin(
            &server,
            Method::GET,
            "/api/v1/namespaces/ctl/configmaps/kube-root-ca.crt",
            None,
        )
        .await
        .status
            == 200
        {
            back = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(back);
    let d = admin(&server, Method::DELETE, "/api/v1/namespaces/ctl", None)
        .await
        .json();
    assert_eq!(d["status"]["phase"], "Terminating");
    let mut gone = false;
    for _ in 0..100 {
        if admin(&server, Method::GET, "/api/v1/namespaces/ctl", None)
            .await
            .status
            == 404
        {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "the namespace is removed once empty");
    let a = admin(
        &server,
        Method::GET,
        "/api/v1/namespaces/ctl/configmaps",
        None,
    )
    .await
    .json();
    assert_eq!(a["items"], serde_json::json!([]));
}
