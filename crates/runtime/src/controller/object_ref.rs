//! [`ObjectRef`]: the key a controller queues, an object's namespace and name.

use kubeset_clientset::runtime::Object;

/// Which object a reconcile is for: its namespace (`None` when cluster-scoped) and name.
///
/// The controller's queue holds these; the reconcile gets the object itself from the cache.
///
/// ```
/// use kubeset_runtime::controller::ObjectRef;
///
/// let key = ObjectRef::new("web").within("apps");
/// assert_eq!(key.to_string(), "apps/web");
/// assert_eq!(ObjectRef::new("node-1").to_string(), "node-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// `metadata.namespace`; `None` for a cluster-scoped object.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectRef {
    /// A reference to the cluster-scoped object `name` (add a namespace with
    /// [`within`](Self::within)).
    ///
    /// ```
    /// use kubeset_runtime::controller::ObjectRef;
    ///
    /// let node = ObjectRef::new("node-1");
    /// assert_eq!(node.namespace, None);
    /// ```
    pub fn new(name: &str) -> Self {
        Self {
            namespace: None,
            name: name.to_owned(),
        }
    }

    /// The same name in `namespace`.
    ///
    /// ```
    /// use kubeset_runtime::controller::ObjectRef;
    ///
    /// let pod = ObjectRef::new("web-0").within("apps");
    /// assert_eq!(pod.namespace.as_deref(), Some("apps"));
    /// ```
    pub fn within(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_owned());
        self
    }

    /// The reference of `object`; `None` when it has no name.
    ///
    /// ```
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use kubeset_runtime::controller::ObjectRef;
    ///
    /// let mut cm = ConfigMap::default();
    /// cm.metadata.name = Some("settings".into());
    /// cm.metadata.namespace = Some("apps".into());
    /// assert_eq!(ObjectRef::from_object(&cm), Some(ObjectRef::new("settings").within("apps")));
    /// ```
    pub fn from_object<K: Object>(object: &K) -> Option<Self> {
        let name = object.name().filter(|n| !n.is_empty())?;
        Some(Self {
            namespace: object.namespace().map(str::to_owned),
            name: name.to_owned(),
        })
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}/{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}
