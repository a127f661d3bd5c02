//! `rule_allows` as RBAC matches: wildcards, `*/subresource`, resourceNames, URL prefixes.

#![allow(clippy::unwrap_used, reason = "tests")]

use k8s_openapi::api::rbac::v1::PolicyRule;
use kubeset_audit::{Request, parse_log, rule_allows};
use serde_json::json;

/// The request of one event with `verb` and `object_ref` (or a URL when it is a string).
fn request(verb: &str, target: serde_json::Value) -> Request {
    let line = match target {
        serde_json::Value::String(uri) => {
            json!({"stage": "ResponseComplete", "verb": verb, "requestURI": uri})
        }
        object_ref => json!({"stage": "ResponseComplete", "verb": verb, "objectRef": object_ref}),
    };
    Request::of(&parse_log(&line.to_string()).unwrap()[0])
}

#[track_caller]
fn check(rule: serde_json::Value, verb: &str, target: serde_json::Value, expected: bool) {
    let rule: PolicyRule = serde_json::from_value(rule).unwrap();
    let request = request(verb, target);
    assert_eq!(rule_allows(&rule, &request), expected, "{rule:?} {request}");
}

#[test]
fn matching() {
    let pods = json!({"resource": "pods", "namespace": "a", "name": "p"});
    let status =
        json!({"resource": "pods", "namespace": "a", "name": "p", "subresource": "status"});
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str]| json!({"apiGroups": groups, "resources": resources, "verbs": verbs});
    check(rule(&[""], &["pods"], &["get"]), "get", pods.clone(), true);
    check(
        rule(&[""], &["pods"], &["get"]),
        "list",
        pods.clone(),
        false,
    );
    check(
        rule(&["apps"], &["pods"], &["get"]),
        "get",
        pods.clone(),
        false,
    );
    check(rule(&["*"], &["*"], &["*"]), "delete", status.clone(), true);
    // a resource does not cover its subresources, nor the reverse
    check(
        rule(&[""], &["pods"], &["patch"]),
        "patch",
        status.clone(),
        false,
    );
    check(
        rule(&[""], &["pods/status"], &["patch"]),
        "patch",
        pods.clone(),
        false,
    );
    check(
        rule(&[""], &["pods/status"], &["patch"]),
        "patch",
        status.clone(),
        true,
    );
    check(
        rule(&[""], &["*/status"], &["patch"]),
        "patch",
        status.clone(),
        true,
    );
    // resourceNames
    let named =
        json!({"apiGroups": [""], "resources": ["pods"], "resourceNames": ["p"], "verbs": ["get"]});
    check(named.clone(), "get", pods.clone(), true);
    check(
        named,
        "get",
        json!({"resource": "pods", "namespace": "a", "name": "q"}),
        false,
    );
    // URLs: exact, or a prefix ending in *
    let urls = json!({"nonResourceURLs": ["/healthz", "/apis/*"], "verbs": ["get"]});
    check(urls.clone(), "get", json!("/healthz"), true);
    check(urls.clone(), "get", json!("/healthz/etcd"), false);
    check(
        urls.clone(),
        "get",
        json!("/apis/apps/v1?timeout=32s"),
        true,
    );
    check(urls.clone(), "post", json!("/healthz"), false);
    // a resource rule never allows a URL
    check(
        rule(&["*"], &["*"], &["*"]),
        "get",
        json!("/healthz"),
        false,
    );
}
