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

/// `kubeset-bench codec`: the 10,000-pod list decoded from memory on one core, from JSON
/// (serde_json) and from protobuf (kubeset-protobuf), and one pod encoded 5,000 times each way:
/// the codec alone, without the network.
fn codec() -> Result<(), server::BoxError> {
    use k8s_openapi::api::core::v1::Pod;
    let json: Vec<bytes::Bytes> = (0..client::PODS)
        .map(|i| bytes::Bytes::from(serde_json::to_vec(&pods::pod(i)).unwrap_or_default()))
        .collect();
    let list = pods::list_body(&json, None, 0);
    let canned = server::Canned::new(client::PODS, 1);
    for _ in 0..3 {
        let t = Instant::now();
        let decoded: k8s_openapi::List<Pod> = serde_json::from_slice(&list)?;
        let json_time = t.elapsed();
        let t = Instant::now();
        let envelope = kubeset_protobuf::Envelope::read(&canned.pb_list)?;
        let parts =
            kubeset_protobuf::ListParts::split(envelope.api_version, envelope.kind, envelope.raw)?;
        let mut items = Vec::with_capacity(parts.items.len());
        for item in &parts.items {
            items.push(kubeset_protobuf::from_message::<Pod>(parts.item, item)?);
        }
        let pb_time = t.elapsed();
        let pod: Pod = serde_json::from_value(pods::pod(0))?;
        let t = Instant::now();
        for _ in 0..client::CREATES {
            std::hint::black_box(serde_json::to_vec(&pod)?);
        }
        let json_enc = t.elapsed();
        let t = Instant::now();
        for _ in 0..client::CREATES {
            std::hint::black_box(kubeset_protobuf::to_vec(&pod, "v1", "Pod")?);
        }
        let pb_enc = t.elapsed();
        println!(
            "decode {} pods: json {json_time:?} ({} bytes), protobuf {pb_time:?} ({} bytes); encode {} pods: json {json_enc:?}, protobuf {pb_enc:?}",
            decoded.items.len().min(items.len()),
            list.len(),
            canned.pb_list.len(),
            client::CREATES,
        );
    }
    Ok(())
}

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
        Some("codec") => codec(),
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
