//! RBAC on pod subresources: each is its own permission.

use http::Method;
use serde_json::json;

use super::*;

/// A token of ServiceAccount `name` in [`NS`] (created here).
async fn token(server: &TestServer, name: &str) -> String {
    let path = format!("/api/v1/namespaces/{NS}/serviceaccounts");
    let a = admin(
        server,
        Method::POST,
        &path,
        Some(json!({"metadata": {"name": name}})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    let a = admin(
        server,
        Method::POST,
        &format!("{path}/{name}/token"),
        Some(json!({"spec": {"expirationSeconds": 3600}})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    a.json()["status"]["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn subresource_permissions_are_their_own() {
    let server = server().await;
    let token = token(&server, "sched").await;
    let role = json!({"metadata": {"name": "sched"}, "rules": [
        {"apiGroups": [""], "resources": ["pods/binding", "pods/eviction"], "verbs": ["create"]},
        {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]});
    let rbac = format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{NS}");
    let a = admin(&server, Method::POST, &format!("{rbac}/roles"), Some(role)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    let rb = json!({"metadata": {"name": "sched"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sched"},
        "subjects": [{"kind": "ServiceAccount", "name": "sched", "namespace": NS}]});
    let a = admin(
        &server,
        Method::POST,
        &format!("{rbac}/rolebindings"),
        Some(rb),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    create_pod(&server, "a", json!({}), &["c"]).await;
    create_pod(&server, "b", json!({}), &["c"]).await;
    let sa = || Who::Token(&token);

    // pods/log without pods get; neither the pod nor its status
    let a = send(&server, sa(), Method::GET, &pods_path("/a/log"), None).await;
    assert_eq!(a.status, 204);
    check(
        &send(&server, sa(), Method::GET, &pods_path("/a"), None).await,
        403,
        &format!(
            "pods \"a\" is forbidden: User \"system:serviceaccount:{NS}:sched\" cannot get resource \"pods\" in API group \"\" in the namespace \"{NS}\""
        ),
    );
    // binding without update on pods
    let a = send(
        &server,
        sa(),
        Method::POST,
        &pods_path("/a/binding"),
        Some(binding("a", "n1")),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    // eviction deletes what a plain DELETE may not
    check(
        &send(&server, sa(), Method::DELETE, &pods_path("/b"), None).await,
        403,
        &format!(
            "pods \"b\" is forbidden: User \"system:serviceaccount:{NS}:sched\" cannot delete resource \"pods\" in API group \"\" in the namespace \"{NS}\""
        ),
    );
    let eviction =
        json!({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "b"}});
    let a = send(
        &server,
        sa(),
        Method::POST,
        &pods_path("/b/eviction"),
        Some(eviction),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "b").await.status, 404);
    // and nothing more
    let status = send(&server, sa(), Method::GET, &pods_path("/a/status"), None).await;
    assert_eq!(status.status, 403);
}
