//! What a ValidatingAdmissionPolicy adds to the request on the wire and in the audit log: the
//! `Warning`s of its `Warn` bindings (on an admitted request and on a refused one), the
//! `validation_failure` annotation of its `Audit` bindings and its auditAnnotations, as
//! `dispatcher.Dispatch` adds them.

use std::time::{Duration, Instant};

use http::Method;
use kubeset_testserver::TestServer;
use kubeset_testserver::audit::Event;
use serde_json::{Value, json};

use crate::support::{Answer, admin, namespace};

const POLICIES: &str = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
const BINDINGS: &str = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";

fn warnings(a: &Answer) -> Vec<String> {
    a.headers
        .get_all(http::header::WARNING)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

async fn event_for(server: &TestServer, uri: &str) -> Event {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = server
            .audit_events()
            .into_iter()
            .rev()
            .find(|e| e.request_uri == uri);
        if let Some(e) = found {
            return e;
        }
        assert!(Instant::now() < deadline, "no audit event for {uri}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Creates policy `name` over ConfigMaps in `ns` with `spec`, and one binding per entry of
/// `bindings` (its name and validationActions).
async fn policy(
    server: &TestServer,
    ns: &str,
    name: &str,
    spec: Value,
    bindings: &[(&str, Value)],
) {
    let mut spec = spec;
    spec["matchConstraints"] = json!({
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
        "resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
            "operations": ["CREATE"], "resources": ["configmaps"]}]});
    let a = admin(
        server,
        Method::POST,
        POLICIES,
        Some(json!({"metadata": {"name": name}, "spec": spec})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    for (binding, actions) in bindings {
        let body = json!({"metadata": {"name": binding},
            "spec": {"policyName": name, "validationActions": actions}});
        let a = admin(server, Method::POST, BINDINGS, Some(body)).await;
        assert_eq!(a.status, 201, "{:?}", a.json());
    }
}

#[tokio::test]
async fn warnings_and_audit_annotations_reach_the_answer_and_the_event() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "vap").await;
    policy(
        &server,
        "vap",
        "two-keys",
        json!({"validations": [{"expression": "size(object.data) <= 2", "message": "too big"}],
            "auditAnnotations": [{"key": "keys", "valueExpression": "string(size(object.data))"}]}),
        &[("audited", json!(["Audit", "Warn"]))],
    )
    .await;
    let path = "/api/v1/namespaces/vap/configmaps";
    let big = json!({"metadata": {"name": "big"}, "data": {"a": "1", "b": "2", "c": "3"}});
    let a = admin(&server, Method::POST, path, Some(big)).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "Validation failed for ValidatingAdmissionPolicy 'two-keys' with binding 'audited': too big""#
        ]
    );
    let event = event_for(&server, path).await;
    assert_eq!(
        event.annotations.get("two-keys/keys").map(String::as_str),
        Some("3")
    );
    assert_eq!(
        event
            .annotations
            .get("validation.policy.admission.k8s.io/validation_failure")
            .map(String::as_str),
        Some(
            r#"[{"message":"too big","policy":"two-keys","binding":"audited","expressionIndex":0,"validationActions":["Audit","Warn"]}]"#
        )
    );

    // a refused request carries the warnings of the bindings that warned before the denial
    policy(
        &server,
        "vap",
        "zz-deny",
        json!({"validations": [{"expression": "size(object.data) <= 1"}]}),
        &[("zz-deny", json!(["Deny"]))],
    )
    .await;
    let big = json!({"metadata": {"name": "big2"}, "data": {"a": "1", "b": "2", "c": "3"}});
    let a = admin(&server, Method::POST, path, Some(big)).await;
    assert_eq!(a.status, 422, "{:?}", a.json());
    assert_eq!(
        a.json()["message"],
        "configmaps \"big2\" is forbidden: ValidatingAdmissionPolicy 'zz-deny' with binding \
         'zz-deny' denied request: failed expression: size(object.data) <= 1"
    );
    assert_eq!(warnings(&a).len(), 1, "{:?}", warnings(&a));
}
