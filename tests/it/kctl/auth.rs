//! `kctl auth whoami`, `auth can-i`, `create token` and `logs`, compared with kubectl's
//! output when it is installed (its auth reviews go out as protobuf, which the test server
//! reads), and checked for their meaning regardless.

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::ServiceAccount;
use kubeset::clientset::PostParams;
use serde_json::{Value, json};

use super::{Run, assert_same, compare, compare_with, kctl, kctl_bin, kubectl, run_in};
use crate::support::objects::pod;
use crate::support::{Ctx, kubeconfig_path, setup};

/// Runs kctl, and kubectl with the same arguments in the same directory, and compares them.
#[track_caller]
fn compare_auth(kubeconfig: &Path, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let ours = run_in(kctl_bin(), kubeconfig, dir.path(), args, None);
    if let Some(kubectl) = kubectl() {
        let theirs = run_in(&kubectl, kubeconfig, dir.path(), args, None);
        // a review's creationTimestamp is the time of each request: the two runs may
        // straddle a second
        let (mut ours, mut theirs) = (ours.clone(), theirs);
        for run in [&mut ours, &mut theirs] {
            run.stdout = mask_timestamps(&run.stdout);
        }
        assert_same(&ours, &theirs, &args.join(" "));
    }
    ours
}

/// `text` with every RFC 3339 UTC timestamp (`2026-11-28T14:50:22Z`) replaced by `<time>`.
fn mask_timestamps(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:ddZ";
    let bytes = text.as_bytes();
    let matches_at = |i: usize| {
        bytes.len() >= i + SHAPE.len()
            && SHAPE.iter().zip(&bytes[i..]).all(|(want, got)| match want {
                b'd' => got.is_ascii_digit(),
                other => other == got,
            })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        if matches_at(i) {
            out.push_str("<time>");
            i += SHAPE.len();
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

/// A kubeconfig for the cluster that authenticates with `token`.
fn kubeconfig_with_token(dir: &Path, token: &str) -> PathBuf {
    let text = std::fs::read_to_string(kubeconfig_path()).unwrap();
    let mut doc: Value = serde_saphyr::from_str(&text).unwrap();
    doc["users"] = json!([{"name": "robot", "user": {"token": token}}]);
    doc["contexts"][0]["context"]["user"] = json!("robot");
    doc["current-context"] = doc["contexts"][0]["name"].clone();
    let path = dir.join("config");
    std::fs::write(&path, serde_json::to_string(&doc).unwrap()).unwrap();
    path
}

async fn service_account(ctx: &Ctx, name: &str) {
    let sa: ServiceAccount = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    ctx.client
        .service_accounts(&ctx.ns)
        .create(&PostParams::default(), &sa)
        .await
        .unwrap();
}

#[tokio::test]
async fn whoami_in_every_format() {
    let _ctx = setup("kctl-whoami").await;
    let out = compare_auth(kubeconfig_path(), &["auth", "whoami"]);
    assert_eq!(out.code, 0, "{out:?}");
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| {
            l.split("   ")
                .filter(|c| !c.is_empty())
                .map(str::trim)
                .collect()
        })
        .collect();
    assert_eq!(rows[0], ["ATTRIBUTE", "VALUE"], "{out:?}");
    assert_eq!(rows[1][0], "Username", "{out:?}");
    assert!(
        rows.iter()
            .any(|r| r[0] == "Groups" && r[1].starts_with('[')),
        "{out:?}"
    );
    let value_column = out.stdout.find("VALUE").unwrap();
    assert_eq!(
        out.stdout.lines().nth(1).unwrap().find(rows[1][1]),
        Some(value_column),
        "aligned: {out:?}"
    );

    let out = compare_auth(kubeconfig_path(), &["auth", "whoami", "-o", "json"]);
    assert!(out.stdout.starts_with("{\n    \"kind\": \"SelfSubjectReview\",\n    \"apiVersion\": \"authentication.k8s.io/v1\",\n"), "{}", out.stdout);
    let review: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        review["status"]["userInfo"]["username"]
            .as_str()
            .is_some_and(|u| !u.is_empty())
    );
    let out = compare_auth(kubeconfig_path(), &["auth", "whoami", "-o", "yaml"]);
    let yaml: Value = serde_saphyr::from_str(&out.stdout).unwrap();
    assert_eq!(yaml["status"], review["status"]);
}

#[tokio::test]
async fn can_i_answers_yes_and_no_with_kubectls_exit_status() {
    let ctx = setup("kctl-can-i").await;
    let ns = ctx.ns.as_str();
    let out = compare_auth(
        kubeconfig_path(),
        &["auth", "can-i", "get", "pods", "-n", ns],
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, "yes\n"), "{out:?}");
    let out = compare_auth(kubeconfig_path(), &["auth", "can-i", "list", "nodes"]);
    assert_eq!(out.stdout, "yes\n");
    assert_eq!(
        out.stderr,
        "Warning: resource 'nodes' is not namespace scoped\n\n"
    );
    let out = compare_auth(kubeconfig_path(), &["auth", "can-i", "list", "sc", "-A"]);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("yes\n", ""));
    let out = compare_auth(kubeconfig_path(), &["auth", "can-i", "get", "/healthz"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "yes\n"), "{out:?}");

    // A fresh ServiceAccount may do nearly nothing.
    service_account(&ctx, "robot").await;
    let token = kctl(&["create", "token", "robot", "-n", ns]);
    assert_eq!(token.code, 0, "{token:?}");
    let dir = tempfile::tempdir().unwrap();
    let weak = kubeconfig_with_token(dir.path(), token.stdout.trim_end());
    let out = compare_auth(&weak, &["auth", "can-i", "delete", "secrets", "-n", ns]);
    assert_eq!((out.code, out.stdout.as_str()), (1, "no\n"), "{out:?}");
    let out = compare_auth(&weak, &["auth", "can-i", "get", "/metrics"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, "no\n"), "{out:?}");
    let out = compare_auth(
        &weak,
        &[
            "auth",
            "can-i",
            "get",
            "pods/web",
            "--subresource",
            "log",
            "-n",
            ns,
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    let out = compare_auth(
        &weak,
        &[
            "auth",
            "can-i",
            "create",
            "selfsubjectreviews.authentication.k8s.io",
        ],
    );
    assert_eq!(
        out.stdout, "yes\n",
        "every authenticated user may ask who it is: {out:?}"
    );
    // What the ServiceAccount may not do is refused with the server's words.
    let out = compare_with(&weak, &["get", "secrets", "-n", ns]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "Error from server (Forbidden): secrets is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"secrets\" in API group \"\" in the namespace \"{ns}\"\n"
        )
    );
    let out = compare_auth(&weak, &["auth", "whoami"]);
    assert!(
        out.stdout
            .contains(&format!("system:serviceaccount:{ns}:robot")),
        "the token is the ServiceAccount's: {out:?}"
    );
    let out = kctl(&["auth", "can-i", "get", "widgets", "-n", ns]);
    assert!(
        out.stderr
            .starts_with("Warning: the server doesn't have a resource type 'widgets'\n"),
        "{out:?}"
    );
}

