//! `kctl get --raw PATH` against the cluster, and against `kubectl get --raw PATH` when
//! kubectl is installed (`KUBESET_KUBECTL=/path` picks another one, `KUBESET_KUBECTL=` skips
//! the comparison): the same stdout on success, the same stderr line on a server error.
//!
//! The command's code is included from the example, so these tests call it directly.

#[path = "../../examples/kctl/get_raw.rs"]
#[allow(dead_code, unreachable_pub, reason = "shared with the kctl example")]
mod cmd;

use std::path::{Path, PathBuf};
use std::process::Command;

use k8s_openapi::api::core::v1::ServiceAccount;
use kubeset::clientset::{PostParams, TokenParams};
use kubeset::config::kubeconfig::Overrides;
use serde_json::json;

use crate::support::{Ctx, kubeconfig_path, no_env, setup};

/// What a `get --raw` run printed.
#[derive(Debug, PartialEq)]
struct Outcome {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs kctl's `get --raw` code with `--kubeconfig kubeconfig`, in an empty environment.
async fn kctl(kubeconfig: &Path, path: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let config = match cmd::resolve(
        Some(kubeconfig),
        &no_env(),
        &Overrides::default(),
        dir.path(),
    ) {
        Ok(config) => config,
        Err(err) => {
            return Outcome {
                success: false,
                stdout: String::new(),
                stderr: format!("{err}\n"),
            };
        }
    };
    let mut out = Vec::new();
    let result = cmd::get_raw(&config, None, path, &mut out).await;
    Outcome {
        success: result.is_ok(),
        stdout: String::from_utf8(out).unwrap(),
        stderr: result.err().map(|e| format!("{e}\n")).unwrap_or_default(),
    }
}

/// The kubectl to compare with, if any.
fn kubectl() -> Option<PathBuf> {
    match std::env::var_os("KUBESET_KUBECTL") {
        Some(path) if path.is_empty() => None,
        Some(path) => Some(PathBuf::from(path)),
        None => ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists()),
    }
}

