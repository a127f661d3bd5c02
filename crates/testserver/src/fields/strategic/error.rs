//! The errors of a strategic merge patch, with the status the server answers.

use serde_json::{Value, json};

/// Why a strategic merge patch could not be applied.
///
/// Messages are the API server's; [`StrategicPatchError::code`] is the HTTP
/// status it answers with (most of these are plain Go errors, hence 500).
///
/// ```
/// use kubeset_testserver::fields::strategic::StrategicPatchError;
///
/// let err = StrategicPatchError::BadPatchType {
///     directive: "bogus".into(),
///     map: "map[$patch:bogus]".into(),
/// };
/// assert_eq!(err.code(), 500);
/// assert_eq!(err.to_string(), "unknown patch type: bogus in map: map[$patch:bogus]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StrategicPatchError {
    /// The patch document is not a JSON object (400).
    #[error("json: cannot unmarshal {found} into Go value of type map[string]interface {{}}")]
    NotAnObject {
        /// What it is instead (`array`, `string`, `number`, `bool`).
        found: &'static str,
    },
    /// A `$patch` directive other than `replace`/`delete` in a map, or other
    /// than `replace`/`delete`/`merge` in a list (500).
    #[error("unknown patch type: {directive} in map: {map}")]
    BadPatchType {
        /// The directive as Go prints it.
        directive: String,
        /// The map holding it, as Go prints it.
        map: String,
    },
    /// An element of a merged list lacks the merge key (500).
    #[error("map: {map} does not contain declared merge key: {key}")]
    NoMergeKey {
        /// The element, as Go prints it.
        map: String,
        /// The merge key.
        key: String,
    },
    /// A directive list or a list element has the wrong JSON type (500).
    #[error("expected a {expected}, but received a {actual}")]
    BadArgType {
        /// The Go type expected.
        expected: &'static str,
        /// The Go type found.
        actual: &'static str,
    },
    /// `$patch: delete` in a list element without the merge key (500).
    #[error("delete patch type with no merge key defined")]
    DeleteWithoutMergeKey,
    /// `$patch: merge` in a list element (500).
    #[error("merging lists cannot yet be specified in the patch")]
    MergeDirectiveInList,
    /// A list of objects with `patchStrategy: merge` but no merge key (500).
    #[error("cannot merge lists without merge key for {field}")]
    NoMergeKeyDeclared {
        /// The list field.
        field: String,
    },
    /// Elements of different JSON types in one merged list (500).
    #[error("list element types are not identical: {lists}")]
    MixedElementTypes {
        /// The lists, as Go prints them.
        lists: String,
    },
    /// Ordering a list none of whose versions has elements (500).
    #[error("no elements in any of the given slices")]
    NoElements,
    /// `$setElementOrder` that contradicts the patch list (500).
    #[error("the order in patch list:\n{patch}\n doesn't match $setElementOrder list:\n{order}")]
    OrderMismatch {
        /// The patch list, as Go prints it.
        patch: String,
        /// The order list, as Go prints it.
        order: String,
    },
    /// A list whose elements are lists (422).
    #[error("lists of lists are not supported")]
    ListOfLists,
    /// `$retainKeys` that is not a list or omits a patched field (400).
    #[error("invalid patch format of retainKeys")]
    BadRetainKeys,
    /// A malformed `$deleteFromPrimitiveList` directive (400).
    #[error("invalid patch format of primitive list")]
    BadPrimitiveList,
    /// A malformed `$setElementOrder` directive (400).
    #[error("invalid patch format of setElementOrder list")]
    BadSetElementOrder,
}

impl StrategicPatchError {
    /// The HTTP status code kube-apiserver answers with.
    pub fn code(&self) -> u16 {
        match self {
            StrategicPatchError::NotAnObject { .. }
            | StrategicPatchError::BadRetainKeys
            | StrategicPatchError::BadPrimitiveList
            | StrategicPatchError::BadSetElementOrder => 400,
            StrategicPatchError::ListOfLists => 422,
            _ => 500,
        }
    }

    /// The whole `Status` object the server answers with.
    pub fn to_status(&self) -> Value {
        let message = self.to_string();
        match self.code() {
            400 => json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": "BadRequest", "code": 400,
            }),
            422 => json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "the server rejected our request due to an error in our request",
                "reason": "Invalid",
                "details": {"causes": [{"reason": "UnexpectedServerResponse", "message": message}]},
                "code": 422,
            }),
            code => json!({
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "code": code,
            }),
        }
    }
}
