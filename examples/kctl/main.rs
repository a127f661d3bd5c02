//! `kctl`: a small kubectl built on kubeset.
//!
//! It takes kubectl's global flags (`--kubeconfig`, `--context`, `--cluster`, `--user`,
//! `--namespace`/`-n`, `--server`/`-s`) before or after the command, as kubectl does.
//! Commands:
//!
//! - `kctl config view [--minify] [--flatten] [--raw] [-o json|yaml]`: prints the merged
//!   kubeconfig exactly as `kubectl config view` does.
//!
//! ```text
//! cargo run --example kctl -- config view --minify -o json
//! ```

mod config_view;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// A small kubectl built on kubeset.
#[derive(Debug, Parser)]
#[command(
    name = "kctl",
    version,
    about = "kctl: a small kubectl built on kubeset"
)]
struct Cli {
    #[command(flatten)]
    globals: GlobalFlags,
    #[command(subcommand)]
    command: Command,
}

/// kubectl's global flags; accepted before or after the command.
#[derive(Debug, Default, Args)]
pub(crate) struct GlobalFlags {
    /// Path to the kubeconfig file to use (no merging).
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) context: Option<String>,
    /// The kubeconfig cluster to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) cluster: Option<String>,
    /// The kubeconfig user to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) user: Option<String>,
    /// The namespace scope for this request.
    #[arg(short = 'n', long, global = true, value_name = "NAME")]
    pub(crate) namespace: Option<String>,
    /// The address and port of the Kubernetes API server.
    #[arg(short = 's', long, global = true, value_name = "URL")]
    pub(crate) server: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect kubeconfig files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Display merged kubeconfig settings or a specified kubeconfig file.
    View(config_view::ViewArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Config {
            command: ConfigCommand::View(args),
        } => config_view::run(&cli.globals, args),
    };
    match result {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}", chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes, one level each, joined with `: `.
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
