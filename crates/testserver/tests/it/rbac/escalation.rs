//! Escalation prevention: a user may only grant what it holds, on every write path (create,
//! update, merge patch, server-side apply) of the four RBAC types, unless it may `escalate`
//! roles or `bind` the referenced role, or is in `system:masters`.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use super::{
    APPLY, MERGE, admin_create, assert_forbidden, binding, call, created, post, rbac_path, role,
    rule,
};
use crate::support::{Who, namespace};

const NS: &str = "esc";
const RBAC: &str = "rbac.authorization.k8s.io";
const ALICE: &str = "user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n";

/// alice may write roles and bindings in `esc` and ClusterRoles/ClusterRoleBindings, and
/// read configmaps in `esc`.
async fn setup(server: &TestServer) {
    namespace(server, NS).await;
    let alice = json!([{"kind": "User", "apiGroup": RBAC, "name": "alice"}]);
    let write = ["create", "get", "update", "patch"];
    admin_create(
        server,
        &rbac_path(NS, "roles"),
        &[role(
            NS,
            "rbac-editor",
            json!([
                rule(&[RBAC], &["roles", "rolebindings"], &write),
                rule(&[""], &["configmaps"], &["get", "list"]),
            ]),
        )],
    )
    .await;
    admin_create(
        server,
        &rbac_path(NS, "rolebindings"),
        &[binding(NS, "alice", "Role", "rbac-editor", alice.clone())],
    )
    .await;
    admin_create(
        server,
        &rbac_path("", "clusterroles"),
        &[role(
            "",
            "esc-cluster-rbac-editor",
            json!([rule(
                &[RBAC],
                &["clusterroles", "clusterrolebindings"],
                &write
            )]),
        )],
    )
    .await;
    admin_create(
        server,
        &rbac_path("", "clusterrolebindings"),
        &[binding(
            "",
            "esc-alice",
            "ClusterRole",
            "esc-cluster-rbac-editor",
            alice,
        )],
    )
    .await;
}

fn details(resource: &str, name: &str) -> serde_json::Value {
    json!({"name": name, "group": RBAC, "kind": resource})
}

fn escalation(resource: &str, name: &str, missing: &str) -> String {
    format!("{resource}.{RBAC} \"{name}\" is forbidden: {ALICE}{missing}")
}

const SECRETS_GET: &str = "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}";

#[tokio::test]
async fn roles_grant_only_what_the_writer_holds_on_every_write_path() {
    let server = TestServer::start().await.unwrap();
    setup(&server).await;
    let cert = server.client_cert("alice", &[]).unwrap();
    let alice = Who::Cert(&cert);
    let roles = rbac_path(NS, "roles");
    let configmaps = json!([rule(&[""], &["configmaps"], &["get"])]);
    let with_secrets = json!([
        rule(&[""], &["configmaps"], &["get"]),
        rule(&[""], &["secrets"], &["get"]),
    ]);

    // create: held rules pass, others are refused naming exactly what is missing
    created(
        &post(
            &server,
            &alice,
            &roles,
            role(NS, "held", configmaps.clone()),
        )
        .await,
    );
    let a = post(
        &server,
        &alice,
        &roles,
        role(NS, "wider", with_secrets.clone()),
    )
    .await;
    assert_forbidden(
        &a,
        &escalation("roles", "wider", SECRETS_GET),
        details("roles", "wider"),
    );
    // dry run is checked the same way
    let a = post(
        &server,
        &alice,
        &format!("{roles}?dryRun=All"),
        role(NS, "wider", with_secrets.clone()),
    )
    .await;
    assert_eq!(a.status, 403);

    // update
    let held = format!("{roles}/held");
    let body = role(NS, "held", with_secrets.clone()).to_string();
    let a = call(&server, &alice, Method::PUT, &held, None, Some(body)).await;
    assert_forbidden(
        &a,
        &escalation("roles", "held", SECRETS_GET),
        details("roles", "held"),
    );

    // merge patch: widening is refused, other edits of a held role are fine
    let widen = json!({"rules": with_secrets}).to_string();
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &held,
        Some(MERGE),
        Some(widen),
    )
    .await;
    assert_forbidden(
        &a,
        &escalation("roles", "held", SECRETS_GET),
        details("roles", "held"),
    );
    let label = json!({"metadata": {"labels": {"team": "a"}}}).to_string();
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &held,
        Some(MERGE),
        Some(label),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());

    // server-side apply, creating and updating
    let yaml = |name: &str, resource: &str| {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {name}\n  namespace: {NS}\n\
             rules:\n- apiGroups: [\"\"]\n  resources: [{resource}]\n  verbs: [get]\n"
        )
    };
    let apply = |name: &str| format!("{roles}/{name}?fieldManager=alice");
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &apply("applied"),
        Some(APPLY),
        Some(yaml("applied", "secrets")),
    )
    .await;
    assert_forbidden(
        &a,
        &escalation("roles", "applied", SECRETS_GET),
        details("roles", "applied"),
    );
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &apply("applied"),
        Some(APPLY),
        Some(yaml("applied", "configmaps")),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &apply("applied"),
        Some(APPLY),
        Some(yaml("applied", "secrets")),
    )
    .await;
    assert_forbidden(
        &a,
        &escalation("roles", "applied", SECRETS_GET),
        details("roles", "applied"),
    );

    // a role held only in another namespace does not count
    let a = post(
        &server,
        &alice,
        &rbac_path("default", "roles"),
        role("default", "elsewhere", configmaps),
    )
    .await;
    assert_eq!(a.status, 403);

    // with `escalate` on roles, anything goes
    admin_create(
        &server,
        &rbac_path(NS, "roles"),
        &[role(
            NS,
            "escalator",
            json!([rule(&[RBAC], &["roles"], &["escalate"])]),
        )],
    )
    .await;
    admin_create(
        &server,
        &rbac_path(NS, "rolebindings"),
        &[binding(
            NS,
            "alice-escalates",
            "Role",
            "escalator",
            json!([{"kind": "User", "name": "alice"}]),
        )],
    )
    .await;
    created(&post(&server, &alice, &roles, role(NS, "wider", with_secrets)).await);
}

