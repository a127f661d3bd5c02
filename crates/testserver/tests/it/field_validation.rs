//! `fieldValidation` on writes of built-in types, as kube-apiserver's handlers answer
//! (`create.go`/`update.go`: strict errors become `Warning`s under `Warn`, a 400 from
//! `transformDecodeError` under `Strict`; `patch.go`'s `jsonPatcher.applyPatchToCurrentObject`
//! and `applyPatchToObject`: a 422 `patch: Invalid value` under `Strict`), with the field paths
//! of sigs.k8s.io/json's strict decoder.

use bytes::Bytes;
use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::{Answer, Who, admin, send_raw};

const CM: &str = "/api/v1/namespaces/default/configmaps";

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

fn warnings(a: &Answer) -> Vec<String> {
    a.headers
        .get_all(http::header::WARNING)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

const DEPLOYMENT: &str = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","name":"d"},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"a"}},"bogus":true,
  "template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"i","imagee":"x"}]}}}}"#;

/// Default (`Warn`): the object is created without the unknown fields, one `Warning` each.
#[tokio::test]
async fn create_warns_by_default_and_drops_unknown_fields() {
    let server = TestServer::start().await.unwrap();
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let a = raw(&server, Method::POST, path, "application/json", DEPLOYMENT).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "duplicate field \"metadata.name\"""#,
            r#"299 - "unknown field \"spec.bogus\"""#,
            r#"299 - "unknown field \"spec.template.spec.containers[0].imagee\"""#,
        ]
    );
    let stored = a.json();
    assert!(stored["spec"].get("bogus").is_none());
    assert!(
        stored["spec"]["template"]["spec"]["containers"][0]
            .get("imagee")
            .is_none()
    );
}

/// `Strict`: the 400 of `transformDecodeError` with every strict error; `Ignore`: no warning.
#[tokio::test]
async fn create_strict_refuses_and_ignore_is_silent() {
    let server = TestServer::start().await.unwrap();
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let a = raw(
        &server,
        Method::POST,
        &format!("{path}?fieldValidation=Strict"),
        "application/json",
        DEPLOYMENT,
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json()["message"],
        r#"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.name", unknown field "spec.bogus", unknown field "spec.template.spec.containers[0].imagee""#
    );
    assert_eq!(a.json()["reason"], "BadRequest");
    let a = raw(
        &server,
        Method::POST,
        &format!("{path}?fieldValidation=Ignore"),
        "application/json",
        DEPLOYMENT,
    )
    .await;
    assert_eq!(a.status, 201);
    assert!(warnings(&a).is_empty());
    assert!(a.json()["spec"].get("bogus").is_none());
}

/// YAML bodies: the JSON the YAML converts to is decoded strictly (keys in sorted order).
#[tokio::test]
async fn yaml_create_and_update() {
    let server = TestServer::start().await.unwrap();
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yamlcm\n  zeta: 1\nalpha: 2\ndata:\n  a: b\n";
    let a = raw(&server, Method::POST, CM, "application/yaml", yaml).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "unknown field \"alpha\"""#,
            r#"299 - "unknown field \"metadata.zeta\"""#
        ]
    );
    let a = raw(
        &server,
        Method::PUT,
        &format!("{CM}/yamlcm?fieldValidation=Strict"),
        "application/yaml",
        yaml,
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json()["message"],
        r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "alpha", unknown field "metadata.zeta""#
    );
}

