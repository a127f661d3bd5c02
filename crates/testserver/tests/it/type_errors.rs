//! Bodies whose values their Go types cannot hold, answered as kube-apiserver answers them:
//! the create and update handlers' 400 (`transformDecodeError` around sigs.k8s.io/json's
//! `UnmarshalTypeError`), and the patch handler's 422 `patch: Invalid value` (the patched JSON
//! decoded for JSON and merge patches, the merged map converted by the unstructured converter
//! for strategic merge patches), under every `fieldValidation`.

use bytes::Bytes;
use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::{Answer, Who, admin, send_raw};

const CM: &str = "/api/v1/namespaces/default/configmaps";
const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";

async fn raw(server: &TestServer, method: Method, path: &str, ct: &str, body: &str) -> Answer {
    let who = Who::Cert(server.admin_cert());
    send_raw(
        server,
        &who,
        method,
        path,
        Some(ct),
        Some(Bytes::from(body.to_owned())),
        &[],
    )
    .await
}

#[track_caller]
fn check(a: &Answer, status: u16, message: &str) {
    assert_eq!(a.status, status, "{:?}", a.json());
    assert_eq!(a.json()["message"], message);
}

fn deployment(replicas: &str) -> String {
    format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"d"}},
  "spec":{{"replicas":{replicas},"selector":{{"matchLabels":{{"app":"a"}}}},
  "template":{{"metadata":{{"labels":{{"app":"a"}}}},"spec":{{"containers":[{{"name":"c","image":"i"}}]}}}}}}}}"#
    )
}

/// A number into a string: the same 400 with or without strict field validation, and nothing
/// is created.
#[tokio::test]
async fn create_refuses_whatever_field_validation_says() {
    let server = TestServer::start().await.unwrap();
    let body = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"},"data":{"a":1}}"#;
    let expected = "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string";
    for query in ["", "?fieldValidation=Ignore", "?fieldValidation=Strict"] {
        let a = raw(
            &server,
            Method::POST,
            &format!("{CM}{query}"),
            "application/json",
            body,
        )
        .await;
        check(&a, 400, expected);
        assert_eq!(a.json()["reason"], "BadRequest");
    }
    let a = admin(&server, Method::GET, &format!("{CM}/t"), None).await;
    assert_eq!(a.status, 404);
}

/// An `int32` out of range in a YAML body (decoded as the JSON it converts to), and a type
/// error beats the strict errors of the same body.
#[tokio::test]
async fn yaml_create_and_int32_overflow() {
    let server = TestServer::start().await.unwrap();
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  bogus: 1\nspec:\n  replicas: 3000000000\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers:\n      - {name: c, image: i}\n";
    let a = raw(
        &server,
        Method::POST,
        &format!("{DEPLOYMENTS}?fieldValidation=Strict"),
        "application/yaml",
        yaml,
    )
    .await;
    check(
        &a,
        400,
        "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32",
    );
}

/// An update whose int-or-string holds a `bool`, and quantities that do not parse.
#[tokio::test]
async fn update_int_or_string_and_quantities() {
    let server = TestServer::start().await.unwrap();
    let svc =
        json!({"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": "http"}]}});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/services",
        Some(svc),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let mut updated = a.json();
    updated["spec"]["ports"][0]["targetPort"] = json!(true);
    let a = raw(
        &server,
        Method::PUT,
        "/api/v1/namespaces/default/services/s",
        "application/json",
        &updated.to_string(),
    )
    .await;
    check(
        &a,
        400,
        "Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32",
    );
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"lots"}}}]}}"#;
    let a = raw(
        &server,
        Method::POST,
        "/api/v1/namespaces/default/pods",
        "application/json",
        pod,
    )
    .await;
    check(
        &a,
        400,
        "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
}

/// Patches: JSON and merge patches decode the patched JSON (an object into a list here), a
/// strategic merge patch converts the merged map (`unrecognized type`).
#[tokio::test]
async fn patches_answer_invalid_patch() {
    let server = TestServer::start().await.unwrap();
    let a = raw(
        &server,
        Method::POST,
        DEPLOYMENTS,
        "application/json",
        &deployment("1"),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let path = format!("{DEPLOYMENTS}/d");
    let a = raw(
        &server,
        Method::PATCH,
        &path,
        "application/merge-patch+json",
        r#"{"spec":{"template":{"spec":{"containers":{"name":"c"}}}}}"#,
    )
    .await;
    assert_eq!(a.status, 422, "{:?}", a.json());
    let message = a.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message
            .starts_with(r#" "" is invalid: patch: Invalid value: "{\"apiVersion\":\"apps/v1\""#),
        "{message}"
    );
    assert!(
        message.ends_with(r#"": json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"#),
        "{message}"
    );
    assert_eq!(a.json()["details"]["causes"][0]["field"], "patch");
    let a = raw(
        &server,
        Method::PATCH,
        &path,
        "application/json-patch+json",
        r#"[{"op":"replace","path":"/spec/replicas","value":"3"}]"#,
    )
    .await;
    assert_eq!(a.status, 422, "{:?}", a.json());
    let message = a.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.ends_with(r#"": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"#),
        "{message}"
    );
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{path}?fieldValidation=Ignore"),
        "application/strategic-merge-patch+json",
        r#"{"spec":{"replicas":"3"}}"#,
    )
    .await;
    check(
        &a,
        422,
        r#" "" is invalid: patch: Invalid value: "map[spec:map[replicas:3]]": unrecognized type: int32"#,
    );
    // nothing changed
    let a = admin(&server, Method::GET, &path, None).await;
    assert_eq!(a.json()["spec"]["replicas"], 1);
}

/// Server-side apply types the configuration against the schema first: an undeclared field
/// is the field manager's error, which the handler answers as a 500 (it is no API status).
#[tokio::test]
async fn apply_refuses_undeclared_fields() {
    let server = TestServer::start().await.unwrap();
    let config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  x: y\nspec:\n  z: 1\n";
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{CM}/a?fieldManager=t"),
        "application/apply-patch+yaml",
        config,
    )
    .await;
    check(
        &a,
        500,
        "failed to create typed patch object (default/a; /v1, Kind=ConfigMap): .spec: field not declared in schema",
    );
    let a = admin(&server, Method::GET, &format!("{CM}/a"), None).await;
    assert_eq!(a.status, 404);
}
