//! Untyped access: resources named at run time, objects as `serde_json::Value`.

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource};

use crate::{Api, Client, Error};

/// An object of any kind, as JSON.
pub type DynamicObject = serde_json::Value;

/// Where a kind lives in the API: group, version, kind, plural and scope.
///
/// Get one from [`Discovery`](crate::Discovery), or spell it out.
///
/// ```
/// use kubeset_clientset::ApiResource;
///
/// let deployments = ApiResource::new("apps", "v1", "Deployment", "deployments", true);
/// assert_eq!(deployments.api_version, "apps/v1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ApiResource {
    /// API group (`""` for core).
    pub group: String,
    /// Version (`v1`).
    pub version: String,
    /// `group/version`, or `version` for core.
    pub api_version: String,
    /// Kind (`Deployment`).
    pub kind: String,
    /// URL plural (`deployments`).
    pub plural: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
}

impl ApiResource {
    /// Spells out a resource.
    pub fn new(group: &str, version: &str, kind: &str, plural: &str, namespaced: bool) -> Self {
        let api_version = if group.is_empty() {
            version.to_owned()
        } else {
            format!("{group}/{version}")
        };
        Self {
            group: group.to_owned(),
            version: version.to_owned(),
            api_version,
            kind: kind.to_owned(),
            plural: plural.to_owned(),
            namespaced,
        }
    }

    /// The resource of a namespaced k8s-openapi type.
    pub fn namespaced_of<K: Resource<Scope = NamespaceResourceScope>>() -> Self {
        Self::new(K::GROUP, K::VERSION, K::KIND, K::URL_PATH_SEGMENT, true)
    }

    /// The resource of a cluster-scoped k8s-openapi type.
    pub fn cluster_of<K: Resource<Scope = ClusterResourceScope>>() -> Self {
        Self::new(K::GROUP, K::VERSION, K::KIND, K::URL_PATH_SEGMENT, false)
    }
}

impl Api<DynamicObject> {
    /// A dynamic handle for a namespaced resource in `namespace`.
    ///
    /// ```no_run
    /// use kubeset_clientset::{Api, ApiResource};
    ///
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let deployments = ApiResource::new("apps", "v1", "Deployment", "deployments", true);
    /// let api = Api::dynamic_namespaced(client, &deployments, "apps")?;
    /// for d in api.list(&Default::default()).await? {
    ///     println!("{}", d["metadata"]["name"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn dynamic_namespaced(
        client: Client,
        resource: &ApiResource,
        namespace: &str,
    ) -> Result<Self, Error> {
        if !resource.namespaced {
            return Err(Error::WrongScope {
                kind: resource.kind.clone(),
                actual: "cluster-scoped",
                requested: "namespaced",
            });
        }
        Ok(Self::from_parts(
            client,
            &resource.group,
            &resource.version,
            &resource.plural,
            Some(namespace),
        ))
    }

    /// A dynamic handle for a cluster-scoped resource (an error for a namespaced one).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::{Api, ApiResource, DynamicObject};
    ///
    /// let crds = ApiResource::new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false);
    /// let crds: Api<DynamicObject> = Api::dynamic_cluster(client, &crds)?;
    /// for crd in crds.list(&Default::default()).await? {
    ///     println!("{}", crd["metadata"]["name"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn dynamic_cluster(client: Client, resource: &ApiResource) -> Result<Self, Error> {
        if resource.namespaced {
            return Err(Error::WrongScope {
                kind: resource.kind.clone(),
                actual: "namespaced",
                requested: "cluster-scoped",
            });
        }
        Ok(Self::from_parts(
            client,
            &resource.group,
            &resource.version,
            &resource.plural,
            None,
        ))
    }

    /// A dynamic handle across all namespaces (or the cluster, for cluster-scoped resources).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::{Api, ApiResource, DynamicObject};
    ///
    /// let deployments = ApiResource::new("apps", "v1", "Deployment", "deployments", true);
    /// let all: Api<DynamicObject> = Api::dynamic_all(client, &deployments);
    /// let count = all.list(&Default::default()).await?.items.len();
    /// # Ok(()) }
    /// ```
    pub fn dynamic_all(client: Client, resource: &ApiResource) -> Self {
        Self::from_parts(
            client,
            &resource.group,
            &resource.version,
            &resource.plural,
            None,
        )
    }
}
