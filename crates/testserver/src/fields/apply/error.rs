//! Apply errors and the exact 409 conflict Status.

use serde_json::{Value, json};

use crate::fields::managed::{ManagedEntry, Operation};
use crate::fields::path::{PathElement, display_path};

/// A field another manager owns that an apply would change.
///
/// ```
/// use kubeset_testserver::fields::apply::{ApplyError, apply};
/// use kubeset_testserver::fields::managed::Write;
/// use kubeset_testserver::fields::schema::lookup;
/// use serde_json::json;
///
/// let info = lookup("v1", "ConfigMap").unwrap();
/// let cm = |v: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": v}});
/// let a = Write { info, manager: "a", subresource: None, time: "2026-01-01T00:00:00Z" };
/// let live = apply(&a, None, &cm("1"), false).unwrap().object;
/// let b = Write { manager: "b", ..a };
/// let Err(ApplyError::Conflicts { conflicts }) = apply(&b, Some(&live), &cm("2"), false) else { panic!() };
/// assert_eq!(conflicts[0].owner(), "\"a\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The manager owning the field.
    pub manager: String,
    /// Its operation.
    pub operation: Operation,
    /// Its API version.
    pub api_version: String,
    /// Its subresource (`""` for the main resource).
    pub subresource: String,
    /// The field.
    pub path: Vec<PathElement>,
}

impl Conflict {
    pub(crate) fn new(owner: &ManagedEntry, path: Vec<PathElement>) -> Conflict {
        Conflict {
            manager: owner.manager.clone(),
            operation: owner.operation,
            api_version: owner.api_version.clone(),
            subresource: owner.subresource.clone(),
            path,
        }
    }

    /// How the server names the owner: `"m"`, `"m" with subresource "status"`,
    /// `"m" using v1` for Update managers.
    pub fn owner(&self) -> String {
        let mut out = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            out.push_str(&format!(" with subresource {:?}", self.subresource));
        }
        if self.operation == Operation::Update {
            out.push_str(&format!(" using {}", self.api_version));
        }
        out
    }

    /// The server's manager identifier (what conflicts are sorted by).
    pub(crate) fn identifier(&self) -> String {
        let mut id = serde_json::Map::new();
        id.insert("manager".into(), json!(self.manager));
        id.insert("operation".into(), json!(self.operation.as_str()));
        if self.operation == Operation::Update {
            id.insert("apiVersion".into(), json!(self.api_version));
        }
        if !self.subresource.is_empty() {
            id.insert("subresource".into(), json!(self.subresource));
        }
        // Field order of metav1.ManagedFieldsEntry, as Go encodes it.
        let order = ["manager", "operation", "apiVersion", "subresource"];
        let parts: Vec<String> = order
            .iter()
            .filter_map(|k| id.get(*k).map(|v| format!("{:?}:{v}", k)))
            .collect();
        format!("{{{}}}", parts.join(","))
    }
}

/// Why an apply was refused.
///
/// ```
/// use kubeset_testserver::fields::apply::ApplyError;
///
/// let err = ApplyError::InvalidObjectType { gvk: "/v1, Kind=Secret".into() };
/// assert_eq!(err.code(), 400);
/// assert_eq!(err.to_string(), "invalid object type: /v1, Kind=Secret");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The body is not a YAML (or JSON) object (400).
    #[error("error decoding YAML: {message}")]
    Decode {
        /// What the decoder said.
        message: String,
    },
    /// The configuration's apiVersion/kind is not the resource's (400).
    #[error("invalid object type: {gvk}")]
    InvalidObjectType {
        /// The configuration's `group/version, Kind=kind`.
        gvk: String,
    },
    /// The configuration sets `metadata.managedFields` (400).
    #[error("metadata.managedFields must be nil")]
    ManagedFieldsInConfig,
    /// The configuration cannot be typed: a keyed list element without its
    /// keys, duplicate keys (500, a plain error in the server).
    #[error(
        "failed to create typed patch object ({object}): {}",
        validation_message(errors)
    )]
    InvalidConfig {
        /// `namespace/name; group/version, Kind=kind` of the configuration.
        object: String,
        /// Each problem, prefixed with the path of its list.
        errors: Vec<String>,
    },
    /// Fields owned by other managers would change and `force` is off (409).
    #[error("{}", conflict_message(conflicts))]
    Conflicts {
        /// The conflicting fields, sorted by manager.
        conflicts: Vec<Conflict>,
    },
}

impl ApplyError {
    /// The HTTP status code the server answers with.
    pub fn code(&self) -> u16 {
        match self {
            ApplyError::Conflicts { .. } => 409,
            ApplyError::InvalidConfig { .. } => 500,
            _ => 400,
        }
    }

    /// The whole `Status` object the server answers with.
    pub fn to_status(&self) -> Value {
        match self {
            ApplyError::Conflicts { conflicts } => {
                let causes: Vec<Value> = conflicts
                    .iter()
                    .map(|c| {
                        json!({"reason": "FieldManagerConflict", "message": format!("conflict with {}", c.owner()),
                            "field": display_path(&c.path)})
                    })
                    .collect();
                json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": self.to_string(), "reason": "Conflict", "details": {"causes": causes}, "code": 409})
            }
            ApplyError::InvalidConfig { .. } => {
                json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "message": self.to_string(), "code": 500})
            }
            _ => json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.to_string(), "reason": "BadRequest", "code": 400}),
        }
    }
}

fn validation_message(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => {
            let mut lines = vec!["errors:".to_owned()];
            lines.extend(many.iter().map(|e| format!("  {e}")));
            lines.join("\n")
        }
    }
}

fn conflict_message(conflicts: &[Conflict]) -> String {
    if let [one] = conflicts {
        return format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            one.owner(),
            display_path(&one.path)
        );
    }
    let mut lines = Vec::new();
    let mut previous: Option<String> = None;
    for conflict in conflicts {
        let id = conflict.identifier();
        if previous.as_ref() != Some(&id) {
            lines.push(format!("conflicts with {}:", conflict.owner()));
            previous = Some(id);
        }
        lines.push(format!("- {}", display_path(&conflict.path)));
    }
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}
