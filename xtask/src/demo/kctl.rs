//! `cargo xtask demo kctl`: a scripted kctl session against a live API server.
//!
//! Builds `kubeset-testserver` and the `kctl` example, starts the server on a free loopback
//! port writing an admin kubeconfig into a temporary directory, runs a short scripted kctl
//! session against it (printing each command and its output: raw GETs, tables, JSON and YAML,
//! create, server-side apply and delete from a manifest, whoami and can-i), and stops the
//! server.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to write its kubeconfig.
const STARTUP: Duration = Duration::from_secs(30);

/// The scripted session: kctl arguments after `--kubeconfig FILE` (`MANIFEST` stands for
/// the path of [`MANIFEST`] written next to the kubeconfig).
const SESSION: &[&[&str]] = &[
    &["config", "view"],
    &["get", "--raw", "/version"],
    &["get", "--raw", "/api"],
    &["get", "--raw", "/api/v1/namespaces/default"],
    &[
        "get",
        "--raw",
        "/api/v1/namespaces/kube-system/configmaps?limit=1",
    ],
    &["get", "--raw", "/api/v1/namespaces/default/pods/missing"],
    &["get", "namespaces"],
    &["get", "cm", "-A", "-o", "name"],
    &["create", "-f", "MANIFEST"],
    &["get", "po,cm", "-l", "demo=kctl", "-o", "wide"],
    &[
        "apply",
        "--server-side",
        "--force-conflicts",
        "-f",
        "MANIFEST",
    ],
    &["get", "cm", "demo", "-o", "yaml"],
    &["get", "pod", "demo", "-o", "json"],
    &["auth", "whoami"],
    &["auth", "can-i", "list", "nodes"],
    &["auth", "can-i", "create", "pods", "-n", "kube-system"],
    &["delete", "-f", "MANIFEST"],
    &["get", "pods", "demo"],
];

/// The objects the session creates, applies and deletes.
const MANIFEST: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  labels: {demo: kctl}
data:
  greeting: hello
---
apiVersion: v1
kind: Pod
metadata:
  name: demo
  labels: {demo: kctl}
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.10
";

pub(crate) fn demo() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask demo: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let root = workspace_root();
    step(
        Command::new(&cargo)
            .current_dir(&root)
            .args([
                "build",
                "--quiet",
                "-p",
                "kubeset-testserver",
                "--bin",
                "kubeset-testserver",
            ])
            .args(["-p", "kubeset", "--example", "kctl"]),
        "cargo build",
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("debug");
    let server_bin = target.join("kubeset-testserver");
    let kctl = target.join("examples").join("kctl");

    let dir = TempDir::new()?;
    let kubeconfig = dir.0.join("kubeconfig");
    let port = free_port()?;
    eprintln!(
        "$ kubeset-testserver --port {port} --kubeconfig-out {}",
        kubeconfig.display()
    );
    let server = Command::new(&server_bin)
        .args(["--port", &port.to_string(), "--kubeconfig-out"])
        .arg(&kubeconfig)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", server_bin.display()))?;
    let mut server = Server(server);
    wait_for(&kubeconfig, &mut server.0)?;

    let manifest = dir.0.join("demo.yaml");
    std::fs::write(&manifest, MANIFEST)
        .map_err(|e| format!("could not write {}: {e}", manifest.display()))?;
    for args in SESSION {
        println!("$ kctl {}", args.join(" ").replace("MANIFEST", "demo.yaml"));
        let output = Command::new(&kctl)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args.iter().map(|a| {
                if *a == "MANIFEST" {
                    manifest.as_os_str()
                } else {
                    std::ffi::OsStr::new(a)
                }
            }))
            .output()
            .map_err(|e| format!("could not run {}: {e}", kctl.display()))?;
        print!("{}", String::from_utf8_lossy(&output.stdout));
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        if !output.stdout.ends_with(b"\n") && !output.stdout.is_empty() {
            println!();
        }
        println!("# exit status: {}\n", output.status.code().unwrap_or(-1));
    }
    Ok(())
}

/// The workspace root (xtask lives one level below it).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn step(command: &mut Command, what: &str) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{what} failed: {status}")),
        Err(e) => Err(format!("could not run {what}: {e}")),
    }
}

/// A free port on 127.0.0.1 (the listener is closed before the server binds it).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Waits until the server has written its kubeconfig (it does so once it listens).
fn wait_for(kubeconfig: &Path, server: &mut Child) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < STARTUP {
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!("kubeset-testserver exited early: {status}"));
        }
        if std::fs::metadata(kubeconfig).is_ok_and(|m| m.len() > 0) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "kubeset-testserver wrote no kubeconfig to {} within {STARTUP:?}",
        kubeconfig.display()
    ))
}

/// The running server; stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        eprintln!("kubeset-testserver stopped");
    }
}

/// A temporary directory, removed when dropped (std only: xtask keeps its dependencies few).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("kubeset-demo-{}-{nanos:x}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("could not create {}: {e}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
