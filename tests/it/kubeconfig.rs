//! `kctl config view` against `kubectl config view` over the scenarios in
//! `tests/fixtures/kubeconfig/`.
//!
//! Each scenario directory holds kubeconfig files and a `case.json` listing runs (arguments
//! and environment). A run executes with the scenario directory as working directory,
//! `HOME=<scenario>/home` and a clean environment. When `kubectl` is on `PATH`, kctl is
//! compared with it live (and the recordings with it too, so they cannot go stale);
//! otherwise with the outputs recorded from kubectl in `expected/`. Outputs are compared as
//! parsed documents, and runs must fail exactly where kubectl fails.
//!
//! Re-record with `KUBESET_RECORD_KUBECTL=1 cargo test -p kubeset --test it kubeconfig`;
//! force the recordings with `KUBESET_KUBECTL= cargo test ...` (`KUBESET_KUBECTL=/path`
//! picks another kubectl).

// Helpers outside #[test] functions unwrap too: a panic is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kubeconfig");

#[derive(Debug, PartialEq)]
struct Outcome {
    success: bool,
    stdout: String,
}

struct Run {
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

fn runs(case: &Path) -> Vec<Run> {
    let text = std::fs::read_to_string(case.join("case.json")).unwrap();
    let case: Value = serde_json::from_str(&text).unwrap();
    case["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| Run {
            name: run["name"].as_str().unwrap().to_string(),
            args: run["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
            env: run["env"]
                .as_object()
                .map(|env| {
                    env.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn execute(program: &Path, dir: &Path, run: &Run) -> Outcome {
    let mut command = Command::new(program);
    command
        .args(&run.args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir.join("home"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (key, value) in &run.env {
        command.env(key, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    Outcome {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

/// The document printed, as JSON (YAML output parsed), numbers normalised to f64.
fn document(stdout: &str) -> Option<Value> {
    let trimmed = stdout.trim_start();
    if trimmed.is_empty() {
        return None;
    }
    let value: Value = if trimmed.starts_with('{') {
        serde_json::from_str(stdout).ok()?
    } else {
        serde_saphyr::from_str(stdout).ok()?
    };
    Some(normalise(value))
}

fn normalise(value: Value) -> Value {
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalise(v))).collect())
        }
        other => other,
    }
}

/// Compares one kctl outcome with the reference; returns a description of the difference.
#[track_caller]
fn check(label: &str, kctl: &Outcome, reference: &Outcome) -> Option<String> {
    if kctl.success != reference.success {
        return Some(format!(
            "{label}: kctl {} but kubectl {}\n  kctl stdout: {}\n  kubectl stdout: {}",
            verdict(kctl.success),
            verdict(reference.success),
            kctl.stdout.trim(),
            reference.stdout.trim()
        ));
    }
    if !reference.success {
        return None;
    }
    let (ours, theirs) = (document(&kctl.stdout), document(&reference.stdout));
    if ours.is_none() || ours != theirs {
        return Some(format!(
            "{label}: documents differ\n--- kctl:\n{}\n--- kubectl:\n{}",
            kctl.stdout, reference.stdout
        ));
    }
    None
}

fn verdict(success: bool) -> &'static str {
    if success { "succeeded" } else { "failed" }
}

fn kctl_path() -> PathBuf {
    // tests run from target/<profile>/deps; cargo test builds examples into ../examples.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let kctl = profile_dir
        .join("examples")
        .join(format!("kctl{}", std::env::consts::EXE_SUFFIX));
    assert!(
        kctl.exists(),
        "{} is missing: run `cargo test` (which builds examples) or `cargo build --example kctl`",
        kctl.display()
    );
    kctl
}

/// The kubectl to compare with: `KUBESET_KUBECTL` (empty to use the recordings only), else
/// `kubectl` when it runs.
fn kubectl() -> Option<PathBuf> {
    let program = match std::env::var_os("KUBESET_KUBECTL") {
        Some(program) if program.is_empty() => return None,
        Some(program) => PathBuf::from(program),
        None => PathBuf::from("kubectl"),
    };
    Command::new(&program)
        .args(["version", "--client"])
        .output()
        .is_ok_and(|output| output.status.success())
        .then_some(program)
}

fn recorded(dir: &Path, run: &Run) -> Option<Outcome> {
    let base = dir.join("expected");
    let exit = std::fs::read_to_string(base.join(format!("{}.exit", run.name))).ok()?;
    let stdout = std::fs::read_to_string(base.join(format!("{}.stdout", run.name))).ok()?;
    Some(Outcome {
        success: exit.trim() == "0",
        stdout,
    })
}

fn record(dir: &Path, run: &Run, outcome: &Outcome) {
    let base = dir.join("expected");
    std::fs::create_dir_all(&base).unwrap();
    let exit = if outcome.success { "0\n" } else { "1\n" };
    std::fs::write(base.join(format!("{}.exit", run.name)), exit).unwrap();
    std::fs::write(base.join(format!("{}.stdout", run.name)), &outcome.stdout).unwrap();
}

fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("case.json").exists())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn corpus_has_at_least_thirty_scenarios() {
    let count = scenarios().len();
    assert!(count >= 30, "only {count} scenarios");
}

#[test]
fn kctl_config_view_matches_kubectl() {
    let kctl = kctl_path();
    let kubectl = kubectl();
    let live = kubectl.is_some();
    let recording = std::env::var_os("KUBESET_RECORD_KUBECTL").is_some();
    assert!(!recording || live, "recording needs kubectl on PATH");
    let mut failures = Vec::new();
    let mut compared = 0;
    for dir in scenarios() {
        let scenario = dir.file_name().unwrap().to_string_lossy().into_owned();
        for run in runs(&dir) {
            let label = format!("{scenario}/{}", run.name);
            let ours = execute(&kctl, &dir, &run);
            let saved = recorded(&dir, &run);
            if let Some(kubectl) = &kubectl {
                let theirs = execute(kubectl, &dir, &run);
                if recording {
                    record(&dir, &run, &theirs);
                } else {
                    match &saved {
                        Some(saved) => failures.extend(check(
                            &format!("{label} (recording vs live kubectl)"),
                            saved,
                            &theirs,
                        )),
                        None => failures.push(format!("{label}: no recording")),
                    }
                }
                failures.extend(check(&label, &ours, &theirs));
            } else {
                match &saved {
                    Some(saved) => failures.extend(check(&label, &ours, saved)),
                    None => failures.push(format!("{label}: no recording")),
                }
            }
            compared += 1;
        }
    }
    assert!(compared >= 30, "only {compared} runs");
    assert!(
        failures.is_empty(),
        "{} of {compared} runs differ from kubectl{}:\n\n{}",
        failures.len(),
        if live { " (live)" } else { " (recorded)" },
        failures.join("\n\n")
    );
}
