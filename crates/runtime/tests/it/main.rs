//! The runtime's tests: the queue with tokio's paused clock, the controller and the finalizer
//! helper against the in-process test server.

mod controller;
mod finalizer;
mod queue;
mod support;
