//! `kubeset-soak --seconds N`: runs the fault soak for N seconds and prints its figures as a
//! markdown table; exits non-zero when an invariant broke.
//!
//! The binary counts its allocations (`kubeset_soak::heap`), so the report gives the daemons'
//! live heap apart from the in-process test server's.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: kubeset_soak::heap::Allocator = kubeset_soak::heap::Allocator::system();

fn main() -> ExitCode {
    if !kubeset_soak::heap::install() {
        eprintln!("cannot count allocations: another allocation tracker is set");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = match args.as_slice() {
        [] => 60,
        [flag, n] if flag == "--seconds" => match n.parse() {
            Ok(n) => n,
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let command = format!("cargo xtask soak --seconds {seconds}");
    match runtime.block_on(kubeset_soak::run(&kubeset_soak::Plan::long(seconds))) {
        Ok(report) => {
            println!("`{command}`:\n\n{}", report.to_markdown());
            let broken = report.violations();
            if broken.is_empty() {
                println!("\nAll invariants held.");
                ExitCode::SUCCESS
            } else {
                for b in broken {
                    println!("\nBROKEN: {b}");
                }
                ExitCode::FAILURE
            }
        }
        Err(err) => {
            let mut text = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            eprintln!("soak failed: {text}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: kubeset-soak [--seconds N]");
    ExitCode::from(2)
}
