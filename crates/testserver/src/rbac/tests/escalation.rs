//! Escalation prevention on RBAC writes, through one `check`.

use serde_json::{Value, json};

use super::support::{admin, binding, cluster_role, role, rule, sa, user, with_bootstrap};
use crate::auth::User;
use crate::rbac::escalation::{RbacWrite, Refusal, check_write};
use crate::rbac::forbidden::Forbidden;
use crate::rbac::objects::PolicySet;

/// Writes `object` as `resource` in `namespace` (a create unless `old` is given); `want` is
/// `None` for allowed or the 403 message.
#[track_caller]
fn check(
    policy: &PolicySet,
    user: &User,
    resource: &str,
    namespace: &str,
    object: Value,
    old: Option<Value>,
    want: Option<&str>,
) {
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let write = RbacWrite {
        resource,
        namespace,
        url_name: if old.is_some() { &name } else { "" },
        object: &object,
        old: old.as_ref(),
    };
    let got = check_write(policy, user, &write);
    match (got, want) {
        (Ok(()), None) => {}
        (Err(Refusal::Forbidden(f)), Some(message)) => {
            assert_eq!(f.message, message);
            assert_eq!(f.details["group"], "rbac.authorization.k8s.io");
            assert_eq!(f.details["kind"], resource);
            assert_eq!(f.to_status()["code"], 403);
        }
        (got, want) => panic!("{resource} {name}: got {got:?}, want {want:?}"),
    }
}

/// A create of `object`.
fn write<'a>(resource: &'a str, namespace: &'a str, object: &'a Value) -> RbacWrite<'a> {
    RbacWrite {
        resource,
        namespace,
        url_name: "",
        object,
        old: None,
    }
}

/// The 403 of a refused write.
#[track_caller]
fn forbidden(got: Result<(), Refusal>) -> Forbidden {
    match got {
        Err(Refusal::Forbidden(f)) => f,
        other => panic!("want a 403, got {other:?}"),
    }
}

/// alice may manage roles and bindings in `ns` and read pods there.
fn policy(extra: impl IntoIterator<Item = Value>) -> PolicySet {
    let mut objects = vec![
        role(
            "ns",
            "rbac-manager",
            json!([
                rule(
                    &["rbac.authorization.k8s.io"],
                    &["roles", "rolebindings"],
                    &["create", "update"]
                ),
                rule(&[""], &["pods"], &["get", "list"]),
            ]),
        ),
        binding(
            "ns",
            "alice",
            "Role",
            "rbac-manager",
            json!([{"kind": "User", "name": "alice"}]),
        ),
    ];
    objects.extend(extra);
    with_bootstrap(objects)
}

const ALICE_PREFIX: &str = "user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n";

