//! RBAC self-checks.

use kubeset_clientset::Permission;
use serde_json::json;

use crate::support::{json, recorded, serve};

#[tokio::test]
async fn whoami_reads_the_self_subject_review() {
    let answer = recorded(
        "selfsubjectreview",
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    );
    let server = serve(move |_| json(201, &answer)).await;
    let me = server.client.whoami().await.unwrap();
    assert_eq!(me.username.as_deref(), Some("admin"));
    assert_eq!(
        me.groups.unwrap(),
        ["system:masters", "system:authenticated"]
    );
    assert_eq!(
        server.one().json(),
        json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    );
}

#[tokio::test]
async fn can_i_sends_the_resource_attributes() {
    let server = serve(|seen| {
        let spec = &seen.json()["spec"]["resourceAttributes"];
        let allowed = spec["verb"] == "get";
        json(201, &json!({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {}, "spec": seen.json()["spec"], "status": {"allowed": allowed, "reason": "rbac"}}))
    })
    .await;
    let decision = server
        .client
        .can_i("get", "leases")
        .group("coordination.k8s.io")
        .namespace("kube-system")
        .name("lock")
        .subresource("status")
        .await
        .unwrap();
    assert!(decision.allowed);
    assert_eq!(decision.reason.as_deref(), Some("rbac"));
    let seen = server.one();
    assert_eq!(
        seen.uri,
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    );
    assert_eq!(
        seen.json()["spec"]["resourceAttributes"],
        json!({"verb": "get", "group": "coordination.k8s.io", "resource": "leases",
            "subresource": "status", "namespace": "kube-system", "name": "lock"})
    );
}

#[tokio::test]
async fn missing_permissions_lists_what_is_denied() {
    let server = serve(|seen| {
        let allowed = seen.json()["spec"]["resourceAttributes"]["verb"] == "list";
        json(201, &json!({"status": {"allowed": allowed}}))
    })
    .await;
    let needed = [
        Permission::new("list", "nodes"),
        Permission::new("create", "persistentvolumes"),
        Permission::new("patch", "persistentvolumes").subresource("status"),
    ];
    let missing = server.client.missing_permissions(&needed).await.unwrap();
    assert_eq!(missing, needed[1..]);
    assert!(missing[1].rule_yaml().contains("persistentvolumes/status"));
}

#[tokio::test]
async fn rules_reads_the_rules_review() {
    let server = serve(|_| {
        json(
            201,
            &json!({"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
            "metadata": {}, "spec": {}, "status": {"incomplete": false,
            "resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["nodes"]}],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]}}),
        )
    })
    .await;
    let rules = server.client.rules("apps").await.unwrap();
    assert_eq!(
        rules.resource_rules[0].resources.as_deref(),
        Some(&["nodes".to_string()][..])
    );
    assert_eq!(server.one().json()["spec"], json!({"namespace": "apps"}));
}
