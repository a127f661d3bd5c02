//! Errors of the field-management code that are not HTTP answers themselves.

/// A malformed field set or managedFields entry.
///
/// ```
/// use kubeset_testserver::fields::fieldset::FieldSet;
/// use serde_json::json;
///
/// let err = FieldSet::from_fields_v1(&json!({"x:1": {}})).unwrap_err();
/// assert_eq!(err.to_string(), "invalid FieldsV1 path element \"x:1\"");
/// ```
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldsError {
    /// A FieldsV1 key that is not `f:`, `k:{...}`, `v:...` or `i:N`.
    #[error("invalid FieldsV1 path element {element:?}")]
    BadPathElement {
        /// The key as found.
        element: String,
    },
    /// A FieldsV1 value that is not an object of objects.
    #[error("invalid FieldsV1 document: every node must be an object")]
    BadFieldsV1,
    /// A `metadata.managedFields` entry that cannot be decoded.
    #[error("invalid metadata.managedFields[{index}]: {reason}")]
    BadManagedFieldsEntry {
        /// Position of the entry.
        index: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `metadata.managedFields` is not a list.
    #[error("metadata.managedFields must be a list")]
    ManagedFieldsNotAList,
}