/// Merge and JSON patches: the patched object is decoded strictly; `Strict` is the 422 of
/// `jsonPatcher.applyPatchToCurrentObject` showing the patched JSON.
#[tokio::test]
async fn merge_and_json_patch() {
    let server = TestServer::start().await.unwrap();
    let a = admin(
        &server,
        Method::POST,
        CM,
        Some(json!({"metadata": {"name": "p"}, "data": {"a": "1"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{CM}/p"),
        "application/merge-patch+json",
        r#"{"data":{"b":"2","b":"3"},"extra":1}"#,
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "duplicate field \"data.b\"""#,
            r#"299 - "unknown field \"extra\"""#
        ]
    );
    assert!(a.json().get("extra").is_none());
    assert_eq!(a.json()["data"]["b"], "3");
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{CM}/p?fieldValidation=Strict"),
        "application/json-patch+json",
        r#"[{"op":"add","path":"/extra","value":1}]"#,
    )
    .await;
    assert_eq!(a.status, 422);
    let status = a.json();
    let cause = &status["details"]["causes"][0];
    assert_eq!(cause["field"], "patch");
    assert_eq!(cause["reason"], "FieldValueInvalid");
    let message = status["message"].as_str().unwrap();
    assert!(
        message.starts_with(r#" "" is invalid: patch: Invalid value: "{\"apiVersion\":\"v1\""#),
        "{message}"
    );
    assert!(
        message.ends_with(r#"": strict decoding error: unknown field "extra""#),
        "{message}"
    );
}

/// Strategic merge patches show the patch as Go's `%+v` of the map under `Strict`.
#[tokio::test]
async fn strategic_merge_patch() {
    let server = TestServer::start().await.unwrap();
    let a = admin(
        &server,
        Method::POST,
        CM,
        Some(json!({"metadata": {"name": "s"}, "data": {"a": "1"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{CM}/s?fieldValidation=Strict"),
        "application/strategic-merge-patch+json",
        r#"{"data":{"b":"2"},"metadata":{"labelz":{"x":"y"}}}"#,
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json()["message"],
        r#" "" is invalid: patch: Invalid value: "map[data:map[b:2] metadata:map[labelz:map[x:y]]]": strict decoding error: unknown field "metadata.labelz""#
    );
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{CM}/s"),
        "application/strategic-merge-patch+json",
        r#"{"data":{"b":"2"},"metadata":{"labelz":{"x":"y"}}}"#,
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        warnings(&a),
        [r#"299 - "unknown field \"metadata.labelz\"""#]
    );
}

/// `ValidateCreateOptions`, `ValidateUpdateOptions` and `ValidatePatchOptions` refuse a
/// `fieldValidation` outside `allowedFieldValidationValues` before the body is read.
#[tokio::test]
async fn unknown_directive_is_refused_on_every_write() {
    let server = TestServer::start().await.unwrap();
    let expected = r#"fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn""#;
    for (method, path, ct, kind) in [
        (
            Method::POST,
            CM.to_owned(),
            "application/json",
            "CreateOptions",
        ),
        (
            Method::PUT,
            format!("{CM}/x"),
            "application/json",
            "UpdateOptions",
        ),
        (
            Method::PATCH,
            format!("{CM}/x"),
            "application/merge-patch+json",
            "PatchOptions",
        ),
    ] {
        let a = raw(
            &server,
            method,
            &format!("{path}?fieldValidation=strict"),
            ct,
            "{}",
        )
        .await;
        assert_eq!(a.status, 422);
        assert_eq!(
            a.json()["message"],
            format!(r#"{kind}.meta.k8s.io "" is invalid: {expected}"#)
        );
    }
}

/// YAML duplicate keys: the body is accepted with the last value (YAMLToJSON), and the strict
/// decoder's `YAMLToJSONStrict` error comes before the JSON errors.
#[tokio::test]
async fn yaml_duplicate_keys() {
    let server = TestServer::start().await.unwrap();
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  a: first\n  a: second\nextra: 1\n";
    let a = raw(&server, Method::POST, CM, "application/yaml", yaml).await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(a.json()["data"]["a"], "second");
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "yaml: unmarshal errors:\n  line 7: key \"a\" already set in map""#,
            r#"299 - "unknown field \"extra\"""#,
        ]
    );
    let a = raw(
        &server,
        Method::PUT,
        &format!("{CM}/dup?fieldValidation=Strict"),
        "application/yaml",
        yaml,
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json()["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 7: key \"a\" already set in map, unknown field \"extra\""
    );
}

/// Server-side apply: a repeated key of the configuration is applied with its last value and
/// reported by `applyPatcher`'s `yaml.UnmarshalStrict` check.
#[tokio::test]
async fn apply_configuration_duplicate_keys() {
    let server = TestServer::start().await.unwrap();
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: first\n  a: second\n";
    let path = format!("{CM}/applied?fieldManager=me");
    let a = raw(
        &server,
        Method::PATCH,
        &path,
        "application/apply-patch+yaml",
        yaml,
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(a.json()["data"]["a"], "second");
    assert_eq!(
        warnings(&a),
        [
            r#"299 - "error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key \"a\" already set in map""#
        ]
    );
    let a = raw(
        &server,
        Method::PATCH,
        &format!("{path}&fieldValidation=Strict"),
        "application/apply-patch+yaml",
        yaml,
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json()["message"],
        "error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key \"a\" already set in map"
    );
}
