//! [`Change`]: what applying one event did to a store.

use std::sync::Arc;

/// What applying one event changed, for informers' handlers.
///
/// ```
/// use std::sync::Arc;
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kubeset_clientset::runtime::{Change, Event, store};
///
/// let (_reader, mut writer) = store::<ConfigMap>();
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// let mut changes = Vec::new();
/// writer.apply_with(&Event::Apply(Arc::new(cm)), |change| changes.push(change));
/// assert!(matches!(&changes[..], [Change::Added(cm)] if cm.metadata.name.as_deref() == Some("settings")));
/// ```
#[derive(Debug, PartialEq)]
#[non_exhaustive]
pub enum Change<K> {
    /// A new object.
    Added(Arc<K>),
    /// An object changed: its previous and its new state.
    Updated {
        /// The state the store held.
        old: Arc<K>,
        /// The new state.
        new: Arc<K>,
    },
    /// An object was deleted: its last state (after a re-list, the last state the store
    /// held).
    Deleted(Arc<K>),
}

/// Cloning shares the objects (`K` need not be `Clone`).
impl<K> Clone for Change<K> {
    fn clone(&self) -> Self {
        match self {
            Change::Added(new) => Change::Added(Arc::clone(new)),
            Change::Updated { old, new } => Change::Updated {
                old: Arc::clone(old),
                new: Arc::clone(new),
            },
            Change::Deleted(old) => Change::Deleted(Arc::clone(old)),
        }
    }
}
