//! `kctl port-forward POD [LOCAL_PORT:]REMOTE_PORT [...] [--address ADDR,...]`: local ports
//! forwarded to a pod's ports until interrupted, as `kubectl port-forward`.
//!
//! kubectl's lines: `Forwarding from 127.0.0.1:LOCAL -> REMOTE` (and `[::1]` when that binds)
//! for each listener, `Handling connection for LOCAL` for each accepted connection, and
//! `error: unable to forward port because pod is not running. Current status=PHASE` for a pod
//! that is not running. A failed connection is reported on stderr and forwarding goes on.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;

use clap::Args;
use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{Api, ForwardEvent, LocalForward};
use tokio::sync::mpsc;

use crate::GlobalFlags;
use crate::failure::{Failure, chain};
use crate::session::Session;

/// Flags of `port-forward`.
#[derive(Debug, Args)]
pub(crate) struct PortForwardArgs {
    /// The pod (`NAME` or `pod/NAME`), then `[LOCAL_PORT:]REMOTE_PORT` pairs.
    pub(crate) args: Vec<String>,
    /// Addresses to listen on (comma-separated): IP addresses or `localhost`.
    #[arg(long, default_value = "localhost", value_delimiter = ',')]
    pub(crate) address: Vec<String>,
}

/// Runs `port-forward` until interrupted; returns kctl's exit status.
pub(crate) fn main(globals: &GlobalFlags, args: &PortForwardArgs) -> ExitCode {
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
    match runtime.block_on(run(globals, args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}

/// `[LOCAL:]REMOTE` as `(local, remote)`; an empty local port is 0 (any free port).
fn parse_ports(spec: &str) -> Result<(u16, u16), Failure> {
    let (local, remote) = match spec.split_once(':') {
        Some((local, remote)) => (local, remote),
        None => (spec, spec),
    };
    let port = |text: &str, what: &str| {
        text.parse::<u16>().map_err(|_| {
            Failure::error(format!(
                "Error parsing {what} port '{text}': invalid syntax"
            ))
        })
    };
    let local = if local.is_empty() {
        0
    } else {
        port(local, "local")?
    };
    let remote = port(remote, "remote")?;
    if remote == 0 {
        return Err(Failure::error(format!("Remote port must be > 0: {spec}")));
    }
    Ok((local, remote))
}

/// The addresses `--address` names (`localhost`: 127.0.0.1 and ::1).
fn addresses(names: &[String]) -> Result<Vec<(IpAddr, bool)>, Failure> {
    let mut out = Vec::new();
    for name in names {
        if name == "localhost" {
            // ::1 is best effort, as kubectl's
            out.push((IpAddr::V4(Ipv4Addr::LOCALHOST), true));
            out.push((IpAddr::V6(Ipv6Addr::LOCALHOST), false));
        } else {
            let ip = name
                .parse::<IpAddr>()
                .map_err(|_| Failure::error(format!("{name} is not a valid IP")))?;
            out.push((ip, true));
        }
    }
    Ok(out)
}

async fn run(globals: &GlobalFlags, args: &PortForwardArgs) -> Result<(), Failure> {
    let Some((pod_arg, specs)) = args.args.split_first().filter(|(_, s)| !s.is_empty()) else {
        return Err(Failure::line(
            "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples",
        ));
    };
    let ports = specs
        .iter()
        .map(|s| parse_ports(s))
        .collect::<Result<Vec<_>, _>>()?;
    let addresses = addresses(&args.address)?;
    let name = pod_arg
        .strip_prefix("pod/")
        .or_else(|| pod_arg.strip_prefix("pods/"))
        .unwrap_or(pod_arg);
    let session = Session::new(globals)?;
    let pods: Api<Pod> = session.client.pods(&session.namespace);
    let pod = pods.get(name).await.map_err(|e| session.fail(&e))?;
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default();
    if phase != "Running" {
        return Err(Failure::error(format!(
            "unable to forward port because pod is not running. Current status={phase}"
        )));
    }
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let mut forwards: Vec<LocalForward> = Vec::new();
    for (local, remote) in ports {
        // every address of a pair listens on the same local port
        let mut port = local;
        for &(ip, required) in &addresses {
            let bound = pods
                .forward_local(name, SocketAddr::new(ip, port), remote)
                .await;
            match bound {
                Ok(forward) => {
                    port = forward.local_addr().port();
                    println!("Forwarding from {} -> {remote}", forward.local_addr());
                    forwards.push(forward);
                }
                Err(_) if !required => {}
                Err(error) => {
                    return Err(Failure::error(format!(
                        "unable to listen on any of the requested ports: {}",
                        chain(&error)
                    )));
                }
            }
        }
    }
    for mut forward in forwards {
        let events_tx = events_tx.clone();
        tokio::spawn(async move {
            while let Some(event) = forward.next_event().await {
                if events_tx.send(event).is_err() {
                    break;
                }
            }
        });
    }
    drop(events_tx);
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            event = events.recv() => match event {
                Some(ForwardEvent::Connection { local_port, .. }) => {
                    println!("Handling connection for {local_port}");
                }
                Some(ForwardEvent::Failed { remote_port, error }) => {
                    eprintln!("error forwarding to port {remote_port}: {}", chain(&error));
                }
                Some(_) => {}
                None => return Ok(()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_pairs_parse_as_kubectls() {
        assert_eq!(parse_ports("8080").unwrap(), (8080, 8080));
        assert_eq!(parse_ports("9000:80").unwrap(), (9000, 80));
        assert_eq!(parse_ports(":80").unwrap(), (0, 80));
        assert_eq!(
            parse_ports("x:80").unwrap_err().to_string(),
            "error: Error parsing local port 'x': invalid syntax"
        );
    }
}
