//! `kctl logs POD [-c C] [-f] [--tail N] [--since D]`: a container's log, as `kubectl logs`.
//!
//! kubectl reads the pod first to pick the container: `-c`, else the one the
//! `kubectl.kubernetes.io/default-container` annotation names, else the only one, else the
//! first (saying so on stderr: `Defaulted container "a" out of: a, b`). It then streams
//! `pods/NAME/log?container=C` to stdout as the bytes arrive; with `-f`, line by line through
//! `log_lines`, which also resumes a dropped connection without repeating lines.

use std::io::Write;

use clap::Args;
use futures_util::TryStreamExt;
use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::LogParams;

use crate::duration;
use crate::failure::Failure;
use crate::session::Session;

/// The annotation that names a pod's default container.
const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

/// Flags of `logs`.
#[derive(Debug, Args)]
pub(crate) struct LogsArgs {
    /// The pod (`NAME` or `pod/NAME`).
    pub(crate) pod: Option<String>,
    /// The container.
    #[arg(short = 'c', long)]
    pub(crate) container: Option<String>,
    /// Keep streaming as the container writes.
    #[arg(short = 'f', long)]
    pub(crate) follow: bool,
    /// Only the last N lines (-1: all).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub(crate) tail: i64,
    /// Only lines newer than this duration (`5s`, `2m`, `3h`).
    #[arg(long, value_name = "DURATION")]
    pub(crate) since: Option<String>,
    /// Prefix each line with its timestamp.
    #[arg(long)]
    pub(crate) timestamps: bool,
    /// The previous instance of the container.
    #[arg(short = 'p', long)]
    pub(crate) previous: bool,
}

/// Runs `logs`.
pub(crate) async fn run(session: &Session, args: &LogsArgs) -> Result<(), Failure> {
    let Some(pod) = args.pod.as_deref() else {
        return Err(Failure::line(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
        ));
    };
    let name = pod
        .strip_prefix("pod/")
        .or_else(|| pod.strip_prefix("pods/"))
        .unwrap_or(pod);
    let mut lp = LogParams::default();
    if let Some(since) = &args.since {
        let nanos = duration::parse(since).map_err(|e| {
            Failure::usage(
                "logs",
                format!("invalid argument \"{since}\" for \"--since\" flag: {e}"),
            )
        })?;
        lp = lp.since_seconds(duration::ceil_seconds(nanos));
    }
    if args.tail >= 0 {
        lp = lp.tail(args.tail);
    }
    if args.follow {
        lp = lp.follow();
    }
    lp.timestamps = args.timestamps;
    lp.previous = args.previous;
    let pods = session.client.pods(&session.namespace);
    let pod: Pod = pods
        .get(name)
        .await
        .map_err(|e| pod_error(session, name, &e))?;
    let container = match &args.container {
        Some(c) if has_container(&pod, c) => c.clone(),
        Some(c) => {
            return Err(Failure::error(format!(
                "container {c} is not valid for pod {name}"
            )));
        }
        None => default_container(&pod)?,
    };
    lp = lp.container(&container);
    if lp.follow {
        return follow(session, &pods, name, &lp, args.timestamps).await;
    }
    let mut chunks = pods
        .log_stream(name, &lp)
        .await
        .map_err(|e| session.fail(&e))?;
    let mut stdout = std::io::stdout();
    while let Some(chunk) = chunks.try_next().await.map_err(|e| session.fail(&e))? {
        stdout
            .write_all(&chunk)
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::error(format!("writing the log: {e}")))?;
    }
    Ok(())
}

/// `-f`: the log as lines while the container writes, resumed after a dropped connection
/// (kubectl gives up there); each line printed as kubectl prints it.
async fn follow(
    session: &Session,
    pods: &kubeset::clientset::Api<Pod>,
    name: &str,
    lp: &LogParams,
    timestamps: bool,
) -> Result<(), Failure> {
    let mut lines = std::pin::pin!(pods.log_lines(name, lp));
    let mut stdout = std::io::stdout();
    while let Some(line) = lines.try_next().await.map_err(|e| session.fail(&e))? {
        let text = match (&line.timestamp, timestamps) {
            (Some(ts), true) => format!("{ts} {}\n", line.text),
            _ => format!("{}\n", line.text),
        };
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::error(format!("writing the log: {e}")))?;
    }
    Ok(())
}

/// kubectl's words when the pod cannot be read: the resource builder's error, lower-cased,
/// with the namespace for a missing pod.
pub(crate) fn pod_error(
    session: &Session,
    name: &str,
    error: &kubeset::clientset::Error,
) -> Failure {
    match error.api() {
        Some(_) if error.is_not_found() => Failure::error(format!(
            "error from server (NotFound): pods \"{name}\" not found in namespace \"{}\"",
            session.namespace
        )),
        Some(api) => Failure::error(format!(
            "error from server ({}): {}",
            api.reason(),
            api.message()
        )),
        None => session.fail(error),
    }
}

/// Whether the pod has a container, init container or ephemeral container `name`.
pub(crate) fn has_container(pod: &Pod, name: &str) -> bool {
    let Some(spec) = &pod.spec else { return false };
    spec.containers.iter().any(|c| c.name == name)
        || spec
            .init_containers
            .iter()
            .flatten()
            .any(|c| c.name == name)
        || spec
            .ephemeral_containers
            .iter()
            .flatten()
            .any(|c| c.name == name)
}

/// kubectl's choice of container when `-c` is not given.
pub(crate) fn default_container(pod: &Pod) -> Result<String, Failure> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let containers: Vec<&str> = spec.containers.iter().map(|c| c.name.as_str()).collect();
    if let Some(annotated) = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CONTAINER))
        .filter(|a| containers.contains(&a.as_str()))
    {
        return Ok(annotated.clone());
    }
    match containers.as_slice() {
        [] => Err(Failure::error(format!(
            "pod {name} does not have any containers"
        ))),
        [only] => Ok((*only).to_owned()),
        [first, ..] => {
            let mut all: Vec<String> = containers.iter().map(|c| (*c).to_owned()).collect();
            if let Some(init) = &spec.init_containers {
                all.extend(init.iter().map(|c| format!("{} (init)", c.name)));
            }
            if let Some(ephemeral) = &spec.ephemeral_containers {
                all.extend(ephemeral.iter().map(|c| format!("{} (ephem)", c.name)));
            }
            eprintln!("Defaulted container \"{first}\" out of: {}", all.join(", "));
            Ok((*first).to_owned())
        }
    }
}
