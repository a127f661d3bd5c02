//! The NamespaceLifecycle plugin: no content in missing or terminating namespaces, and the
//! immortal namespaces cannot be deleted.

use serde_json::Value;

use super::error::{StatusCause, forbidden};
use super::{AdmissionError, Attributes, Lookup, Operation};
use crate::shared::json::str_at;

/// Namespaces that may never be deleted.
const IMMORTAL: [&str; 3] = ["default", "kube-system", "kube-public"];

/// Refuses writes into missing namespaces, creates into terminating ones, and deleting the
/// immortal namespaces.
pub(super) fn admit(
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    let is_namespace = attrs.group.is_empty() && attrs.resource == "namespaces";
    if is_namespace {
        if attrs.operation == Operation::Delete && IMMORTAL.contains(&attrs.name) {
            return Err(forbidden(
                attrs,
                obj,
                "this namespace may not be deleted".into(),
            ));
        }
        return Ok(());
    }
    if attrs.namespace.is_empty() || attrs.operation == Operation::Delete {
        return Ok(());
    }
    // Access reviews must not leak whether a namespace exists.
    if attrs.group == "authorization.k8s.io" && attrs.resource == "localsubjectaccessreviews" {
        return Ok(());
    }
    let Some(namespace) = lookup.get("", "namespaces", None, attrs.namespace) else {
        return Err(AdmissionError::NotFound {
            group: String::new(),
            resource: "namespaces".into(),
            name: attrs.namespace.to_owned(),
        });
    };
    if attrs.operation == Operation::Create
        && str_at(&namespace, &["status", "phase"]) == Some("Terminating")
    {
        let ns = attrs.namespace;
        let mut err = forbidden(
            attrs,
            obj,
            format!(
                "unable to create new content in namespace {ns} because it is being terminated"
            ),
        );
        if let AdmissionError::Forbidden { causes, .. } = &mut err {
            causes.push(StatusCause {
                reason: "NamespaceTerminating".into(),
                message: format!("namespace {ns} is being terminated"),
                field: "metadata.namespace".into(),
            });
        }
        return Err(err);
    }
    Ok(())
}
