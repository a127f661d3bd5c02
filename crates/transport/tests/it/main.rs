//! Integration tests for kubeset-transport, against tiny servers on loopback.

// Test helpers are `pub` for readability; the binary exports nothing.
#![allow(unreachable_pub)]
// Test helpers outside #[test] fns may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

mod auth;
mod exec;
mod hostile;
mod http;
mod metrics;
mod proxy;
mod retry;
mod support;
mod tls;
