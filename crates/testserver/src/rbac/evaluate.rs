//! The authorization decision kube-apiserver makes with `--authorization-mode=RBAC`: the
//! `system:masters` group is allowed everything (with no reason), then RBAC decides; a
//! denial is "no opinion" whose reason lists roles that bindings reference but that do not
//! exist.

use std::ops::ControlFlow;

use super::attributes::Attributes;
use super::objects::RbacObjects;
use super::resolver::{Visited, aggregate_message, visit_rules_for};
use crate::auth::User;

/// The group whose members the API server allows everything, before RBAC is consulted.
pub(crate) const PRIVILEGED_GROUP: &str = "system:masters";

/// An authorization decision and the reason the server reports (SubjectAccessReview
/// `status.reason`, appended to 403 messages when denied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    /// Whether the request is allowed.
    pub(crate) allowed: bool,
    /// `RBAC: allowed by ...` when RBAC allowed; empty for `system:masters`; for a denial
    /// empty, or `RBAC: <errors>` when bindings reference missing roles.
    pub(crate) reason: String,
}

impl Decision {
    fn allow(reason: String) -> Self {
        Decision {
            allowed: true,
            reason,
        }
    }
}

/// Decides a request as kube-apiserver's authorizer chain does (privileged group, RBAC).
pub(crate) fn authorize(objects: &dyn RbacObjects, user: &User, attrs: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == PRIVILEGED_GROUP) {
        return Decision::allow(String::new());
    }
    authorize_rbac(objects, user, attrs)
}

/// The RBAC authorizer alone (`RBACAuthorizer.Authorize`).
pub(crate) fn authorize_rbac(
    objects: &dyn RbacObjects,
    user: &User,
    attrs: &Attributes,
) -> Decision {
    let mut allowed_by = None;
    let mut errors = Vec::new();
    visit_rules_for(objects, user, &attrs.namespace, &mut |v| match v {
        Visited::Rule { source, rule } if rule.allows(attrs) => {
            allowed_by = Some(source.to_string());
            ControlFlow::Break(())
        }
        Visited::Rule { .. } => ControlFlow::Continue(()),
        Visited::Error(e) => {
            errors.push(e.clone());
            ControlFlow::Continue(())
        }
    });
    match allowed_by {
        Some(source) => Decision::allow(format!("RBAC: allowed by {source}")),
        None => Decision {
            allowed: false,
            reason: if errors.is_empty() {
                String::new()
            } else {
                format!("RBAC: {}", aggregate_message(&errors))
            },
        },
    }
}
