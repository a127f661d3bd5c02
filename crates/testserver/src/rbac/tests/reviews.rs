//! Self reviews, driven by the recorded SelfSubjectAccessReview and SelfSubjectReview
//! transcripts and by unit cases for SelfSubjectRulesReview.

use serde_json::{Value, json};

use super::support::{admin, binding, role, rule, sa, transcript_user, user, with_bootstrap};
use crate::auth::User;
use crate::rbac::objects::PolicySet;
use crate::rbac::reviews::access::{Stamp, self_subject_access_review, subject_access_review};
use crate::rbac::reviews::rules::self_subject_rules_review;
use crate::rbac::reviews::subject::{
    CREDENTIAL_ID, client_cert_credential_id, self_subject_review,
};

const STAMP: Stamp<'static> = Stamp {
    manager: "test",
    now: "2026-01-02T03:04:05Z",
};

fn transcript(text: &str) -> Value {
    serde_json::from_str(text).expect("transcript JSON")
}

#[track_caller]
fn check_access(policy: &PolicySet, user: &User, step: &Value) {
    let request = &step["request"]["body"];
    let response = &step["response"];
    let stamp = Stamp {
        manager: "k8s-transcript",
        now: "<time>",
    };
    let got = match self_subject_access_review(policy, user, request, &stamp) {
        Ok(body) => (201, body),
        Err(rejected) => (u64::from(rejected.code), rejected.to_status()),
    };
    let note = step["note"].as_str().unwrap_or_default();
    assert_eq!(
        got.0,
        response["status"].as_u64().unwrap_or_default(),
        "{note}: status"
    );
    assert_eq!(got.1, response["body"], "{note}: body");
}

#[test]
fn self_subject_access_reviews_match_the_transcript() {
    let t = transcript(include_str!(
        "../../../tests/transcripts/selfsubjectaccessreview.json"
    ));
    let policy = with_bootstrap([]);
    let mut checked = 0;
    for step in t["steps"].as_array().expect("steps") {
        let path = step["request"]["path"].as_str().unwrap_or_default();
        let user = transcript_user(step["as"].as_str().unwrap_or_default()).expect("user");
        if path.ends_with("/selfsubjectaccessreviews") && step["response"]["status"] != 403 {
            check_access(&policy, &user, step);
            checked += 1;
        }
    }
    assert_eq!(checked, 7);
}

/// Replaces the generated parts the transcripts normalize.
fn normalize(mut v: Value, uid: &str, fingerprint: &str) -> Value {
    let text = v
        .to_string()
        .replace(uid, "<uid>")
        .replace(fingerprint, "<sha256>");
    v = serde_json::from_str(&text).expect("json");
    v
}

#[test]
fn self_subject_reviews_match_the_transcript() {
    let t = transcript(include_str!(
        "../../../tests/transcripts/selfsubjectreview.json"
    ));
    let id = client_cert_credential_id(b"not really a certificate");
    let fingerprint = id.trim_start_matches("X509SHA256=").to_owned();
    let mut admin = admin();
    admin.extra.insert(CREDENTIAL_ID.into(), vec![id]);
    let mut account = sa("t-selfsubjectreview", "default");
    let uid = account.uid.clone();
    account
        .extra
        .insert(CREDENTIAL_ID.into(), vec![format!("JTI={uid}")]);
    for (index, user) in [(1, &admin), (2, &account)] {
        let want = &t["steps"][index]["response"]["body"];
        let got = normalize(self_subject_review(user, "<time>"), &uid, &fingerprint);
        assert_eq!(&got, want, "step {}", index + 1);
    }
}

#[test]
fn client_cert_fingerprint_is_lowercase_sha256_hex() {
    // sha256("abc")
    assert_eq!(
        client_cert_credential_id(b"abc"),
        "X509SHA256=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[track_caller]
fn check_rules(policy: &PolicySet, user: &User, namespace: &str, want_status: Value) {
    let request = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                         "spec": {"namespace": namespace}});
    let got = self_subject_rules_review(policy, user, &request).expect("review");
    assert_eq!(got["status"], want_status);
    assert_eq!(got["kind"], "SelfSubjectRulesReview");
}

const BASIC: &str = r#"[
    {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]},
    {"verbs": ["create"], "apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"]}
]"#;

