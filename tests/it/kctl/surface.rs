//! `kctl api-resources`, `api-versions`, `scale`, `logs -f`, and the discovery cache shared
//! with kubectl on disk.

use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::Deployment;
use kubeset::clientset::PostParams;
use serde_json::json;

use super::{Run, assert_same, compare, kctl_bin, kubectl, run_in};
use crate::support::objects::pod;
use crate::support::{kubeconfig_path, setup, test_server};

#[tokio::test]
async fn api_resources_and_versions_match_kubectl() {
    let out = compare(&["api-resources"]);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("NAME ") && lines[0].ends_with(" KIND"),
        "{}",
        lines[0]
    );
    let deploy = lines
        .iter()
        .find(|l| l.starts_with("deployments "))
        .unwrap();
    assert_eq!(
        deploy.split_whitespace().collect::<Vec<_>>(),
        ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    );
    // core first, then groups by name, each by resource name
    assert!(lines[1].starts_with("bindings "), "{}", lines[1]);
    assert!(!out.stdout.contains("pods/status"), "no subresources");

    let wide = compare(&["api-resources", "-o", "wide"]);
    let pods = wide
        .stdout
        .lines()
        .find(|l| l.starts_with("pods "))
        .unwrap();
    assert!(
        pods.ends_with(" create,delete,deletecollection,get,list,patch,update,watch   all"),
        "{pods}"
    );
    let names = compare(&["api-resources", "-o", "name", "--api-group", "apps"]);
    assert!(
        names.stdout.lines().all(|l| l.ends_with(".apps")),
        "{names:?}"
    );
    assert!(names.stdout.contains("deployments.apps\n"));
    let cluster = compare(&["api-resources", "--namespaced=false", "--no-headers"]);
    assert!(cluster.stdout.lines().any(|l| l.starts_with("nodes ")));
    assert!(!cluster.stdout.lines().any(|l| l.starts_with("pods ")));
    let watchable = compare(&["api-resources", "--verbs=list,watch", "--api-group="]);
    assert!(
        !watchable.stdout.contains("bindings"),
        "bindings cannot be listed"
    );
    assert!(watchable.stdout.contains("\npods "));
    let bad = compare(&["api-resources", "-o", "json"]);
    assert_eq!(
        (bad.code, bad.stderr.as_str()),
        (1, "error: --output json is not available\n")
    );

    let versions = compare(&["api-versions"]);
    let listed: Vec<&str> = versions.stdout.lines().collect();
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    assert_eq!(listed, sorted);
    assert!(
        listed.contains(&"v1") && listed.contains(&"apps/v1"),
        "{listed:?}"
    );
}

fn deployment(name: &str, replicas: i32) -> Deployment {
    serde_json::from_value(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}}}))
    .unwrap()
}

#[tokio::test]
async fn scale_matches_kubectl() {
    let ctx = setup("kctl-scale").await;
    let ns = ctx.ns.as_str();
    let deployments = ctx.client.deployments(ns);
    deployments
        .create(&PostParams::default(), &deployment("web", 2))
        .await
        .unwrap();

    let out = compare(&["scale", "--replicas=3", "deployment/web", "-n", ns]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "deployment.apps/web scaled\n")
    );
    assert_eq!(deployments.get("web").await.unwrap().spec.replicas, Some(3));
    // a precondition that holds (the same count, so kubectl's run after kctl's holds too)
    let out = compare(&[
        "scale",
        "deploy",
        "web",
        "--replicas",
        "3",
        "--current-replicas=3",
        "-n",
        ns,
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "deployment.apps/web scaled\n"),
        "{out:?}"
    );
    deployments.scale("web", 4).await.unwrap();
    let out = compare(&[
        "scale",
        "--replicas=5",
        "--current-replicas=1",
        "deployment/web",
        "-n",
        ns,
    ]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (1, "error: Expected replicas to be 1, was 4\n")
    );
    assert_eq!(deployments.get("web").await.unwrap().spec.replicas, Some(4));
    let out = compare(&["scale", "--replicas=1", "deployment/nope", "-n", ns]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            "error: no objects passed to scale deployments.apps \"nope\" not found\n"
        )
    );
    let out = compare(&["scale", "--replicas=-1", "deployment/web", "-n", ns]);
    assert_eq!(
        out.stderr,
        "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n"
    );
    // without --replicas both report cobra's required flag through klog (time and pid differ)
    let dir = tempfile::tempdir().unwrap();
    let args = ["scale", "deployment/web", "-n", ns];
    let ours = run_in(kctl_bin(), kubeconfig_path(), dir.path(), &args, None);
    assert_eq!(ours.code, 1);
    assert!(
        ours.stderr.ends_with(
            " run.go:72] \"command failed\" err=\"required flag(s) \\\"replicas\\\" not set\"\n"
        ),
        "{ours:?}"
    );
    if let Some(kubectl) = kubectl() {
        let theirs = run_in(&kubectl, kubeconfig_path(), dir.path(), &args, None);
        assert_same(
            &without_klog_header(&ours),
            &without_klog_header(&theirs),
            "scale without --replicas",
        );
    }
}