#[tokio::test]
async fn bindings_grant_only_held_roles_unless_bind_is_allowed() {
    let server = TestServer::start().await.unwrap();
    setup(&server).await;
    let cert = server.client_cert("alice", &[]).unwrap();
    let alice = Who::Cert(&cert);
    let bindings = rbac_path(NS, "rolebindings");
    let bob = json!([{"kind": "User", "apiGroup": RBAC, "name": "bob"}]);
    admin_create(
        &server,
        &rbac_path(NS, "roles"),
        &[role(
            NS,
            "cm-reader",
            json!([rule(&[""], &["configmaps"], &["list"])]),
        )],
    )
    .await;

    created(
        &post(
            &server,
            &alice,
            &bindings,
            binding(NS, "b-held", "Role", "cm-reader", bob.clone()),
        )
        .await,
    );
    let a = post(
        &server,
        &alice,
        &bindings,
        binding(NS, "b-view", "ClusterRole", "view", bob.clone()),
    )
    .await;
    assert_eq!(a.status, 403);
    let message = a.json()["message"].as_str().unwrap().to_owned();
    let prefix = escalation("rolebindings", "b-view", "");
    assert!(message.starts_with(&prefix), "{message}");
    assert!(
        message.contains(
            "\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\" \"watch\"]}"
        ),
        "{message}"
    );
    assert_eq!(a.json()["details"], details("rolebindings", "b-view"));

    // the referenced role must exist: the registry's own 404
    let a = post(
        &server,
        &alice,
        &bindings,
        binding(NS, "b-missing", "Role", "missing", bob.clone()),
    )
    .await;
    assert_eq!(a.status, 404);
    assert_eq!(
        a.json()["message"],
        "roles.rbac.authorization.k8s.io \"missing\" not found"
    );
    assert_eq!(a.json()["details"], details("roles", "missing"));

    // cluster scope: binding cluster-admin needs everything
    let a = post(
        &server,
        &alice,
        &rbac_path("", "clusterrolebindings"),
        binding(
            "",
            "esc-c-admin",
            "ClusterRole",
            "cluster-admin",
            bob.clone(),
        ),
    )
    .await;
    assert_forbidden(
        &a,
        &escalation(
            "clusterrolebindings",
            "esc-c-admin",
            "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}\n{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}",
        ),
        details("clusterrolebindings", "esc-c-admin"),
    );

    // an aggregationRule needs cluster-admin's authority
    let mut agg = role("", "esc-agg", json!([]));
    agg["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {"esc": "true"}}]});
    let a = post(&server, &alice, &rbac_path("", "clusterroles"), agg).await;
    assert_forbidden(
        &a,
        "clusterroles.rbac.authorization.k8s.io \"esc-agg\" is forbidden: must have cluster-admin privileges to use the aggregationRule",
        details("clusterroles", "esc-agg"),
    );

    // `bind` on exactly the ClusterRole view
    admin_create(
        &server,
        &rbac_path(NS, "roles"),
        &[role(
            NS,
            "view-binder",
            json!([{"apiGroups": [RBAC], "resources": ["clusterroles"], "resourceNames": ["view"], "verbs": ["bind"]}]),
        )],
    )
    .await;
    admin_create(
        &server,
        &bindings,
        &[binding(
            NS,
            "alice-binds",
            "Role",
            "view-binder",
            json!([{"kind": "User", "name": "alice"}]),
        )],
    )
    .await;
    created(
        &post(
            &server,
            &alice,
            &bindings,
            binding(NS, "b-view", "ClusterRole", "view", bob.clone()),
        )
        .await,
    );
    let a = post(
        &server,
        &alice,
        &bindings,
        binding(NS, "b-edit", "ClusterRole", "edit", bob),
    )
    .await;
    assert_eq!(a.status, 403);
}

#[tokio::test]
async fn garbage_collector_fields_may_change_on_any_role() {
    let server = TestServer::start().await.unwrap();
    setup(&server).await;
    let cert = server.client_cert("alice", &[]).unwrap();
    let alice = Who::Cert(&cert);
    admin_create(
        &server,
        &rbac_path(NS, "roles"),
        &[role(NS, "big", json!([rule(&["*"], &["*"], &["*"])]))],
    )
    .await;
    let big = format!("{}/big", rbac_path(NS, "roles"));
    let patch = |v: serde_json::Value| Some(v.to_string());
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &big,
        Some(MERGE),
        patch(json!({"metadata": {"finalizers": ["example.com/keep"]}})),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &big,
        Some(MERGE),
        patch(json!({"metadata": {"labels": {"a": "b"}}})),
    )
    .await;
    assert_forbidden(
        &a,
        &escalation(
            "roles",
            "big",
            "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}",
        ),
        details("roles", "big"),
    );
    let a = call(
        &server,
        &alice,
        Method::PATCH,
        &big,
        Some(MERGE),
        patch(json!({"metadata": {"finalizers": null}})),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
}
