//! The self reviews clients use to ask the server about themselves, answered as
//! kube-apiserver answers them:
//!
//! - [`subject`]: `authentication.k8s.io/v1` SelfSubjectReview (`kubectl auth whoami`).
//! - [`access`]: `authorization.k8s.io/v1` SelfSubjectAccessReview (`kubectl auth can-i`),
//!   SubjectAccessReview and LocalSubjectAccessReview.
//! - [`rules`]: `authorization.k8s.io/v1` SelfSubjectRulesReview (`kubectl auth can-i --list`).
//!
//! kubectl sends them in the protobuf encoding, decoded by [`super::wire`].
//!
//! Creating a review is itself authorized first (`create` on the review resource, granted
//! by `system:basic-user` to every authenticated user); these functions compute the answer.

pub(crate) mod access;
mod metadata;
pub(crate) mod rules;
mod selectors;
pub(crate) mod subject;

use serde_json::{Value, json};

/// A review request the server refuses, with the `Status` it answers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejected {
    /// HTTP status code (400, 422).
    pub(crate) code: u16,
    /// `Status.reason` (`BadRequest`, `Invalid`).
    pub(crate) reason: &'static str,
    /// `Status.message`.
    pub(crate) message: String,
    /// `Status.details`, omitted when `None`.
    pub(crate) details: Option<Value>,
}

impl Rejected {
    /// The whole `Status` body.
    pub(crate) fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let (Some(details), Some(obj)) = (&self.details, status.as_object_mut()) {
            obj.insert("details".into(), details.clone());
        }
        status
    }
}
