//! Playing the kubelet (and kube-proxy) for one pod: what a program in a pod is given to find
//! its API server and prove who it is.
//!
//! - The pod is created through the API, so the ServiceAccount admission plugin puts the
//!   `kube-api-access-*` projected volume into its spec.
//! - Each source of that volume is filled as the kubelet fills it: the `serviceAccountToken`
//!   through a TokenRequest bound to the pod (its audience and lifetime from the source), the
//!   `configMap` source from the `kube-root-ca.crt` ConfigMap, the `downwardAPI` source from the
//!   pod's own fields; all written with the kubelet's atomic writer.
//! - `KUBERNETES_SERVICE_HOST`/`PORT` come from the `kubernetes` Service; here no kube-proxy
//!   routes its cluster IP, so the demo follows the Service to its Endpoints, as kube-proxy
//!   would, and hands the program that address instead (and says so).

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Node, Pod, ProjectedVolumeSource, Service};
use kubeset_clientset::{Client, Patch, PatchParams, PostParams, TokenParams};
use serde_json::json;

use super::{DemoError, narrate};

/// A pod the demo runs as a local process: its files and environment.
pub(crate) struct PodFiles {
    /// The pod as stored (after admission).
    pub(crate) pod: Pod,
    /// Stands in for `/var/run/secrets/kubernetes.io/serviceaccount`.
    pub(crate) dir: PathBuf,
    /// `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT` and the pod's downward-API env.
    pub(crate) env: Vec<(String, String)>,
    volume: ProjectedVolumeSource,
}

/// The kubelet of one node.
pub(crate) struct Kubelet {
    client: Client,
    node: String,
}

impl Kubelet {
    /// The kubelet of `node`, registering the Node object if the cluster lacks it.
    pub(crate) async fn register(client: &Client, node: &str) -> Result<Self, DemoError> {
        let nodes = client.nodes();
        if nodes.get_opt(node).await?.is_none() {
            let object: Node = serde_json::from_value(json!({
                "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}},
                "status": {
                    "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                    "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                    "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "message": "kubelet is posting ready status"}],
                },
            }))?;
            let created = nodes.create(&PostParams::default(), &object).await?;
            narrate(&format!("registered Node {node} (Ready, 4 CPUs, 8Gi)"));
            // Admission taints a new node not-ready; kube-controller-manager's node lifecycle
            // controller lifts the taint once the kubelet reports Ready. Played here too.
            let taints: Vec<_> = created
                .spec
                .and_then(|s| s.taints)
                .unwrap_or_default()
                .into_iter()
                .filter(|t| t.key != "node.kubernetes.io/not-ready")
                .collect();
            let patch = json!({"spec": {"taints": taints}});
            nodes
                .patch(node, &PatchParams::default(), &Patch::Merge(patch))
                .await?;
        }
        Ok(Self {
            client: client.clone(),
            node: node.to_owned(),
        })
    }

    /// Creates `pod` on this node and fills its ServiceAccount volume under `root`.
    pub(crate) async fn run_pod(
        &self,
        namespace: &str,
        mut pod: Pod,
        root: &Path,
    ) -> Result<PodFiles, DemoError> {
        pod.spec.get_or_insert_with(Default::default).node_name = Some(self.node.clone());
        let pod = self
            .client
            .pods(namespace)
            .create(&PostParams::default(), &pod)
            .await?;
        let name = pod.metadata.name.clone().unwrap_or_default();
        let spec = pod.spec.clone().unwrap_or_default();
        let (volume_name, volume) = spec
            .volumes
            .iter()
            .flatten()
            .find_map(|v| {
                v.projected
                    .as_ref()
                    .filter(|_| v.name.starts_with("kube-api-access-"))
                    .map(|p| (v.name.clone(), p.clone()))
            })
            .ok_or_else(|| {
                DemoError::msg(format!(
                    "pod {namespace}/{name} has no kube-api-access volume: is ServiceAccount admission on?"
                ))
            })?;
        narrate(&format!(
            "pod {namespace}/{name} created on {}; ServiceAccount admission added volume {volume_name}",
            self.node
        ));
        let dir = root.join(&name).join("serviceaccount");
        let files = PodFiles {
            env: self.environment(&pod).await?,
            pod,
            dir,
            volume,
        };
        files.write(&self.client).await?;
        narrate(&format!(
            "wrote token, ca.crt and namespace to {} (..data swapped atomically)",
            files.dir.display()
        ));
        Ok(files)
    }

