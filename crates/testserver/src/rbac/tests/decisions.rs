//! Unit tests of the decision per rule feature: verbs, groups, resources, subresources,
//! resource names, the provisioner's least privilege.

use serde_json::json;

use super::support::{
    Want, admin, binding, check, cluster_binding, cluster_role, role, rule, sa, user,
    with_bootstrap,
};
use crate::rbac::objects::PolicySet;

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
