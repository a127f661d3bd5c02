//! The 403 `Status` kube-apiserver writes when authorization denies a request
//! (`responsewriters.ForbiddenStatusError` + `apierrors.NewForbidden`).

use serde_json::{Map, Value};

use super::attributes::Attributes;
use super::goquote::quote;

/// A 403 Forbidden answer: the `message` and `details` of its `Status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Forbidden {
    /// `Status.message`.
    pub(crate) message: String,
    /// `Status.details`: `name`, `group`, `kind` (the resource) when not empty; `{}` for
    /// non-resource URLs.
    pub(crate) details: Value,
}

impl Forbidden {
    /// The answer for a denied request of `user_name`; `reason` is the authorizer's reason
    /// (appended after `: ` when not empty).
    pub(crate) fn new(user_name: &str, attrs: &Attributes, reason: &str) -> Self {
        let user = quote(user_name);
        let mut what = if attrs.resource_request {
            let scope = if attrs.namespace.is_empty() {
                "at the cluster scope".to_owned()
            } else {
                format!("in the namespace {}", quote(&attrs.namespace))
            };
            format!(
                "User {user} cannot {} resource {} in API group {} {scope}",
                attrs.verb,
                quote(&attrs.combined_resource()),
                quote(&attrs.api_group),
            )
        } else {
            format!(
                "User {user} cannot {} path {}",
                attrs.verb,
                quote(&attrs.path)
            )
        };
        if !reason.is_empty() {
            what.push_str(": ");
            what.push_str(reason);
        }
        Self::for_resource(&attrs.api_group, &attrs.resource, &attrs.name, &what)
    }

    /// `apierrors.NewForbidden(group/resource, name, err)` with `err`'s text `cause`.
    pub(crate) fn for_resource(group: &str, resource: &str, name: &str, cause: &str) -> Self {
        let qualified = if group.is_empty() {
            resource.to_owned()
        } else {
            format!("{resource}.{group}")
        };
        let message = if group.is_empty() && resource.is_empty() {
            format!("forbidden: {cause}")
        } else if name.is_empty() {
            format!("{qualified} is forbidden: {cause}")
        } else {
            format!("{qualified} {} is forbidden: {cause}", quote(name))
        };
        let mut details = Map::new();
        for (key, value) in [("name", name), ("group", group), ("kind", resource)] {
            if !value.is_empty() {
                details.insert(key.into(), value.into());
            }
        }
        Forbidden {
            message,
            details: Value::Object(details),
        }
    }

    #[cfg(test)]
    /// The whole `Status` body.
    pub(crate) fn to_status(&self) -> Value {
        serde_json::json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": "Forbidden",
            "details": self.details,
            "code": 403,
        })
    }
}
