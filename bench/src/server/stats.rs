//! What the server counts: connections by negotiated HTTP version, and requests.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters since the last [`Stats::take`].
#[derive(Default)]
pub struct Stats {
    http1: AtomicU64,
    http2: AtomicU64,
    requests: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub http1: u64,
    pub http2: u64,
    pub requests: u64,
}

impl Stats {
    pub fn connection(&self, h2: bool) {
        let counter = if h2 { &self.http2 } else { &self.http1 };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts so far, resetting them.
    pub fn take(&self) -> Counts {
        Counts {
            http1: self.http1.swap(0, Ordering::Relaxed),
            http2: self.http2.swap(0, Ordering::Relaxed),
            requests: self.requests.swap(0, Ordering::Relaxed),
        }
    }
}

impl Counts {
    /// `"1 × h2"`, `"110 × h1"`, `"2 × h2 + 1 × h1"`.
    pub fn describe(&self) -> String {
        match (self.http1, self.http2) {
            (0, 0) => "—".to_string(),
            (0, n) => format!("{n} × h2"),
            (n, 0) => format!("{n} × h1"),
            (a, b) => format!("{b} × h2 + {a} × h1"),
        }
    }
}
