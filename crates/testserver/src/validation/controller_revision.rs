//! ControllerRevision validation (`ValidateControllerRevisionCreate` and
//! `ValidateControllerRevisionUpdate` of `pkg/apis/apps/validation`): a revision that is not
//! negative, `data` that is a JSON object on create and never changes.

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, godump};

fn revision(obj: &Value) -> Vec<FieldError> {
    match obj.get("revision").and_then(Value::as_i64) {
        Some(r) if r < 0 => vec![FieldError::invalid(
            "revision",
            r,
            "must be greater than or equal to 0",
        )],
        _ => Vec::new(),
    }
}

/// `ValidateControllerRevisionCreate` after the metadata: the revision, then `data` (missing
/// or `null`: mandatory; anything but an object: not a JSON object).
pub(crate) fn controller_revision(obj: &Value) -> Vec<FieldError> {
    let mut errs = revision(obj);
    match obj.get("data") {
        None | Some(Value::Null) => errs.push(FieldError::required("data", "data is mandatory")),
        Some(Value::Object(_)) => {}
        Some(_) => errs.push(FieldError::required(
            "data",
            "data must be a valid JSON object",
        )),
    }
    errs
}

/// `ValidateControllerRevisionUpdate` after the metadata update rules: the revision, and
/// `data` as stored (printed as the raw JSON `field.Error` shows for a `RawExtension`).
pub(crate) fn controller_revision_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = revision(new);
    let data = |obj: &Value| obj.get("data").filter(|d| !d.is_null()).cloned();
    if data(new) != data(old) {
        let shown = data(new).map_or("null".to_owned(), |d| godump::go_json(&d));
        errs.push(FieldError::invalid(
            "data",
            BadValue::Raw(shown),
            "field is immutable",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `ValidateControllerRevisionCreate`.
    #[test]
    fn create() {
        assert!(controller_revision(&json!({"revision": 1, "data": {"spec": {}}})).is_empty());
        assert_eq!(
            texts(controller_revision(&json!({"revision": -1}))),
            [
                "revision: Invalid value: -1: must be greater than or equal to 0",
                "data: Required value: data is mandatory",
            ]
        );
        assert_eq!(
            texts(controller_revision(&json!({"revision": 0, "data": [1]}))),
            ["data: Required value: data must be a valid JSON object"]
        );
    }

    /// `ValidateControllerRevisionUpdate`: `data` may not change.
    #[test]
    fn update() {
        let old = json!({"revision": 1, "data": {"a": 1}});
        assert!(controller_revision_update(&old, &old).is_empty());
        let new = json!({"revision": 2, "data": {"a": 2}});
        assert_eq!(
            texts(controller_revision_update(&new, &old)),
            ["data: Invalid value: {\"a\":2}: field is immutable"]
        );
    }
}
