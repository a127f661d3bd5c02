//! Tests of kubeset-config's public API.

// Test helpers outside #[test] functions may unwrap too: a panic is a test failure.
#![allow(clippy::unwrap_used)]

mod incluster;
mod infer;
mod kubeconfig_load;
mod kubeconfig_resolve;
mod support;