    /// The service variables, routed as kube-proxy would, and the pod's downward-API env.
    async fn environment(&self, pod: &Pod) -> Result<Vec<(String, String)>, DemoError> {
        let service = self.client.services("default").get("kubernetes").await?;
        let cluster_ip = service_ip(&service);
        let endpoints: Endpoints =
            kubeset_clientset::Api::namespaced(self.client.clone(), "default")
                .get("kubernetes")
                .await?;
        let (host, port) = endpoints
            .subsets
            .iter()
            .flatten()
            .find_map(|s| {
                let ip = s.addresses.as_ref()?.first()?.ip.clone();
                let port = s.ports.as_ref()?.first()?.port;
                Some((ip, port))
            })
            .ok_or_else(|| DemoError::msg("the kubernetes Service has no endpoints"))?;
        narrate(&format!(
            "the kubelet sets KUBERNETES_SERVICE_HOST={cluster_ip}; without kube-proxy here, the demo follows the Service to its endpoint {host}:{port}"
        ));
        let mut env = vec![
            ("KUBERNETES_SERVICE_HOST".to_owned(), host),
            ("KUBERNETES_SERVICE_PORT".to_owned(), port.to_string()),
        ];
        // The downward API: fieldRef values of the first container's env.
        let container = pod
            .spec
            .as_ref()
            .and_then(|s| s.containers.first())
            .cloned()
            .unwrap_or_default();
        for var in container.env.iter().flatten() {
            let value = match var.value_from.as_ref().and_then(|v| v.field_ref.as_ref()) {
                Some(field) => field_value(pod, &field.field_path),
                None => var.value.clone(),
            };
            if let Some(value) = value {
                env.push((var.name.clone(), value));
            }
        }
        Ok(env)
    }
}

impl PodFiles {
    /// Fills (or refreshes) the projected volume: a new token, the CA, the namespace.
    pub(crate) async fn write(&self, client: &Client) -> Result<(), DemoError> {
        let namespace = self.pod.metadata.namespace.clone().unwrap_or_default();
        let name = self.pod.metadata.name.clone().unwrap_or_default();
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        for source in self.volume.sources.iter().flatten() {
            if let Some(token) = &source.service_account_token {
                let sa = self
                    .pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.service_account_name.clone())
                    .unwrap_or_else(|| "default".to_owned());
                let mut params =
                    TokenParams::default().bound_to_pod(&name, self.pod.metadata.uid.as_deref());
                if let Some(seconds) = token.expiration_seconds {
                    params = params.expiration_seconds(seconds);
                }
                if let Some(audience) = token.audience.as_deref().filter(|a| !a.is_empty()) {
                    params = params.audience(audience);
                }
                let issued = client
                    .service_accounts(&namespace)
                    .create_token(&sa, &params)
                    .await?;
                files.push((
                    token.path.clone(),
                    issued.token.expose().clone().into_bytes(),
                ));
            }
            if let Some(cm) = &source.config_map {
                let map: ConfigMap = client.config_maps(&namespace).get(&cm.name).await?;
                for item in cm.items.iter().flatten() {
                    let value = map
                        .data
                        .as_ref()
                        .and_then(|d| d.get(&item.key))
                        .cloned()
                        .unwrap_or_default();
                    files.push((item.path.clone(), value.into_bytes()));
                }
            }
            if let Some(downward) = &source.downward_api {
                for item in downward.items.iter().flatten() {
                    let value = item
                        .field_ref
                        .as_ref()
                        .and_then(|f| field_value(&self.pod, &f.field_path))
                        .unwrap_or_default();
                    files.push((item.path.clone(), value.into_bytes()));
                }
            }
        }
        let files: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_slice()))
            .collect();
        kubeset_testserver::write_projected(&self.dir, &files)
            .map_err(|e| DemoError::msg(format!("cannot write {}: {e}", self.dir.display())))
    }

    /// The pod's environment for a child process.
    pub(crate) fn env(&self) -> impl Iterator<Item = (&str, &str)> {
        self.env.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The pod a workload's controller would create from its template: a DaemonSet's pod is
/// owned by the DaemonSet; a Deployment's would be owned by a ReplicaSet, which no controller
/// makes here, so it has no owner.
pub(crate) fn pod_from_template(workload: &serde_json::Value) -> Result<Pod, DemoError> {
    let name = workload["metadata"]["name"].as_str().unwrap_or("workload");
    let mut template = workload["spec"]["template"].clone();
    template["metadata"]["generateName"] = json!(format!("{name}-"));
    if workload["kind"] == "DaemonSet" {
        template["metadata"]["ownerReferences"] = json!([{
            "apiVersion": "apps/v1", "kind": "DaemonSet", "name": name,
            "uid": workload["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true,
        }]);
    }
    Ok(serde_json::from_value(template)?)
}

fn service_ip(service: &Service) -> String {
    service
        .spec
        .as_ref()
        .and_then(|s| s.cluster_ip.clone())
        .unwrap_or_default()
}

/// A downward-API field of `pod`.
fn field_value(pod: &Pod, path: &str) -> Option<String> {
    let spec = pod.spec.as_ref();
    match path {
        "metadata.name" => pod.metadata.name.clone(),
        "metadata.namespace" => pod.metadata.namespace.clone(),
        "metadata.uid" => pod.metadata.uid.clone(),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
        _ => None,
    }
}
