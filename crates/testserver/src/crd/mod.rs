//! CustomResourceDefinitions and the custom resources they define, as kube-apiserver's
//! apiextensions-apiserver serves them.
//!
//! - [`definition`]: a stored CRD read into what serving needs ([`Definition`]), and the
//!   registry entries (types and discovery) of the established ones.
//! - [`crd_strategy`]: the CRD type's own strategy (defaults, status on create, generation,
//!   the Terminating condition and cleanup finalizer on delete) and [`validate`] its validation.
//! - [`strategy`]: the one strategy object every custom resource type carries
//!   ([`CustomStrategy`]): pruning, defaulting on write and read, status/spec isolation,
//!   generation, validation against the version's schema ([`schema`]).
//! - [`controller`]: what the real server's CRD controllers do: accept names and establish,
//!   serve the established CRDs, delete instances of a deleted CRD and drop its finalizer.
//!
//! Architecture invariant: custom resources are served by the generic verb handlers; the only
//! per-type behaviour is in their [`CustomStrategy`], reached through `ResourceType::custom`.

pub(crate) mod controller;
pub(crate) mod crd_strategy;
pub(crate) mod definition;
pub(crate) mod schema;
pub(crate) mod strategy;
pub(crate) mod validate;

pub(crate) use definition::Definition;
pub(crate) use strategy::CustomStrategy;

/// The API group of CustomResourceDefinitions.
pub(crate) const GROUP: &str = "apiextensions.k8s.io";

/// The store resource key of CustomResourceDefinitions (what store events name).
pub(crate) const CRDS: &str = "apiextensions.k8s.io/customresourcedefinitions";

/// The finalizer the real server puts on a CRD being deleted until its instances are gone.
pub(crate) const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

/// Whether `rt` is the CustomResourceDefinition type itself.
pub(crate) fn is_crd(rt: &crate::registry::ResourceType) -> bool {
    rt.group == GROUP && rt.plural == "customresourcedefinitions"
}
