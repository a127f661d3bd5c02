//! `cargo xtask bench`: builds the benchmark workspace (`bench/`) in release and runs it.
//!
//! The bench workspace is separate from the main one (its own `Cargo.lock` and `target/`), so
//! kube-rs is never built by `cargo test --workspace` or CI. Arguments after `bench` go to the
//! driver: `--reps K` (repetitions per client, default 5), `--only list,get-seq` (workloads),
//! `--no-write` (print the table without updating `docs/BENCHMARKS.md`).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Builds and runs the benchmarks, writing the table into `docs/BENCHMARKS.md`.
pub(crate) fn bench(args: &[String]) -> ExitCode {
    let root = workspace_root();
    let bench = root.join("bench");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    eprintln!("$ cargo build --release (in bench/)");
    let mut build = Command::new(&cargo);
    build
        .args(["build", "--release", "--manifest-path"])
        .arg(bench.join("Cargo.toml"))
        // The bench workspace keeps its own target dir, whatever the caller's environment says.
        .env("CARGO_TARGET_DIR", bench.join("target"));
    // `cargo xtask` runs this with xtask's own package variables set (CARGO_PKG_NAME, ...);
    // build scripts that watch them (ring's does) would then see a different environment
    // than a `cargo build` in bench/ by hand, and each switch rebuilds the TLS stack and
    // everything above it.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
            || name == "CARGO_PRIMARY_PACKAGE"
        {
            build.env_remove(name.as_ref());
        }
    }
    let built = build.status();
    match built {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("building the benchmarks failed: {status}");
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("could not run {cargo}: {err}");
            return ExitCode::FAILURE;
        }
    }
    let mut driver = Command::new(bench.join("target/release/kubeset-bench"));
    driver.arg("run");
    let write = !args.iter().any(|a| a == "--no-write");
    driver.args(args.iter().filter(|a| *a != "--no-write"));
    if write {
        driver.arg("--out").arg(root.join("docs/BENCHMARKS.md"));
    }
    match driver.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("the benchmark driver failed: {status}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("could not run the benchmark driver: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The main workspace's root: xtask's parent directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}
