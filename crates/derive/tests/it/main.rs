//! Tests of `#[derive(CustomResource)]`: the generated schema and CRD, the root type's serde
//! and impls, compile errors, and the CRD served by the test server with instances written
//! and read through kubeset's `Api<K>`.

// Test fixtures need no docs.
#![allow(missing_docs)]
// Helpers outside #[test] functions unwrap too: in a test, a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod compile_fail;
mod controller;
mod fixture;
mod schema;
mod server;
mod versions;
