//! What the server counts: connections by negotiated HTTP version, requests, and how request
//! bodies arrive (frames, empty end-of-stream frames, time from the request head to the body's
//! end), so a client that sends a body in pieces or late shows in the run's log.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters since the last [`Stats::take`].
#[derive(Default)]
pub struct Stats {
    http1: AtomicU64,
    http2: AtomicU64,
    requests: AtomicU64,
    bodies: AtomicU64,
    body_frames: AtomicU64,
    empty_frames: AtomicU64,
    body_wait_nanos: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub http1: u64,
    pub http2: u64,
    pub requests: u64,
    /// Requests with a body (POSTs).
    pub bodies: u64,
    /// DATA frames (HTTP/2) or chunks (HTTP/1.1) read in those bodies.
    pub body_frames: u64,
    /// Of those, frames with no data (an END_STREAM sent on its own).
    pub empty_frames: u64,
    /// Total time from the service seeing the request head to the body's end.
    pub body_wait_nanos: u64,
}

impl Stats {
    pub fn connection(&self, h2: bool) {
        let counter = if h2 { &self.http2 } else { &self.http1 };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// One request body read: `frames` frames of which `empty` carried no data, `wait_nanos`
    /// after the head.
    pub fn body(&self, frames: u64, empty: u64, wait_nanos: u64) {
        self.bodies.fetch_add(1, Ordering::Relaxed);
        self.body_frames.fetch_add(frames, Ordering::Relaxed);
        self.empty_frames.fetch_add(empty, Ordering::Relaxed);
        self.body_wait_nanos
            .fetch_add(wait_nanos, Ordering::Relaxed);
    }

    /// The counts so far, resetting them.
    pub fn take(&self) -> Counts {
        Counts {
            http1: self.http1.swap(0, Ordering::Relaxed),
            http2: self.http2.swap(0, Ordering::Relaxed),
            requests: self.requests.swap(0, Ordering::Relaxed),
            bodies: self.bodies.swap(0, Ordering::Relaxed),
            body_frames: self.body_frames.swap(0, Ordering::Relaxed),
            empty_frames: self.empty_frames.swap(0, Ordering::Relaxed),
            body_wait_nanos: self.body_wait_nanos.swap(0, Ordering::Relaxed),
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

    /// `"; 5000 bodies in 5000 frames (0 empty), 31 µs from head to end"`, or nothing.
    pub fn describe_bodies(&self) -> String {
        if self.bodies == 0 {
            return String::new();
        }
        format!(
            "; {} bodies in {} frames ({} empty), {:.0} µs from head to end",
            self.bodies,
            self.body_frames,
            self.empty_frames,
            self.body_wait_nanos as f64 / self.bodies as f64 / 1000.0
        )
    }
}
