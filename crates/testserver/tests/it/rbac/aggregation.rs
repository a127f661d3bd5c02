//! The clusterrole-aggregation controller: aggregated ClusterRoles follow the roles their
//! selectors match, and `view`/`edit`/`admin` pick up roles labelled to aggregate into them.

use std::time::Duration;

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use super::{admin_create, binding, post, rbac_path, role, rule, sa_token};
use crate::support::{Who, admin, namespace};

/// Polls the ClusterRole `name` until `done(role)` holds; returns the role.
async fn wait_for(server: &TestServer, name: &str, done: impl Fn(&Value) -> bool) -> Value {
    let path = format!("{}/{name}", rbac_path("", "clusterroles"));
    let mut last = Value::Null;
    for _ in 0..200 {
        last = admin(server, Method::GET, &path, None).await.json();
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("ClusterRole {name} never reached the expected state: {last}");
}

fn rules_are(want: Value) -> impl Fn(&Value) -> bool {
    move |role: &Value| role.get("rules").cloned().unwrap_or(json!([])) == want
}

fn labelled(name: &str, label: &str, rules: Value) -> Value {
    let mut r = role("", name, rules);
    r["metadata"]["labels"] = json!({ label: "true" });
    r
}

#[tokio::test]
async fn aggregated_roles_follow_their_selectors() {
    let server = TestServer::start().await.unwrap();
    let roles = rbac_path("", "clusterroles");
    let label = "example.com/aggregate-to-agg";
    let mut agg = role("", "agg", json!([]));
    agg["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]});
    admin_create(&server, &roles, &[agg]).await;

    let cm = rule(&[""], &["configmaps"], &["get"]);
    let secrets = rule(&[""], &["secrets"], &["list"]);
    admin_create(
        &server,
        &roles,
        &[labelled("agg-part-b", label, json!([secrets.clone()]))],
    )
    .await;
    admin_create(
        &server,
        &roles,
        &[labelled("agg-part-a", label, json!([cm.clone()]))],
    )
    .await;
    // roles in name order, duplicates dropped, unlabelled roles ignored
    admin_create(
        &server,
        &roles,
        &[labelled("agg-part-c", label, json!([cm.clone()]))],
    )
    .await;
    admin_create(
        &server,
        &roles,
        &[role(
            "",
            "agg-unlabelled",
            json!([rule(&["*"], &["*"], &["*"])]),
        )],
    )
    .await;
    let filled = wait_for(
        &server,
        "agg",
        rules_are(json!([cm.clone(), secrets.clone()])),
    )
    .await;
    let managers: Vec<(&str, &str)> = filled["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap(),
                m["operation"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        managers.contains(&("clusterrole-aggregation-controller", "Apply")),
        "{managers:?}"
    );

    // a changed part is reflected
    let watch = rule(&[""], &["configmaps"], &["get", "watch"]);
    let a = admin(
        &server,
        Method::PUT,
        &format!("{roles}/agg-part-a"),
        Some(labelled("agg-part-a", label, json!([watch.clone()]))),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    wait_for(
        &server,
        "agg",
        rules_are(json!([watch.clone(), secrets, cm.clone()])),
    )
    .await;

    // a deleted part is dropped, and so is one that loses its label
    let a = admin(
        &server,
        Method::DELETE,
        &format!("{roles}/agg-part-b"),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    let a = admin(
        &server,
        Method::PUT,
        &format!("{roles}/agg-part-c"),
        Some(role("", "agg-part-c", json!([cm]))),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    wait_for(&server, "agg", rules_are(json!([watch]))).await;
}

#[tokio::test]
async fn view_edit_and_admin_pick_up_labelled_roles() {
    let server = TestServer::start().await.unwrap();
    let widgets = rule(&["example.com"], &["widgets"], &["get", "list", "watch"]);
    admin_create(
        &server,
        &rbac_path("", "clusterroles"),
        &[labelled(
            "widgets-view",
            "rbac.authorization.k8s.io/aggregate-to-view",
            json!([widgets.clone()]),
        )],
    )
    .await;
    let has_widgets = |role: &Value| {
        role["rules"]
            .as_array()
            .is_some_and(|r| r.contains(&widgets))
    };
    for name in ["view", "edit", "admin"] {
        wait_for(&server, name, has_widgets).await;
    }

    // a ServiceAccount bound to view may now read widgets in its namespace
    namespace(&server, "agg").await;
    let token = sa_token(&server, "agg", "reader").await;
    admin_create(
        &server,
        &rbac_path("agg", "rolebindings"),
        &[binding(
            "agg",
            "viewers",
            "ClusterRole",
            "view",
            json!([{"kind": "ServiceAccount", "name": "reader", "namespace": "agg"}]),
        )],
    )
    .await;
    let review = json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "agg", "verb": "list", "group": "example.com", "resource": "widgets"}},
    });
    let a = post(
        &server,
        &Who::Token(&token),
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        review,
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        a.json()["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"viewers/agg\" of ClusterRole \"view\" to ServiceAccount \"reader/agg\""})
    );

    // removing the labelled role takes the rules away again
    let a = admin(
        &server,
        Method::DELETE,
        &format!("{}/widgets-view", rbac_path("", "clusterroles")),
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    for name in ["view", "edit", "admin"] {
        wait_for(&server, name, |r| !has_widgets(r)).await;
    }
}
