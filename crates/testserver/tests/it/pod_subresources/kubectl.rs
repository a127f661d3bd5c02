//! kubectl drain and logs against the test server (when kubectl is installed): drain cordons
//! the node and evicts its pods through pods/eviction, then waits for them to be gone.

use std::process::{Command, Output};

use http::Method;
use serde_json::json;

use super::*;

fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> Option<(Output, String)> {
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out, text))
}

fn kubectl_available() -> bool {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("KUBESET_REQUIRE_KUBECTL").is_ok() {
        panic!("kubectl is required but not installed");
    }
    found
}

#[tokio::test]
async fn kubectl_drain_evicts_and_logs_explain_themselves() {
    if !kubectl_available() {
        return;
    }
    let server = server().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let node = json!({"metadata": {"name": "drained"}});
    let a = admin(&server, Method::POST, "/api/v1/nodes", Some(node)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    create_pod(&server, "p1", json!({"app": "x"}), &["c"]).await;
    assert_eq!(
        bind(&server, "p1", binding("p1", "drained")).await.status,
        201
    );
    create_pod(&server, "p2", json!({}), &["a", "b"]).await;

    let kc = kubeconfig.clone();
    let (out, text) = tokio::task::spawn_blocking(move || {
        kubectl(
            &kc,
            &[
                "drain",
                "drained",
                "--force",
                "--grace-period=0",
                "--timeout=30s",
            ],
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert!(out.status.success(), "{text}");
    for expected in [
        "node/drained cordoned",
        "evicting pod subres/p1",
        "pod/p1 evicted",
        "node/drained drained",
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
    assert_eq!(get_pod(&server, "p1").await.status, 404);

    // logs of an unscheduled pod: nothing, successfully; a pod with two containers needs -c
    let kc = kubeconfig.clone();
    let results = tokio::task::spawn_blocking(move || {
        [
            kubectl(&kc, &["-n", NS, "logs", "p2", "-c", "a"]),
            kubectl(&kc, &["-n", NS, "logs", "p2", "-c", "zzz"]),
        ]
    })
    .await
    .unwrap();
    let [Some((ok, ok_text)), Some((bad, bad_text))] = results else {
        panic!("kubectl did not run");
    };
    assert!(ok.status.success(), "{ok_text}");
    assert_eq!(ok_text, "");
    assert!(!bad.status.success(), "{bad_text}");
    assert!(
        bad_text.contains("container zzz is not valid for pod p2"),
        "{bad_text}"
    );
}
