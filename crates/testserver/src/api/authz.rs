//! Authorization of a request: RBAC over the stored Roles, ClusterRoles and bindings (see
//! `crate::rbac`) decides, and the decision becomes the request's audit annotations.

use crate::api::status::ApiError;
use crate::auth::User;
use crate::rbac::seam::Request;
use crate::storage::Store;

/// Allows the request or returns the real 403, as RBAC over the stored Roles, ClusterRoles
/// and bindings (plus the bootstrap policy seeded at start) decides.
///
/// The decision and its reason become the request's `authorization.k8s.io/decision` and
/// `authorization.k8s.io/reason` audit annotations.
pub(crate) fn authorize(user: &User, req: &Request<'_>, store: &dyn Store) -> Result<(), ApiError> {
    let attrs = crate::rbac::seam::attributes_of(req);
    let decision = crate::rbac::seam::decide(user, &attrs, store);
    crate::audit::annotate_decision(decision.allowed, &decision.reason);
    crate::rbac::seam::answer(user, &attrs, &decision)
        .map_err(|f| ApiError::forbidden(f.message, f.details))
}
