//! CustomResourceDefinitions and the custom resources they define, as kube-apiserver's
//! apiextensions-apiserver serves them.
//!
//! - [`definition`]: a stored CRD read into what serving needs ([`Definition`]), and the
//!   registry entries (types and discovery) of the established ones.
//! - [`crd_strategy`]: the CRD type's own strategy (defaults, status on create, generation,
//!   the Terminating condition and cleanup finalizer on delete) and [`validate`] its validation.
//! - [`strategy`]: the one strategy object every custom resource type carries
//!   ([`CustomStrategy`]): pruning, defaulting on write and read, status/spec isolation,
//!   generation, validation against the version's schema ([`schema`]) and its CEL rules
//!   ([`cel`]).
//! - [`scale`]: the `scale` subresource's mapping onto an object.
//!
//! The controllers that establish CRDs and clean up after deleted ones are in
//! `api::crd_controller` (they write through the API's write pipeline); the registry builds the
//! served types from [`Definition`]s.
//!
//! Architecture invariant: custom resources are served by the generic verb handlers; the only
//! per-type behaviour is in their [`CustomStrategy`], reached through `ResourceType::custom`.
//! This module depends on neither `api` nor `registry` (pure functions over JSON values).

pub(crate) mod cel;
pub(crate) mod crd_strategy;
pub(crate) mod definition;
pub(crate) mod names;
pub(crate) mod scale;
pub(crate) mod schema;
pub(crate) mod shape;
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

/// `metadata.<field>` of an object as text (`""` when missing).
pub(crate) fn meta_str<'a>(obj: &'a serde_json::Value, field: &str) -> &'a str {
    obj.pointer(&format!("/metadata/{field}"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
}

/// Mutable `metadata` of an object (created if missing); `None` if the value is no object.
pub(crate) fn meta_mut(
    obj: &mut serde_json::Value,
) -> Option<&mut serde_json::Map<String, serde_json::Value>> {
    let m = obj
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| serde_json::Value::Object(Default::default()));
    if !m.is_object() {
        *m = serde_json::Value::Object(Default::default());
    }
    m.as_object_mut()
}
