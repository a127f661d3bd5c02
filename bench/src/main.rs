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

/// Counts allocations, so `codec` can print them next to its times (a count is the same
/// however loaded the machine is).
struct CountingAlloc;

static ALLOCATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { std::alloc::System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn allocations() -> u64 {
    ALLOCATIONS.load(std::sync::atomic::Ordering::Relaxed)
}

/// `kubeset-bench codec [PART [ROUNDS]]`: the 10,000-pod list decoded from memory on one core,
/// from JSON (serde_json) and from protobuf (kubeset-protobuf), and one pod encoded 5,000 times
/// each way: the codec alone, without the network. `PART` (`json-decode`, `pb-decode`,
/// `json-encode`, `pb-encode`, `drop`; default all) runs one part only. `drop` times how long
/// freeing the decoded 10,000 pods takes, which every list workload pays inside its timing
/// (the list is dropped before the clock stops) and which no client can spread over cores. Each part prints its time and
/// its allocations; each is a function of its own (`kubeset_bench::pb_decode`, ...), so
/// `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=kubeset_bench::pb_decode`
/// counts its instructions alone (machine load does not change those counts).
fn codec(part: Option<&str>, rounds: usize) -> Result<(), server::BoxError> {
    use k8s_openapi::api::core::v1::Pod;
    let run = |name: &str| part.is_none_or(|p| p == name);
    let decoding = run("json-decode") || run("pb-decode") || run("drop");
    let json: Vec<bytes::Bytes> = if decoding {
        (0..client::PODS)
            .map(|i| bytes::Bytes::from(serde_json::to_vec(&pods::pod(i)).unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    let list = pods::list_body(&json, None, 0);
    let pb_list = if decoding {
        server::Canned::new(client::PODS, 1).pb_list
    } else {
        bytes::Bytes::new()
    };
    let pod: Pod = serde_json::from_value(pods::pod(0))?;
    println!(
        "{} pods: {} bytes of JSON, {} of protobuf; one pod {} and {} bytes",
        client::PODS,
        list.len(),
        pb_list.len(),
        serde_json::to_vec(&pod)?.len(),
        kubeset_protobuf::to_vec(&pod, "v1", "Pod")?.len(),
    );
    let measure = |name: &str, f: &mut dyn FnMut() -> Result<usize, server::BoxError>| {
        if !run(name) {
            return Ok::<(), server::BoxError>(());
        }
        let (t, a) = (Instant::now(), allocations());
        let n = f()?;
        println!(
            "{name}: {:?}, {} allocations ({n} items)",
            t.elapsed(),
            allocations() - a
        );
        Ok(())
    };
    for _ in 0..rounds {
        measure("json-decode", &mut || json_decode(&list))?;
        measure("pb-decode", &mut || pb_decode(&pb_list))?;
        measure("json-encode", &mut || json_encode(&pod))?;
        measure("pb-encode", &mut || pb_encode(&pod))?;
        if run("drop") {
            let decoded: k8s_openapi::List<Pod> = serde_json::from_slice(&list)?;
            let t = Instant::now();
            let n = drop_pods(decoded.items);
            println!("drop: {:?} ({n} items)", t.elapsed());
        }
    }
    Ok(())
}

#[inline(never)]
fn json_decode(list: &[u8]) -> Result<usize, server::BoxError> {
    let decoded: k8s_openapi::List<k8s_openapi::api::core::v1::Pod> =
        serde_json::from_slice(list)?;
    Ok(decoded.items.len())
}

#[inline(never)]
fn pb_decode(list: &[u8]) -> Result<usize, server::BoxError> {
    let envelope = kubeset_protobuf::Envelope::read(list)?;
    let parts =
        kubeset_protobuf::ListParts::split(envelope.api_version, envelope.kind, envelope.raw)?;
    let mut items = Vec::with_capacity(parts.items.len());
    for item in &parts.items {
        items.push(kubeset_protobuf::from_message::<
            k8s_openapi::api::core::v1::Pod,
        >(parts.item, item)?);
    }
    Ok(items.len())
}

#[inline(never)]
fn drop_pods(pods: Vec<k8s_openapi::api::core::v1::Pod>) -> usize {
    let n = pods.len();
    drop(std::hint::black_box(pods));
    n
}

#[inline(never)]
fn json_encode(pod: &k8s_openapi::api::core::v1::Pod) -> Result<usize, server::BoxError> {
    for _ in 0..client::CREATES {
        std::hint::black_box(serde_json::to_vec(pod)?);
    }
    Ok(client::CREATES)
}

#[inline(never)]
fn pb_encode(pod: &k8s_openapi::api::core::v1::Pod) -> Result<usize, server::BoxError> {
    for _ in 0..client::CREATES {
        std::hint::black_box(kubeset_protobuf::to_vec(pod, "v1", "Pod")?);
    }
    Ok(client::CREATES)
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
        Some("codec") => codec(
            args.get(1).map(String::as_str).filter(|p| *p != "all"),
            args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3),
        ),
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
