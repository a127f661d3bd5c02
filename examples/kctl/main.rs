//! `kctl`: a small kubectl built on kubeset.
//!
//! It takes kubectl's global flags (`--kubeconfig`, `--context`, `--cluster`, `--user`,
//! `--namespace`/`-n`, `--server`/`-s`, `-v`/`--v`) before or after the command, as kubectl does, and
//! prints what kubectl v1.32 prints for the same inputs, byte for byte (errors included).
//! `-v=6` and up print kubectl's request log to standard error (`verbosity.rs`: request lines
//! and timings at 6, request headers at 7, response headers and bodies at 8, curl lines at 9;
//! the transport masks credentials). Commands:
//!
//! - `kctl config view [--minify] [--flatten] [--raw] [-o json|yaml]`: the merged kubeconfig.
//! - `kctl get --raw PATH`: the body of a GET, as it arrives.
//! - `kctl get TYPE[,TYPE] [NAME...] [-A] [-l SEL] [--field-selector SEL] [--no-headers]
//!   [--show-labels] [-o json|yaml|name|wide] [-w]`: objects as the server's Table, JSON,
//!   YAML or names.
//! - `kctl create -f FILE`, `kctl apply --server-side -f FILE`, `kctl delete TYPE NAME` /
//!   `kctl delete -f FILE` / `kctl delete TYPE -l SEL|--all`: writes.
//! - `kctl logs POD [-c C] [-f] [--tail N] [--since D]`.
//! - `kctl exec POD [-c C] [-i] [-t] -- COMMAND [ARGS...]`, `kctl attach POD [-c C] [-i] [-t]`
//!   (exit status: the command's), `kctl port-forward POD [LOCAL:]REMOTE... [--address A]`.
//! - `kctl auth whoami [-o json|yaml]`, `kctl auth can-i VERB TYPE [NAME]`,
//!   `kctl create token SA [--duration D] [--audience A]`.
//! - `kctl auth rbac-from-audit --user U -f audit.log [--compare -f manifests/]`: least-privilege
//!   RBAC from an audit log, or manifests compared with it (`rbac_audit.rs`; no cluster needed).
//! - `kctl scale --replicas=N [--current-replicas=N] TYPE/NAME`, `kctl api-resources
//!   [-o wide|name] [--namespaced] [--api-group G] [--verbs V] [--no-headers] [--cached]`,
//!   `kctl api-versions`; discovery goes through kubectl's disk cache (`--cache-dir`).
//!
//! ```text
//! cargo run --example kctl -- get pods -A -o wide
//! ```

mod api_resources;
mod auth;
mod categories;
mod config_view;
mod duration;
mod exec;
mod failure;
mod get;
mod get_raw;
mod json;
mod logs;
mod manifest;
mod port_forward;
mod rbac_audit;
mod resources;
mod scale;
mod session;
mod table;
mod tabwriter;
mod verbosity;
mod watch;
mod write;
mod yaml;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use kubeset::config::kubeconfig::Overrides;
use kubeset::config::{ProcessEnv, incluster};

use crate::failure::Failure;
use crate::session::Session;

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
    /// Default cache directory (discovery is cached under `<dir>/discovery`).
    #[arg(long = "cache-dir", global = true, value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Number for the log level verbosity: 6 logs requests, 7 their headers, 8 response
    /// headers and bodies, 9 curl lines (credentials masked), as kubectl.
    #[arg(short = 'v', long = "v", global = true, value_name = "LEVEL")]
    pub(crate) v: Option<u8>,
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
    /// Display one or many resources.
    Get(get::GetArgs),
    /// Create resources from files, or a ServiceAccount token.
    Create(CreateArgs),
    /// Apply a configuration to resources (server-side).
    Apply(write::ApplyArgs),
    /// Delete resources by type and name, or from files.
    Delete(write::DeleteArgs),
    /// Print the logs of a container in a pod.
    Logs(logs::LogsArgs),
    /// Execute a command in a container.
    Exec(exec::ExecArgs),
    /// Attach to a running container.
    Attach(exec::ExecArgs),
    /// Forward one or more local ports to a pod.
    PortForward(port_forward::PortForwardArgs),
    /// Inspect authorization.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Set a new size for a deployment, replica set, stateful set or custom resource.
    Scale(scale::ScaleArgs),
    /// Print the supported API resources on the server.
    ApiResources(api_resources::ApiResourcesArgs),
    /// Print the supported API versions on the server.
    ApiVersions,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Display merged kubeconfig settings or a specified kubeconfig file.
    View(config_view::ViewArgs),
}

