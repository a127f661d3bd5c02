//! Replays the recorded kube-apiserver transcripts against a started TestServer with the
//! vendored Python replayer; every listed scenario must replay with 0 differences.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubeset_testserver::TestServer;

/// Scenarios that must replay with 0 differences: issue 4's 28 plus the issue-5 ones that
/// already pass (RBAC: bootstrap policy, self reviews, subresources; server-side apply; pod
/// binding, eviction and logs; garbage collection).
const PASSING: &[&str] = &[
    "authn-anonymous-and-invalid",
    "configmaps-crud",
    "configmaps-server-side-apply",
    "discovery-apis-rbac-authn",
    "discovery-core",
    "discovery-groups",
    "errors-bad-requests",
    "errors-not-found",
    "events-core",
    "finalizers",
    "gc-background",
    "gc-foreground",
    "leases",
    "namespaces-crud",
    "nodes-crud",
    "pagination",
    "persistentvolumeclaims",
    "persistentvolumes-local",
    "pods-binding",
    "pods-create-defaults",
    "pods-delete",
    "pods-eviction",
    "pods-generatename",
    "pods-list-selectors",
    "pods-log",
    "pods-merge-patch",
    "pods-priority-tolerations",
    "pods-server-side-apply",
    "pods-strategic-merge-patch",
    "pods-update-conflict",
    "rbac-local-storage-admin",
    "rbac-role-binding",
    "rbac-subresource",
    "secrets-crud",
    "selfsubjectaccessreview",
    "selfsubjectreview",
    "storageclasses",
    "tokenrequest",
    "watch-from-rv",
    "watch-initial-events",
    "watch-resume",
    "watch-too-old",
];

fn transcripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts")
}

/// Starts a server advertising the recorded server's address and writes the admin credentials.
async fn start() -> (TestServer, tempfile::TempDir) {
    let server = TestServer::builder()
        .advertise_address("127.0.0.1:6443")
        .start()
        .await
        .expect("server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("ca.crt"), server.ca_pem()).expect("write ca");
    std::fs::write(dir.path().join("admin.crt"), &server.admin_cert().cert_pem)
        .expect("write cert");
    std::fs::write(
        dir.path().join("admin.key"),
        server.admin_cert().key_pem.expose(),
    )
    .expect("write key");
    (server, dir)
}

/// Runs the replayer for the scenarios; returns its exit success and output.
fn replay(url: &str, dir: &Path, scenarios: &[String]) -> (bool, String) {
    let mut cmd = Command::new("python3");
    cmd.arg(transcripts().join("k8s_replay.py"))
        .arg("--server")
        .arg(url)
        .arg("--ca")
        .arg(dir.join("ca.crt"))
        .arg("--cert")
        .arg(dir.join("admin.crt"))
        .arg("--key")
        .arg(dir.join("admin.key"));
    for s in scenarios {
        cmd.arg(transcripts().join(format!("{s}.json")));
    }
    let out = cmd.output().expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcripts_replay_with_no_differences() {
    let (server, dir) = start().await;
    // KUBESET_REPLAY_ONLY=a,b replays other scenarios while working on them
    let scenarios: Vec<String> = match std::env::var("KUBESET_REPLAY_ONLY") {
        Ok(only) => only.split(',').map(str::to_owned).collect(),
        Err(_) => PASSING.iter().map(|s| (*s).to_owned()).collect(),
    };
    let url = server.url();
    let path = dir.path().to_owned();
    let (ok, output) = tokio::task::spawn_blocking(move || replay(&url, &path, &scenarios))
        .await
        .expect("replay task");
    drop(server);
    assert!(ok, "replay failed:\n{output}");
}
