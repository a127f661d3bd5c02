//! SubjectAccessReview and LocalSubjectAccessReview: asking about other users, itself an
//! authorized request.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use super::{admin_create, assert_forbidden, binding, denied, post, rbac_path, role, rule};
use crate::support::{Who, admin, namespace};

#[tokio::test]
async fn subject_access_reviews_ask_about_other_users() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "sar").await;
    let sar = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    let local = "/apis/authorization.k8s.io/v1/namespaces/sar/localsubjectaccessreviews";
    let review = |kind: &str, ns: &str| {
        json!({"apiVersion": "authorization.k8s.io/v1", "kind": kind,
               "spec": {"user": "alice", "groups": ["devs"],
                        "resourceAttributes": {"namespace": ns, "verb": "list", "resource": "configmaps"}}})
    };
    let a = admin(
        &server,
        Method::POST,
        sar,
        Some(review("SubjectAccessReview", "sar")),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(a.json()["status"], json!({"allowed": false}));
    admin_create(
        &server,
        &rbac_path("sar", "roles"),
        &[role(
            "sar",
            "cm",
            json!([rule(&[""], &["configmaps"], &["list"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path("sar", "rolebindings"),
        &[binding(
            "sar",
            "devs",
            "Role",
            "cm",
            json!([{"kind": "Group", "name": "devs"}]),
        )],
    )
    .await;
    let a = admin(
        &server,
        Method::POST,
        sar,
        Some(review("SubjectAccessReview", "sar")),
    )
    .await;
    assert_eq!(
        a.json()["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"devs/sar\" of Role \"cm\" to Group \"devs\""})
    );
    // the namespaced form takes its namespace from the URL
    let a = admin(
        &server,
        Method::POST,
        local,
        Some(review("LocalSubjectAccessReview", "sar")),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(a.json()["metadata"]["namespace"], "sar");
    assert_eq!(a.json()["status"]["allowed"], true);
    let a = admin(
        &server,
        Method::POST,
        local,
        Some(review("LocalSubjectAccessReview", "other")),
    )
    .await;
    assert_eq!(a.status, 422, "{:?}", a.json());
    // asking about others is itself authorized
    let alice = server.client_cert("alice", &["devs"]).unwrap();
    assert_forbidden(
        &post(
            &server,
            &Who::Cert(&alice),
            sar,
            review("SubjectAccessReview", "sar"),
        )
        .await,
        &format!(
            "subjectaccessreviews.authorization.k8s.io is forbidden: {}",
            denied(
                "alice",
                "create",
                "subjectaccessreviews",
                "authorization.k8s.io",
                ""
            )
        ),
        json!({"group": "authorization.k8s.io", "kind": "subjectaccessreviews"}),
    );
}