/// Flags of `create`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
struct CreateArgs {
    #[command(subcommand)]
    command: Option<CreateCommand>,
    /// Files with the objects to create (`-` for standard input).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    files: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum CreateCommand {
    /// Request a ServiceAccount token.
    Token(auth::TokenArgs),
}

#[derive(Debug, Subcommand)]
enum AuthCommand {
    /// Check self subject attributes.
    Whoami {
        /// Output format: json or yaml.
        #[arg(short = 'o', long, value_name = "FORMAT")]
        output: Option<String>,
    },
    /// Check whether an action is allowed.
    CanI(auth::CanIArgs),
    /// Derive least-privilege RBAC from an audit log, or compare manifests with it.
    RbacFromAudit(rbac_audit::RbacFromAuditArgs),
}

/// The output formats kctl prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Output {
    /// The server's Table.
    Table,
    /// The Table with every column.
    Wide,
    /// kubectl's JSON.
    Json,
    /// kubectl's YAML.
    Yaml,
    /// `kind/name`.
    Name,
}

impl Output {
    /// `-o FORMAT`, with kubectl's error for formats kctl does not print.
    fn parse(format: Option<&str>, allowed: &str) -> Result<Self, Failure> {
        match format {
            None | Some("") => Ok(Output::Table),
            Some(f @ ("json" | "yaml" | "name" | "wide")) if allowed.split(',').any(|a| a == f) => {
                Ok(match f {
                    "wide" => Output::Wide,
                    "json" => Output::Json,
                    "yaml" => Output::Yaml,
                    _ => Output::Name,
                })
            }
            Some(f) if f.starts_with("custom-columns") && allowed.starts_with("custom") => Err(
                Failure::error("custom-columns format specified but no custom columns given"),
            ),
            Some(
                "jsonpath" | "jsonpath-file" | "jsonpath-as-json" | "go-template"
                | "go-template-file" | "template" | "templatefile",
            ) if allowed.starts_with("custom") => Err(Failure::error(
                "template format specified but no template given",
            )),
            Some(f) if f.contains('=') => Err(Failure::error(format!(
                "kctl does not print -o {f} (only json, yaml, name and wide)"
            ))),
            Some(f) => Err(Failure::error(format!(
                "unable to match a printer suitable for the output format \"{f}\", allowed formats are: {allowed}"
            ))),
        }
    }
}

/// The formats kubectl lists for `get` (kctl prints json, yaml, name and wide).
const GET_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/// The formats kubectl lists for `auth whoami`.
const WHOAMI_FORMATS: &str = "json,yaml,name,go-template,go-template-file,template,templatefile,jsonpath,jsonpath-as-json,jsonpath-file";

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    verbosity::install(cli.globals.v);
    match &cli.command {
        Command::Config {
            command: ConfigCommand::View(args),
        } => match config_view::run(&cli.globals, args) {
            Ok(output) => {
                print!("{output}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("error: {}", chain(error.as_ref()));
                ExitCode::FAILURE
            }
        },
        Command::Get(args) if args.raw.is_some() => get_raw(&cli.globals, args),
        Command::Auth {
            command: AuthCommand::RbacFromAudit(args),
        } => rbac_audit::run(cli.globals.user.as_deref(), args),
        Command::Exec(args) => exec::main(&cli.globals, args, exec::Mode::Exec),
        Command::Attach(args) => exec::main(&cli.globals, args, exec::Mode::Attach),
        Command::PortForward(args) => port_forward::main(&cli.globals, args),
        command => {
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
            let result = runtime.block_on(run(&cli.globals, command));
            finish(result)
        }
    }
}

