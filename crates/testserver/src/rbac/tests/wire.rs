//! The protobuf RBAC objects and self reviews kubectl sends, decoded to the JSON a client
//! would send.

use serde_json::{Value, json};

use crate::protobuf::encode::{envelope, field};
use crate::rbac::wire::{WireError, decode};

#[track_caller]
fn check(body: &[u8], want: Option<Result<Value, WireError>>) {
    assert_eq!(decode(body), want);
}

#[test]
fn access_reviews_with_resource_and_non_resource_attributes() {
    // what `kubectl auth can-i get pods --subresource=log -n ns` sends: every string field,
    // empty ones too
    let attrs = [
        field(1, b"ns"),
        field(2, b"get"),
        field(3, b""),
        field(4, b""),
        field(5, b"pods"),
        field(6, b"log"),
        field(7, b""),
    ]
    .concat();
    let raw = [field(1, &[]), field(2, &field(1, &attrs)), field(3, &[])].concat();
    check(
        &envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", &raw),
        Some(Ok(json!({
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "metadata": {},
            "spec": {"resourceAttributes": {"namespace": "ns", "verb": "get", "resource": "pods", "subresource": "log"}},
        }))),
    );
    let attrs = [field(1, b"/healthz"), field(2, b"get")].concat();
    let raw = [field(2, &field(2, &attrs))].concat();
    check(
        &envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", &raw),
        Some(Ok(json!({
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}},
        }))),
    );
}

#[test]
fn rules_and_subject_reviews() {
    let raw = [field(1, &[]), field(2, &field(1, b"kc"))].concat();
    check(
        &envelope("authorization.k8s.io/v1", "SelfSubjectRulesReview", &raw),
        Some(Ok(json!({
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
            "metadata": {}, "spec": {"namespace": "kc"},
        }))),
    );
    check(
        &envelope(
            "authentication.k8s.io/v1",
            "SelfSubjectReview",
            &field(1, &[]),
        ),
        Some(Ok(json!({
            "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview", "metadata": {},
        }))),
    );
}

#[test]
fn other_bodies_are_left_to_the_generic_decoder() {
    check(b"{\"kind\": \"SelfSubjectReview\"}", None);
    check(&envelope("v1", "ConfigMap", &[]), None);
}

#[test]
fn broken_bodies_are_errors_not_panics() {
    let good = envelope(
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        &field(2, &field(1, b"kc")),
    );
    // every truncation either is refused or decodes; none panics
    for len in 4..good.len() {
        let _ = decode(&good[..len]);
    }
    check(b"k8s\0\x0a\xff", Some(Err(WireError::Malformed)));
    let bad_utf8 = envelope(
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        &field(2, &field(1, &[0xff, 0xfe])),
    );
    check(&bad_utf8, Some(Err(WireError::Malformed)));
}

#[test]
fn roles_and_bindings_as_kubectl_create_sends_them() {
    let meta = [
        field(1, b"reader"),
        field(2, b""),
        field(3, b""),
        field(11, &[field(1, b"app"), field(2, b"x")].concat()),
    ]
    .concat();
    let rule = [
        field(1, b"get"),
        field(1, b"list"),
        field(2, b""),
        field(3, b"pods"),
        field(4, b"x"),
    ]
    .concat();
    let raw = [field(1, &meta), field(2, &rule)].concat();
    check(
        &envelope("rbac.authorization.k8s.io/v1", "Role", &raw),
        Some(Ok(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader", "labels": {"app": "x"}},
            "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"], "resourceNames": ["x"]}],
        }))),
    );
    let subject = |kind: &[u8], group: &[u8], name: &[u8], ns: &[u8]| {
        field(
            2,
            &[
                field(1, kind),
                field(2, group),
                field(3, name),
                field(4, ns),
            ]
            .concat(),
        )
    };
    let raw = [
        field(1, &field(1, b"rb")),
        subject(b"ServiceAccount", b"", b"bot", b"t1"),
        subject(b"User", b"rbac.authorization.k8s.io", b"bob", b""),
        field(
            3,
            &[
                field(1, b"rbac.authorization.k8s.io"),
                field(2, b"ClusterRole"),
                field(3, b"view"),
            ]
            .concat(),
        ),
    ]
    .concat();
    check(
        &envelope("rbac.authorization.k8s.io/v1", "RoleBinding", &raw),
        Some(Ok(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb"},
            "subjects": [
                {"kind": "ServiceAccount", "name": "bot", "namespace": "t1"},
                {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"},
            ],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        }))),
    );
    let selector = field(
        1,
        &field(1, &[field(1, b"agg"), field(2, b"true")].concat()),
    );
    let raw = [field(1, &field(1, b"agg")), field(3, &selector)].concat();
    check(
        &envelope("rbac.authorization.k8s.io/v1", "ClusterRole", &raw),
        Some(Ok(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "agg"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"agg": "true"}}]},
        }))),
    );
}
