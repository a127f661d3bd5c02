//! The runtime's tests: the queue with tokio's paused clock, the controller and the finalizer
//! helper against the in-process test server.

// Test helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod controller;
mod finalizer;
mod queue;
mod support;
mod timing;
mod wait;
