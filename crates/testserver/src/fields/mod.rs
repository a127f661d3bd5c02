//! Field management as kube-apiserver does it: which manager owns which field
//! (`metadata.managedFields`), strategic merge patch and server-side apply.
//!
//! Everything here is a pure function over objects in their external JSON form
//! ([`serde_json::Value`]); the server does the I/O and answers with the
//! `Status` objects the errors here render (`to_status()`).
//!
//! - [`schema`] (with the type table in `types/`) describes, per
//!   group/version/kind, which lists are atomic, sets or maps keyed by which
//!   fields, which structs are atomic, the strategic merge patch metadata, the
//!   Go zero value and the status subresource, for every built-in kind, from a
//!   table generated from the Go types (`known/shapes.py`).
//! - [`path`], [`fieldset`] are FieldsV1 field sets; [`compare`] diffs objects.
//! - [`entry`] decodes/encodes managedFields entries; [`managed`] records
//!   Update operations; [`manager`] names and validates field managers.
//! - [`strategic`] applies strategic merge patches; [`apply`] does
//!   server-side apply.
//! - [`versions`] converts objects between the API versions one stored resource is
//!   served in, so each manager's fields are compared in the version it wrote in.
//!
//! # How a write goes through it
//!
//! | request | calls |
//! |---|---|
//! | POST, PUT | [`manager::validate_options`] (Create/UpdateOptions), default the object, [`managed::record_update`] with `old` = `None` (POST) or the live object, then admission |
//! | PATCH merge/JSON | validate options (`apply = false`), patch the live object, default, `record_update` |
//! | PATCH strategic | as above, the patch step being [`strategic::strategic_merge_patch`] |
//! | PATCH apply | validate options (`apply = true`), [`apply::parse_apply_body`], [`apply::apply`] (live `None` creates), then default and admit the result |
//! | subresource writes (`/status`) | the same with [`managed::Write::subresource`] set |
//!
//! The manager is [`manager::manager_name`] of `fieldManager` and the
//! User-Agent. Objects made by the cluster itself carry their own managers
//! (`kube-controller-manager` for `kube-root-ca.crt`, `kube-apiserver` for the
//! built-in PriorityClasses). Writes the real server makes without the field
//! manager leave managedFields alone: pods/binding, deletion
//! (`deletionTimestamp`, the `foregroundDeletion`/`orphan` finalizers), garbage
//! collection.
//!
//! ```
//! use kubeset_testserver::fields::apply::apply;
//! use kubeset_testserver::fields::managed::{Write, record_update, set_managed_fields};
//! use kubeset_testserver::fields::schema::lookup;
//! use kubeset_testserver::fields::strategic::strategic_merge_patch;
//! use serde_json::json;
//!
//! let info = lookup("v1", "ConfigMap").unwrap();
//! let writer = |manager| Write { info, manager, subresource: None, time: "2026-01-01T00:00:00Z" };
//!
//! // POST by a client without fieldManager (User-Agent "kubectl/v1.32.0 ...").
//! let mut live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}});
//! let managed = record_update(&writer("kubectl"), None, &live);
//! set_managed_fields(&mut live, managed);
//!
//! // PATCH application/strategic-merge-patch+json by "editor".
//! let mut patched = strategic_merge_patch(info, &live, &json!({"data": {"b": "2"}})).unwrap();
//! let managed = record_update(&writer("editor"), Some(&live), &patched);
//! set_managed_fields(&mut patched, managed);
//!
//! // Server-side apply by "ctl" of a value "kubectl" owns: a 409 conflict.
//! let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "9"}});
//! let err = apply(&writer("ctl"), Some(&patched), &config, false).unwrap_err();
//! assert_eq!(err.to_status()["code"], 409);
//! assert_eq!(err.to_string(), "Apply failed with 1 conflict: conflict with \"kubectl\" using v1: .data.a");
//! ```

pub mod apply;
pub mod compare;
pub mod entry;
pub mod error;
pub mod fieldset;
pub(crate) mod gofmt;
pub(crate) mod known;
pub mod managed;
pub mod manager;
pub mod path;
pub mod schema;
pub mod strategic;
mod time;
pub(crate) mod types;
pub mod versions;

#[cfg(test)]
mod transcripts;