/// Runs `kubectl --kubeconfig kubeconfig get --raw path` in a clean environment.
fn run_kubectl(kubectl: &Path, kubeconfig: &Path, path: &str) -> Outcome {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(kubectl)
        .args(["--kubeconfig"])
        .arg(kubeconfig)
        .args(["get", "--raw", path])
        .env_clear()
        .env("HOME", home.path())
        .output()
        .unwrap();
    Outcome {
        success: output.status.success(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// kctl's outcome, checked against kubectl's when kubectl is there, and against `expected`
/// (success, a stderr line) always.
#[track_caller]
fn check(ours: &Outcome, theirs: Option<Outcome>, success: bool, stderr: &str) {
    assert_eq!(ours.success, success, "{ours:?}");
    assert_eq!(ours.stderr.trim_end(), stderr, "{ours:?}");
    if let Some(theirs) = theirs {
        assert_eq!(ours, &theirs, "kctl (left) and kubectl (right) differ");
    }
}

async fn compare(kubeconfig: &Path, path: &str, success: bool, stderr: &str) -> Outcome {
    let ours = kctl(kubeconfig, path).await;
    let kubeconfig = kubeconfig.to_owned();
    let path_owned = path.to_owned();
    let theirs = match kubectl() {
        Some(kubectl) => Some(
            tokio::task::spawn_blocking(move || run_kubectl(&kubectl, &kubeconfig, &path_owned))
                .await
                .unwrap(),
        ),
        None => None,
    };
    check(&ours, theirs, success, stderr);
    ours
}

#[tokio::test]
async fn success_prints_the_body_as_the_server_sent_it() {
    let ctx = setup("raw-ok").await;
    let out = compare(kubeconfig_path(), "/version", true, "").await;
    let version: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(version["gitVersion"].is_string(), "{version}");

    let path = format!("/api/v1/namespaces/{}", ctx.ns);
    let out = compare(kubeconfig_path(), &path, true, "").await;
    let namespace: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(namespace["metadata"]["name"], ctx.ns.as_str());
    let raw = ctx.client.get_raw(&path).await.unwrap();
    assert_eq!(
        out.stdout.as_bytes(),
        &raw[..],
        "the body is printed unchanged"
    );

    // The query goes along (lists are not compared with kubectl: their resourceVersion
    // moves as other tests write).
    let out = kctl(kubeconfig_path(), &format!("{path}/configmaps?limit=1")).await;
    let list: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list["kind"], "ConfigMapList");
    assert!(list["items"].as_array().unwrap().len() <= 1, "{list}");
    compare(
        kubeconfig_path(),
        "/apis/coordination.k8s.io/v1?timeout=10s",
        true,
        "",
    )
    .await;
}

#[tokio::test]
async fn server_errors_print_kubectls_line() {
    let ctx = setup("raw-errors").await;
    let missing = format!("/api/v1/namespaces/{}/configmaps/nope", ctx.ns);
    compare(
        kubeconfig_path(),
        &missing,
        false,
        r#"Error from server (NotFound): configmaps "nope" not found"#,
    )
    .await;
    // A plain-text `404 page not found` gets client-go's generic message.
    compare(
        kubeconfig_path(),
        "/no/such/path",
        false,
        "Error from server (NotFound): the server could not find the requested resource",
    )
    .await;
}

/// A kubeconfig for the cluster that authenticates with `user` (a YAML mapping).
fn kubeconfig_with_user(dir: &Path, user: serde_json::Value) -> PathBuf {
    let text = std::fs::read_to_string(kubeconfig_path()).unwrap();
    let mut doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    doc["users"] = json!([{"name": "other", "user": user}]);
    let context = doc["contexts"][0]["name"].clone();
    doc["contexts"][0]["context"]["user"] = json!("other");
    doc["current-context"] = context;
    let path = dir.join("config");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path
}

async fn service_account_token(ctx: &Ctx, name: &str) -> String {
    let sa: ServiceAccount = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    let sas = ctx.client.service_accounts(&ctx.ns);
    sas.create(&PostParams::default(), &sa).await.unwrap();
    sas.create_token(name, &TokenParams::default())
        .await
        .unwrap()
        .token
        .expose()
        .clone()
}

#[tokio::test]
async fn unauthorized_and_forbidden() {
    let ctx = setup("raw-auth").await;
    let dir = tempfile::tempdir().unwrap();
    let bad = kubeconfig_with_user(dir.path(), json!({"token": "not-a-valid-token"}));
    compare(
        &bad,
        "/api/v1/namespaces",
        false,
        "error: You must be logged in to the server (Unauthorized)",
    )
    .await;

    let token = service_account_token(&ctx, "weak").await;
    let dir = tempfile::tempdir().unwrap();
    let weak = kubeconfig_with_user(dir.path(), json!({"token": token}));
    let expected = format!(
        "Error from server (Forbidden): secrets is forbidden: User \"system:serviceaccount:{}:weak\" cannot list resource \"secrets\" in API group \"\" at the cluster scope",
        ctx.ns
    );
    compare(&weak, "/api/v1/secrets", false, &expected).await;
}

#[tokio::test]
async fn transport_failures_name_their_cause() {
    let _ctx = setup("raw-transport").await;
    let dir = tempfile::tempdir().unwrap();

    // No CA: the platform roots do not trust the cluster's certificate.
    let text = std::fs::read_to_string(kubeconfig_path()).unwrap();
    let mut doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    doc["clusters"][0]["cluster"]
        .as_object_mut()
        .unwrap()
        .remove("certificate-authority-data");
    let untrusted = dir.path().join("untrusted");
    std::fs::write(&untrusted, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = kctl(&untrusted, "/version").await;
    assert!(!out.success);
    assert!(
        out.stderr.starts_with("Unable to connect to the server: "),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("unknown certificate authority"),
        "{out:?}"
    );

    // A token file that is not there.
    let missing = dir.path().join("no-such-token");
    let sub = tempfile::tempdir().unwrap();
    let config = kubeconfig_with_user(sub.path(), json!({"tokenFile": missing}));
    let out = kctl(&config, "/version").await;
    assert!(!out.success);
    assert!(
        out.stderr.contains(&missing.display().to_string()),
        "{out:?}"
    );

    // An exec plugin that is not installed: its install hint is shown.
    let sub = tempfile::tempdir().unwrap();
    let config = kubeconfig_with_user(
        sub.path(),
        json!({"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "kubeset-no-such-plugin",
            "installHint": "install kubeset-no-such-plugin from example.invalid",
            "interactiveMode": "Never",
        }}),
    );
    let out = kctl(&config, "/version").await;
    assert!(!out.success);
    assert!(out.stderr.contains("kubeset-no-such-plugin"), "{out:?}");
    assert!(out.stderr.contains("example.invalid"), "{out:?}");

    // Nothing listens on port 1.
    doc["clusters"][0]["cluster"]["server"] = json!("https://127.0.0.1:1");
    let refused = dir.path().join("refused");
    std::fs::write(&refused, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = kctl(&refused, "/version").await;
    assert_eq!(
        out.stderr.trim_end(),
        "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"
    );
}

#[test]
fn error_answers_render_as_kubectl_renders_them() {
    #[track_caller]
    fn check(code: u16, content_type: Option<&str>, body: &str, line: &str) {
        let error = cmd::server_error(code, content_type, body.as_bytes());
        assert_eq!(error.to_string(), line);
    }
    let status = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" not found","reason":"NotFound","details":{"name":"p","kind":"pods"},"code":404}"#;
    check(
        404,
        Some("application/json"),
        status,
        r#"Error from server (NotFound): pods "p" not found"#,
    );
    check(
        404,
        Some("text/plain; charset=utf-8"),
        "404 page not found\n",
        "Error from server (NotFound): the server could not find the requested resource",
    );
    check(
        401,
        Some("application/json"),
        r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#,
        "error: You must be logged in to the server (Unauthorized)",
    );
    check(
        401,
        None,
        "",
        "error: You must be logged in to the server (the server has asked for the client to provide credentials)",
    );
    check(
        500,
        Some("text/plain"),
        "boom",
        r#"Error from server (InternalError): an error on the server ("boom") has prevented the request from succeeding"#,
    );
    check(
        503,
        Some("application/json"),
        "{}",
        "Error from server (ServiceUnavailable): the server is currently unable to handle the request",
    );
    check(
        418,
        Some("text/plain"),
        "teapot",
        "Error from server: the server responded with the status code 418 but did not return more information",
    );
    check(
        403,
        Some("application/json"),
        r#"{"kind":"Status","status":"Failure","message":"no","code":403}"#,
        "Error from server: no",
    );
    check(
        409,
        Some("application/json"),
        r#"{"kind":"Status","status":"Success","code":409}"#,
        "Error from server (Conflict): the server reported a conflict",
    );
}

#[test]
fn no_kubeconfig_and_no_pod_means_localhost_8080_as_kubectl() {
    let home = tempfile::tempdir().unwrap();
    let home_text = home.path().display().to_string();
    let env = std::collections::BTreeMap::from([("HOME", home_text.as_str())]);
    let config = cmd::resolve(None, &env, &Overrides::default(), home.path()).unwrap();
    assert_eq!(config.cluster_url.to_string(), "http://localhost:8080/");

    // A broken kubeconfig is an error, not a fallback.
    let broken = home.path().join("broken");
    std::fs::write(&broken, "clusters: [").unwrap();
    let err = cmd::resolve(Some(&broken), &env, &Overrides::default(), home.path()).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("error: "), "{text}");
    assert!(
        text.contains(&broken.display().to_string()),
        "names the file: {text}"
    );
}
