//! The bootstrap policy: shape of the objects and the rules the transcripts show.

use serde_json::{Value, json};

use crate::rbac::bootstrap::{cluster_role_bindings, cluster_roles};
use crate::rbac::objects::{RbacObjects, name_of};

#[track_caller]
fn check(name: &str, want_rules: Value) {
    let policy = crate::rbac::bootstrap::policy();
    let role = policy.cluster_role(name).expect("bootstrap role");
    assert_eq!(role["rules"], want_rules, "rules of {name}");
}

#[test]
fn persistent_volume_provisioner_is_the_recorded_one() {
    // from rbac-local-storage-admin.json step 6
    let text = include_str!("../../../tests/transcripts/rbac-local-storage-admin.json");
    let t: Value = serde_json::from_str(text).expect("transcript");
    let recorded = &t["steps"][5]["response"]["body"];
    check(
        "system:persistent-volume-provisioner",
        recorded["rules"].clone(),
    );
    let policy = crate::rbac::bootstrap::policy();
    let role = policy
        .cluster_role("system:persistent-volume-provisioner")
        .expect("role");
    assert_eq!(role["metadata"]["labels"], recorded["metadata"]["labels"]);
    assert_eq!(
        role["metadata"]["annotations"],
        recorded["metadata"]["annotations"]
    );
}

#[test]
fn discovery_and_basic_user() {
    check(
        "system:basic-user",
        json!([
            {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
            {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]},
        ]),
    );
    check(
        "system:public-info-viewer",
        json!([
            {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]},
        ]),
    );
}

#[test]
fn aggregated_roles_are_filled() {
    let policy = crate::rbac::bootstrap::policy();
    let rules = |n: &str| {
        policy.cluster_role(n).expect("role")["rules"]
            .as_array()
            .expect("rules")
            .clone()
    };
    let view = rules("view");
    let edit = rules("edit");
    let admin = rules("admin");
    assert_eq!(view, rules("system:aggregate-to-view"));
    assert!(view.iter().all(|r| edit.contains(r)), "edit includes view");
    assert!(
        edit.iter().all(|r| admin.contains(r)),
        "admin includes edit"
    );
    assert_eq!(admin.len(), edit.len() + 2);
    assert_eq!(
        edit.len(),
        view.len() + rules("system:aggregate-to-edit").len()
    );
}

#[test]
fn objects_have_the_bootstrap_markers() {
    let roles = cluster_roles();
    let bindings = cluster_role_bindings();
    assert!(roles.len() >= 30 && bindings.len() >= 12);
    for o in roles.iter().chain(&bindings) {
        assert_eq!(
            o["metadata"]["labels"]["kubernetes.io/bootstrapping"],
            "rbac-defaults",
            "{}",
            name_of(o)
        );
        assert_eq!(
            o["metadata"]["annotations"]["rbac.authorization.kubernetes.io/autoupdate"],
            "true"
        );
        assert_eq!(o["apiVersion"], "rbac.authorization.k8s.io/v1");
    }
    let names: Vec<&str> = roles.iter().map(name_of).collect();
    for want in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:discovery",
        "system:basic-user",
        "system:public-info-viewer",
        "system:persistent-volume-provisioner",
        "system:kube-scheduler",
        "system:auth-delegator",
        "system:heapster",
        "system:node",
        "system:node-proxier",
        "system:volume-scheduler",
        "system:kube-controller-manager",
        "system:monitoring",
        "system:service-account-issuer-discovery",
    ] {
        assert!(names.contains(&want), "missing ClusterRole {want}");
    }
    let public = bindings
        .iter()
        .find(|b| name_of(b) == "system:public-info-viewer")
        .expect("binding");
    assert_eq!(
        public["subjects"],
        json!([
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"},
            {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:unauthenticated"},
        ])
    );
    let node = bindings
        .iter()
        .find(|b| name_of(b) == "system:node")
        .expect("binding");
    assert!(node.get("subjects").is_none());
}

#[test]
fn controller_roles_are_bound_to_their_service_accounts() {
    let roles = cluster_roles();
    let bindings = cluster_role_bindings();
    let controllers: Vec<&Value> = roles
        .iter()
        .filter(|r| name_of(r).starts_with("system:controller:"))
        .collect();
    assert_eq!(controllers.len(), 38);
    for role in controllers {
        let name = name_of(role);
        let sa = name.trim_start_matches("system:controller:");
        let binding = bindings
            .iter()
            .find(|b| name_of(b) == name)
            .unwrap_or_else(|| panic!("no binding for {name}"));
        assert_eq!(
            binding["roleRef"],
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name})
        );
        assert_eq!(
            binding["subjects"],
            json!([{"kind": "ServiceAccount", "name": sa, "namespace": "kube-system"}])
        );
        assert_eq!(
            role["metadata"]["labels"]["kubernetes.io/bootstrapping"],
            "rbac-defaults"
        );
    }
    check(
        "system:controller:generic-garbage-collector",
        json!([
            {"verbs": ["delete", "get", "list", "patch", "update", "watch"], "apiGroups": ["*"], "resources": ["*"]},
            {"verbs": ["create", "patch", "update"], "apiGroups": ["", "events.k8s.io"], "resources": ["events"]},
        ]),
    );
    check(
        "system:controller:legacy-service-account-token-cleaner",
        json!([
            {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"],
             "resourceNames": ["kube-apiserver-legacy-service-account-token-tracking"]},
            {"verbs": ["delete", "patch"], "apiGroups": [""], "resources": ["secrets"]},
        ]),
    );
}

#[test]
fn namespaced_roles_of_kube_system_and_kube_public() {
    use crate::rbac::bootstrap::namespaced_objects;
    let objects = namespaced_objects();
    let names: Vec<(String, String, String)> = objects
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap_or_default().to_owned(),
                o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                name_of(o).to_owned(),
            )
        })
        .collect();
    assert_eq!(names.len(), 14);
    for (kind, ns, name) in [
        (
            "Role",
            "kube-system",
            "system::leader-locking-kube-scheduler",
        ),
        (
            "Role",
            "kube-system",
            "extension-apiserver-authentication-reader",
        ),
        ("Role", "kube-public", "system:controller:bootstrap-signer"),
        (
            "RoleBinding",
            "kube-system",
            "system::extension-apiserver-authentication-reader",
        ),
        (
            "RoleBinding",
            "kube-system",
            "system:controller:token-cleaner",
        ),
    ] {
        assert!(
            names.contains(&(kind.into(), ns.into(), name.into())),
            "missing {kind} {ns}/{name}"
        );
    }
    // every binding names a Role of its own namespace
    let policy = crate::rbac::bootstrap::policy();
    for o in objects.iter().filter(|o| o["kind"] == "RoleBinding") {
        let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
        let role = o["roleRef"]["name"].as_str().unwrap_or_default();
        assert!(policy.role(ns, role).is_some(), "{ns}/{role}");
    }
    // the leader-election ServiceAccount may take leases in kube-system only
    let scheduler = super::support::sa("kube-system", "leader-election-controller");
    let lease = |ns: &str| {
        crate::rbac::evaluate::authorize(
            &policy,
            &scheduler,
            &crate::rbac::attributes::Attributes::resource(
                "update",
                "coordination.k8s.io",
                "leases",
            )
            .in_namespace(ns)
            .named("kube-scheduler"),
        )
        .allowed
    };
    assert!(lease("kube-system"));
    assert!(!lease("default"));
}
