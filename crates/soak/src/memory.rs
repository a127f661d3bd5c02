//! Memory over the run, sampled: the resident set (`VmRSS` of `/proc/self/status`, the whole
//! process, in-process test server included) and, where the soak binary counts allocations
//! (`heap.rs`), the live heap of the daemons and of the server apart; for each, the level
//! after warm-up and at the end, and the slope of a least-squares line through the samples
//! after warm-up.

use std::time::{Duration, Instant};

/// Memory figures of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    /// Samples taken.
    pub samples: usize,
    /// Resident set after warm-up (the first quarter of the run), KiB.
    pub warm_kib: u64,
    /// Resident set at the end, KiB.
    pub end_kib: u64,
    /// Growth after warm-up, KiB per minute (least squares); `None` with under three samples
    /// or where `/proc/self/status` is not there.
    pub slope_kib_per_min: Option<f64>,
    /// The live heap the daemons' threads allocated (everything but the test server's
    /// runtime); `None` where allocations are not counted (the library's tests).
    pub client_heap: Option<Level>,
    /// The live heap the test server's threads allocated.
    pub server_heap: Option<Level>,
    /// The live heap of the soak's own growing record (the writer's ledger of every name).
    pub harness_heap: Option<Level>,
}

/// One quantity over the run after warm-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level {
    /// After warm-up, KiB.
    pub warm_kib: i64,
    /// At the end, KiB.
    pub end_kib: i64,
    /// Growth after warm-up, KiB per minute (least squares); `None` with under three samples.
    pub slope_kib_per_min: Option<f64>,
}

impl Level {
    fn of(warm: &[(f64, i64)]) -> Self {
        Level {
            warm_kib: warm.first().map_or(0, |s| s.1),
            end_kib: warm.last().map_or(0, |s| s.1),
            slope_kib_per_min: slope(warm).map(|per_sec| per_sec * 60.0),
        }
    }
}

/// The resident set of this process, KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Samples taken while a run goes on.
#[derive(Debug, Default)]
pub(crate) struct Sampler {
    started: Option<Instant>,
    samples: Vec<(f64, i64)>,
    /// Seconds, then the daemons', the server's and the harness's live heap, KiB.
    heap: Vec<(f64, i64, i64, i64)>,
}

impl Sampler {
    /// Samples every `every` until `stop` completes.
    pub(crate) async fn run(every: Duration, stop: impl std::future::Future<Output = ()>) -> Self {
        let mut sampler = Sampler {
            started: Some(Instant::now()),
            samples: Vec::new(),
            heap: Vec::new(),
        };
        tokio::pin!(stop);
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                () = &mut stop => return sampler,
                _ = tick.tick() => sampler.sample(),
            }
        }
    }

    fn sample(&mut self) {
        let Some(started) = self.started else {
            return;
        };
        let at = started.elapsed().as_secs_f64();
        if let Some(kib) = rss_kib().and_then(|k| i64::try_from(k).ok()) {
            self.samples.push((at, kib));
        }
        if let Some(live) = crate::heap::live() {
            self.heap.push((
                at,
                live.client / 1024,
                live.server / 1024,
                live.harness / 1024,
            ));
        }
    }

    /// The figures, leaving out the first quarter of the samples as warm-up.
    pub(crate) fn figures(&self) -> Memory {
        let warm = &self.samples[self.samples.len() / 4..];
        let rss = Level::of(warm);
        let heap = &self.heap[self.heap.len() / 4..];
        let side = |pick: fn(&(f64, i64, i64, i64)) -> i64| {
            let points: Vec<(f64, i64)> = heap.iter().map(|s| (s.0, pick(s))).collect();
            (!points.is_empty()).then(|| Level::of(&points))
        };
        Memory {
            samples: self.samples.len(),
            warm_kib: u64::try_from(rss.warm_kib).unwrap_or(0),
            end_kib: u64::try_from(rss.end_kib).unwrap_or(0),
            slope_kib_per_min: rss.slope_kib_per_min,
            client_heap: side(|s| s.1),
            server_heap: side(|s| s.2),
            harness_heap: side(|s| s.3),
        }
    }
}

/// The least-squares slope of `(x, y)` points, y per x.
#[allow(clippy::cast_precision_loss, reason = "KiB counts far below 2^52")]
fn slope(points: &[(f64, i64)]) -> Option<f64> {
    if points.len() < 3 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1 as f64).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for &(x, y) in points {
        num += (x - mean_x) * (y as f64 - mean_y);
        den += (x - mean_x) * (x - mean_x);
    }
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_and_of_noise_around_a_flat_level() {
        let line: Vec<(f64, i64)> = (0..10)
            .map(|i| (f64::from(i), 100 + 2 * i64::from(i)))
            .collect();
        assert!((slope(&line).unwrap() - 2.0).abs() < 1e-9);
        let flat = [(0.0, 100), (1.0, 104), (2.0, 100), (3.0, 104)];
        assert!(slope(&flat).unwrap().abs() < 2.0);
        assert_eq!(slope(&line[..2]), None);
    }

    #[test]
    fn each_side_of_the_heap_gets_its_own_level() {
        let sampler = Sampler {
            started: None,
            samples: (0..8).map(|i| (f64::from(i), 1000)).collect(),
            heap: (0..8)
                .map(|i| (f64::from(i), 10 * i64::from(i), 500, 1))
                .collect(),
        };
        let m = sampler.figures();
        let client = m.client_heap.expect("heap samples");
        assert_eq!((client.warm_kib, client.end_kib), (20, 70));
        assert!((client.slope_kib_per_min.expect("a slope") - 600.0).abs() < 1e-6);
        let server = m.server_heap.expect("heap samples");
        assert_eq!((server.warm_kib, server.end_kib), (500, 500));
        assert!(server.slope_kib_per_min.expect("a slope").abs() < 1e-9);
        assert_eq!((m.warm_kib, m.end_kib), (1000, 1000));
        let none = Sampler::default().figures();
        assert_eq!(none.client_heap, None);
    }
}
