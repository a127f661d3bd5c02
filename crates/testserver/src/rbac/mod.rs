//! RBAC exactly as kube-apiserver v1.36 evaluates it, as pure functions over stored
//! `rbac.authorization.k8s.io/v1` objects (`serde_json::Value`).
//!
//! - [`attributes`]: what a request asks (verb, group, resource, subresource, namespace,
//!   name, or a non-resource path), derived from method, path and query as the real server does.
//! - [`rule`]: one `PolicyRule` and whether it allows a request.
//! - [`objects`]: the narrow read-only view of Roles, ClusterRoles and bindings RBAC needs
//!   ([`objects::RbacObjects`]) and an in-memory [`objects::PolicySet`].
//! - [`resolver`]: which rules apply to a user (bindings, subjects, implicit groups).
//! - [`evaluate`]: the decision and the reason text (`RBAC: allowed by ...`).
//! - [`forbidden`]: the 403 `Status` for every request shape.
//! - [`aggregation`]: aggregated ClusterRoles (the clusterrole-aggregation controller).
//! - [`bootstrap`]: the ClusterRoles and ClusterRoleBindings of a fresh cluster.
//! - [`reviews`]: SelfSubjectReview, SelfSubjectAccessReview, SelfSubjectRulesReview.
//! - [`escalation`]: escalation prevention on writes of roles and bindings.
//! - [`impersonation`]: `Impersonate-*` headers (`kubectl --as`).
//! - [`seam`]: the store as [`objects::RbacObjects`] and the request attributes `api::authz` authorizes.
//! - [`wire`]: RBAC objects and self reviews in kubectl's protobuf encoding.
//!
//! Wiring it into the server: seed the store with [`bootstrap::objects`] (manager
//! `kube-apiserver`); authorize each request with [`seam::authorize_attributes`] (attributes
//! from [`attributes::Attributes::from_request`]) or [`seam::authorize_request`]; before
//! storing a Role, ClusterRole or binding written by a user, call
//! [`escalation::check_write`]; after any ClusterRole write, store what
//! [`aggregation::reconcile`] returns; answer the review endpoints from [`reviews`]; switch
//! to the impersonated user with [`seam::impersonate`] right after authentication.

pub(crate) mod aggregation;
pub(crate) mod attributes;
pub(crate) mod bootstrap;
mod covers;
pub(crate) mod escalation;
pub(crate) mod evaluate;
pub(crate) mod forbidden;
pub(crate) mod goquote;
pub(crate) mod impersonation;
pub(crate) mod objects;
pub(crate) mod resolver;
pub(crate) mod reviews;
pub(crate) mod rule;
pub(crate) mod seam;
pub(crate) mod wire;

#[cfg(test)]
mod tests;

// The credential-ID key a self review shows is the one authentication records.
const _: () = assert!(same_text(
    reviews::subject::CREDENTIAL_ID,
    crate::auth::CREDENTIAL_ID
));

const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
