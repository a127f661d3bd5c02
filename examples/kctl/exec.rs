//! `kctl exec POD [-c C] [-i] [-t] -- COMMAND [ARGS...]` and `kctl attach POD [-c C] [-i]
//! [-t]`: a command in a container (or the container's main process) with the terminal's
//! streams, as `kubectl exec` and `kubectl attach`.
//!
//! The pod is read first (kubectl's resource builder: `Error from server (NotFound)`), a
//! completed pod is refused, the container defaults as for `logs`, then the session runs over
//! WebSocket with stdout and stderr copied as they arrive and stdin (`-i`) copied and
//! half-closed at its end. kctl exits with the command's exit code, saying `command terminated
//! with exit code N` on stderr as kubectl does. `-t` asks for a terminal only with `-i` and
//! when stdin is one (kubectl's warning otherwise); kctl does not switch the local terminal to
//! raw mode.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Args;
use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{AttachedProcess, ExecParams};
use tokio::io::AsyncWriteExt;

use crate::GlobalFlags;
use crate::failure::Failure;
use crate::logs::{default_container, has_container};
use crate::session::Session;

/// Flags of `exec` and `attach`.
#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// The pod (`NAME` or `pod/NAME`).
    pub(crate) pod: Option<String>,
    /// The command and its arguments (`exec`, after `--`).
    #[arg(last = true)]
    pub(crate) command: Vec<String>,
    /// The container.
    #[arg(short = 'c', long)]
    pub(crate) container: Option<String>,
    /// Pass stdin to the container.
    #[arg(short = 'i', long)]
    pub(crate) stdin: bool,
    /// Stdin is a TTY.
    #[arg(short = 't', long)]
    pub(crate) tty: bool,
    /// Only print output from the remote session.
    #[arg(short = 'q', long)]
    pub(crate) quiet: bool,
}

/// Which command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `exec`.
    Exec,
    /// `attach`.
    Attach,
}

/// Runs `exec` or `attach` and returns kctl's exit status.
pub(crate) fn main(globals: &GlobalFlags, args: &ExecArgs, mode: Mode) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(globals, args, mode));
    // stdin may still be blocked in a read; do not wait for it
    runtime.shutdown_background();
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => {
            if !args.quiet {
                eprintln!("command terminated with exit code {code}");
            }
            ExitCode::from(u8::try_from(code).unwrap_or(1))
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}

async fn run(globals: &GlobalFlags, args: &ExecArgs, mode: Mode) -> Result<i32, Failure> {
    let Some(pod_arg) = args.pod.as_deref() else {
        return Err(missing_pod(mode));
    };
    let command = &args.command;
    if mode == Mode::Exec && command.is_empty() {
        return Err(Failure::error(
            "you must specify at least one command for the container",
        ));
    }
    let name = pod_arg
        .strip_prefix("pod/")
        .or_else(|| pod_arg.strip_prefix("pods/"))
        .unwrap_or(pod_arg);
    let session = Session::new(globals)?;
    let pods = session.client.pods(&session.namespace);
    let pod: Pod = pods.get(name).await.map_err(|e| session.fail(&e))?;
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        let verb = if mode == Mode::Exec {
            "exec into"
        } else {
            "attach to"
        };
        return Err(Failure::error(format!(
            "cannot {verb} a container in a completed pod; current phase is {phase}"
        )));
    }
    let container = match &args.container {
        Some(c) if has_container(&pod, c) => c.clone(),
        Some(c) => {
            return Err(Failure::error(format!(
                "container {c} not found in pod {name}"
            )));
        }
        None => default_container(&pod)?,
    };
    // kubectl: a terminal only with stdin, and only when stdin is one (warning otherwise)
    let mut tty = args.tty && args.stdin;
    if tty && !std::io::stdin().is_terminal() {
        if !args.quiet {
            eprintln!("Unable to use a TTY - input is not a terminal or the right kind of file");
        }
        tty = false;
    }
    let mut ep = ExecParams::default().container(&container);
    if args.stdin {
        ep = ep.stdin();
    }
    if tty {
        ep = ep.tty();
    }
    let command: Vec<&str> = command.iter().map(String::as_str).collect();
    let process = match mode {
        Mode::Exec => pods.exec(name, &command, &ep).await,
        Mode::Attach => {
            // kubectl says so whether or not there is a terminal
            if !args.quiet {
                eprintln!("If you don't see a command prompt, try pressing enter.");
            }
            pods.attach(name, &ep).await
        }
    }
    .map_err(|e| session.fail(&e))?;
    stream(process).await.map_err(|e| session.fail(&e))
}

/// Copies the terminal's streams to and from the session and waits for its exit code.
async fn stream(mut process: AttachedProcess) -> Result<i32, kubeset::clientset::Error> {
    if let Some(mut stdin) = process.stdin() {
        tokio::spawn(async move {
            let mut local = tokio::io::stdin();
            let _ = tokio::io::copy(&mut local, &mut stdin).await;
            // the end of our input is the end of the command's (v5 half-close)
            let _ = stdin.shutdown().await;
        });
    }
    let stdout = process.stdout().map(|mut remote| {
        tokio::spawn(async move {
            let mut local = tokio::io::stdout();
            let _ = tokio::io::copy(&mut remote, &mut local).await;
            let _ = local.flush().await;
        })
    });
    let stderr = process.stderr().map(|mut remote| {
        tokio::spawn(async move {
            let mut local = tokio::io::stderr();
            let _ = tokio::io::copy(&mut remote, &mut local).await;
            let _ = local.flush().await;
        })
    });
    let status = process.status().await;
    for copy in [stdout, stderr].into_iter().flatten() {
        let _ = copy.await;
    }
    Ok(status?.code())
}

fn missing_pod(mode: Mode) -> Failure {
    match mode {
        Mode::Exec => Failure::line(
            "error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.\nPOD or TYPE/NAME is a required argument for the exec command\nSee 'kubectl exec -h' for help and examples",
        ),
        Mode::Attach => Failure::line(
            "error: expected POD, TYPE/NAME, or TYPE NAME, (1) arguments, got 0: []\nSee 'kubectl attach -h' for help and examples",
        ),
    }
}
