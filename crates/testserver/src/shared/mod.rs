//! Pieces every layer above uses and that depend on nothing else in the crate: helpers over
//! JSON objects, resource quantities and fixed facts of the API.
//!
//! Architecture invariant: `shared` uses no other module of the crate.

/// Volume sources and the built-in PriorityClasses.
pub(crate) mod api;
/// The OpenAPI string formats a CRD schema's `format` checks.
pub(crate) mod format;
/// Go's RFC 3339 time parsing errors.
pub(crate) mod gotime;
/// Helpers over `serde_json::Value` objects.
pub(crate) mod json;
/// Resource quantities, for comparisons.
pub(crate) mod quantity;
