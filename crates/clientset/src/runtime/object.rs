//! [`Object`]: what the runtime needs to know about an object (its key and version).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::PartialObjectMetadata;

/// An object the watcher and the store can track: it has a name, maybe a namespace, and a
/// resourceVersion.
///
/// Implemented for every k8s-openapi type (and every custom resource type implementing
/// k8s-openapi's `Metadata<Ty = ObjectMeta>`), for [`PartialObjectMetadata`] and for
/// [`Dynamic`](super::Dynamic), the runtime's form of a [`DynamicObject`](crate::DynamicObject)
/// (a `serde_json::Value`, which the blanket implementation rules out).
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
    /// `metadata.name`.
    fn name(&self) -> Option<&str>;
    /// `metadata.namespace`; `None` for cluster-scoped objects.
    fn namespace(&self) -> Option<&str>;
    /// `metadata.resourceVersion`.
    fn resource_version(&self) -> Option<&str>;

    /// The value of the label `key` (for [`Store::index_label`](super::Store::index_label)).
    ///
    /// The default says no object has any label: implement it for your own types if you
    /// index them by label.
    ///
    /// ```
    /// use k8s_openapi::api::core::v1::Pod;
    /// use kubeset_clientset::runtime::Object;
    ///
    /// let mut pod = Pod::default();
    /// pod.metadata.labels = Some([("app".to_owned(), "web".to_owned())].into());
    /// assert_eq!((pod.label("app"), pod.label("tier")), (Some("web"), None));
    /// ```
    fn label(&self, key: &str) -> Option<&str> {
        let _ = key;
        None
    }
}

impl<K> Object for K
where
    K: k8s_openapi::Metadata<Ty = ObjectMeta>,
{
    fn name(&self) -> Option<&str> {
        self.metadata().name.as_deref()
    }
    fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }
    fn resource_version(&self) -> Option<&str> {
        self.metadata().resource_version.as_deref()
    }
    fn label(&self, key: &str) -> Option<&str> {
        self.metadata()
            .labels
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }
}

impl Object for PartialObjectMetadata {
    fn name(&self) -> Option<&str> {
        self.metadata.name.as_deref()
    }
    fn namespace(&self) -> Option<&str> {
        self.metadata.namespace.as_deref()
    }
    fn resource_version(&self) -> Option<&str> {
        self.metadata.resource_version.as_deref()
    }
    fn label(&self, key: &str) -> Option<&str> {
        self.metadata.labels.as_ref()?.get(key).map(String::as_str)
    }
}
