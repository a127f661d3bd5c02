//! Named handles for the resources most programs use: `client.pods(ns)`, `client.nodes()`, ...

use crate::{Api, Client};

/// Named handles. Each is `Api::namespaced`/`Api::cluster`/`Api::all` for one type.
///
/// ```no_run
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
/// let pods = client.pods("apps");                 // Api<Pod> in namespace apps
/// let here = client.default_pods();               // ... in the client's default namespace
/// let everywhere = client.all_pods();             // ... across all namespaces
/// let nodes = client.nodes();                     // Api<Node>
/// let pvs = client.persistent_volumes();          // Api<PersistentVolume>
/// let classes = client.storage_classes();         // Api<StorageClass>
/// # Ok(()) }
/// ```
impl Client {
    /// Pods in `namespace`.
    pub fn pods(&self, namespace: &str) -> Api<k8s_openapi::api::core::v1::Pod> {
        Api::namespaced(self.clone(), namespace)
    }

    /// Pods in the client's default namespace.
    pub fn default_pods(&self) -> Api<k8s_openapi::api::core::v1::Pod> {
        Api::default_namespaced(self.clone())
    }

    /// Pods across all namespaces (list, watch).
    pub fn all_pods(&self) -> Api<k8s_openapi::api::core::v1::Pod> {
        Api::all(self.clone())
    }

    /// PersistentVolumeClaims in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::ListParams;
    ///
    /// let pvcs = client.persistent_volume_claims("apps");
    /// let pending: Vec<_> = pvcs
    ///     .list(&ListParams::default().fields("status.phase=Pending"))
    ///     .await?
    ///     .items;
    /// # Ok(()) }
    /// ```
    pub fn persistent_volume_claims(
        &self,
        namespace: &str,
    ) -> Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> {
        Api::namespaced(self.clone(), namespace)
    }

    /// PersistentVolumeClaims in the client's default namespace.
    pub fn default_persistent_volume_claims(
        &self,
    ) -> Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> {
        Api::default_namespaced(self.clone())
    }

    /// PersistentVolumeClaims across all namespaces (list, watch).
    pub fn all_persistent_volume_claims(
        &self,
    ) -> Api<k8s_openapi::api::core::v1::PersistentVolumeClaim> {
        Api::all(self.clone())
    }

    /// ConfigMaps in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let settings = client.config_maps("apps").get_opt("settings").await?;
    /// # Ok(()) }
    /// ```
    pub fn config_maps(&self, namespace: &str) -> Api<k8s_openapi::api::core::v1::ConfigMap> {
        Api::namespaced(self.clone(), namespace)
    }

    /// ConfigMaps in the client's default namespace.
    pub fn default_config_maps(&self) -> Api<k8s_openapi::api::core::v1::ConfigMap> {
        Api::default_namespaced(self.clone())
    }

    /// ConfigMaps across all namespaces (list, watch).
    pub fn all_config_maps(&self) -> Api<k8s_openapi::api::core::v1::ConfigMap> {
        Api::all(self.clone())
    }

    /// Secrets in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let tls = client.secrets("apps").get("web-tls").await?;
    /// let has_cert = tls.data.is_some_and(|d| d.contains_key("tls.crt"));
    /// # Ok(()) }
    /// ```
    pub fn secrets(&self, namespace: &str) -> Api<k8s_openapi::api::core::v1::Secret> {
        Api::namespaced(self.clone(), namespace)
    }

    /// Secrets in the client's default namespace.
    pub fn default_secrets(&self) -> Api<k8s_openapi::api::core::v1::Secret> {
        Api::default_namespaced(self.clone())
    }

    /// Secrets across all namespaces (list, watch).
    pub fn all_secrets(&self) -> Api<k8s_openapi::api::core::v1::Secret> {
        Api::all(self.clone())
    }