#[tokio::test]
async fn create_token_prints_a_token_and_kubectls_errors() {
    let ctx = setup("kctl-token").await;
    let ns = ctx.ns.as_str();
    service_account(&ctx, "robot").await;
    let out = kctl(&[
        "create",
        "token",
        "robot",
        "-n",
        ns,
        "--duration",
        "1h",
        "--audience",
        "a",
        "--audience",
        "b",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let token = out.stdout.trim_end();
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    assert_eq!(out.stdout.lines().count(), 1);
    let out = compare(&["create", "token", "nobody", "-n", ns]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "error: failed to create token: serviceaccounts \"nobody\" not found\n"
    );
    let out = compare(&["create", "token", "robot", "-n", ns, "--duration", "10"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("Error: invalid argument \"10\" for \"--duration\" flag"),
        "{out:?}"
    );
    let out = compare(&["create", "token", "robot", "-n", ns, "--duration", "1500ms"]);
    assert_eq!(
        out.stderr,
        "error: --duration cannot be expressed in units less than seconds\n"
    );
}

#[tokio::test]
async fn logs_pick_the_container_and_report_like_kubectl() {
    let ctx = setup("kctl-logs").await;
    let ns = ctx.ns.as_str();
    ctx.client
        .pods(ns)
        .create(&PostParams::default(), &pod("web", &[]))
        .await
        .unwrap();
    // Nothing schedules the pod on the test server: the log is empty (204), as a real
    // server answers for an unscheduled pod; a cluster with a scheduler prints the log.
    let out = compare(&["logs", "web", "-n", ns, "--tail", "10", "--since", "1h"]);
    if crate::support::test_server().is_some() {
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", "")
        );
    }
    let out = compare(&["logs", "web", "-n", ns, "-c", "nope"]);
    assert_eq!(
        out.stderr,
        "error: container nope is not valid for pod web\n"
    );
    let out = compare(&["logs", "pod/missing", "-n", ns]);
    assert_eq!(
        out.stderr,
        format!(
            "error: error from server (NotFound): pods \"missing\" not found in namespace \"{ns}\"\n"
        )
    );
    let out = compare(&["logs", "web", "-n", ns, "--since", "5"]);
    assert_eq!(out.code, 1);
}
