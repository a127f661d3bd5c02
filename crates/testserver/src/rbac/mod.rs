//! RBAC exactly as kube-apiserver v1.36 evaluates it, as pure functions over stored
//! `rbac.authorization.k8s.io/v1` objects (`serde_json::Value`).
//!
//! - [`attributes`]: what a request asks (verb, group, resource, subresource, namespace,
//!   name, or a non-resource path), derived from method, path and query as the real server does.
//! - [`rule`]: one `PolicyRule` and whether it allows a request.
//! - [`objects`]: the narrow read-only view of Roles, ClusterRoles and bindings RBAC needs
//!   ([`objects::RbacObjects`]) and an in-memory [`objects::PolicySet`].
//! - [`resolver`]: which rules apply to a user (bindings, subjects, implicit groups).
//! - [`authorize`]: the decision and the reason text (`RBAC: allowed by ...`).
//! - [`forbidden`]: the 403 `Status` for every request shape.
//! - [`aggregation`]: aggregated ClusterRoles (the clusterrole-aggregation controller).
//!
//! The server calls [`authorize::authorize`] with its store behind [`objects::RbacObjects`],
//! and answers a denial with [`forbidden::Forbidden`].

pub(crate) mod aggregation;
pub(crate) mod attributes;
pub(crate) mod authorize;
pub(crate) mod bootstrap;
mod covers;
pub(crate) mod escalation;
pub(crate) mod forbidden;
mod goquote;
pub(crate) mod objects;
pub(crate) mod resolver;
pub(crate) mod reviews;
pub(crate) mod rule;
pub(crate) mod seam;

#[cfg(test)]
mod tests;