#[test]
fn roles_may_only_grant_held_rules() {
    let p = policy([]);
    let alice = user("alice", &[]);
    check(
        &p,
        &alice,
        "roles",
        "ns",
        role("ns", "ok", json!([rule(&[""], &["pods"], &["get"])])),
        None,
        None,
    );
    check(
        &p,
        &alice,
        "roles",
        "ns",
        role(
            "ns",
            "r",
            json!([
                rule(&[""], &["pods", "secrets"], &["get", "delete", "list"]),
                {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a", "b"], "verbs": ["get"]},
            ]),
        ),
        None,
        Some(&format!(
            "roles.rbac.authorization.k8s.io \"r\" is forbidden: {ALICE_PREFIX}\
             {{APIGroups:[\"\"], Resources:[\"configmaps\"], ResourceNames:[\"a\"], Verbs:[\"get\"]}}\n\
             {{APIGroups:[\"\"], Resources:[\"configmaps\"], ResourceNames:[\"b\"], Verbs:[\"get\"]}}\n\
             {{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}}\n\
             {{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"delete\" \"list\"]}}"
        )),
    );
    // rules held only in another namespace do not count
    check(
        &p,
        &alice,
        "roles",
        "other",
        role("other", "r", json!([rule(&[""], &["pods"], &["get"])])),
        None,
        Some(&format!(
            "roles.rbac.authorization.k8s.io \"r\" is forbidden: {ALICE_PREFIX}\
             {{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}}"
        )),
    );
    // non-resource URLs
    check(
        &p,
        &alice,
        "clusterroles",
        "",
        cluster_role(
            "m",
            json!([{"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]),
        ),
        None,
        Some(&format!(
            "clusterroles.rbac.authorization.k8s.io \"m\" is forbidden: {ALICE_PREFIX}\
             {{NonResourceURLs:[\"/metrics\"], Verbs:[\"get\"]}}"
        )),
    );
    // discovery URLs every authenticated user holds may be granted
    check(
        &p,
        &alice,
        "clusterroles",
        "",
        cluster_role(
            "d",
            json!([{"nonResourceURLs": ["/apis/*", "/version"], "verbs": ["get"]}]),
        ),
        None,
        None,
    );
}

#[test]
fn escalate_verb_and_privileged_group_skip_the_check() {
    let p = policy([
        role(
            "ns",
            "escalator",
            json!([rule(
                &["rbac.authorization.k8s.io"],
                &["roles"],
                &["escalate"]
            )]),
        ),
        binding(
            "ns",
            "bob",
            "Role",
            "escalator",
            json!([{"kind": "User", "name": "bob"}]),
        ),
    ]);
    let big = role("ns", "big", json!([rule(&["*"], &["*"], &["*"])]));
    check(
        &p,
        &user("bob", &[]),
        "roles",
        "ns",
        big.clone(),
        None,
        None,
    );
    check(&p, &admin(), "roles", "ns", big, None, None);
}

#[test]
fn bindings_need_held_rules_or_bind() {
    let p = policy([
        role(
            "ns",
            "pod-reader",
            json!([rule(&[""], &["pods"], &["get"])]),
        ),
        role(
            "ns",
            "binder",
            json!([{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"],
                                      "resourceNames": ["edit"], "verbs": ["bind"]}]),
        ),
        binding(
            "ns",
            "carol",
            "Role",
            "binder",
            json!([{"kind": "ServiceAccount", "name": "carol"}]),
        ),
    ]);
    let alice = user("alice", &[]);
    let subjects = json!([{"kind": "User", "name": "dave"}]);
    check(
        &p,
        &alice,
        "rolebindings",
        "ns",
        binding("ns", "b1", "Role", "pod-reader", subjects.clone()),
        None,
        None,
    );
    // a missing role is the registry's 404, not a 403
    let missing = binding("ns", "b2", "Role", "missing", subjects.clone());
    assert_eq!(
        check_write(&p, &alice, &write("rolebindings", "ns", &missing)),
        Err(Refusal::RoleNotFound {
            resource: "roles",
            name: "missing".into()
        })
    );
    let view_b3 = binding("ns", "b3", "ClusterRole", "view", subjects.clone());
    let denied = forbidden(check_write(
        &p,
        &alice,
        &write("rolebindings", "ns", &view_b3),
    ));
    assert!(denied.message.starts_with(&format!(
        "rolebindings.rbac.authorization.k8s.io \"b3\" is forbidden: {ALICE_PREFIX}{{APIGroups:[\"\"], Resources:[\"bindings\"], Verbs:[\"get\" \"list\" \"watch\"]}}\n\
         {{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"get\" \"list\" \"watch\"]}}\n"
    )), "{}", denied.message);
    // bind on exactly that ClusterRole
    let carol = sa("ns", "carol");
    check(
        &p,
        &carol,
        "rolebindings",
        "ns",
        binding("ns", "b4", "ClusterRole", "edit", subjects.clone()),
        None,
        None,
    );
    let view = binding("ns", "b5", "ClusterRole", "view", subjects);
    let denied = forbidden(check_write(&p, &carol, &write("rolebindings", "ns", &view)));
    assert!(denied.message.contains(
        "user \"system:serviceaccount:ns:carol\" (groups=[\"system:serviceaccounts\" \"system:serviceaccounts:ns\" \"system:authenticated\"])"
    ), "{}", denied.message);
}

#[test]
fn aggregation_rules_need_cluster_admin() {
    let p = policy([]);
    let mut agg = cluster_role("agg", json!([]));
    agg["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]});
    check(
        &p,
        &user("alice", &[]),
        "clusterroles",
        "",
        agg,
        None,
        Some(
            "clusterroles.rbac.authorization.k8s.io \"agg\" is forbidden: must have cluster-admin privileges to use the aggregationRule",
        ),
    );
}

#[test]
fn updates_of_gc_fields_only_are_not_checked() {
    let p = policy([]);
    let old = role("ns", "big", json!([rule(&["*"], &["*"], &["*"])]));
    let mut new = old.clone();
    new["metadata"]["finalizers"] = json!(["example.com/keep"]);
    let alice = user("alice", &[]);
    check(
        &p,
        &alice,
        "roles",
        "ns",
        new.clone(),
        Some(old.clone()),
        None,
    );
    new["metadata"]["labels"] = json!({"a": "b"});
    check(
        &p,
        &alice,
        "roles",
        "ns",
        new,
        Some(old),
        Some(&format!(
            "roles.rbac.authorization.k8s.io \"big\" is forbidden: {ALICE_PREFIX}{{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}}"
        )),
    );
}
