//! Helpers shared by the RBAC tests.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::auth::User;
use crate::rbac::attributes::Attributes;
use crate::rbac::evaluate::authorize;
use crate::rbac::forbidden::Forbidden;
use crate::rbac::objects::PolicySet;

/// A ServiceAccount user as the token authenticator builds it.
pub(super) fn sa(namespace: &str, name: &str) -> User {
    User {
        name: format!("system:serviceaccount:{namespace}:{name}"),
        uid: "8b7c4c42-0000-4000-8000-000000000001".into(),
        groups: vec![
            "system:serviceaccounts".into(),
            format!("system:serviceaccounts:{namespace}"),
            "system:authenticated".into(),
        ],
        extra: BTreeMap::new(),
    }
}

/// An authenticated user with groups.
pub(super) fn user(name: &str, groups: &[&str]) -> User {
    let mut groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
    groups.push("system:authenticated".into());
    User {
        name: name.into(),
        uid: String::new(),
        groups,
        extra: BTreeMap::new(),
    }
}

/// The admin of the transcripts (client certificate, `O=system:masters`).
pub(super) fn admin() -> User {
    user("admin", &["system:masters"])
}

/// The user a transcript step is sent as.
pub(super) fn transcript_user(identity: &str) -> Option<User> {
    match identity {
        "admin" => Some(admin()),
        "anonymous" => Some(User::anonymous()),
        other => {
            let rest = other.strip_prefix("system:serviceaccount:")?;
            let (ns, name) = rest.split_once(':')?;
            Some(sa(ns, name))
        }
    }
}

/// A rule as JSON.
pub(super) fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

/// A ClusterRole.
pub(super) fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1",
           "metadata": {"name": name}, "rules": rules})
}

/// A Role.
pub(super) fn role(ns: &str, name: &str, rules: Value) -> Value {
    json!({"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1",
           "metadata": {"name": name, "namespace": ns}, "rules": rules})
}

/// A ClusterRoleBinding of a ClusterRole.
pub(super) fn cluster_binding(name: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": "ClusterRoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
           "metadata": {"name": name}, "subjects": subjects,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}})
}

/// A RoleBinding of a Role or ClusterRole (`role_kind`).
pub(super) fn binding(ns: &str, name: &str, role_kind: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": "RoleBinding", "apiVersion": "rbac.authorization.k8s.io/v1",
           "metadata": {"name": name, "namespace": ns}, "subjects": subjects,
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role}})
}

/// The bootstrap policy plus `objects`.
pub(super) fn with_bootstrap(objects: impl IntoIterator<Item = Value>) -> PolicySet {
    let mut set = crate::rbac::bootstrap::policy();
    for o in objects {
        set.put(o);
    }
    set
}

/// What a request should get.
pub(super) enum Want<'a> {
    /// Allowed with exactly this reason.
    Allowed(&'a str),
    /// Denied with exactly this 403 message.
    Denied(&'a str),
}

#[track_caller]
pub(super) fn check(policy: &PolicySet, user: &User, method: &str, url: &str, want: Want<'_>) {
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
