//! The 422 `Invalid` error: an object kind and name with its field errors.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value, json};

use super::FieldError;
use super::field_error::go_quote;

/// `errors.NewInvalid(groupKind, name, errs)`: what the server answers with 422.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invalid {
    /// API group of the kind (`""` for core; `meta.k8s.io` for `ListOptions`...).
    pub(crate) group: String,
    /// Kind, e.g. `Pod` (may be empty, as for some review objects).
    pub(crate) kind: String,
    /// Object name (may be empty).
    pub(crate) name: String,
    /// The field errors, in the order the real validation finds them (never empty).
    pub(crate) errors: Vec<FieldError>,
}

impl Invalid {
    /// A new `Invalid` error.
    pub(crate) fn new(group: &str, kind: &str, name: &str, errors: Vec<FieldError>) -> Self {
        Invalid {
            group: group.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            errors,
        }
    }

    /// The aggregate of the field errors: one error as is, several as `[a, b]`; identical
    /// messages are shown once (the causes keep them all).
    pub(crate) fn aggregate(&self) -> String {
        let mut seen = HashSet::new();
        let unique: Vec<String> = self
            .errors
            .iter()
            .map(ToString::to_string)
            .filter(|m| seen.insert(m.clone()))
            .collect();
        match unique.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        }
    }

    /// The Status `details.causes`.
    pub(crate) fn causes(&self) -> Vec<Value> {
        self.errors
            .iter()
            .map(|e| json!({"reason": e.kind.reason(), "message": e.body(), "field": e.field}))
            .collect()
    }

    /// The complete `Status` object (code 422, reason `Invalid`).
    pub(crate) fn status(&self) -> Value {
        let mut details = Map::new();
        if !self.name.is_empty() {
            details.insert("name".into(), json!(self.name));
        }
        if !self.group.is_empty() {
            details.insert("group".into(), json!(self.group));
        }
        if !self.kind.is_empty() {
            details.insert("kind".into(), json!(self.kind));
        }
        details.insert("causes".into(), Value::Array(self.causes()));
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": "Invalid",
            "details": details,
            "code": 422,
        })
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            write!(
                f,
                "{} {} is invalid: {}",
                self.kind,
                go_quote(&self.name),
                self.aggregate()
            )
        } else {
            write!(
                f,
                "{}.{} {} is invalid: {}",
                self.kind,
                self.group,
                go_quote(&self.name),
                self.aggregate()
            )
        }
    }
}

impl std::error::Error for Invalid {}
