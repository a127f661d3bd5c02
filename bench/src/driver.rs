//! The driver: the server in this process, each measurement in a child process, kubeset and
//! kube-rs alternating (which goes first flips every repetition, so drift in the machine's load
//! falls on both), then medians, min–max and paired ratios in a markdown table.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{EVENTS, Lib, PODS, Workload};
use crate::server::{self, BoxError, Canned, Counts, Pki};

/// Markers in the output file between which the results are written.
const START: &str = "<!-- bench:start -->";
const END: &str = "<!-- bench:end -->";

struct Options {
    reps: usize,
    only: Vec<Workload>,
    out: Option<PathBuf>,
}

fn options(args: &[String]) -> Result<Options, BoxError> {
    let mut options = Options {
        reps: 5,
        only: Workload::ALL.to_vec(),
        out: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--reps" => options.reps = value()?.parse()?,
            "--out" => options.out = Some(PathBuf::from(value()?)),
            "--only" => {
                options.only = value()?
                    .split(',')
                    .map(|w| Workload::parse(w).ok_or_else(|| format!("no workload {w}")))
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if options.reps == 0 {
        return Err("--reps must be at least 1".into());
    }
    Ok(options)
}

/// One child's result.
#[derive(Debug, Clone, Copy)]
struct Sample {
    time: Duration,
    rss_kb: u64,
    counts: Counts,
}

pub fn run(args: &[String]) -> Result<(), BoxError> {
    let options = options(args)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let pki = Pki::generate()?;
    eprintln!("preparing {PODS} pods and {EVENTS} watch events ...");
    let canned = Arc::new(Canned::new(PODS, EVENTS));
    let server = runtime.block_on(server::start(&pki, canned))?;
    let dir = std::env::temp_dir().join(format!("kubeset-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, pki.kubeconfig(server.port))?;
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem)?;
    let env = ChildEnv {
        kubeconfig,
        ca,
        port: server.port,
    };

    let load_before = loadavg();
    let mut rows = Vec::new();
    for &workload in &options.only {
        let mut samples: Vec<(Lib, Vec<Sample>)> = Lib::ALL
            .into_iter()
            .filter(|lib| workload.applies(*lib))
            .map(|lib| (lib, Vec::new()))
            .collect();
        for rep in 0..options.reps {
            let order = if rep % 2 == 0 {
                [
                    Lib::Kubeset,
                    Lib::KubeRs,
                    Lib::KubesetPb,
                    Lib::FloorH1,
                    Lib::FloorH2,
                    Lib::Serde,
                ]
            } else {
                [
                    Lib::KubesetPb,
                    Lib::KubeRs,
                    Lib::Kubeset,
                    Lib::FloorH2,
                    Lib::FloorH1,
                    Lib::Serde,
                ]
            };
            for lib in order {
                let Some((_, list)) = samples.iter_mut().find(|(l, _)| *l == lib) else {
                    continue;
                };
                server.stats.take();
                let mut sample = env.measure(lib, workload)?;
                sample.counts = server.stats.take();
                eprintln!(
                    "{:<8} {:<9} rep {}: {:>10} {:>8} kB {} ({} requests{})",
                    workload.name(),
                    lib.name(),
                    rep + 1,
                    fmt_time(sample.time),
                    sample.rss_kb,
                    sample.counts.describe(),
                    sample.counts.requests,
                    sample.counts.describe_bodies()
                );
                list.push(sample);
            }
        }
        rows.push(Row { workload, samples });
    }
    let load_after = loadavg();
    let _ = std::fs::remove_dir_all(&dir);

    let report = render(&rows, options.reps, &load_before, &load_after);
    println!("{report}");
    if let Some(out) = &options.out {
        write_between_markers(out, &report)?;
        eprintln!("wrote {}", out.display());
    }
    Ok(())
}

/// Runs only the server until the process is killed, printing the environment for a child.
pub fn serve() -> Result<(), BoxError> {
    let runtime = tokio::runtime::Runtime::new()?;
    let pki = Pki::generate()?;
    eprintln!("preparing {PODS} pods and {EVENTS} watch events ...");
    let canned = Arc::new(Canned::new(PODS, EVENTS));
    let server = runtime.block_on(server::start(&pki, canned))?;
    let dir = std::env::temp_dir().join(format!("kubeset-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, pki.kubeconfig(server.port))?;
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem)?;
    println!(
        "export KUBECONFIG={} KUBESET_BENCH_CA={} KUBESET_BENCH_PORT={}",
        kubeconfig.display(),
        ca.display(),
        server.port
    );
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let counts = server.stats.take();
        if counts.requests > 0 {
            eprintln!(
                "{} ({} requests{})",
                counts.describe(),
                counts.requests,
                counts.describe_bodies()
            );
        }
    }
}

struct ChildEnv {
    kubeconfig: PathBuf,
    ca: PathBuf,
    port: u16,
}

impl ChildEnv {
    fn measure(&self, lib: Lib, workload: Workload) -> Result<Sample, BoxError> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .args(["child", lib.name(), workload.name()])
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KUBESET_BENCH_CA", &self.ca)
            .env("KUBESET_BENCH_PORT", self.port.to_string())
            .stdin(Stdio::null())
            .stderr(Stdio::inherit());
        for proxy in [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
            "RUST_LOG",
        ] {
            command.env_remove(proxy);
        }
        let output = command.output()?;
        if !output.status.success() {
            return Err(format!(
                "{} {} failed: {}",
                lib.name(),
                workload.name(),
                output.status
            )
            .into());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut fields = stdout.split_whitespace();
        let nanos: u64 = fields.next().ok_or("no time")?.parse()?;
        let rss_kb: u64 = fields.next().ok_or("no rss")?.parse()?;
        Ok(Sample {
            time: Duration::from_nanos(nanos),
            rss_kb,
            counts: Counts::default(),
        })
    }
}

struct Row {
    workload: Workload,
    samples: Vec<(Lib, Vec<Sample>)>,
}

impl Row {
    fn of(&self, lib: Lib) -> Option<&[Sample]> {
        self.samples
            .iter()
            .find(|(l, _)| *l == lib)
            .map(|(_, s)| s.as_slice())
    }

    fn times(&self, lib: Lib) -> Vec<f64> {
        self.of(lib)
            .map(|s| s.iter().map(|s| s.time.as_secs_f64()).collect())
            .unwrap_or_default()
    }

    /// kubeset ÷ kube-rs, repetition by repetition.
    fn paired(&self, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
        self.paired_for(Lib::Kubeset, f)
    }

    /// `lib` ÷ kube-rs, repetition by repetition.
    fn paired_for(&self, lib: Lib, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
        match (self.of(lib), self.of(Lib::KubeRs)) {
            (Some(a), Some(b)) => a.iter().zip(b).map(|(a, b)| f(a) / f(b)).collect(),
            _ => Vec::new(),
        }
    }

    fn connections(&self, lib: Lib) -> String {
        // The most common description over the repetitions.
        let Some(samples) = self.of(lib) else {
            return "—".into();
        };
        let mut seen: Vec<(String, usize)> = Vec::new();
        for s in samples {
            let d = s.counts.describe();
            match seen.iter_mut().find(|(x, _)| *x == d) {
                Some((_, n)) => *n += 1,
                None => seen.push((d, 1)),
            }
        }
        seen.sort_by(|a, b| b.1.cmp(&a.1));
        seen.into_iter().next().map(|(d, _)| d).unwrap_or_default()
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

fn fmt_secs(s: f64) -> String {
    if s.is_nan() {
        "—".into()
    } else if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn fmt_time(d: Duration) -> String {
    fmt_secs(d.as_secs_f64())
}

fn fmt_spread(values: &[f64]) -> String {
    if values.is_empty() {
        return "—".into();
    }
    let (lo, hi) = min_max(values);
    format!(
        "{} ({}–{})",
        fmt_secs(median(values)),
        fmt_secs(lo),
        fmt_secs(hi)
    )
}

fn fmt_ratio(values: &[f64]) -> String {
    if values.is_empty() {
        return "—".into();
    }
    let (lo, hi) = min_max(values);
    format!("**{:.2}** ({lo:.2}–{hi:.2})", median(values))
}

/// The target for a row, and whether the measurement meets it.
fn target(row: &Row) -> (&'static str, bool) {
    target_for(row, Lib::Kubeset)
}

/// The target for a row, and whether `lib`'s measurement meets it.
fn target_for(row: &Row, lib: Lib) -> (&'static str, bool) {
    let time = median(&row.paired_for(lib, |s| s.time.as_secs_f64()));
    let memory = median(&row.paired_for(lib, |s| s.rss_kb as f64));
    let over_h2_floor = median(&row.times(lib)) / median(&row.times(Lib::FloorH2));
    let connections = row
        .of(lib)
        .map(|s| {
            s.iter()
                .map(|s| s.counts.http1 + s.counts.http2)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    match row.workload {
        Workload::Startup => ("≤ 0.75", time <= 0.75),
        Workload::List => ("≤ 0.5 time, ≤ 0.9 memory", time <= 0.5 && memory <= 0.9),
        Workload::Pages => ("≤ 0.6", time <= 0.6),
        Workload::GetSeq => ("≤ 0.8", time <= 0.8),
        Workload::Get64 => (
            "≤ 0.8 over ≤ 2 connections",
            time <= 0.8 && connections <= 2,
        ),
        Workload::Create => ("≤ 0.7", time <= 0.7),
        Workload::Watch => ("≤ 1.2× the h2 floor", over_h2_floor <= 1.2),
    }
}

fn render(rows: &[Row], reps: usize, load_before: &str, load_after: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Machine: {} CPUs ({}), Linux {}; load average {} before, {} after; {} repetitions per client, {}.\n\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
        load_before,
        load_after,
        reps,
        date(),
    ));
    out.push_str("| workload | kubeset median (min–max) | kube-rs median (min–max) | kubeset ÷ kube-rs, paired | target | met | peak RSS kubeset / kube-rs | connections kubeset / kube-rs |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        let (target, met) = target(row);
        let rss = |lib| {
            median(
                &row.of(lib)
                    .map(|s| {
                        s.iter()
                            .map(|s| s.rss_kb as f64 / 1024.0)
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
            )
        };
        let memory = row.paired(|s| s.rss_kb as f64);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:.0} / {:.0} MiB ({:.2}) | {} / {} |\n",
            row.workload.title(),
            fmt_spread(&row.times(Lib::Kubeset)),
            fmt_spread(&row.times(Lib::KubeRs)),
            fmt_ratio(&row.paired(|s| s.time.as_secs_f64())),
            target,
            if met { "yes" } else { "**no**" },
            rss(Lib::Kubeset),
            rss(Lib::KubeRs),
            median(&memory),
            row.connections(Lib::Kubeset),
            row.connections(Lib::KubeRs),
        ));
    }
    out.push_str("\nkubeset with `protobuf(true)` (`kubeset-pb`): the same objects from the same server, in Kubernetes' protobuf encoding as client-go users get them; kube-rs has no protobuf support and stays JSON. Watches stay JSON.\n\n");
    out.push_str("| workload | kubeset-pb median (min–max) | kube-rs median (min–max) | kubeset-pb ÷ kube-rs, paired | target | met | peak RSS kubeset-pb / kube-rs |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for row in rows.iter().filter(|row| row.of(Lib::KubesetPb).is_some()) {
        let (target, met) = target_for(row, Lib::KubesetPb);
        let rss = |lib| {
            median(
                &row.of(lib)
                    .map(|s| {
                        s.iter()
                            .map(|s| s.rss_kb as f64 / 1024.0)
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
            )
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:.0} / {:.0} MiB ({:.2}) |\n",
            row.workload.title(),
            fmt_spread(&row.times(Lib::KubesetPb)),
            fmt_spread(&row.times(Lib::KubeRs)),
            fmt_ratio(&row.paired_for(Lib::KubesetPb, |s| s.time.as_secs_f64())),
            target,
            if met { "yes" } else { "**no**" },
            rss(Lib::KubesetPb),
            rss(Lib::KubeRs),
            median(&row.paired_for(Lib::KubesetPb, |s| s.rss_kb as f64)),
        ));
    }
    out.push_str("\nFloors (same server, same requests; medians):\n\n");
    out.push_str("| workload | bare hyper HTTP/1.1 | bare hyper HTTP/2 | serde_json decode only | kubeset ÷ h2 floor | kube-rs ÷ h1 floor |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for row in rows {
        let m = |lib| median(&row.times(lib));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.2} | {:.2} |\n",
            row.workload.title(),
            fmt_secs(m(Lib::FloorH1)),
            fmt_secs(m(Lib::FloorH2)),
            fmt_secs(m(Lib::Serde)),
            m(Lib::Kubeset) / m(Lib::FloorH2),
            m(Lib::KubeRs) / m(Lib::FloorH1),
        ));
    }
    out
}

fn write_between_markers(path: &Path, report: &str) -> Result<(), BoxError> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let block = format!("{START}\n{report}{END}");
    let text = match (existing.find(START), existing.find(END)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{block}{}", &existing[..a], &existing[b + END.len()..])
        }
        _ => format!("{existing}\n{block}\n"),
    };
    std::fs::write(path, text)?;
    Ok(())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn date() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
