//! `kubeset-bench`: kubeset against kube-rs on one canned API server.
//!
//! - `kubeset-bench run [--reps K] [--only w1,w2] [--out docs/BENCHMARKS.md]`: starts the server,
//!   runs every workload in a child process per client, alternating kubeset and kube-rs, K times,
//!   and prints the markdown table (and writes it into `--out` between its markers).
//! - `kubeset-bench child LIB WORKLOAD`: one measurement (what `run` spawns).
//! - `kubeset-bench serve`: only the server, until killed, printing the environment a child
//!   needs, so one child can be run by hand under `perf record` or `strace`.

mod client;
mod driver;
mod pods;
mod server;

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let started = Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => driver::run(&args[1..]),
        Some("serve") => driver::serve(),
        Some("child") => match (
            args.get(1).and_then(|l| client::Lib::parse(l)),
            args.get(2).and_then(|w| client::Workload::parse(w)),
        ) {
            (Some(lib), Some(workload)) => client::child(lib, workload, started),
            _ => Err("usage: kubeset-bench child LIB WORKLOAD".into()),
        },
        _ => Err("usage: kubeset-bench run [--reps K] [--only w1,w2] [--out FILE]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kubeset-bench: {err}");
            ExitCode::FAILURE
        }
    }
}
