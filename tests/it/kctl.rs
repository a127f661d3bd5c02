//! The `kctl` example against the cluster, and against kubectl v1.32 when it is installed.
//!
//! Each test runs the built `kctl` binary (built once per test run with `cargo build
//! --example kctl`, so it is never stale) with `--kubeconfig` and a clean environment, in a
//! namespace of its own. When kubectl is installed (`/usr/bin/kubectl`; `KUBESET_KUBECTL=/path`
//! picks another one, `KUBESET_KUBECTL=` skips the comparison) it runs with the same
//! kubeconfig and arguments and stdout, stderr and the exit status must be byte-identical.
//! Two things are normalised, because they must differ:
//! - `AGE` cells: when the two runs straddle a second the ages differ (`9s`/`10s`) and so may
//!   the column widths; only then are the outputs compared with age-like cells replaced and
//!   runs of spaces collapsed;
//! - for commands that write, kubectl works in a second namespace with the same objects, and
//!   that namespace's name is replaced by kctl's before comparing.
//!
//! Every test also checks the semantics of kctl's own output (parsed JSON, names, counts,
//! exit status), so it fails on bugs when kubectl is absent too.

#[path = "../../examples/kctl/duration.rs"]
#[allow(dead_code, unreachable_pub, reason = "shared with the kctl example")]
mod duration;
#[path = "../../examples/kctl/json.rs"]
#[allow(dead_code, unreachable_pub, reason = "shared with the kctl example")]
mod json;
#[path = "../../examples/kctl/tabwriter.rs"]
#[allow(dead_code, unreachable_pub, reason = "shared with the kctl example")]
mod tabwriter;
#[path = "../../examples/kctl/yaml.rs"]
#[allow(dead_code, unreachable_pub, reason = "shared with the kctl example")]
mod yaml;

mod auth;
mod exec;
mod get;
mod rbac_audit;
mod surface;
mod usage;
mod watch;
mod write;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::examples::example_bin;
use crate::support::kubeconfig_path;

/// What one run printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Run {
    /// Exit status (-1 when killed by a signal).
    pub(crate) code: i32,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

/// The kctl binary, built once per test run.
pub(crate) fn kctl_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| example_bin("kctl"))
}

/// The kubectl to compare with, if any.
pub(crate) fn kubectl() -> Option<PathBuf> {
    match std::env::var_os("KUBESET_KUBECTL") {
        Some(path) if path.is_empty() => None,
        Some(path) => Some(PathBuf::from(path)),
        None => ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists()),
    }
}

/// Runs `program --kubeconfig KUBECONFIG ARGS...` in `dir` with a clean environment (a fresh
/// `HOME`, so kubectl has no discovery cache), feeding `stdin`.
pub(crate) fn run_in(
    program: &Path,
    kubeconfig: &Path,
    dir: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(program)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let mut input = child.stdin.take().unwrap();
    input
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(input);
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// kctl with the cluster's admin kubeconfig.
pub(crate) fn kctl(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    run_in(kctl_bin(), kubeconfig_path(), dir.path(), args, None)
}

/// Runs kctl and, when installed, kubectl with the same arguments; asserts they agree and
/// returns kctl's run.
#[track_caller]
pub(crate) fn compare(args: &[&str]) -> Run {
    compare_with(kubeconfig_path(), args)
}

/// [`compare`] with another kubeconfig.
#[track_caller]
pub(crate) fn compare_with(kubeconfig: &Path, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let ours = run_in(kctl_bin(), kubeconfig, dir.path(), args, None);
    if let Some(kubectl) = kubectl() {
        let theirs = run_in(&kubectl, kubeconfig, dir.path(), args, None);
        assert_same(&ours, &theirs, &args.join(" "));
    }
    ours
}

/// Asserts that kctl's run (`ours`) and kubectl's agree, ages normalised.
#[track_caller]
pub(crate) fn assert_same(ours: &Run, theirs: &Run, what: &str) {
    let same = ours == theirs
        || (ours.code == theirs.code
            && normalise(&ours.stdout) == normalise(&theirs.stdout)
            && normalise(&ours.stderr) == normalise(&theirs.stderr));
    assert!(
        same,
        "kctl {what}: kctl and kubectl differ\n--- kctl (exit {}):\n{}{}\n--- kubectl (exit {}):\n{}{}",
        ours.code, ours.stdout, ours.stderr, theirs.code, theirs.stdout, theirs.stderr
    );
}

/// `run` with the values that differ between two objects made the same way blanked out:
/// `uid`, `resourceVersion`, `creationTimestamp` (JSON and YAML lines).
pub(crate) fn without_identity(run: &Run) -> Run {
    let blank = |text: &str| -> String {
        text.lines()
            .map(|line| {
                let key = line.trim_start().trim_start_matches('"');
                let identity = ["uid", "resourceVersion", "creationTimestamp"]
                    .iter()
                    .any(|k| {
                        key.starts_with(&format!("{k}\":")) || key.starts_with(&format!("{k}:"))
                    });
                match line.find(':').filter(|_| identity) {
                    Some(at) => format!("{}: <identity>", &line[..at]),
                    None => line.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Run {
        code: run.code,
        stdout: blank(&run.stdout),
        stderr: blank(&run.stderr),
    }
}

/// Text with age-like cells (`5s`, `3m2s`, `4d`) replaced and runs of spaces collapsed.
pub(crate) fn normalise(text: &str) -> String {
    text.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|cell| if is_age(cell) { "<age>" } else { cell })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `5s`, `12m`, `3m2s`, `4h10m`, `2d3h`, `1y30d`.
fn is_age(cell: &str) -> bool {
    let mut rest = cell;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = rest.chars().next().filter(|c| "smhdy".contains(*c)) else {
            return false;
        };
        rest = &rest[unit.len_utf8()..];
        parts += 1;
    }
    (1..=2).contains(&parts)
}

#[test]
fn ages_are_recognised() {
    for age in ["0s", "59s", "3m2s", "12m", "4h10m", "2d3h", "1y30d"] {
        assert!(is_age(age), "{age}");
    }
    for other in ["s", "5", "0/1", "Pending", "5x", "1s2s3s", "<none>"] {
        assert!(!is_age(other), "{other}");
    }
    assert_eq!(
        normalise("NAME   AGE\na      9s\n"),
        normalise("NAME   AGE\na      10s\n")
    );
}
