//! Resident memory over the run: `VmRSS` of `/proc/self/status`, sampled, and the slope of
//! a least-squares line through the samples after warm-up.

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
    samples: Vec<(f64, u64)>,
}

impl Sampler {
    /// Samples every `every` until `stop` completes.
    pub(crate) async fn run(every: Duration, stop: impl std::future::Future<Output = ()>) -> Self {
        let mut sampler = Sampler {
            started: Some(Instant::now()),
            samples: Vec::new(),
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
        let (Some(started), Some(kib)) = (self.started, rss_kib()) else {
            return;
        };
        self.samples.push((started.elapsed().as_secs_f64(), kib));
    }

    /// The figures, leaving out the first quarter of the samples as warm-up.
    pub(crate) fn figures(&self) -> Memory {
        let warm = &self.samples[self.samples.len() / 4..];
        Memory {
            samples: self.samples.len(),
            warm_kib: warm.first().map_or(0, |s| s.1),
            end_kib: warm.last().map_or(0, |s| s.1),
            slope_kib_per_min: slope(warm).map(|per_sec| per_sec * 60.0),
        }
    }
}

/// The least-squares slope of `(x, y)` points, y per x.
#[allow(clippy::cast_precision_loss, reason = "KiB counts far below 2^52")]
fn slope(points: &[(f64, u64)]) -> Option<f64> {
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
        let line: Vec<(f64, u64)> = (0..10)
            .map(|i| (f64::from(i), 100 + 2 * i as u64))
            .collect();
        assert!((slope(&line).unwrap() - 2.0).abs() < 1e-9);
        let flat = [(0.0, 100), (1.0, 104), (2.0, 100), (3.0, 104)];
        assert!(slope(&flat).unwrap().abs() < 2.0);
        assert_eq!(slope(&line[..2]), None);
    }
}