    /// ServiceAccounts in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let token = client.service_accounts("apps").create_token("builder", &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub fn service_accounts(
        &self,
        namespace: &str,
    ) -> Api<k8s_openapi::api::core::v1::ServiceAccount> {
        Api::namespaced(self.clone(), namespace)
    }

    /// ServiceAccounts in the client's default namespace.
    pub fn default_service_accounts(&self) -> Api<k8s_openapi::api::core::v1::ServiceAccount> {
        Api::default_namespaced(self.clone())
    }

    /// ServiceAccounts across all namespaces (list, watch).
    pub fn all_service_accounts(&self) -> Api<k8s_openapi::api::core::v1::ServiceAccount> {
        Api::all(self.clone())
    }

    /// Services in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let svc = client.services("apps").get("web").await?;
    /// println!("{:?}", svc.spec.and_then(|s| s.cluster_ip));
    /// # Ok(()) }
    /// ```
    pub fn services(&self, namespace: &str) -> Api<k8s_openapi::api::core::v1::Service> {
        Api::namespaced(self.clone(), namespace)
    }

    /// Services in the client's default namespace.
    pub fn default_services(&self) -> Api<k8s_openapi::api::core::v1::Service> {
        Api::default_namespaced(self.clone())
    }

    /// Services across all namespaces (list, watch).
    pub fn all_services(&self) -> Api<k8s_openapi::api::core::v1::Service> {
        Api::all(self.clone())
    }

    /// core/v1 Events in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::ListParams;
    ///
    /// let warnings = client.events("apps").list(&ListParams::default().fields("type=Warning")).await?;
    /// # Ok(()) }
    /// ```
    pub fn events(&self, namespace: &str) -> Api<k8s_openapi::api::core::v1::Event> {
        Api::namespaced(self.clone(), namespace)
    }

    /// core/v1 Events in the client's default namespace.
    pub fn default_events(&self) -> Api<k8s_openapi::api::core::v1::Event> {
        Api::default_namespaced(self.clone())
    }

    /// core/v1 Events across all namespaces (list, watch).
    pub fn all_events(&self) -> Api<k8s_openapi::api::core::v1::Event> {
        Api::all(self.clone())
    }

    /// Leases (coordination.k8s.io/v1) in `namespace`.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let lease = client.leases("kube-system").get("kube-scheduler").await?;
    /// println!("leader: {:?}", lease.spec.and_then(|s| s.holder_identity));
    /// # Ok(()) }
    /// ```
    pub fn leases(&self, namespace: &str) -> Api<k8s_openapi::api::coordination::v1::Lease> {
        Api::namespaced(self.clone(), namespace)
    }

    /// Leases (coordination.k8s.io/v1) in the client's default namespace.
    pub fn default_leases(&self) -> Api<k8s_openapi::api::coordination::v1::Lease> {
        Api::default_namespaced(self.clone())
    }

    /// Leases (coordination.k8s.io/v1) across all namespaces (list, watch).
    pub fn all_leases(&self) -> Api<k8s_openapi::api::coordination::v1::Lease> {
        Api::all(self.clone())
    }

    /// Nodes (cluster-scoped).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::ListParams;
    ///
    /// let workers = client.nodes().list(&ListParams::default().labels("node-role.kubernetes.io/worker")).await?;
    /// # Ok(()) }
    /// ```
    pub fn nodes(&self) -> Api<k8s_openapi::api::core::v1::Node> {
        Api::cluster(self.clone())
    }

    /// PersistentVolumes (cluster-scoped).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// use kubeset_clientset::ListParams;
    ///
    /// let available = client
    ///     .persistent_volumes()
    ///     .list(&ListParams::default().fields("status.phase=Available"))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn persistent_volumes(&self) -> Api<k8s_openapi::api::core::v1::PersistentVolume> {
        Api::cluster(self.clone())
    }

    /// StorageClasses (storage.k8s.io/v1) (cluster-scoped).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let local = client.storage_classes().get("local-storage").await?;
    /// println!("{}", local.provisioner);
    /// # Ok(()) }
    /// ```
    pub fn storage_classes(&self) -> Api<k8s_openapi::api::storage::v1::StorageClass> {
        Api::cluster(self.clone())
    }

    /// Namespaces (cluster-scoped).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let names: Vec<_> = client
    ///     .namespaces()
    ///     .list(&Default::default())
    ///     .await?
    ///     .items
    ///     .into_iter()
    ///     .filter_map(|ns| ns.metadata.name)
    ///     .collect();
    /// # Ok(()) }
    /// ```
    pub fn namespaces(&self) -> Api<k8s_openapi::api::core::v1::Namespace> {
        Api::cluster(self.clone())
    }

    /// Deployments (apps/v1) in `namespace`; `get_scale`/`scale` read and set their replicas.
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// client.deployments("apps").scale("web", 3).await?;
    /// # Ok(()) }
    /// ```
    pub fn deployments(&self, namespace: &str) -> Api<k8s_openapi::api::apps::v1::Deployment> {
        Api::namespaced(self.clone(), namespace)
    }

    /// Deployments (apps/v1) across all namespaces (list, watch).
    pub fn all_deployments(&self) -> Api<k8s_openapi::api::apps::v1::Deployment> {
        Api::all(self.clone())
    }

    /// ReplicaSets (apps/v1) in `namespace`.
    pub fn replica_sets(&self, namespace: &str) -> Api<k8s_openapi::api::apps::v1::ReplicaSet> {
        Api::namespaced(self.clone(), namespace)
    }

    /// ReplicaSets (apps/v1) across all namespaces (list, watch).
    pub fn all_replica_sets(&self) -> Api<k8s_openapi::api::apps::v1::ReplicaSet> {
        Api::all(self.clone())
    }

    /// StatefulSets (apps/v1) in `namespace`.
    pub fn stateful_sets(&self, namespace: &str) -> Api<k8s_openapi::api::apps::v1::StatefulSet> {
        Api::namespaced(self.clone(), namespace)
    }

    /// StatefulSets (apps/v1) across all namespaces (list, watch).
    pub fn all_stateful_sets(&self) -> Api<k8s_openapi::api::apps::v1::StatefulSet> {
        Api::all(self.clone())
    }
}
