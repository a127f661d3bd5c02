//! Predicates: a value of an object that a filter compares between versions, so that only
//! the changes that matter get through (kube-runtime's `predicates`).
//!
//! Use them with [`predicate_filter`](crate::streams::predicate_filter) on a stream of
//! objects, or with [`Controller::reconcile_when`](crate::controller::Controller::reconcile_when)
//! to reconcile only when the value changes. `None` means "cannot tell": such an object
//! always passes.
//!
//! ```
//! use k8s_openapi::api::apps::v1::Deployment;
//! use kubeset_runtime::predicates;
//!
//! let mut d = Deployment::default();
//! d.metadata.generation = Some(3);
//! let before = predicates::generation(&d);
//! d.metadata.labels = Some([("tier".to_string(), "web".to_string())].into());
//! assert_eq!(predicates::generation(&d), before, "a label is not a spec change");
//! assert_ne!(predicates::labels(&d), predicates::labels(&Deployment::default()));
//! ```

use std::hash::{DefaultHasher, Hash, Hasher};

use k8s_openapi::Metadata;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn hash(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// `metadata.generation`: changes with the spec, not with status or metadata. `None` for
/// kinds without one (ConfigMaps, Secrets: they have no status, every write counts).
///
/// ```
/// use k8s_openapi::api::apps::v1::Deployment;
/// use kubeset_runtime::predicates;
///
/// let mut d = Deployment::default();
/// d.metadata.generation = Some(2);
/// assert_eq!(predicates::generation(&d), Some(2));
/// ```
pub fn generation<K: Metadata<Ty = ObjectMeta>>(object: &K) -> Option<u64> {
    object
        .metadata()
        .generation
        .and_then(|g| u64::try_from(g).ok())
}

/// `metadata.labels`.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_runtime::predicates;
///
/// let mut pod = Pod::default();
/// let before = predicates::labels(&pod);
/// pod.metadata.labels = Some([("app".to_string(), "web".to_string())].into());
/// assert_ne!(predicates::labels(&pod), before);
/// ```
pub fn labels<K: Metadata<Ty = ObjectMeta>>(object: &K) -> Option<u64> {
    Some(hash(&object.metadata().labels))
}

/// `metadata.annotations`.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_runtime::predicates;
///
/// let mut pod = Pod::default();
/// let before = predicates::annotations(&pod);
/// pod.metadata.annotations = Some([("note".to_string(), "x".to_string())].into());
/// assert_ne!(predicates::annotations(&pod), before);
/// ```
pub fn annotations<K: Metadata<Ty = ObjectMeta>>(object: &K) -> Option<u64> {
    Some(hash(&object.metadata().annotations))
}

/// `metadata.finalizers`.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_runtime::predicates;
///
/// let mut pod = Pod::default();
/// let before = predicates::finalizers(&pod);
/// pod.metadata.finalizers = Some(vec!["example.com/f".to_string()]);
/// assert_ne!(predicates::finalizers(&pod), before);
/// ```
pub fn finalizers<K: Metadata<Ty = ObjectMeta>>(object: &K) -> Option<u64> {
    Some(hash(&object.metadata().finalizers))
}

/// `metadata.resourceVersion`: every change.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kubeset_runtime::predicates;
///
/// let mut pod = Pod::default();
/// assert_eq!(predicates::resource_version(&pod), None);
/// pod.metadata.resource_version = Some("42".to_string());
/// assert!(predicates::resource_version(&pod).is_some());
/// ```
pub fn resource_version<K: Metadata<Ty = ObjectMeta>>(object: &K) -> Option<u64> {
    object.metadata().resource_version.as_ref().map(hash)
}

/// `metadata.generation`, and the deletion timestamp: a spec change or the start of a
/// deletion (what a controller with a finalizer must not miss).
///
/// ```
/// use k8s_openapi::api::apps::v1::Deployment;
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
/// use kubeset_runtime::predicates;
///
/// let mut d = Deployment::default();
/// d.metadata.generation = Some(1);
/// let before = predicates::generation_or_deletion(&d);
/// d.metadata.deletion_timestamp = Some(Time("2026-01-01T00:00:00Z".parse().unwrap()));
/// assert_ne!(predicates::generation_or_deletion(&d), before);
/// ```
pub fn generation_or_deletion<K: Metadata<Ty = ObjectMeta>>(object: &K) -> Option<u64> {
    let meta = object.metadata();
    let generation = meta.generation?;
    Some(hash(&(
        generation,
        meta.deletion_timestamp.as_ref().map(|t| t.0.as_second()),
    )))
}
