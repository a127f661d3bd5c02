//! The whole write path after `managedFields`, in the real server's order, as two calls.
//!
//! ```text
//! body --defaults::apply--> obj --(fields: managedFields)--> create()/update() --> store
//! ```

use serde_json::Value;

use super::{AdmissionError, Attributes, Lookup, admit, json, names, strategy, validate};
use crate::validation;

/// Create path: mutating admission, `PrepareForCreate`, `generateName`, validation,
/// `Canonicalize`, validating admission. `obj` must be defaulted and carry `metadata.namespace` (from the URL) already.
///
/// # Errors
/// The first failure: an admission refusal (403/404) or the 422 [`validation::Invalid`] (as
/// [`AdmissionError::Invalid`]).
pub(crate) fn create(
    attrs: &Attributes<'_>,
    obj: &mut Value,
    lookup: &dyn Lookup,
    now: &str,
) -> Result<(), AdmissionError> {
    admit(attrs, Some(obj), None, lookup)?;
    strategy::prepare_for_create(attrs.group, attrs.resource, obj, now);
    let prefix = json::str_at(obj, &["metadata", "generateName"])
        .unwrap_or("")
        .to_owned();
    if json::name(obj).is_empty()
        && !prefix.is_empty()
        && let Some(meta) = json::object_at(obj, &["metadata"])
    {
        meta.insert("name".into(), Value::String(names::generate(&prefix)));
    }
    validation::validate_create(attrs.group, attrs.resource, obj)?;
    strategy::canonicalize(attrs.group, attrs.resource, obj);
    validate(attrs, Some(obj), lookup)
}

/// Update path (PUT, or the result of a patch, re-defaulted): mutating admission,
/// `PrepareForUpdate`, validation, validating admission. `new.metadata.resourceVersion` must be
/// set (the stored one for an unconditional update).
///
/// # Errors
/// As [`create`].
pub(crate) fn update(
    attrs: &Attributes<'_>,
    new: &mut Value,
    old: &Value,
    lookup: &dyn Lookup,
    now: &str,
) -> Result<(), AdmissionError> {
    admit(attrs, Some(new), Some(old), lookup)?;
    strategy::prepare_for_update(
        attrs.group,
        attrs.resource,
        attrs.subresource,
        new,
        old,
        now,
    );
    validation::validate_update(attrs.group, attrs.resource, attrs.subresource, new, old)?;
    strategy::canonicalize(attrs.group, attrs.resource, new);
    super::validate_update(attrs, new, old, lookup)
}