fn non_resource_basics(service_account: bool) -> Value {
    let mut rules = vec![
        json!({"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]}),
        json!({"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]}),
    ];
    if service_account {
        rules.push(json!({"verbs": ["get"], "nonResourceURLs": ["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"]}));
    }
    Value::Array(rules)
}

#[test]
fn self_subject_rules_reviews() {
    let policy = with_bootstrap([
        role(
            "ns",
            "cm",
            json!([rule(&[""], &["configmaps"], &["get", "list"])]),
        ),
        binding(
            "ns",
            "cm",
            "Role",
            "cm",
            json!([{"kind": "ServiceAccount", "name": "reader"}]),
        ),
        binding(
            "ns",
            "dangling",
            "Role",
            "missing",
            json!([{"kind": "ServiceAccount", "name": "reader"}]),
        ),
    ]);
    let basic: Value = serde_json::from_str(BASIC).expect("json");
    // another namespace: the cluster-wide rules only
    check_rules(
        &policy,
        &sa("ns", "reader"),
        "other",
        json!({
            "resourceRules": basic.clone(),
            "nonResourceRules": non_resource_basics(true),
            "incomplete": false,
        }),
    );
    let mut with_cm = basic.as_array().expect("rules").clone();
    with_cm.push(json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["configmaps"]}));
    check_rules(
        &policy,
        &sa("ns", "reader"),
        "ns",
        json!({
            "resourceRules": with_cm,
            "nonResourceRules": non_resource_basics(true),
            "incomplete": false,
            "evaluationError": "role.rbac.authorization.k8s.io \"missing\" not found",
        }),
    );
    // system:masters members see cluster-admin's rules first
    let mut admin_rules = vec![json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})];
    admin_rules.extend(basic.as_array().expect("rules").clone());
    let mut admin_urls = vec![json!({"verbs": ["*"], "nonResourceURLs": ["*"]})];
    admin_urls.extend(
        non_resource_basics(false)
            .as_array()
            .expect("rules")
            .clone(),
    );
    check_rules(
        &policy,
        &admin(),
        "default",
        json!({
            "resourceRules": admin_rules,
            "nonResourceRules": admin_urls,
            "incomplete": false,
        }),
    );
    check_rules(
        &policy,
        &user("nobody", &[]),
        "default",
        json!({
            "resourceRules": basic,
            "nonResourceRules": non_resource_basics(false),
            "incomplete": false,
        }),
    );
}

#[test]
fn self_subject_rules_review_needs_a_namespace() {
    let request = json!({"spec": {}});
    let err = self_subject_rules_review(&PolicySet::default(), &admin(), &request)
        .expect_err("no namespace");
    assert_eq!(
        err.to_status(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "no namespace on request", "reason": "BadRequest", "code": 400})
    );
}

#[track_caller]
fn check_sar(
    policy: &PolicySet,
    request: Value,
    namespace: Option<&str>,
    want: Result<Value, &str>,
) {
    let got = subject_access_review(policy, &request, namespace, &STAMP);
    match (got, want) {
        (Ok(body), Ok(status)) => assert_eq!(body["status"], status, "{request}"),
        (Err(rejected), Err(message)) => {
            assert_eq!(rejected.message, message, "{request}");
            assert_eq!(rejected.code, 422);
        }
        (got, want) => panic!("{request}: got {got:?}, want {want:?}"),
    }
}

