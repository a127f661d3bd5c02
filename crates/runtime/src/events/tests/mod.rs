//! Proofs of the recorder's guarantees: against an in-memory events API on tokio's paused
//! clock (`paused`), and against the test server (`server`).

mod fake;
mod paused;
mod server;
