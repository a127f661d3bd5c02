//! Unit tests of the decision per subject feature, non-resource URLs, missing roles and
//! the 403 shape.

use serde_json::{Value, json};

use super::support::{
    Want, binding, check, cluster_binding, cluster_role, rule, sa, user, with_bootstrap,
};
use crate::auth::User;
use crate::rbac::attributes::Attributes;
use crate::rbac::forbidden::Forbidden;

#[test]
fn non_resource_urls() {
    let p = with_bootstrap([
        cluster_role(
            "metrics",
            json!([{"nonResourceURLs": ["/metrics", "/logs/*"], "verbs": ["get"]}]),
        ),
        cluster_binding(
            "metrics",
            "metrics",
            json!([{"kind": "User", "name": "prom"}]),
        ),
    ]);
    let prom = user("prom", &[]);
    let reason = "RBAC: allowed by ClusterRoleBinding \"metrics\" of ClusterRole \"metrics\" to User \"prom\"";
    check(&p, &prom, "GET", "/metrics", Want::Allowed(reason));
    check(
        &p,
        &prom,
        "GET",
        "/logs/kube-apiserver.log",
        Want::Allowed(reason),
    );
    check(&p, &prom, "GET", "/logs/", Want::Allowed(reason));
    check(
        &p,
        &prom,
        "GET",
        "/logs",
        Want::Denied("forbidden: User \"prom\" cannot get path \"/logs\""),
    );
    check(
        &p,
        &prom,
        "POST",
        "/metrics",
        Want::Denied("forbidden: User \"prom\" cannot post path \"/metrics\""),
    );
    check(
        &p,
        &prom,
        "GET",
        "/api",
        Want::Allowed(
            "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"",
        ),
    );
    check(
        &p,
        &User::anonymous(),
        "GET",
        "/healthz",
        Want::Allowed(
            "RBAC: allowed by ClusterRoleBinding \"system:public-info-viewer\" of ClusterRole \"system:public-info-viewer\" to Group \"system:unauthenticated\"",
        ),
    );
    check(
        &p,
        &User::anonymous(),
        "GET",
        "/metrics",
        Want::Denied("forbidden: User \"system:anonymous\" cannot get path \"/metrics\""),
    );
}

#[test]
fn implicit_service_account_groups() {
    let p = with_bootstrap([
        cluster_role("cm-read", json!([rule(&[""], &["configmaps"], &["get"])])),
        binding(
            "a",
            "all-sas",
            "ClusterRole",
            "cm-read",
            json!([{"kind": "Group", "name": "system:serviceaccounts"}]),
        ),
    ]);
    check(
        &p,
        &sa("b", "x"),
        "GET",
        "/api/v1/namespaces/a/configmaps/c",
        Want::Allowed(
            "RBAC: allowed by RoleBinding \"all-sas/a\" of ClusterRole \"cm-read\" to Group \"system:serviceaccounts\"",
        ),
    );
    check(
        &p,
        &user("alice", &[]),
        "GET",
        "/api/v1/namespaces/a/configmaps/c",
        Want::Denied(
            "configmaps \"c\" is forbidden: User \"alice\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"a\"",
        ),
    );
    // a ClusterRole bound by a RoleBinding grants nothing elsewhere
    check(
        &p,
        &sa("b", "x"),
        "GET",
        "/api/v1/namespaces/b/configmaps/c",
        Want::Denied(
            "configmaps \"c\" is forbidden: User \"system:serviceaccount:b:x\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"b\"",
        ),
    );
}

#[test]
fn service_account_subject_without_namespace_in_cluster_binding_never_matches() {
    let p = with_bootstrap([
        cluster_role("cm-read", json!([rule(&[""], &["configmaps"], &["list"])])),
        cluster_binding(
            "bad",
            "cm-read",
            json!([{"kind": "ServiceAccount", "name": "x"}]),
        ),
    ]);
    check(
        &p,
        &sa("b", "x"),
        "GET",
        "/api/v1/configmaps",
        Want::Denied(
            "configmaps is forbidden: User \"system:serviceaccount:b:x\" cannot list resource \"configmaps\" in API group \"\" at the cluster scope",
        ),
    );
}

#[test]
fn missing_roles_are_reported_in_the_denial() {
    let p = with_bootstrap([
        binding(
            "ns",
            "dangling",
            "Role",
            "missing",
            json!([{"kind": "User", "name": "alice"}]),
        ),
        cluster_binding(
            "dangling",
            "gone",
            json!([{"kind": "User", "name": "alice"}]),
        ),
    ]);
    let alice = user("alice", &[]);
    check(
        &p,
        &alice,
        "GET",
        "/api/v1/namespaces/ns/pods",
        Want::Denied(
            "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"ns\": \
         RBAC: [clusterrole.rbac.authorization.k8s.io \"gone\" not found, role.rbac.authorization.k8s.io \"missing\" not found]",
        ),
    );
    check(
        &p,
        &alice,
        "GET",
        "/api/v1/nodes",
        Want::Denied(
            "nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API group \"\" at the cluster scope: \
         RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found",
        ),
    );
    // still allowed through other bindings
    check(
        &p,
        &alice,
        "GET",
        "/version",
        Want::Allowed(
            "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"",
        ),
    );
}

#[test]
fn namespace_objects_carry_their_own_namespace() {
    let p = with_bootstrap([]);
    let anon = User::anonymous();
    check(
        &p,
        &anon,
        "GET",
        "/api/v1/namespaces/kube-system",
        Want::Denied(
            "namespaces \"kube-system\" is forbidden: User \"system:anonymous\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"kube-system\"",
        ),
    );
    check(
        &p,
        &anon,
        "PUT",
        "/api/v1/namespaces/ns/finalize",
        Want::Denied(
            "namespaces \"ns\" is forbidden: User \"system:anonymous\" cannot update resource \"namespaces/finalize\" in API group \"\" in the namespace \"ns\"",
        ),
    );
    check(
        &p,
        &anon,
        "GET",
        "/api/v1/namespaces",
        Want::Denied(
            "namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope",
        ),
    );
    check(
        &p,
        &anon,
        "GET",
        "/api/v1/watch/namespaces/ns/pods",
        Want::Denied(
            "pods is forbidden: User \"system:anonymous\" cannot watch resource \"pods\" in API group \"\" in the namespace \"ns\"",
        ),
    );
}

#[test]
fn forbidden_details_name_group_and_kind() {
    let attrs = Attributes::resource("get", "apps", "deployments")
        .in_namespace("ns")
        .named("d")
        .with_subresource("scale");
    let f = Forbidden::new("u", &attrs, "");
    let want: Value = json!({"name": "d", "group": "apps", "kind": "deployments"});
    assert_eq!(f.details, want);
    let path = Forbidden::new("u", &Attributes::non_resource("get", "/x"), "");
    assert_eq!(path.details, json!({}));
    assert_eq!(path.to_status()["code"], 403);
}
