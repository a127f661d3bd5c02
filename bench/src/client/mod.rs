//! One workload in this process, with one client: kubeset, kube-rs, or a floor.
//!
//! Every client first builds itself from the kubeconfig and GETs one pod (so connections are up
//! and TLS is done); the workload is timed after that, except `startup`, which is timed from the
//! process's `main` to the end of that first GET. The child prints `<nanoseconds> <VmHWM kB>`.

mod floor;
mod kube_rs;
mod kubeset;

use std::time::{Duration, Instant};

use crate::server::BoxError;

/// Who does the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lib {
    Kubeset,
    /// kubeset with `protobuf(true)`: the same objects in protobuf, as client-go users get them.
    KubesetPb,
    KubeRs,
    /// Bare hyper over HTTP/1.1: bytes only, no decoding, no layers.
    FloorH1,
    /// Bare hyper over HTTP/2 (one connection): bytes only.
    FloorH2,
    /// `serde_json` decoding of the same bodies from memory, on one core: no network at all.
    Serde,
}

impl Lib {
    pub const ALL: [Lib; 6] = [
        Lib::Kubeset,
        Lib::KubesetPb,
        Lib::KubeRs,
        Lib::FloorH1,
        Lib::FloorH2,
        Lib::Serde,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Lib::Kubeset => "kubeset",
            Lib::KubesetPb => "kubeset-pb",
            Lib::KubeRs => "kube-rs",
            Lib::FloorH1 => "floor-h1",
            Lib::FloorH2 => "floor-h2",
            Lib::Serde => "serde",
        }
    }

    pub fn parse(name: &str) -> Option<Lib> {
        Lib::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// The workloads of issue 14's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    Startup,
    List,
    Pages,
    GetSeq,
    Get64,
    Create,
    Watch,
}

/// How big each workload is.
pub const PODS: usize = 10_000;
pub const PAGE: usize = 500;
pub const SEQ_GETS: usize = 5_000;
pub const PAR_GETS: usize = 20_000;
pub const TASKS: usize = 64;
pub const CREATES: usize = 5_000;
pub const EVENTS: usize = 100_000;

impl Workload {
    pub const ALL: [Workload; 7] = [
        Workload::Startup,
        Workload::List,
        Workload::Pages,
        Workload::GetSeq,
        Workload::Get64,
        Workload::Create,
        Workload::Watch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Startup => "startup",
            Workload::List => "list",
            Workload::Pages => "pages",
            Workload::GetSeq => "get-seq",
            Workload::Get64 => "get-64",
            Workload::Create => "create",
            Workload::Watch => "watch",
        }
    }

    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// The row's title in the table.
    pub fn title(self) -> String {
        match self {
            Workload::Startup => "start-up to first GET".to_string(),
            Workload::List => format!("list {PODS} pods (one request)"),
            Workload::Pages => format!("list in pages of {PAGE}"),
            Workload::GetSeq => format!("{SEQ_GETS} sequential GETs"),
            Workload::Get64 => format!("{PAR_GETS} GETs from {TASKS} tasks"),
            Workload::Create => format!("{CREATES} creates"),
            Workload::Watch => format!("watch {EVENTS} events"),
        }
    }

    /// Whether `lib` has something to measure here.
    pub fn applies(self, lib: Lib) -> bool {
        match lib {
            Lib::Kubeset | Lib::KubeRs | Lib::FloorH1 | Lib::FloorH2 => true,
            // Watches stay JSON; start-up is the same client.
            Lib::KubesetPb => !matches!(self, Workload::Startup | Workload::Watch),
            Lib::Serde => matches!(
                self,
                Workload::List | Workload::Pages | Workload::GetSeq | Workload::Watch
            ),
        }
    }
}

/// Runs `workload` with `lib` in this process and prints the result line.
pub fn child(lib: Lib, workload: Workload, started: Instant) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let elapsed: Duration = runtime.block_on(async {
        match lib {
            Lib::Kubeset => kubeset::run(workload, started, false).await,
            Lib::KubesetPb => kubeset::run(workload, started, true).await,
            Lib::KubeRs => kube_rs::run(workload, started).await,
            Lib::FloorH1 => floor::run(workload, started, false).await,
            Lib::FloorH2 => floor::run(workload, started, true).await,
            Lib::Serde => floor::serde(workload),
        }
    })?;
    println!("{} {}", elapsed.as_nanos(), peak_rss_kb().unwrap_or(0));
    Ok(())
}

/// The process's peak resident set (`VmHWM`), in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Fails unless `got == want`, so a client that silently did less is never timed as faster.
fn expect(what: &str, got: usize, want: usize) -> Result<(), BoxError> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, want {want}").into())
    }
}

/// The pod every client creates, named per request.
fn create_template() -> Result<k8s_openapi::api::core::v1::Pod, BoxError> {
    let mut pod = crate::pods::pod(0);
    if let Some(object) = pod.as_object_mut() {
        object.remove("status");
    }
    Ok(serde_json::from_value(pod)?)
}

fn names(count: usize) -> Vec<String> {
    (0..count).map(|i| crate::pods::name(i % PODS)).collect()
}
