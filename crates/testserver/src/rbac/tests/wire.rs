//! The protobuf self reviews kubectl sends, decoded to the JSON a client would send.

use serde_json::{Value, json};

use crate::rbac::reviews::wire::{WireError, decode};

/// A length-delimited protobuf field.
fn field(number: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![number << 3 | 2];
    let mut len = payload.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(payload);
    out
}

/// `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}.
fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
    let type_meta = [field(1, api_version.as_bytes()), field(2, kind.as_bytes())].concat();
    let mut out = b"k8s\0".to_vec();
    out.extend(field(1, &type_meta));
    out.extend(field(2, raw));
    out
}

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
