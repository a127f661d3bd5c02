//! Pieces every layer above uses and that depend on nothing else in the crate: helpers over
//! JSON objects and resource quantities.
//!
//! Architecture invariant: `shared` uses no other module of the crate.

/// Helpers over `serde_json::Value` objects.
pub(crate) mod json;
/// Resource quantities, for comparisons.
pub(crate) mod quantity;
