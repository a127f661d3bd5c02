//! Field management as kube-apiserver does it: which manager owns which field
//! (`metadata.managedFields`), strategic merge patch and server-side apply.
//!
//! Everything here is a pure function over objects in their external JSON form
//! ([`serde_json::Value`]); the server does the I/O and builds the `Status`
//! answers from the errors returned here.
//!
//! - [`schema`] and the type table describe, per group/version/kind, which
//!   lists are atomic, sets or maps keyed by which fields, and the strategic
//!   merge patch metadata.
//! - [`fieldset`] and [`path`] are the FieldsV1 field sets.
//! - [`compare`] diffs two objects into added, modified and removed fields.
//! - [`managed`] records Update operations in `managedFields`; [`manager`]
//!   names and validates field managers.
//! - [`strategic`] applies strategic merge patches.

pub mod compare;
pub mod error;
pub mod fieldset;
mod gofmt;
pub mod managed;
pub mod manager;
pub mod path;
pub mod schema;
pub mod strategic;
mod types;

#[cfg(test)]
mod transcripts;
