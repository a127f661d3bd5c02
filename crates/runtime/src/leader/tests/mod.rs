//! Proofs of the election's guarantees: against an in-memory Lease API on tokio's paused
//! clock (`paused`), and against the test server in real time (`server`).

mod fake;
mod paused;
pub(crate) mod server;
