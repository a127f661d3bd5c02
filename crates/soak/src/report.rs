//! The figures of one run, the invariants they must meet, and their markdown table.

use std::fmt::Write as _;

use kubeset_testserver::FaultCounts;

use crate::attempts::Counted;
use crate::check::{Diff, ExactlyOnce};
use crate::memory::{Level, Memory};
use crate::writer::WriterCounts;

/// What one soak measured.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// Wall-clock seconds of the faulted phase.
    pub seconds: f64,
    /// Fault schedule cycles run.
    pub cycles: u64,
    /// The writer's figures.
    pub writer: WriterCounts,
    /// Reconciles the controller completed.
    pub reconciles: u64,
    /// Failed reconciles and watch errors the controller's stream yielded.
    pub controller_errors: u64,
    /// The same by kind (`reconcile` or `watch`, then the client error's kind).
    pub controller_errors_by_kind: std::collections::BTreeMap<String, u64>,
    /// Logical requests of both daemons and their attempts.
    pub requests: Counted,
    /// The requests that started during a 429 storm and their attempts.
    pub storm: Counted,
    /// The most attempts per logical request the retry policy and budget allow in the
    /// storms (see [`Report::violations`]).
    pub storm_budget: f64,
    /// The retry policy's attempts per request.
    pub max_attempts: u64,
    /// What the server injected, and every request it received.
    pub faults: FaultCounts,
    /// The controller's cache against the server after the faults stopped.
    pub cache: Diff,
    /// The writer's record against the server.
    pub written: Diff,
    /// The mirror Secrets against their ConfigMaps.
    pub mirrors: Diff,
    /// The writer's ledger against the server's audit log.
    pub exactly_once: ExactlyOnce,
    /// Seconds the controller took to agree with the server after the faults stopped.
    pub settle_seconds: f64,
    /// Resident memory.
    pub memory: Memory,
}

impl Report {
    /// The invariants this run broke, in words; empty when it kept them all: nothing lost or
    /// resurrected in the cache or on the server, every write made exactly once, no foreign
    /// or abandoned operation, and retry amplification in the storms within the budget.
    pub fn violations(&self) -> Vec<String> {
        let mut broken = Vec::new();
        let mut diff = |what: &str, d: &Diff| {
            if !d.is_empty() {
                broken.push(format!(
                    "{what}: missing {:?}, extra {:?}, stale {:?}",
                    d.missing, d.extra, d.stale
                ));
            }
        };
        diff("controller cache", &self.cache);
        diff("writer's record", &self.written);
        diff("mirror Secrets", &self.mirrors);
        if self.exactly_once != ExactlyOnce::default() {
            broken.push(format!(
                "writes not made exactly once: {:?}",
                self.exactly_once.detail
            ));
        }
        let w = &self.writer;
        for (count, what) in [
            (w.foreign, "retried creates met a foreign object"),
            (w.lost, "objects vanished under the writer"),
            (w.abandoned, "operations abandoned"),
        ] {
            if count > 0 {
                broken.push(format!("{count} {what}"));
            }
        }
        if self.storm.most > self.max_attempts {
            broken.push(format!(
                "a request took {} attempts (policy: {})",
                self.storm.most, self.max_attempts
            ));
        }
        if self.storm.amplification() > self.storm_budget {
            broken.push(format!(
                "storm amplification {:.2} over the budget {:.2}",
                self.storm.amplification(),
                self.storm_budget
            ));
        }
        broken
    }

