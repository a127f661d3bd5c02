//! `cargo xtask`: the project's task runner.
//!
//! - `cargo xtask ci`: what `.ci/run` does (fmt, clippy, tests), so green here is green in CI.
//! - `cargo xtask demo`: the seed's story: starts `kubeset-testserver`, plays the kubelet and
//!   runs the example daemons as pods would run them (`--kubeconfig FILE` for a real cluster;
//!   `cargo xtask demo kctl` for the scripted kctl session).
//! - `cargo xtask bench`: kubeset against kube-rs on a canned API server; updates
//!   `docs/BENCHMARKS.md` (`--reps K`, `--only WORKLOADS`, `--no-write`).
//! - `cargo xtask fuzz [--seconds N] [TARGET...]`: runs the cargo-fuzz targets in `fuzz/` in
//!   turn and prints execs and crashes per target (nightly and cargo-fuzz needed).
//! - `cargo xtask soak [--seconds N] [--release]`: the fault soak (`crates/soak`), its
//!   figures as a markdown table; fails when an invariant broke.
//! - `cargo xtask protogen`: writes kubeset-protobuf's `src/generated.rs` from the vendored
//!   Kubernetes `.proto` files and Go struct tags in `crates/protobuf/proto/`.

mod bench;
mod demo;
mod fuzz;
mod protogen;
mod soak;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("ci") => ci(),
        Some("demo") => demo::demo(&std::env::args().skip(2).collect::<Vec<_>>()),
        Some("bench") => bench::bench(&std::env::args().skip(2).collect::<Vec<_>>()),
        Some("fuzz") => fuzz::fuzz(&std::env::args().skip(2).collect::<Vec<_>>()),
        Some("soak") => soak::soak(&std::env::args().skip(2).collect::<Vec<_>>()),
        Some("protogen") => protogen::protogen(),
        _ => {
            eprintln!("usage: cargo xtask ci|demo|bench|fuzz|soak|protogen");
            ExitCode::from(2)
        }
    }
}

/// The CI steps, in the order `.ci/run` runs them.
const CI_STEPS: &[&[&str]] = &[
    &["fmt", "--all", "--check"],
    &[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ],
    &["test", "--workspace"],
];

fn ci() -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    for step in CI_STEPS {
        eprintln!("$ cargo {}", step.join(" "));
        match Command::new(&cargo).args(*step).status() {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("cargo {} failed: {status}", step.join(" "));
                return ExitCode::FAILURE;
            }
            Err(err) => {
                eprintln!("could not run {cargo}: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
