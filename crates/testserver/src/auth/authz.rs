//! Authorization: `system:masters` may do anything; everyone else is decided by RBAC over the
//! stored Roles, ClusterRoles and bindings (see `crate::rbac`); the seam is [`authorize`].

use super::User;
use crate::api::status::ApiError;
use crate::storage::Store;

/// What a request wants to do.
#[derive(Debug, Clone)]
pub(crate) enum Request<'a> {
    /// A request for a non-resource URL such as `/api` or `/healthz`.
    Path {
        /// Lowercase HTTP verb (`get`, `post`).
        verb: &'a str,
        /// The URL path.
        path: &'a str,
    },
    /// A request on a resource.
    Resource {
        /// API verb (`get`, `list`, `watch`, `create`, ...).
        verb: &'a str,
        /// API group.
        group: &'a str,
        /// Resource (plural).
        resource: &'a str,
        /// Subresource, empty if none.
        subresource: &'a str,
        /// Namespace, empty for cluster scope.
        namespace: &'a str,
        /// Object name, empty for collections.
        name: &'a str,
    },
}

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
}