/// A command line clap rejects, reported as kubectl's cobra reports it (exit status 1).
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let message = match (error.kind(), error.get(ContextKind::InvalidArg)) {
        (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) => {
            let flag = arg.split('=').next().unwrap_or(arg);
            match flag.strip_prefix('-') {
                Some(short) if !short.starts_with('-') => {
                    let letter = short.chars().next().unwrap_or('-');
                    format!("unknown shorthand flag: '{letter}' in {flag}")
                }
                _ => format!("unknown flag: {flag}"),
            }
        }
        _ => {
            let text = error.to_string();
            let first = text.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_owned()
        }
    };
    eprintln!("{}", Failure::usage(&command_path(), message));
    ExitCode::FAILURE
}

/// The command words of the command line (`get`, `create token`, `auth can-i`).
fn command_path() -> String {
    const COMMANDS: &[&str] = &[
        "config",
        "get",
        "create",
        "apply",
        "delete",
        "logs",
        "auth",
        "scale",
        "api-resources",
        "api-versions",
        "exec",
        "attach",
        "port-forward",
    ];
    const SUBCOMMANDS: &[&str] = &["view", "token", "whoami", "can-i", "rbac-from-audit"];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(at) = args.iter().position(|a| COMMANDS.contains(&a.as_str())) else {
        return String::new();
    };
    match args
        .get(at + 1)
        .filter(|a| SUBCOMMANDS.contains(&a.as_str()))
    {
        Some(sub) => format!("{} {sub}", args[at]),
        None => args[at].clone(),
    }
}

/// Prints the failures, one line each, and picks the exit status.
fn finish(result: Result<Vec<Failure>, Failure>) -> ExitCode {
    let failures = match result {
        Ok(failures) => failures,
        Err(failure) => vec![failure],
    };
    for failure in failures.iter().filter(|f| !f.is_silent()) {
        eprintln!("{failure}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A command that talks to the API server; `Ok` holds failures that did not stop it.
async fn run(globals: &GlobalFlags, command: &Command) -> Result<Vec<Failure>, Failure> {
    let session = Session::new(globals)?;
    let explicit_namespace = globals.namespace.is_some();
    match command {
        Command::Get(args) => {
            let output = Output::parse(args.output.as_deref(), GET_FORMATS)?;
            Ok(get::run(&session, args, output).await?.errors)
        }
        Command::Create(CreateArgs {
            command: Some(CreateCommand::Token(args)),
            ..
        }) => auth::create_token(&session, args)
            .await
            .map(|()| Vec::new()),
        Command::Create(args) => write::create(&session, &args.files, explicit_namespace).await,
        Command::Apply(args) => write::apply(&session, args, explicit_namespace).await,
        Command::Delete(args) => write::delete(&session, args, explicit_namespace).await,
        Command::Logs(args) => logs::run(&session, args).await.map(|()| Vec::new()),
        Command::Auth {
            command: AuthCommand::Whoami { output },
        } => {
            let output = Output::parse(output.as_deref(), WHOAMI_FORMATS)?;
            auth::whoami(&session, output).await.map(|()| Vec::new())
        }
        Command::Auth {
            command: AuthCommand::CanI(args),
        } => {
            if auth::can_i(&session, args).await? {
                Ok(Vec::new())
            } else {
                // kubectl exits 1 for "no" without an error line.
                Ok(vec![Failure::silent()])
            }
        }
        Command::Scale(args) => scale::run(&session, args).await.map(|()| Vec::new()),
        Command::ApiResources(args) => api_resources::resources(&session, args)
            .await
            .map(|()| Vec::new()),
        Command::ApiVersions => api_resources::versions(&session).await.map(|()| Vec::new()),
        Command::Config { .. }
        | Command::Exec(_)
        | Command::Attach(_)
        | Command::PortForward(_)
        | Command::Auth {
            command: AuthCommand::RbacFromAudit(_),
        } => Ok(Vec::new()),
    }
}

/// `get --raw`: the body goes to stdout as it arrives; failures print kubectl's line.
fn get_raw(globals: &GlobalFlags, args: &get::GetArgs) -> ExitCode {
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
    let path = args.raw.as_deref().unwrap_or_default();
    let result = get_raw::resolve(
        globals.kubeconfig.as_deref(),
        &ProcessEnv,
        &globals.overrides(),
        Path::new(incluster::SERVICE_ACCOUNT_DIR),
    )
    .and_then(|config| {
        let mut stdout = std::io::stdout();
        runtime.block_on(get_raw::get_raw(&config, globals.v, path, &mut stdout))
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
