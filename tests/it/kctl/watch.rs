//! `kctl get -w`: rows (or objects) as the changes arrive, aligned as kubectl aligns them.
//!
//! kctl watches one namespace and kubectl (when installed) another, the same changes are made
//! in both, and both processes are stopped once every expected line is there.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kubeset::clientset::{DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::{Run, assert_same, kctl_bin, kubectl, without_identity};
use crate::support::objects::config_map;
use crate::support::{Ctx, kubeconfig_path, setup};

/// How long a watcher may take to print what is expected before the test gives up.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running `get -w` with its output collected as it arrives.
struct Watcher {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    _home: tempfile::TempDir,
}

impl Watcher {
    fn start(program: &Path, args: &[&str]) -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut child = Command::new(program)
            .arg("--kubeconfig")
            .arg(kubeconfig_path())
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let collect = |mut pipe: Box<dyn Read + Send>| {
            let text = Arc::new(Mutex::new(String::new()));
            let sink = text.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
            text
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        Self {
            child,
            stdout,
            stderr,
            _home: home,
        }
    }

    /// Waits until stdout holds `count` occurrences of `unit` (`"\n"` for lines).
    async fn wait_for(&self, count: usize, unit: &str) {
        let start = Instant::now();
        loop {
            let text = self.stdout.lock().unwrap().clone();
            if text.matches(unit).count() >= count {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "watch printed only {text:?}, stderr {:?}",
                self.stderr.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stop(mut self) -> Run {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        Run {
            code: 0,
            stdout: self.stdout.lock().unwrap().clone(),
            stderr: self.stderr.lock().unwrap().clone(),
        }
    }
}

/// Creates a long-named ConfigMap, labels `first`, deletes `first`.
async fn changes(ctx: &Ctx) {
    let cms = ctx.client.config_maps(&ctx.ns);
    cms.create(
        &PostParams::default(),
        &config_map("a-much-longer-config-map-name", &[], &[]),
    )
    .await
    .unwrap();
    let patch = json!({"metadata": {"labels": {"changed": "yes"}}});
    cms.patch("first", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    cms.delete("first", &DeleteParams::default()).await.unwrap();
}

/// Watches ConfigMaps (or the one named `first`) with `extra` flags in two namespaces,
/// makes the same changes in both once `before` units are printed, and returns kctl's output
/// once `after` units are.
async fn watch_case(one: bool, extra: &[&str], unit: &str, before: usize, after: usize) -> String {
    let ours = setup("kctl-watch").await;
    let theirs = setup("kctl-watch-ref").await;
    for ctx in [&ours, &theirs] {
        ctx.client
            .config_maps(&ctx.ns)
            .create(
                &PostParams::default(),
                &config_map("first", &[], &[("k", "v")]),
            )
            .await
            .unwrap();
    }
    let args = |ns: &str| -> Vec<String> {
        let mut args = vec!["get", "cm"];
        if one {
            args.push("first");
        }
        args.extend(["-w", "-n", ns]);
        args.extend(extra);
        args.into_iter().map(str::to_owned).collect()
    };
    let our_args = args(&ours.ns);
    let our_args: Vec<&str> = our_args.iter().map(String::as_str).collect();
    let watcher = Watcher::start(kctl_bin(), &our_args);
    let reference = kubectl().map(|kubectl| {
        let their_args = args(&theirs.ns);
        let their_args: Vec<&str> = their_args.iter().map(String::as_str).collect();
        Watcher::start(&kubectl, &their_args)
    });
    watcher.wait_for(before, unit).await;
    if let Some(reference) = &reference {
        reference.wait_for(before, unit).await;
    }
    changes(&ours).await;
    changes(&theirs).await;
    watcher.wait_for(after, unit).await;
    let run = watcher.stop();
    if let Some(reference) = reference {
        reference.wait_for(after, unit).await;
        let mut other = reference.stop();
        other.stdout = other.stdout.replace(&theirs.ns, &ours.ns);
        assert_same(
            &without_identity(&run),
            &without_identity(&other),
            &format!("get -w {extra:?}"),
        );
    }
    run.stdout
}

#[tokio::test]
async fn watch_prints_rows_as_kubectl() {
    // Header, first and kube-root-ca.crt; then the ADDED, MODIFIED and DELETED rows.
    let out = watch_case(false, &[], "\n", 3, 6).await;
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "NAME",
            "first",
            "kube-root-ca.crt",
            "a-much-longer-config-map-name",
            "first",
            "first"
        ]
    );
    let modified = out.lines().nth(4).unwrap();
    assert!(
        modified.starts_with("first                           "),
        "widths only grow: {out}"
    );
}

#[tokio::test]
async fn watch_with_event_column_and_names() {
    let out = watch_case(false, &["--output-watch-events"], "\n", 3, 6).await;
    assert!(out.starts_with("EVENT      NAME"), "{out}");
    assert!(out.contains("\nDELETED    first"), "{out}");
    let out = watch_case(false, &["-o", "name"], "\n", 2, 5).await;
    assert!(out.ends_with("configmap/first\nconfigmap/first\n"), "{out}");
}

#[tokio::test]
async fn watch_one_object_as_json() {
    // The object, then its two changes (the watch's synthetic ADDED is not printed again).
    let out = watch_case(true, &["-o", "json"], "\n}\n", 1, 3).await;
    let objects: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&out)
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(objects.len(), 3, "{out}");
    assert_eq!(objects[1]["metadata"]["labels"]["changed"], "yes");
}
