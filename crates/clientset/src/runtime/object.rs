//! [`Object`]: what the runtime needs to know about an object (its key and version).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::PartialObjectMetadata;

/// An object the watcher and the store can track: it has a name, maybe a namespace, and a
/// resourceVersion.
///
/// Implemented for every k8s-openapi type (and every custom resource type implementing
/// k8s-openapi's `Metadata<Ty = ObjectMeta>`), and for [`PartialObjectMetadata`].
///
/// ```
/// use k8s_openapi::api::core::v1::ConfigMap;
/// use kubeset_clientset::runtime::Object;
///
/// let mut cm = ConfigMap::default();
/// cm.metadata.name = Some("settings".into());
/// cm.metadata.namespace = Some("apps".into());
/// assert_eq!((cm.namespace(), cm.name()), (Some("apps"), Some("settings")));
/// ```
pub trait Object {
    /// The object's metadata.
    fn meta(&self) -> &ObjectMeta;

    /// `metadata.name`.
    fn name(&self) -> Option<&str> {
        self.meta().name.as_deref()
    }
    /// `metadata.namespace`; `None` for cluster-scoped objects.
    fn namespace(&self) -> Option<&str> {
        self.meta().namespace.as_deref()
    }
    /// `metadata.resourceVersion`.
    fn resource_version(&self) -> Option<&str> {
        self.meta().resource_version.as_deref()
    }
}

impl<K> Object for K
where
    K: k8s_openapi::Metadata<Ty = ObjectMeta>,
{
    fn meta(&self) -> &ObjectMeta {
        self.metadata()
    }
}

impl Object for PartialObjectMetadata {
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
}
