//! [`Api<K>`]: the handle for one resource type in one scope.

use std::marker::PhantomData;
use std::sync::Arc;

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};

use crate::{Client, Error};

/// A handle for one resource type in one scope: a namespace, the cluster, or all namespaces.
///
/// Works for every k8s-openapi type and for your own types (custom resources) that implement
/// k8s-openapi's `Resource` and `Metadata` traits. The scope is checked by the type system:
/// [`Api::namespaced`] only compiles for namespaced kinds, [`Api::cluster`] only for
/// cluster-scoped ones. The URL prefix is built once, when the handle is made; cloning is cheap.
///
/// ```no_run
/// use k8s_openapi::api::core::v1::{Node, Pod};
/// use kubeset_clientset::{Api, Client, ListParams};
///
/// # async fn demo(client: Client) -> Result<(), kubeset_clientset::Error> {
/// let pods: Api<Pod> = Api::namespaced(client.clone(), "apps");
/// let nodes: Api<Node> = Api::cluster(client.clone());
/// let every_pod: Api<Pod> = Api::all(client);
/// let running = every_pod.list(&ListParams::default().fields("status.phase=Running")).await?;
/// println!("{} running pods", running.items.len());
/// # Ok(()) }
/// ```
///
/// A cluster-scoped kind has no namespaced handle:
///
/// ```compile_fail
/// use k8s_openapi::api::core::v1::Node;
/// # fn demo(client: kubeset_clientset::Client) {
/// let nodes = kubeset_clientset::Api::<Node>::namespaced(client, "apps");
/// # }
/// ```
pub struct Api<K> {
    pub(crate) client: Client,
    pub(crate) base: Arc<Base>,
    _kind: PhantomData<fn() -> K>,
}

/// What a handle computed once: its collection path and namespace.
#[derive(Debug)]
pub(crate) struct Base {
    /// `/api/v1/namespaces/ns/pods` or `/apis/group/version/plural`.
    pub(crate) collection: String,
    /// The handle's namespace, `None` for cluster scope and all namespaces.
    pub(crate) namespace: Option<String>,
    /// The type's protobuf form, when the client speaks protobuf and the type has one.
    pub(crate) protobuf: Option<crate::protobuf::ProtoType>,
}

impl<K> Clone for Api<K> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            base: Arc::clone(&self.base),
            _kind: PhantomData,
        }
    }
}

impl<K> std::fmt::Debug for Api<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("type", &std::any::type_name::<K>())
            .field("collection", &self.base.collection)
            .finish_non_exhaustive()
    }
}

/// `/api/v1` for the core group, `/apis/{group}/{version}` otherwise.
pub(crate) fn group_prefix(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    }
}

impl<K> Api<K> {
    /// A handle over `collection` (a URL path); used by the typed and dynamic constructors.
    pub(crate) fn from_parts(
        client: Client,
        group: &str,
        version: &str,
        plural: &str,
        namespace: Option<&str>,
    ) -> Self {
        let mut collection = group_prefix(group, version);
        if let Some(ns) = namespace {
            collection.push_str("/namespaces/");
            collection.extend(form_urlencoded::byte_serialize(ns.as_bytes()));
        }
        collection.push('/');
        collection.push_str(plural);
        Self {
            client,
            base: Arc::new(Base {
                collection,
                namespace: namespace.map(str::to_owned),
                protobuf: None,
            }),
            _kind: PhantomData,
        }
    }

    /// The same collection, decoded as `T` (the watcher reads metadata through it).
    pub(crate) fn retyped<T>(&self) -> Api<T> {
        Api {
            client: self.client.clone(),
            base: Arc::clone(&self.base),
            _kind: PhantomData,
        }
    }

    /// The client this handle sends through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The handle's namespace; `None` for cluster-scoped and all-namespaces handles.
    pub fn namespace(&self) -> Option<&str> {
        self.base.namespace.as_deref()
    }

    /// The collection's URL path (`/api/v1/namespaces/apps/pods`).
    pub fn collection_path(&self) -> &str {
        &self.base.collection
    }

    /// The path of object `name` (and `subresource`), or an error for a name that cannot be a
    /// path segment (client-go's `IsValidPathSegmentName`, plus `?` and `#`, which client-go
    /// escapes and which here would start a query or a fragment).
    pub(crate) fn item_path(&self, name: &str, subresource: Option<&str>) -> Result<String, Error> {
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '%', '?', '#']) {
            return Err(Error::InvalidName {
                name: name.to_owned(),
            });
        }
        let sub_len = subresource.map_or(0, |s| s.len() + 1);
        let mut path =
            String::with_capacity(self.base.collection.len() + 1 + name.len() + sub_len + 64);
        path.push_str(&self.base.collection);
        path.push('/');
        path.push_str(name);
        if let Some(sub) = subresource {
            path.push('/');
            path.push_str(sub);
        }
        Ok(path)
    }
}

impl<K: Resource> Api<K> {
    /// A typed handle over `namespace` (or none): protobuf when the client and the type allow.
    fn typed(client: Client, namespace: Option<&str>) -> Self {
        let protobuf = client.protobuf();
        let mut api =
            Self::from_parts(client, K::GROUP, K::VERSION, K::URL_PATH_SEGMENT, namespace);
        if protobuf
            && let Some(proto) = crate::protobuf::ProtoType::of(K::API_VERSION, K::KIND)
            && let Some(base) = Arc::get_mut(&mut api.base)
        {
            base.protobuf = Some(proto);
        }
        api
    }

    /// A handle for a namespaced kind in `namespace`.
    ///
    /// ```no_run
    /// # use k8s_openapi::api::core::v1::ConfigMap;
    /// # fn demo(client: kubeset_clientset::Client) {
    /// let cms = kubeset_clientset::Api::<ConfigMap>::namespaced(client, "apps");
    /// assert_eq!(cms.collection_path(), "/api/v1/namespaces/apps/configmaps");
    /// # }
    /// ```
    pub fn namespaced(client: Client, namespace: &str) -> Self
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        Self::typed(client, Some(namespace))
    }

    /// A handle for a namespaced kind in the client's default namespace.
    pub fn default_namespaced(client: Client) -> Self
    where
        K: Resource<Scope = NamespaceResourceScope>,
    {
        let namespace = client.default_namespace().to_owned();
        Self::namespaced(client, &namespace)
    }

    /// A handle for a cluster-scoped kind.
    ///
    /// ```no_run
    /// # use k8s_openapi::api::storage::v1::StorageClass;
    /// # fn demo(client: kubeset_clientset::Client) {
    /// let classes = kubeset_clientset::Api::<StorageClass>::cluster(client);
    /// assert_eq!(classes.collection_path(), "/apis/storage.k8s.io/v1/storageclasses");
    /// # }
    /// ```
    pub fn cluster(client: Client) -> Self
    where
        K: Resource<Scope = ClusterResourceScope>,
    {
        Self::typed(client, None)
    }

    /// A handle across all namespaces, for `list`, `watch` and `delete_collection`
    /// (a get or create needs a namespaced handle).
    pub fn all(client: Client) -> Self {
        Self::typed(client, None)
    }
}
