//! `kctl`: a small kubectl built on kubeset.
//!
//! It takes kubectl's global flags (`--kubeconfig`, `--context`, `--cluster`, `--user`,
//! `--namespace`/`-n`, `--server`/`-s`) before or after the command, as kubectl does.
//! Commands:
//!
//! - `kctl config view [--minify] [--flatten] [--raw] [-o json|yaml]`: prints the merged
//!   kubeconfig exactly as `kubectl config view` does.
//! - `kctl get --raw PATH`: GETs PATH from the API server and prints the answer exactly as
//!   `kubectl get --raw PATH` does (the server's `Status` on failure, exit code 1).
//!
//! ```text
//! cargo run --example kctl -- config view --minify -o json
//! ```

mod config_view;
mod get_raw;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kubeset::config::kubeconfig::Overrides;
use kubeset::config::{ProcessEnv, incluster};

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

impl GlobalFlags {
    /// The flags that change how the kubeconfig resolves.
    pub(crate) fn overrides(&self) -> Overrides {
        let mut overrides = Overrides::default();
        let flags = [
            (&self.context, &mut overrides.context),
            (&self.cluster, &mut overrides.cluster),
            (&self.user, &mut overrides.user),
            (&self.namespace, &mut overrides.namespace),
            (&self.server, &mut overrides.server),
        ];
        for (flag, slot) in flags {
            slot.clone_from(flag);
        }
        overrides
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect kubeconfig files.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Display one or many resources (only `--raw PATH` so far).
    Get(GetArgs),
}

/// Flags of `get`.
#[derive(Debug, Args)]
struct GetArgs {
    /// Raw URI to request from the server (path and query), e.g. `/api/v1/namespaces`.
    #[arg(long, value_name = "PATH", required = true)]
    raw: String,
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
        Command::Get(args) => return get(&cli.globals, args),
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

/// `get --raw`: the body goes to stdout as it arrives; failures print kubectl's line.
fn get(globals: &GlobalFlags, args: &GetArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = get_raw::resolve(
        globals.kubeconfig.as_deref(),
        &ProcessEnv,
        &globals.overrides(),
        Path::new(incluster::SERVICE_ACCOUNT_DIR),
    )
    .and_then(|config| {
        let mut stdout = std::io::stdout();
        runtime.block_on(get_raw::get_raw(&config, &args.raw, &mut stdout))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
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