    /// The figures as a markdown table.
    pub fn to_markdown(&self) -> String {
        let f = &self.faults;
        let w = &self.writer;
        let rows: Vec<(&str, String)> = vec![
            (
                "faulted phase",
                format!("{:.0} s, {} schedule cycles", self.seconds, self.cycles),
            ),
            (
                "requests (logical / attempts / retries)",
                format!(
                    "{} / {} / {}",
                    self.requests.requests,
                    self.requests.attempts,
                    self.requests.retries()
                ),
            ),
            ("requests received by the server", f.requests.to_string()),
            (
                "faults: 429 (storms and planned) / 5xx",
                format!("{} / {}", f.throttled, f.failed),
            ),
            (
                "faults: reset bodies / stalled answers",
                format!("{} / {}", f.resets, f.stalls),
            ),
            (
                "faults: watch closes / 410 expiries",
                format!("{} / {}", f.watch_closes, f.watch_expiries),
            ),
            (
                "faults: restarts / CA rotations",
                format!("{} / {}", f.restarts, f.ca_rotations),
            ),
            (
                "faults: token rotations / old tokens expired",
                format!("{} / {}", f.token_rotations, f.token_expiries),
            ),
            (
                "writes (creates / updates / deletes)",
                format!("{} / {} / {}", w.creates, w.updates, w.deletes),
            ),
            (
                "errors surfaced to the writer (each retried or settled)",
                w.errors.to_string(),
            ),
            ("writer errors by kind", kinds(&w.errors_by_kind)),
            (
                "lost answers settled by reading (write had landed)",
                w.recovered.to_string(),
            ),
            (
                "reconciles / errors surfaced to the controller",
                format!("{} / {}", self.reconciles, self.controller_errors),
            ),
            (
                "controller errors by kind",
                kinds(&self.controller_errors_by_kind),
            ),
            (
                "storm: logical requests / attempts / most per request",
                format!(
                    "{} / {} / {}",
                    self.storm.requests, self.storm.attempts, self.storm.most
                ),
            ),
            (
                "storm amplification (budget)",
                format!(
                    "{:.2} ({:.2}; at most {} attempts each)",
                    self.storm.amplification(),
                    self.storm_budget,
                    self.max_attempts
                ),
            ),
            (
                "cache vs server: lost / resurrected / stale",
                diff_counts(&self.cache),
            ),
            (
                "writer vs server: lost / resurrected / stale",
                diff_counts(&self.written),
            ),
            (
                "mirrors vs ConfigMaps: missing / orphaned / stale",
                diff_counts(&self.mirrors),
            ),
            (
                "writes made twice / never (audit log)",
                format!(
                    "{} / {}",
                    self.exactly_once.duplicates, self.exactly_once.missing
                ),
            ),
            (
                "foreign / vanished / abandoned operations",
                format!("{} / {} / {}", w.foreign, w.lost, w.abandoned),
            ),
            (
                "settled after the faults",
                format!("{:.1} s", self.settle_seconds),
            ),
            (
                "RSS after warm-up / at the end",
                format!(
                    "{} MiB / {} MiB",
                    self.memory.warm_kib / 1024,
                    self.memory.end_kib / 1024
                ),
            ),
            (
                "RSS slope after warm-up",
                self.memory.slope_kib_per_min.map_or_else(
                    || String::from("not measured"),
                    |s| format!("{s:+.0} KiB/min ({} samples)", self.memory.samples),
                ),
            ),
            (
                "daemons' live heap after warm-up / at the end",
                heap_levels(self.memory.client_heap.as_ref()),
            ),
            (
                "daemons' live heap slope after warm-up",
                heap_slope(self.memory.client_heap.as_ref()),
            ),
            (
                "test server's live heap after warm-up / at the end",
                heap_levels(self.memory.server_heap.as_ref()),
            ),
            (
                "test server's live heap slope after warm-up",
                heap_slope(self.memory.server_heap.as_ref()),
            ),
            (
                "the writer's ledger (the soak's record of every name) after warm-up / at the end",
                heap_levels(self.memory.harness_heap.as_ref()),
            ),
        ];
        let mut out = String::from("| figure | value |\n|---|---:|\n");
        for (name, value) in rows {
            let _ = writeln!(out, "| {name} | {value} |");
        }
        out
    }
}

fn heap_levels(level: Option<&Level>) -> String {
    level.map_or_else(
        || String::from("not counted"),
        |l| format!("{} KiB / {} KiB", l.warm_kib, l.end_kib),
    )
}

fn heap_slope(level: Option<&Level>) -> String {
    level.and_then(|l| l.slope_kib_per_min).map_or_else(
        || String::from("not counted"),
        |s| format!("{s:+.1} KiB/min"),
    )
}

fn kinds(by_kind: &std::collections::BTreeMap<String, u64>) -> String {
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    if kinds.is_empty() {
        String::from("none")
    } else {
        kinds.join(", ")
    }
}

fn diff_counts(diff: &Diff) -> String {
    format!(
        "{} / {} / {}",
        diff.missing.len(),
        diff.extra.len(),
        diff.stale.len()
    )
}
