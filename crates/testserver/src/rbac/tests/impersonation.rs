//! Impersonation headers, through one `check`.

use std::collections::BTreeMap;

use http::HeaderMap;
use serde_json::json;

use super::support::{admin, cluster_binding, cluster_role, user, with_bootstrap};
use crate::auth::User;
use crate::rbac::impersonation::{Refused, impersonate};
use crate::rbac::objects::PolicySet;

/// alice may impersonate user bob, the group devs, ServiceAccounts of `t1`, the uid `u-1`
/// and the extra `scopes` value `view`.
fn policy() -> PolicySet {
    with_bootstrap([
        cluster_role(
            "impersonator",
            json!([
                {"apiGroups": [""], "resources": ["users"], "resourceNames": ["bob", "system:anonymous"], "verbs": ["impersonate"]},
                {"apiGroups": [""], "resources": ["groups"], "resourceNames": ["devs", "system:authenticated"], "verbs": ["impersonate"]},
                {"apiGroups": ["authentication.k8s.io"], "resources": ["uids"], "resourceNames": ["u-1"], "verbs": ["impersonate"]},
                {"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes"], "resourceNames": ["view"], "verbs": ["impersonate"]},
            ]),
        ),
        cluster_binding(
            "alice-impersonates",
            "impersonator",
            json!([{"kind": "User", "name": "alice"}]),
        ),
        json!({"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1",
               "metadata": {"name": "sa-impersonator", "namespace": "t1"},
               "rules": [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]}]}),
        json!({"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
               "metadata": {"name": "alice", "namespace": "t1"},
               "subjects": [{"kind": "User", "name": "alice"}],
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sa-impersonator"}}),
    ])
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    map
}

fn who(name: &str, uid: &str, groups: &[&str], extra: &[(&str, &[&str])]) -> User {
    User {
        name: name.into(),
        uid: uid.into(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        extra: extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// `want` is the user the request runs as, or the refusal's message.
#[track_caller]
fn check(requestor: &User, pairs: &[(&str, &str)], want: Result<User, &str>) {
    let got = impersonate(&policy(), requestor, &headers(pairs));
    match (got, want) {
        (Ok(got), Ok(want)) => assert_eq!(got, want),
        (Err(Refused::Forbidden { answer: f }), Err(message)) => assert_eq!(f.message, message),
        (Err(Refused::WithoutUser { message: got }), Err(message)) => assert_eq!(got, message),
        (got, want) => panic!("{pairs:?}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn no_headers_keep_the_user() {
    let alice = user("alice", &[]);
    check(&alice, &[], Ok(alice.clone()));
    check(&alice, &[("impersonate-user", "")], Ok(alice.clone()));
}

#[test]
fn users_groups_uids_and_extras() {
    let alice = user("alice", &[]);
    check(
        &alice,
        &[("impersonate-user", "bob")],
        Ok(who("bob", "", &["system:authenticated"], &[])),
    );
    check(
        &alice,
        &[("impersonate-user", "bob"), ("impersonate-group", "devs")],
        Ok(who("bob", "", &["devs", "system:authenticated"], &[])),
    );
    // asking for system:authenticated does not add it twice
    check(
        &alice,
        &[
            ("impersonate-user", "bob"),
            ("impersonate-group", "system:authenticated"),
            ("impersonate-group", "devs"),
        ],
        Ok(who("bob", "", &["system:authenticated", "devs"], &[])),
    );
    check(
        &alice,
        &[
            ("impersonate-user", "bob"),
            ("impersonate-uid", "u-1"),
            ("impersonate-extra-scopes", "view"),
        ],
        Ok(who(
            "bob",
            "u-1",
            &["system:authenticated"],
            &[("scopes", &["view"])],
        )),
    );
    check(
        &alice,
        &[("impersonate-user", "system:anonymous")],
        Ok(who(
            "system:anonymous",
            "",
            &["system:unauthenticated"],
            &[],
        )),
    );
}

#[test]
fn service_accounts_get_their_groups() {
    let alice = user("alice", &[]);
    check(
        &alice,
        &[("impersonate-user", "system:serviceaccount:t1:bot")],
        Ok(who(
            "system:serviceaccount:t1:bot",
            "",
            &[
                "system:serviceaccounts",
                "system:serviceaccounts:t1",
                "system:authenticated",
            ],
            &[],
        )),
    );
    check(
        &alice,
        &[("impersonate-user", "system:serviceaccount:t2:bot")],
        Err(
            "serviceaccounts \"bot\" is forbidden: User \"alice\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"t2\"",
        ),
    );
    // system:masters may impersonate anyone
    check(
        &admin(),
        &[
            ("impersonate-user", "system:serviceaccount:t2:bot"),
            ("impersonate-group", "x"),
        ],
        Ok(who(
            "system:serviceaccount:t2:bot",
            "",
            &["x", "system:authenticated"],
            &[],
        )),
    );
}

#[test]
fn extra_keys_are_unescaped_after_lowercasing_as_the_filter_does() {
    // `unescapeExtraKey(strings.ToLower(name))`: the escapes' own letters keep their case
    check(
        &admin(),
        &[
            ("impersonate-user", "bob"),
            ("impersonate-extra-%41cme.io%2fscope", "x"),
        ],
        Ok(who(
            "bob",
            "",
            &["system:authenticated"],
            &[("Acme.io/scope", &["x"])],
        )),
    );
}

#[test]
fn refusals_name_the_first_denied_attribute() {
    let alice = user("alice", &[]);
    let carol = user("carol", &[]);
    check(
        &carol,
        &[("impersonate-user", "bob")],
        Err(
            "users \"bob\" is forbidden: User \"carol\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
        ),
    );
    check(
        &alice,
        &[
            ("impersonate-user", "bob"),
            ("impersonate-group", "system:masters"),
        ],
        Err(
            "groups \"system:masters\" is forbidden: User \"alice\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope",
        ),
    );
    check(
        &alice,
        &[
            ("impersonate-user", "bob"),
            ("impersonate-extra-scopes", "admin"),
        ],
        Err(
            "userextras.authentication.k8s.io \"admin\" is forbidden: User \"alice\" cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\" at the cluster scope",
        ),
    );
    check(
        &alice,
        &[("impersonate-group", "devs")],
        Err("requested [{Group  devs    }] without impersonating a user"),
    );
}