#[test]
fn subject_access_reviews() {
    let policy = with_bootstrap([
        role("ns", "cm", json!([rule(&[""], &["configmaps"], &["get"])])),
        binding(
            "ns",
            "cm",
            "Role",
            "cm",
            json!([{"kind": "User", "name": "alice"}]),
        ),
    ]);
    let discovery = "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"";
    check_sar(
        &policy,
        json!({"spec": {"user": "alice", "groups": ["system:authenticated"],
        "nonResourceAttributes": {"path": "/api", "verb": "get"}}}),
        None,
        Ok(json!({"allowed": true, "reason": discovery})),
    );
    // no implicit groups: alice alone is not system:authenticated
    check_sar(
        &policy,
        json!({"spec": {"user": "alice",
        "nonResourceAttributes": {"path": "/api", "verb": "get"}}}),
        None,
        Ok(json!({"allowed": false})),
    );
    check_sar(
        &policy,
        json!({"spec": {"user": "alice",
        "resourceAttributes": {"namespace": "ns", "verb": "get", "resource": "configmaps"}}}),
        Some("ns"),
        Ok(
            json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"cm/ns\" of Role \"cm\" to User \"alice\""}),
        ),
    );
    check_sar(
        &policy,
        json!({"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}),
        None,
        Err(
            ".authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified",
        ),
    );
    check_sar(
        &policy,
        json!({"spec": {}}),
        None,
        Err(
            ".authorization.k8s.io \"\" is invalid: [spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified, \
         spec.user: Invalid value: \"\": at least one of user or group must be specified]",
        ),
    );
    // ValidateSubjectAccessReview: metadata after the spec; ValidateLocalSubjectAccessReview:
    // metadata (a namespace allowed) before the namespace match
    check_sar(
        &policy,
        json!({"apiVersion": "authorization.k8s.io/v1", "metadata": {"name": "r"},
        "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}),
        None,
        Err(
            ".authorization.k8s.io \"\" is invalid: [spec.user: Invalid value: \"\": at least one of user or group must be specified, \
         metadata: Invalid value: {\"name\":\"r\",\"managedFields\":[{\"manager\":\"test\",\"operation\":\"Update\",\"apiVersion\":\"authorization.k8s.io/v1\",\"time\":\"2026-01-02T03:04:05Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:spec\":{\"f:resourceAttributes\":{\".\":{},\"f:resource\":{},\"f:verb\":{}}}}}]}: must be empty]",
        ),
    );
    check_sar(
        &policy,
        json!({"apiVersion": "authorization.k8s.io/v1", "metadata": {"namespace": "ns", "labels": {"a": "b"}},
        "spec": {"user": "alice", "resourceAttributes": {"namespace": "other", "verb": "get", "resource": "pods"}}}),
        Some("ns"),
        Err(
            ".authorization.k8s.io \"\" is invalid: [metadata: Invalid value: {\"namespace\":\"ns\",\"labels\":{\"a\":\"b\"},\"managedFields\":[{\"manager\":\"test\",\"operation\":\"Update\",\"apiVersion\":\"authorization.k8s.io/v1\",\"time\":\"2026-01-02T03:04:05Z\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:a\":{}}},\"f:spec\":{\"f:resourceAttributes\":{\".\":{},\"f:namespace\":{},\"f:resource\":{},\"f:verb\":{}},\"f:user\":{}}}}]}: must be empty except for namespace, \
         spec.resourceAttributes.namespace: Invalid value: \"other\": must match metadata.namespace]",
        ),
    );
    check_sar(
        &policy,
        json!({"spec": {"user": "alice",
        "resourceAttributes": {"namespace": "other", "verb": "get", "resource": "configmaps"}}}),
        Some("ns"),
        Err(
            ".authorization.k8s.io \"\" is invalid: spec.resourceAttributes.namespace: Invalid value: \"other\": must match metadata.namespace",
        ),
    );
    // ValidateLocalSubjectAccessReview: the spec's errors in ValidateSubjectAccessReviewSpec's
    // order (attributes, user, then the selectors of validateResourceAttributes), then the
    // namespace
    check_sar(
        &policy,
        json!({"spec": {"resourceAttributes": {"namespace": "other", "verb": "list", "resource": "pods",
            "labelSelector": {}}}}),
        Some("ns"),
        Err(
            ".authorization.k8s.io \"\" is invalid: [spec.user: Invalid value: \"\": at least one of user or group must be specified, \
         spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required, \
         spec.resourceAttributes.namespace: Invalid value: \"other\": must match metadata.namespace]",
        ),
    );
    // a well-formed selector does not change RBAC's decision
    check_sar(
        &policy,
        json!({"spec": {"user": "alice", "resourceAttributes": {"namespace": "ns", "verb": "get",
            "resource": "configmaps", "fieldSelector": {"rawSelector": "metadata.name=x"}}}}),
        Some("ns"),
        Ok(
            json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"cm/ns\" of Role \"cm\" to User \"alice\""}),
        ),
    );
    let body = subject_access_review(
        &policy,
        &json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
        "spec": {"user": "alice", "groups": ["g"], "uid": "u1", "extra": {"k": ["v"]},
                 "resourceAttributes": {"verb": "list", "resource": "nodes", "version": ""}}}),
        None,
        &STAMP,
    )
    .expect("review");
    assert_eq!(body["kind"], "SubjectAccessReview");
    assert_eq!(
        body["spec"],
        json!({"resourceAttributes": {"verb": "list", "resource": "nodes"},
        "user": "alice", "uid": "u1", "groups": ["g"], "extra": {"k": ["v"]}})
    );
}
