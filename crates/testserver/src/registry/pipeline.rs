//! The generic store's write steps after decoding and `managedFields`, in kube-apiserver's
//! order, as two calls; everything type-specific comes from the type's [`Strategy`].
//!
//! ```text
//! body --Strategy::default--> obj --(fields: managedFields)--> create()/update() --> store
//! ```
//!
//! [`Strategy`]: super::Strategy

use serde_json::{Map, Value};

use super::ResourceType;
use crate::admission::{self, AdmissionError, Attributes, Lookup, names};

/// A write the pipeline refused, with the `Warning`s recorded before the refusal: the
/// strategy's when validation had passed and validating admission refused
/// (`rest.BeforeCreate` and `BeforeUpdate` record them before admission validates).
#[derive(Debug)]
pub(crate) struct Refused {
    /// Why (boxed: an `AdmissionError` is large, and this is the error of every write).
    pub(crate) error: Box<AdmissionError>,
    /// The strategy's warnings, when it got that far.
    pub(crate) warnings: Vec<String>,
}

impl From<AdmissionError> for Refused {
    fn from(error: AdmissionError) -> Self {
        Refused {
            error: Box::new(error),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
impl Refused {
    /// The refusal's `Status`.
    pub(crate) fn status(&self) -> Value {
        self.error.status()
    }
}

/// Create path: mutating admission, the system fields (`uid`, `creationTimestamp`) and
/// `generateName` (the store's `FillObjectMetaSystemFields`, before the strategy sees the
/// object: a Job's generated selector holds its uid and name), `PrepareForCreate`, `Validate`,
/// `Canonicalize`, validating admission. `obj` must be defaulted and carry
/// `metadata.namespace` (from the URL) already.
///
/// # Errors
/// The first failure: an admission refusal (403/404) or the 422 (as
/// [`AdmissionError::Invalid`]), with the strategy's warnings when validating admission
/// refused.
pub(crate) fn create(
    rt: &ResourceType,
    attrs: &Attributes<'_>,
    obj: &mut Value,
    lookup: &dyn Lookup,
    now: &str,
) -> Result<(), Refused> {
    admission::admit(attrs, Some(obj), None, lookup)?;
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
        meta.insert("creationTimestamp".into(), now.into());
        generate_name(meta);
    }
    rt.strategy.prepare_for_create(obj, now);
    rt.strategy.prepare_for_create_by(obj, attrs.user.as_ref());
    rt.strategy
        .validate(rt, obj)
        .map_err(AdmissionError::from)?;
    rt.strategy.canonicalize(obj);
    admission::validate(attrs, Some(obj), lookup).map_err(|error| Refused {
        error: Box::new(error),
        warnings: rt.strategy.warnings_on_create(obj),
    })
}

/// Update path (PUT, or the result of a patch, re-defaulted): mutating admission, the
/// system metadata of the stored object, the stored status (main-resource updates of types
/// with a status subresource), `PrepareForUpdate`, `ValidateUpdate`, `Canonicalize`,
/// validating admission. `new.metadata.resourceVersion` must be set (the stored one for an
/// unconditional update).
///
/// # Errors
/// As [`create`].
pub(crate) fn update(
    rt: &ResourceType,
    attrs: &Attributes<'_>,
    new: &mut Value,
    old: &Value,
    lookup: &dyn Lookup,
    now: &str,
) -> Result<(), Refused> {
    admission::admit(attrs, Some(new), Some(old), lookup)?;
    keep_system_metadata(new, old);
    if attrs.subresource.is_empty() && rt.subresources.contains_key("status") {
        // a type with a status subresource: its status changes only through it
        keep_status(new, old);
    }
    rt.strategy
        .prepare_for_update(attrs.subresource, new, old, now);
    rt.strategy
        .validate_update(rt, attrs.subresource, new, old)
        .map_err(AdmissionError::from)?;
    rt.strategy.canonicalize(new);
    admission::validate_update(attrs, new, old, lookup).map_err(|error| Refused {
        error: Box::new(error),
        warnings: rt.strategy.warnings_on_update(attrs.subresource, new, old),
    })
}

/// `new.status = old.status` (removed when the stored object has none).
fn keep_status(new: &mut Value, old: &Value) {
    if let Some(map) = new.as_object_mut() {
        match old.get("status") {
            Some(s) => map.insert("status".into(), s.clone()),
            None => map.remove("status"),
        };
    }
}

/// `generateName`: a missing name becomes the prefix plus a random suffix.
fn generate_name(meta: &mut Map<String, Value>) {
    let name = meta.get("name").and_then(Value::as_str).unwrap_or("");
    let prefix = meta
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() && !prefix.is_empty() {
        let generated = names::generate(prefix);
        meta.insert("name".into(), Value::String(generated));
    }
}

/// `rest.BeforeUpdate`: the system-owned metadata comes from the stored object (uid, creation
/// and deletion timestamps, grace period, generation), and an empty namespace is the stored one.
fn keep_system_metadata(obj: &mut Value, old: &Value) {
    let Some(old_meta) = old.get("metadata").and_then(Value::as_object) else {
        return;
    };
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let empty = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v.as_str() == Some(""));
    for key in ["uid", "namespace"] {
        if empty(meta.get(key))
            && let Some(v) = old_meta.get(key)
        {
            meta.insert(key.into(), v.clone());
        }
    }
    for key in ["creationTimestamp", "deletionTimestamp", "generation"] {
        match old_meta.get(key) {
            Some(v) => meta.insert(key.into(), v.clone()),
            None => meta.remove(key),
        };
    }
    if empty(meta.get("deletionGracePeriodSeconds"))
        && let Some(v) = old_meta.get("deletionGracePeriodSeconds")
    {
        meta.insert("deletionGracePeriodSeconds".into(), v.clone());
    }
}
