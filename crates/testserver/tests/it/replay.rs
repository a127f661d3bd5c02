//! Replays the recorded kube-apiserver transcripts against a started TestServer with the
//! vendored Python replayer; every scenario must replay with 0 differences.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubeset_testserver::TestServer;

/// Every recorded scenario (each `*.json` beside the replayer), sorted: all must replay with
/// 0 differences, so a transcript added to the directory is checked without editing this file.
fn all_scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(transcripts())
        .expect("transcripts directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .filter_map(|path| Some(path.file_stem()?.to_str()?.to_owned()))
        .collect();
    names.sort();
    names
}

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
        Err(_) => {
            let all = all_scenarios();
            // the 48 transcripts of ../shared/k8s-transcripts; fewer means the copy is broken
            assert!(all.len() >= 48, "only {} transcripts found", all.len());
            all
        }
    };
    let url = server.url();
    let path = dir.path().to_owned();
    let (ok, output) = tokio::task::spawn_blocking(move || replay(&url, &path, &scenarios))
        .await
        .expect("replay task");
    drop(server);
    assert!(ok, "replay failed:\n{output}");
}
