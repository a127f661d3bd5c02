//! `cargo xtask soak [--seconds N] [--release]`: the fault soak (crate `kubeset-soak`) for N
//! seconds (default 60), its figures printed as a markdown table; fails when an invariant
//! broke.
//!
//! The soak runs as its own process (`cargo run -p kubeset-soak`), so xtask keeps its few
//! dependencies and the soak's resident-memory figure is the soak's alone. The default
//! profile is `dev` (the tree is warm and the soak measures no speed); `--release` builds
//! it optimized.

use std::process::{Command, ExitCode};

pub(crate) fn soak(args: &[String]) -> ExitCode {
    let mut seconds = 60u64;
    let mut release = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => match args.next().and_then(|s| s.parse().ok()) {
                Some(n) => seconds = n,
                None => {
                    eprintln!("--seconds needs a number");
                    return ExitCode::from(2);
                }
            },
            "--release" => release = true,
            other => {
                eprintln!(
                    "unknown argument {other}; usage: cargo xtask soak [--seconds N] [--release]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let mut command = Command::new(&cargo);
    command.args(["run", "--package", "kubeset-soak"]);
    if release {
        command.arg("--release");
    }
    command.args(["--", "--seconds", &seconds.to_string()]);
    eprintln!(
        "$ cargo run -p kubeset-soak{} -- --seconds {seconds}",
        if release { " --release" } else { "" }
    );
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("the soak failed: {status}");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("could not run {cargo}: {err}");
            ExitCode::FAILURE
        }
    }
}
