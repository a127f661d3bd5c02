//! Unit tests of the decision per rule feature, through one `check`.

use serde_json::{Value, json};

use super::support::{
    admin, binding, cluster_binding, cluster_role, role, rule, sa, user, with_bootstrap,
};
use crate::auth::User;
use crate::rbac::attributes::Attributes;
use crate::rbac::evaluate::authorize;
use crate::rbac::forbidden::Forbidden;
use crate::rbac::objects::PolicySet;

/// What a request should get.
enum Want<'a> {
    /// Allowed with exactly this reason.
    Allowed(&'a str),
    /// Denied with exactly this 403 message.
    Denied(&'a str),
}

#[track_caller]
fn check(policy: &PolicySet, user: &User, method: &str, url: &str, want: Want<'_>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let attrs = Attributes::from_request(method, path, query);
    let decision = authorize(policy, user, &attrs);
    match want {
        Want::Allowed(reason) => {
            assert!(decision.allowed, "{method} {url}: denied ({decision:?})");
            assert_eq!(decision.reason, reason, "{method} {url}: reason");
        }
        Want::Denied(message) => {
            assert!(!decision.allowed, "{method} {url}: allowed ({decision:?})");
            let forbidden = Forbidden::new(&user.name, &attrs, &decision.reason);
            assert_eq!(forbidden.message, message, "{method} {url}: message");
        }
    }
}

const PROVISIONER: &str = "system:serviceaccount:storage:local-storage-admin";

/// The sig-storage-local-static-provisioner setup: `nodes get` plus
/// `system:persistent-volume-provisioner`.
fn provisioner_policy() -> PolicySet {
    let subject =
        json!([{"kind": "ServiceAccount", "name": "local-storage-admin", "namespace": "storage"}]);
    with_bootstrap([
        cluster_role("node-get", json!([rule(&[""], &["nodes"], &["get"])])),
        cluster_binding("node-get", "node-get", subject.clone()),
        cluster_binding(
            "pv-provisioner",
            "system:persistent-volume-provisioner",
            subject,
        ),
    ])
}

#[test]
fn provisioner_least_privilege() {
    let p = provisioner_policy();
    let u = sa("storage", "local-storage-admin");
    let by_pv = "RBAC: allowed by ClusterRoleBinding \"pv-provisioner\" of ClusterRole \
                 \"system:persistent-volume-provisioner\" to ServiceAccount \"local-storage-admin/storage\"";
    check(
        &p,
        &u,
        "GET",
        "/api/v1/nodes/n1",
        Want::Allowed(
            "RBAC: allowed by ClusterRoleBinding \"node-get\" of ClusterRole \"node-get\" to ServiceAccount \"local-storage-admin/storage\"",
        ),
    );
    check(
        &p,
        &u,
        "POST",
        "/api/v1/persistentvolumes",
        Want::Allowed(by_pv),
    );
    check(
        &p,
        &u,
        "DELETE",
        "/api/v1/persistentvolumes/pv1",
        Want::Allowed(by_pv),
    );
    check(
        &p,
        &u,
        "GET",
        "/api/v1/persistentvolumes?watch=1",
        Want::Allowed(by_pv),
    );
    check(
        &p,
        &u,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/storage/events",
        Want::Allowed(by_pv),
    );
    check(
        &p,
        &u,
        "GET",
        "/api/v1/nodes",
        Want::Denied(&format!(
            "nodes is forbidden: User \"{PROVISIONER}\" cannot list resource \"nodes\" in API group \"\" at the cluster scope"
        )),
    );
    check(
        &p,
        &u,
        "GET",
        "/api/v1/namespaces/storage/secrets/s",
        Want::Denied(&format!(
            "secrets \"s\" is forbidden: User \"{PROVISIONER}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"storage\""
        )),
    );
    check(
        &p,
        &u,
        "GET",
        "/api/v1/namespaces/storage/secrets",
        Want::Denied(&format!(
            "secrets is forbidden: User \"{PROVISIONER}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"storage\""
        )),
    );
    check(
        &p,
        &u,
        "DELETE",
        "/api/v1/persistentvolumes",
        Want::Denied(&format!(
            "persistentvolumes is forbidden: User \"{PROVISIONER}\" cannot deletecollection resource \"persistentvolumes\" in API group \"\" at the cluster scope"
        )),
    );
    check(
        &p,
        &u,
        "PUT",
        "/api/v1/persistentvolumes/pv1/status",
        Want::Denied(&format!(
            "persistentvolumes \"pv1\" is forbidden: User \"{PROVISIONER}\" cannot update resource \"persistentvolumes/status\" in API group \"\" at the cluster scope"
        )),
    );
}

#[test]
fn system_masters_is_allowed_without_reason() {
    let p = PolicySet::default();
    check(&p, &admin(), "DELETE", "/api/v1/nodes/x", Want::Allowed(""));
    check(&p, &admin(), "GET", "/metrics", Want::Allowed(""));
}

#[test]
fn verbs_groups_and_wildcards() {
    let p = with_bootstrap([
        cluster_role("apps-all", json!([rule(&["apps"], &["*"], &["*"])])),
        cluster_role("get-any", json!([rule(&["*"], &["deployments"], &["get"])])),
        cluster_binding(
            "apps-all",
            "apps-all",
            json!([{"kind": "User", "name": "alice"}]),
        ),
        cluster_binding(
            "get-any",
            "get-any",
            json!([{"kind": "User", "name": "bob"}]),
        ),
    ]);
    let alice = user("alice", &[]);
    let bob = user("bob", &[]);
    let apps_all = "RBAC: allowed by ClusterRoleBinding \"apps-all\" of ClusterRole \"apps-all\" to User \"alice\"";
    check(
        &p,
        &alice,
        "PATCH",
        "/apis/apps/v1/namespaces/a/deployments/d",
        Want::Allowed(apps_all),
    );
    check(
        &p,
        &alice,
        "GET",
        "/apis/apps/v1/namespaces/a/deployments/d/scale",
        Want::Allowed(apps_all),
    );
    check(
        &p,
        &alice,
        "GET",
        "/apis/batch/v1/namespaces/a/jobs",
        Want::Denied(
            "jobs.batch is forbidden: User \"alice\" cannot list resource \"jobs\" in API group \"batch\" in the namespace \"a\"",
        ),
    );
    check(
        &p,
        &bob,
        "GET",
        "/apis/extensions/v1beta1/namespaces/a/deployments/d",
        Want::Allowed(
            "RBAC: allowed by ClusterRoleBinding \"get-any\" of ClusterRole \"get-any\" to User \"bob\"",
        ),
    );
    check(
        &p,
        &bob,
        "GET",
        "/apis/apps/v1/namespaces/a/deployments",
        Want::Denied(
            "deployments.apps is forbidden: User \"bob\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"a\"",
        ),
    );
    // "*" as a resource does not grant a subresource of another verb
    check(
        &p,
        &bob,
        "GET",
        "/apis/apps/v1/namespaces/a/deployments/d/status",
        Want::Denied(
            "deployments.apps \"d\" is forbidden: User \"bob\" cannot get resource \"deployments/status\" in API group \"apps\" in the namespace \"a\"",
        ),
    );
}

#[test]
fn subresources_and_star_subresource() {
    let p = with_bootstrap([
        role("ns", "logs", json!([rule(&[""], &["pods/log"], &["get"])])),
        role(
            "ns",
            "status",
            json!([rule(&["", "apps"], &["*/status"], &["get"])]),
        ),
        binding(
            "ns",
            "logs",
            "Role",
            "logs",
            json!([{"kind": "ServiceAccount", "name": "a"}]),
        ),
        binding(
            "ns",
            "status",
            "Role",
            "status",
            json!([{"kind": "ServiceAccount", "name": "b", "namespace": "ns"}]),
        ),
    ]);
    let a = sa("ns", "a");
    let b = sa("ns", "b");
    check(
        &p,
        &a,
        "GET",
        "/api/v1/namespaces/ns/pods/p/log",
        Want::Allowed(
            "RBAC: allowed by RoleBinding \"logs/ns\" of Role \"logs\" to ServiceAccount \"a/ns\"",
        ),
    );
    check(
        &p,
        &a,
        "GET",
        "/api/v1/namespaces/ns/pods/p",
        Want::Denied(
            "pods \"p\" is forbidden: User \"system:serviceaccount:ns:a\" cannot get resource \"pods\" in API group \"\" in the namespace \"ns\"",
        ),
    );
    let by_status =
        "RBAC: allowed by RoleBinding \"status/ns\" of Role \"status\" to ServiceAccount \"b/ns\"";
    check(
        &p,
        &b,
        "GET",
        "/api/v1/namespaces/ns/pods/p/status",
        Want::Allowed(by_status),
    );
    check(
        &p,
        &b,
        "GET",
        "/apis/apps/v1/namespaces/ns/deployments/d/status",
        Want::Allowed(by_status),
    );
    check(
        &p,
        &b,
        "GET",
        "/api/v1/namespaces/ns/pods/p/log",
        Want::Denied(
            "pods \"p\" is forbidden: User \"system:serviceaccount:ns:b\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"ns\"",
        ),
    );
    // a RoleBinding only counts in its own namespace
    check(
        &p,
        &a,
        "GET",
        "/api/v1/namespaces/other/pods/p/log",
        Want::Denied(
            "pods \"p\" is forbidden: User \"system:serviceaccount:ns:a\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"other\"",
        ),
    );
}

#[test]
fn resource_names_limit_named_requests_only() {
    let rules = json!([{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                        "resourceNames": ["my-lock"], "verbs": ["get", "update", "list"]}]);
    let p = with_bootstrap([
        role("ns", "lock", rules),
        binding(
            "ns",
            "lock",
            "Role",
            "lock",
            json!([{"kind": "Group", "name": "system:serviceaccounts:ns"}]),
        ),
    ]);
    let u = sa("ns", "ctrl");
    let reason = "RBAC: allowed by RoleBinding \"lock/ns\" of Role \"lock\" to Group \"system:serviceaccounts:ns\"";
    check(
        &p,
        &u,
        "PUT",
        "/apis/coordination.k8s.io/v1/namespaces/ns/leases/my-lock",
        Want::Allowed(reason),
    );
    check(
        &p,
        &u,
        "PUT",
        "/apis/coordination.k8s.io/v1/namespaces/ns/leases/other",
        Want::Denied(
            "leases.coordination.k8s.io \"other\" is forbidden: User \"system:serviceaccount:ns:ctrl\" cannot update resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"ns\"",
        ),
    );
    // a list has no name, unless the field selector pins one
    check(
        &p,
        &u,
        "GET",
        "/apis/coordination.k8s.io/v1/namespaces/ns/leases",
        Want::Denied(
            "leases.coordination.k8s.io is forbidden: User \"system:serviceaccount:ns:ctrl\" cannot list resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"ns\"",
        ),
    );
    check(
        &p,
        &u,
        "GET",
        "/apis/coordination.k8s.io/v1/namespaces/ns/leases?fieldSelector=metadata.name%3Dmy-lock",
        Want::Allowed(reason),
    );
}

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
