//! The example programs, run as users run them: as child processes with the environment a pod
//! gives them (the two service variables and the ServiceAccount files), nothing else.

use std::path::Path;
use std::process::Command;

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kubeset::clientset::{Api, PostParams};
use serde_json::json;

use crate::support::examples::example_bin;
use crate::support::objects::pod;
use crate::support::{Ctx, ServiceAccountFiles, kubeconfig_path, setup};

/// What one run printed.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs example `name` with `args` and exactly the environment `env` (no `HOME`, no
/// `KUBECONFIG` unless given). It blocks the test's thread: the cluster does not run on it.
fn run(name: &str, args: &[&str], env: &[(&str, &str)], dir: &Path) -> Run {
    let output = Command::new(example_bin(name))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A ServiceAccount `reader` in the test's namespace, allowed to list pods there when
/// `may_list_pods`.
async fn reader(ctx: &Ctx, may_list_pods: bool) -> ServiceAccountFiles {
    let sa: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"name": "reader"}})).unwrap();
    ctx.client
        .service_accounts(&ctx.ns)
        .create(&PostParams::default(), &sa)
        .await
        .unwrap();
    if may_list_pods {
        let role: Role = serde_json::from_value(json!({
            "metadata": {"name": "pod-reader"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}],
        }))
        .unwrap();
        let binding: RoleBinding = serde_json::from_value(json!({
            "metadata": {"name": "reader-reads-pods"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": ctx.ns}],
        }))
        .unwrap();
        Api::<Role>::namespaced(ctx.client.clone(), &ctx.ns)
            .create(&PostParams::default(), &role)
            .await
            .unwrap();
        Api::<RoleBinding>::namespaced(ctx.client.clone(), &ctx.ns)
            .create(&PostParams::default(), &binding)
            .await
            .unwrap();
    }
    ServiceAccountFiles::new(ctx, "reader").await
}

/// The pod environment of `files`: the kubelet's two variables, and the directory flag the
/// example documents for running outside a real pod.
fn in_pod(name: &str, files: &ServiceAccountFiles) -> Run {
    let env = files.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let dir = files.dir().to_str().unwrap();
    run(name, &["--service-account-dir", dir], &env, files.dir())
}

#[tokio::test]
async fn in_cluster_finds_the_server_as_a_pod_does_and_lists_its_namespace() {
    let ctx = setup("example-incluster").await;
    ctx.client
        .pods(&ctx.ns)
        .create(&PostParams::default(), &pod("web-0", &[("app", "web")]))
        .await
        .unwrap();
    let files = reader(&ctx, true).await;
    // RBAC may take a moment to reach the authorizer's cache on a real cluster.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let out = loop {
        let out = in_pod("in_cluster", &files);
        if out.ok || std::time::Instant::now() > deadline {
            break out;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert!(out.ok, "stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    let user = format!("system:serviceaccount:{}:reader", ctx.ns);
    assert!(
        out.stdout.contains("running in a cluster"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&user), "{}", out.stdout);
    // The provenance names the files and variables each setting came from.
    let dir = files.dir().display().to_string();
    assert!(
        out.stdout.contains(&format!("{dir}/token")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("KUBERNETES_SERVICE_HOST"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("1 pods in namespace {}:\n  web-0 ", ctx.ns)),
        "{}",
        out.stdout
    );
    // The token is never printed.
    let token = std::fs::read_to_string(files.dir().join("token")).unwrap();
    assert!(!out.stdout.contains(token.trim()) && !out.stderr.contains(token.trim()));
}

#[tokio::test]
async fn in_cluster_without_the_pod_rule_explains_the_403() {
    let ctx = setup("example-incluster-denied").await;
    let files = reader(&ctx, false).await;
    let out = in_pod("in_cluster", &files);
    assert!(!out.ok, "{}", out.stdout);
    let user = format!("system:serviceaccount:{}:reader", ctx.ns);
    // Who, what, and where: the forbidden explanation, not just "403".
    assert!(out.stderr.contains(&user), "{}", out.stderr);
    assert!(out.stderr.contains("list"), "{}", out.stderr);
    assert!(out.stderr.contains("pods"), "{}", out.stderr);
    assert!(out.stderr.contains(&ctx.ns), "{}", out.stderr);
}

#[tokio::test]
async fn in_cluster_outside_a_pod_uses_the_kubeconfig() {
    let _ctx = setup("example-incluster-kubeconfig").await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig_path().to_str().unwrap();
    let out = run("in_cluster", &[], &[("KUBECONFIG", kubeconfig)], dir.path());
    assert!(out.ok, "stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("not running in a cluster: KUBERNETES_SERVICE_HOST"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("using the kubeconfig"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(kubeconfig), "{}", out.stdout);
}

#[tokio::test]
async fn in_cluster_with_an_unreadable_token_fails_instead_of_falling_back() {
    let ctx = setup("example-incluster-notoken").await;
    let files = reader(&ctx, true).await;
    std::fs::remove_file(files.dir().join("token")).unwrap();
    let env = files.env();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // A kubeconfig is present, and still not used: the pod's identity is broken.
    let kubeconfig = kubeconfig_path().to_str().unwrap();
    env.push(("KUBECONFIG", kubeconfig));
    let dir = files.dir().to_str().unwrap();
    let out = run(
        "in_cluster",
        &["--service-account-dir", dir],
        &env,
        files.dir(),
    );
    assert!(!out.ok, "{}", out.stdout);
    assert!(out.stderr.contains("token"), "{}", out.stderr);
    assert!(out.stderr.contains(dir), "names the file: {}", out.stderr);
}
