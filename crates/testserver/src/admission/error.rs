//! The errors admission plugins return, and the `Status` objects they become.

use std::fmt;

use serde_json::{Map, Value, json};

use crate::validation::{Invalid, go_quote};

/// A `details.causes[]` entry of a Status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusCause {
    /// `reason`, e.g. `NamespaceTerminating`.
    pub(crate) reason: String,
    /// `message`.
    pub(crate) message: String,
    /// `field`, e.g. `metadata.namespace`.
    pub(crate) field: String,
}

/// An admission failure, carrying everything the server needs to answer with the real Status.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(crate) enum AdmissionError {
    /// 403 Forbidden: `<resource>[.<group>] "<name>" is forbidden: <message>`.
    Forbidden {
        /// API group of the request's resource.
        group: String,
        /// Plural resource of the request, e.g. `pods`.
        resource: String,
        /// Object name (`""` leaves the name out of the message).
        name: String,
        /// What the plugin refused, e.g. `no PriorityClass with name nope was found`.
        message: String,
        /// Extra `details.causes`.
        causes: Vec<StatusCause>,
    },
    /// 404 NotFound: `<resource>[.<group>] "<name>" not found` (e.g. a missing namespace).
    NotFound {
        /// API group of the missing object.
        group: String,
        /// Plural resource of the missing object, e.g. `namespaces`.
        resource: String,
        /// Its name.
        name: String,
    },
    /// 422 Invalid, with field causes.
    Invalid(Invalid),
    /// Any other answer, as a complete `Status` (an admission webhook's refusal, or the
    /// server's 400 around a webhook call).
    Status {
        /// The HTTP status code.
        code: u16,
        /// The `Status` object answered.
        status: Box<Value>,
    },
    /// 500 InternalError (`apierrors.NewInternalError`): `Internal error occurred: <message>`.
    Internal {
        /// What went wrong, e.g. `unable to convert to /v1, Resource=x: unknown kind`.
        message: String,
    },
}

fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_owned()
    } else {
        format!("{resource}.{group}")
    }
}

impl AdmissionError {
    /// The HTTP status code.
    pub(crate) fn code(&self) -> u16 {
        match self {
            AdmissionError::Forbidden { .. } => 403,
            AdmissionError::NotFound { .. } => 404,
            AdmissionError::Invalid(_) => 422,
            AdmissionError::Status { code, .. } => *code,
            AdmissionError::Internal { .. } => 500,
        }
    }

    /// The Status `message`.
    pub(crate) fn message(&self) -> String {
        self.to_string()
    }

    /// The complete `Status` object the server answers with.
    pub(crate) fn status(&self) -> Value {
        let (reason, group, kind, name, causes) = match self {
            AdmissionError::Forbidden {
                group,
                resource,
                name,
                causes,
                ..
            } => ("Forbidden", group, resource, name, causes.as_slice()),
            AdmissionError::NotFound {
                group,
                resource,
                name,
            } => ("NotFound", group, resource, name, &[][..]),
            AdmissionError::Invalid(invalid) => return invalid.status(),
            AdmissionError::Status { status, .. } => return (**status).clone(),
            AdmissionError::Internal { message } => {
                return json!({
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": self.message(),
                    "reason": "InternalError",
                    "details": {"causes": [{"message": message}]},
                    "code": 500,
                });
            }
        };
        let mut details = Map::new();
        if !name.is_empty() {
            details.insert("name".into(), json!(name));
        }
        if !group.is_empty() {
            details.insert("group".into(), json!(group));
        }
        details.insert("kind".into(), json!(kind));
        if !causes.is_empty() {
            let causes: Vec<Value> = causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect();
            details.insert("causes".into(), Value::Array(causes));
        }
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message(),
            "reason": reason,
            "details": details,
            "code": self.code(),
        })
    }
}

impl fmt::Display for AdmissionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdmissionError::Forbidden {
                group,
                resource,
                name,
                message,
                ..
            } => {
                let what = qualified(group, resource);
                if name.is_empty() {
                    write!(f, "{what} is forbidden: {message}")
                } else {
                    write!(f, "{what} {} is forbidden: {message}", go_quote(name))
                }
            }
            AdmissionError::NotFound {
                group,
                resource,
                name,
            } => {
                write!(
                    f,
                    "{} {} not found",
                    qualified(group, resource),
                    go_quote(name)
                )
            }
            AdmissionError::Invalid(invalid) => invalid.fmt(f),
            AdmissionError::Status { status, .. } => f.write_str(
                status
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
            AdmissionError::Internal { message } => {
                write!(f, "Internal error occurred: {message}")
            }
        }
    }
}

impl std::error::Error for AdmissionError {}

impl From<Invalid> for AdmissionError {
    fn from(invalid: Invalid) -> Self {
        AdmissionError::Invalid(invalid)
    }
}

/// `admission.NewForbidden`: the name is the URL name, else the object's name, else its
/// `generateName`, else `Unknown`.
pub(crate) fn forbidden(
    attrs: &crate::admission::Attributes<'_>,
    obj: Option<&Value>,
    message: String,
) -> AdmissionError {
    let name = if !attrs.name.is_empty() {
        attrs.name.to_owned()
    } else {
        let meta = obj.and_then(|o| o.get("metadata"));
        let get = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        if !get("name").is_empty() {
            get("name").to_owned()
        } else if !get("generateName").is_empty() {
            get("generateName").to_owned()
        } else {
            "Unknown".to_owned()
        }
    };
    AdmissionError::Forbidden {
        group: attrs.group.to_owned(),
        resource: attrs.resource.to_owned(),
        name,
        message,
        causes: Vec::new(),
    }
}
