//! `cargo xtask fuzz [--seconds N] [TARGET...]`: runs each cargo-fuzz target in `fuzz/` for N
//! seconds (default 60), one after the other, and prints execs, crashes and the peak
//! resident set libFuzzer reported per target.
//!
//! Needs the nightly toolchain and `cargo-fuzz`. The build goes to `fuzz/target`; inputs that
//! crash are kept by libFuzzer in `fuzz/artifacts/TARGET/`. A crash stops that target's run
//! (libFuzzer's default), so "crashes" is 0 or 1 per run: fix it, add its input as a test,
//! and run again.

use std::path::Path;
use std::process::{Command, ExitCode};

/// One target's outcome.
struct Outcome {
    target: String,
    execs: u64,
    /// The highest `rss:` libFuzzer printed, MB.
    peak_rss_mb: u64,
    crashed: bool,
    artifact: Option<String>,
}

pub(crate) fn fuzz(args: &[String]) -> ExitCode {
    let mut seconds = 60u64;
    let mut targets = Vec::new();
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
            name => targets.push(name.to_owned()),
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    if targets.is_empty() {
        match list(&dir) {
            Ok(all) => targets = all,
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut outcomes = Vec::new();
    for target in &targets {
        eprintln!("$ cargo +nightly fuzz run {target} -- -max_total_time={seconds}");
        match run(&dir, target, seconds) {
            Ok(outcome) => outcomes.push(outcome),
            Err(message) => {
                eprintln!("{message}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("| target | seconds | execs | crashes | peak rss (MB) |");
    println!("|---|---:|---:|---:|---:|");
    for o in &outcomes {
        println!(
            "| {} | {seconds} | {} | {} | {} |",
            o.target,
            o.execs,
            u8::from(o.crashed),
            o.peak_rss_mb
        );
    }
    for o in outcomes.iter().filter(|o| o.crashed) {
        println!(
            "{}: crash input {}",
            o.target,
            o.artifact.as_deref().unwrap_or("(not found)")
        );
    }
    if outcomes.iter().any(|o| o.crashed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `cargo +nightly`, without the toolchain choice `cargo xtask` (stable) passes to its child.
fn nightly_cargo() -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    cmd
}

fn list(dir: &Path) -> Result<Vec<String>, String> {
    let out = nightly_cargo()
        .args(["fuzz", "list"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("could not run cargo fuzz (cargo install cargo-fuzz): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn run(dir: &Path, target: &str, seconds: u64) -> Result<Outcome, String> {
    let corpus = dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let seeds = dir.join("seeds").join(target);
    let mut cmd = nightly_cargo();
    cmd.args(["fuzz", "run", "-O", target])
        .arg(&corpus)
        .current_dir(dir);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    let out = cmd
        .args(["--", &format!("-max_total_time={seconds}")])
        .output()
        .map_err(|e| format!("could not run cargo fuzz: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    Ok(Outcome {
        target: target.to_owned(),
        execs: execs(&log),
        peak_rss_mb: peak_rss_mb(&log),
        crashed: !out.status.success(),
        artifact: log
            .lines()
            .find_map(|l| l.split_once("Test unit written to "))
            .map(|(_, path)| path.trim().to_owned()),
    })
}

/// The run count libFuzzer reports: `Done N runs` at a clean end, else the last `#N` line.
fn execs(log: &str) -> u64 {
    let done = log.lines().find_map(|l| {
        l.strip_prefix("Done ")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
    });
    done.unwrap_or_else(|| {
        log.lines()
            .rev()
            .filter_map(|l| l.strip_prefix('#'))
            .find_map(|r| r.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    })
}

/// The highest resident set libFuzzer's status lines report (`... rss: 123Mb`), MB.
fn peak_rss_mb(log: &str) -> u64 {
    log.lines()
        .filter_map(|l| l.split_once("rss: ")?.1.split("Mb").next()?.parse().ok())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{execs, peak_rss_mb};

    #[test]
    fn execs_are_read_from_the_log() {
        assert_eq!(
            execs("#2 INITED\n#1024 pulse\nDone 51234 runs in 31 second(s)\n"),
            51234
        );
        assert_eq!(
            execs("#2 INITED\n#4096 NEW cov: 10\n==1== ERROR: deadly signal\n"),
            4096
        );
        assert_eq!(execs("nothing"), 0);
    }

    #[test]
    fn the_peak_rss_is_the_highest_status_line() {
        let log = "#2 INITED cov: 5 ft: 5 corp: 1/1b exec/s: 0 rss: 33Mb\n\
                   #4096 pulse cov: 9 ft: 9 corp: 3/9b lim: 4 exec/s: 2048 rss: 128Mb\n\
                   #8192 pulse cov: 9 ft: 9 corp: 3/9b lim: 4 exec/s: 2048 rss: 97Mb\n";
        assert_eq!(peak_rss_mb(log), 128);
        assert_eq!(peak_rss_mb("Done 5 runs"), 0);
    }
}
