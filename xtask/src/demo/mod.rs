//! `cargo xtask demo`: the seed's story, end to end.
//!
//! kubeset exists for programs that run inside a cluster. The demo runs such programs the way
//! a cluster would: it starts `kubeset-testserver` in this process (or uses the cluster of
//! `--kubeconfig FILE`), applies the programs' manifests, plays the kubelet for their pods
//! (the projected ServiceAccount volume written with the kubelet's atomic writer, the service
//! variables) and runs each program as a child process with that environment and nothing
//! else: no kubeconfig. Each step is narrated in a few plain lines.
//!
//! `cargo xtask demo kctl` runs the older scripted session of `kctl`, our small kubectl.

mod cluster;
mod kctl;
mod kubelet;
mod manifests;
mod process;
mod steps;

use std::process::ExitCode;

use cluster::Cluster;

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DemoError {
    /// A request to the API server failed.
    #[error("an API request failed")]
    Api(#[from] kubeset_clientset::Error),
    /// An object could not be built.
    #[error("an object could not be encoded")]
    Json(#[from] serde_json::Error),
    /// Anything else, said in plain words.
    #[error("{message}")]
    Other {
        /// What went wrong.
        message: String,
    },
}

impl DemoError {
    pub(crate) fn msg(message: impl Into<String>) -> Self {
        Self::Other {
            message: message.into(),
        }
    }
}

/// One narrated line.
pub(crate) fn narrate(line: &str) {
    println!("  {line}");
}

/// A step's title.
pub(crate) fn title(n: usize, what: &str) {
    println!("\n== {n}. {what}");
}

pub(crate) fn demo(args: &[String]) -> ExitCode {
    if args.first().map(String::as_str) == Some("kctl") {
        return kctl::demo();
    }
    let kubeconfig = match args {
        [] => None,
        [flag, file] if flag == "--kubeconfig" => Some(std::path::PathBuf::from(file)),
        _ => {
            eprintln!("usage: cargo xtask demo [--kubeconfig FILE] | cargo xtask demo kctl");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = process::build_examples() {
        eprintln!("xtask demo: {message}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("xtask demo: cannot start tokio: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(kubeconfig)) {
        Ok(()) => {
            println!("\ndemo finished");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("xtask demo: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(kubeconfig: Option<std::path::PathBuf>) -> Result<(), DemoError> {
    let cluster = Cluster::connect(kubeconfig).await?;
    steps::run(&cluster).await
}
