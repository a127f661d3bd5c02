//! Impersonation over the wire: `Impersonate-*` headers are authorized with the `impersonate`
//! verb and the request then runs as the impersonated user; the namespaced bootstrap roles exist.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use super::sa_token;
use super::{admin_create, assert_forbidden, binding, call_with, denied, rbac_path, role, rule};
use crate::support::{Who, namespace};

#[tokio::test]
async fn admin_impersonating_a_service_account_is_judged_as_that_account() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "imp").await;
    let admin = Who::Cert(server.admin_cert());
    let a = call_with(
        &server,
        &admin,
        Method::GET,
        "/api/v1/nodes",
        None,
        None,
        &[("Impersonate-User", "system:serviceaccount:imp:worker")],
    )
    .await;
    assert_forbidden(
        &a,
        &format!(
            "nodes is forbidden: {}",
            denied("system:serviceaccount:imp:worker", "list", "nodes", "", "")
        ),
        json!({"kind": "nodes"}),
    );
    // without the header the same certificate may list nodes
    let a = call_with(
        &server,
        &admin,
        Method::GET,
        "/api/v1/nodes",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn impersonation_needs_the_impersonate_verb() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "imp").await;
    let token = sa_token(&server, "imp", "plain").await;
    let sa = Who::Token(&token);
    let header = [("Impersonate-User", "jane")];
    let a = call_with(
        &server,
        &sa,
        Method::GET,
        "/api/v1/nodes",
        None,
        None,
        &header,
    )
    .await;
    assert_forbidden(
        &a,
        &format!(
            "users \"jane\" is forbidden: {}",
            denied(
                "system:serviceaccount:imp:plain",
                "impersonate",
                "users",
                "",
                ""
            )
        ),
        json!({"name": "jane", "kind": "users"}),
    );

    // granted `impersonate users`, the request runs as jane, who may do nothing
    admin_create(
        &server,
        &rbac_path("", "clusterroles"),
        &[role(
            "",
            "imp-users",
            json!([rule(&[""], &["users"], &["impersonate"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("", "clusterrolebindings"),
        &[binding(
            "",
            "imp-users",
            "ClusterRole",
            "imp-users",
            json!([{"kind": "ServiceAccount", "name": "plain", "namespace": "imp"}]),
        )],
    )
    .await;
    let a = call_with(
        &server,
        &sa,
        Method::GET,
        "/api/v1/nodes",
        None,
        None,
        &header,
    )
    .await;
    assert_forbidden(
        &a,
        &format!(
            "nodes is forbidden: {}",
            denied("jane", "list", "nodes", "", "")
        ),
        json!({"kind": "nodes"}),
    );
}

#[tokio::test]
async fn the_namespaced_bootstrap_roles_exist() {
    let server = TestServer::start().await.unwrap();
    let admin = Who::Cert(server.admin_cert());
    for (ns, resource, name) in [
        (
            "kube-system",
            "roles",
            "extension-apiserver-authentication-reader",
        ),
        (
            "kube-system",
            "rolebindings",
            "system::leader-locking-kube-scheduler",
        ),
        ("kube-public", "roles", "system:controller:bootstrap-signer"),
    ] {
        let path = format!("{}/{name}", rbac_path(ns, resource));
        let a = call_with(&server, &admin, Method::GET, &path, None, None, &[]).await;
        assert_eq!(a.status, 200, "{path}: {:?}", a.json());
        assert_eq!(
            a.json()["metadata"]["labels"]["kubernetes.io/bootstrapping"],
            "rbac-defaults",
            "{path}"
        );
    }
}

#[tokio::test]
async fn groups_without_a_user_are_the_filters_plain_text_500() {
    let server = TestServer::start().await.unwrap();
    let admin = Who::Cert(server.admin_cert());
    let a = call_with(
        &server,
        &admin,
        Method::GET,
        "/api/v1/nodes?limit=1&labelSelector=a",
        None,
        None,
        &[("Impersonate-Group", "devs")],
    )
    .await;
    assert_eq!(a.status, 500);
    assert_eq!(
        a.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        String::from_utf8_lossy(&a.body),
        "Internal Server Error: \"/api/v1/nodes?limit=1&amp;labelSelector=a\": \
         requested [{Group  devs    }] without impersonating a user"
    );
}