/// `E1206 19:24:45.057634   24747 run.go:72] ...` without its time and pid.
fn without_klog_header(run: &Run) -> Run {
    let strip = |text: &str| {
        text.lines()
            .map(|l| {
                l.split_once(" run.go:")
                    .map_or(l, |(_, rest)| rest)
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Run {
        code: run.code,
        stdout: strip(&run.stdout),
        stderr: strip(&run.stderr),
    }
}

#[tokio::test]
async fn logs_follow_matches_kubectl() {
    let Some(server) = test_server() else {
        eprintln!("logs_follow_matches_kubectl: a real cluster's logs cannot be scripted; skipped");
        return;
    };
    let ctx = setup("kctl-logs-f").await;
    let ns = ctx.ns.as_str();
    ctx.client
        .pods(ns)
        .create(&PostParams::default(), &pod("p", &[]))
        .await
        .unwrap();
    let logs = server.logs();
    logs.append(ns, "p", "c", "first instance");
    logs.restart(ns, "p", "c");
    for line in ["one", "two", "three"] {
        logs.append(ns, "p", "c", line);
    }
    // the container exited: a follow prints what there is and ends, for both programs
    logs.finish(ns, "p", "c");
    let out = compare(&["logs", "-f", "p", "-n", ns]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "one\ntwo\nthree\n"));
    let out = compare(&["logs", "-f", "p", "-n", ns, "--tail=1", "-c", "c"]);
    assert_eq!(out.stdout, "three\n");
    let out = compare(&["logs", "-f", "p", "-n", ns, "--timestamps", "--since=1h"]);
    let stamped: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(stamped.len(), 3);
    assert!(
        stamped[0].ends_with("Z one") && stamped[0].len() > "Z one".len() + 19,
        "{stamped:?}"
    );
    let out = compare(&["logs", "-p", "p", "-n", ns]);
    assert_eq!(out.stdout, "first instance\n");
}

/// A copy of the kubeconfig whose server nothing listens on.
fn dead_kubeconfig(dir: &Path) -> (PathBuf, String) {
    let text = std::fs::read_to_string(kubeconfig_path()).unwrap();
    let server = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    let path = dir.join("dead");
    std::fs::write(&path, text.replace(&server, "https://127.0.0.1:1")).unwrap();
    (path, server)
}

/// Copies the cache tree of `server` under `root` to the dead server's name.
fn copy_cache(root: &Path, server: &str) {
    let from = root
        .join("discovery")
        .join(kubeset::clientset::cache_dir_name(server));
    let to = root.join("discovery/127.0.0.1_1");
    for entry in walk(&from) {
        let target = to.join(entry.strip_prefix(&from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &target).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn the_discovery_cache_is_shared_with_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let (dead, server) = dead_kubeconfig(dir.path());
    let ours = dir.path().join("ours");
    let ours_arg = ours.to_str().unwrap();
    let live = run_in(
        kctl_bin(),
        kubeconfig_path(),
        dir.path(),
        &["api-resources", "--cache-dir", ours_arg],
        None,
    );
    assert_eq!(live.code, 0, "{live:?}");
    let host = ours
        .join("discovery")
        .join(kubeset::clientset::cache_dir_name(&server));
    let groups = host.join("servergroups.json");
    assert!(groups.exists() && host.join("apps/v1/serverresources.json").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&groups).unwrap().permissions().mode() & 0o777,
            0o660
        );
    }
    // with nothing listening, the cache alone answers
    copy_cache(&ours, &server);
    let cached = run_in(
        kctl_bin(),
        &dead,
        dir.path(),
        &["api-resources", "--cached", "--cache-dir", ours_arg],
        None,
    );
    assert_eq!(
        (cached.code, cached.stdout.as_str()),
        (0, live.stdout.as_str()),
        "{cached:?}"
    );

    let Some(kubectl) = kubectl() else { return };
    // kubectl reads the files kctl wrote ...
    let theirs = run_in(
        &kubectl,
        &dead,
        dir.path(),
        &["api-resources", "--cached", "--cache-dir", ours_arg],
        None,
    );
    assert_eq!(
        (theirs.code, theirs.stdout.as_str()),
        (0, live.stdout.as_str()),
        "{theirs:?}"
    );
    // ... writes the same tree ...
    let kubectls = dir.path().join("kubectls");
    let kubectls_arg = kubectls.to_str().unwrap();
    let written = run_in(
        &kubectl,
        kubeconfig_path(),
        dir.path(),
        &["api-resources", "--cache-dir", kubectls_arg],
        None,
    );
    assert_eq!(written.code, 0);
    let their_host = kubectls
        .join("discovery")
        .join(kubeset::clientset::cache_dir_name(&server));
    let files = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        walk(root)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(root).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect()
    };
    assert!(
        files(&host) == files(&their_host),
        "kctl's cache files differ from kubectl's"
    );
    // ... and kctl reads kubectl's
    copy_cache(&kubectls, &server);
    let ours_from_theirs = run_in(
        kctl_bin(),
        &dead,
        dir.path(),
        &["api-resources", "--cached", "--cache-dir", kubectls_arg],
        None,
    );
    assert_eq!(ours_from_theirs.stdout, live.stdout, "{ours_from_theirs:?}");
}
