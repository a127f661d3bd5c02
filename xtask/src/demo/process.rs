//! The example programs, built once and run as child processes with exactly a pod's
//! environment; their output is shown indented under the step that runs them.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::DemoError;

/// Builds every example (the daemons and `kctl`).
pub(crate) fn build_examples() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    println!("building the examples (cargo build --examples)...");
    let status = Command::new(&cargo)
        .current_dir(workspace_root())
        .args(["build", "--quiet", "-p", "kubeset", "--examples"])
        .status()
        .map_err(|e| format!("could not run {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("building the examples failed: {status}"))
    }
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The built binary of example `name`.
pub(crate) fn example(name: &str) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("debug")
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// How a program ended.
pub(crate) struct Exited {
    /// Its exit status.
    pub(crate) status: std::process::ExitStatus,
    /// Every line it printed (stdout and stderr).
    pub(crate) output: Vec<String>,
}

impl Exited {
    /// Whether a line it printed contains `text`.
    pub(crate) fn printed(&self, text: &str) -> bool {
        self.output.iter().any(|l| l.contains(text))
    }
}

/// A running example.
pub(crate) struct Program {
    name: String,
    child: tokio::process::Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Program {
    /// Starts example `name` with `args` and only `env` (plus `PATH`-less defaults).
    pub(crate) fn start<'a>(
        name: &str,
        args: &[&str],
        env: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, DemoError> {
        let path = example(name);
        let mut child = tokio::process::Command::new(&path)
            .args(args)
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| DemoError::msg(format!("cannot run {}: {e}", path.display())))?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        for out in [
            child
                .stdout
                .take()
                .map(|o| Box::new(o) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
            child
                .stderr
                .take()
                .map(|o| Box::new(o) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
        ]
        .into_iter()
        .flatten()
        {
            let lines = Arc::clone(&lines);
            let prefix = name.to_owned();
            tokio::spawn(async move {
                let mut reader = BufReader::new(out).lines();
                while let Ok(Some(line)) = reader.next_line().await {
                    println!("    {prefix}| {line}");
                    lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
            });
        }
        Ok(Self {
            name: name.to_owned(),
            child,
            lines,
        })
    }

    /// Waits until a line of its output contains `text`.
    pub(crate) async fn wait_for_output(
        &self,
        text: &str,
        within: Duration,
    ) -> Result<(), DemoError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let printed = self
                .lines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|l| l.contains(text));
            if printed {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(DemoError::msg(format!(
                    "{} did not print {text:?} within {within:?}",
                    self.name
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for it to exit on its own; its exit status and everything it printed.
    pub(crate) async fn wait(mut self, within: Duration) -> Result<Exited, DemoError> {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .map_err(|_| DemoError::msg(format!("{} did not exit within {within:?}", self.name)))?
            .map_err(|e| DemoError::msg(format!("cannot wait for {}: {e}", self.name)))?;
        // let the output readers print the last lines
        tokio::time::sleep(Duration::from_millis(50)).await;
        let output = std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(Exited { status, output })
    }

    /// Sends SIGTERM, as the kubelet does to stop a container, and waits for the exit.
    pub(crate) async fn terminate(self, within: Duration) -> Result<Exited, DemoError> {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        self.wait(within).await
    }
}
