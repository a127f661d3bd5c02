//! kubectl against the test server: the commands the issue lists. Runs when `kubectl` is
//! installed (it is on the development machines; set KUBESET_REQUIRE_KUBECTL=1 to fail without).

use std::path::Path;
use std::process::Command;

use kubeset_testserver::TestServer;

fn kubectl_available() -> bool {
    let found = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("KUBESET_REQUIRE_KUBECTL").is_ok() {
        panic!("kubectl is required but not installed");
    }
    found
}

#[track_caller]
fn check(kubeconfig: &Path, args: &[&str], stdin: Option<&str>, expected: &[&str]) -> String {
    let mut cmd = Command::new("kubectl");
    cmd.arg("--kubeconfig").arg(kubeconfig).args(args);
    let out = match stdin {
        Some(text) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
        None => cmd.output().unwrap(),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "kubectl {args:?} failed:\n{text}");
    for e in expected {
        assert!(
            text.contains(e),
            "kubectl {args:?}: expected {e:?} in:\n{text}"
        );
    }
    text
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: kc\n  labels: {app: x}\ndata:\n  a: \"1\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_works_against_the_server() {
    if !kubectl_available() {
        eprintln!("kubectl not installed: skipping");
        return;
    }
    let server = TestServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("config");
    server.write_kubeconfig(&kc).unwrap();
    tokio::task::spawn_blocking(move || {
        let kc = kc.as_path();
        check(kc, &["version"], None, &["Server Version: v1.36.2"]);
        check(
            kc,
            &["api-resources"],
            None,
            &["configmaps", "storageclasses", "leases"],
        );
        check(
            kc,
            &["create", "namespace", "kc"],
            None,
            &["namespace/kc created"],
        );
        check(
            kc,
            &["-n", "kc", "create", "serviceaccount", "bot"],
            None,
            &["serviceaccount/bot created"],
        );
        check(kc, &["-n", "kc", "create", "token", "bot"], None, &["eyJ"]);
        check(
            kc,
            &["apply", "-f", "-"],
            Some(CM),
            &["configmap/applied created"],
        );
        check(
            kc,
            &["apply", "-f", "-"],
            Some(&CM.replace("\"1\"", "\"2\"")),
            &["configmap/applied configured"],
        );
        check(kc, &["get", "cm", "-A", "-l", "app=x"], None, &["applied"]);
        check(
            kc,
            &[
                "-n",
                "kc",
                "get",
                "cm",
                "--field-selector",
                "metadata.name=applied",
                "-o",
                "json",
            ],
            None,
            &["\"a\": \"2\""],
        );
        check(
            kc,
            &["-n", "kc", "get", "cm", "applied", "-o", "yaml"],
            None,
            &["kubectl.kubernetes.io/last-applied-configuration"],
        );
        check(
            kc,
            &["get", "ns", "-o", "wide"],
            None,
            &["kube-system", "Active"],
        );
        check(
            kc,
            &[
                "-n",
                "kc",
                "patch",
                "cm",
                "applied",
                "--type",
                "merge",
                "-p",
                r#"{"data":{"b":"3"}}"#,
            ],
            None,
            &["patched"],
        );
        check(
            kc,
            &[
                "-n",
                "kc",
                "patch",
                "cm",
                "applied",
                "--type",
                "json",
                "-p",
                r#"[{"op":"add","path":"/data/c","value":"4"}]"#,
            ],
            None,
            &["patched"],
        );
        check(
            kc,
            &["replace", "-f", "-"],
            Some(CM),
            &["configmap/applied replaced"],
        );
        check(
            kc,
            &["-n", "kc", "delete", "cm", "applied"],
            None,
            &["deleted"],
        );
        check(
            kc,
            &["create", "-f", "-"],
            Some(CM),
            &["configmap/applied created"],
        );
        check(
            kc,
            &["-n", "kc", "get", "cm", "-w", "--request-timeout=2s"],
            None,
            &["applied"],
        );
    })
    .await
    .unwrap();
}
