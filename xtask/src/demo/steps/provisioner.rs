//! The local static provisioner, deployed from its manifests and run as its DaemonSet's pod:
//! PVs for the volumes it discovers, an explained 403 when a rule is taken away, a token
//! rotation, and a released volume cleaned and offered again.

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use kubeset_clientset::{Api, DeleteParams, ListParams, PostParams};
use serde_json::json;

use super::NODE;
use crate::demo::cluster::Cluster;
use crate::demo::kubelet::{self, Kubelet, PodFiles};
use crate::demo::manifests;
use crate::demo::process::{Program, workspace_root};
use crate::demo::{DemoError, narrate, title};

const NAMESPACE: &str = "local-storage";
const NODE_BINDING: &str = "local-storage-provisioner-node-binding";
const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// What the provisioner prints once its PV cache synced.
const READY: &str = "PV cache ready";

/// The provisioner's pod, its files and its configuration.
struct Deployed {
    files: PodFiles,
    config: PathBuf,
    discovery: PathBuf,
}

impl Deployed {
    fn start(&self) -> Result<Program, DemoError> {
        let dir = self.files.dir.display().to_string();
        let config = self.config.display().to_string();
        let args = [
            "--config",
            config.as_str(),
            "--service-account-dir",
            dir.as_str(),
            "--discovery-interval",
            "1",
        ];
        Program::start("local_provisioner", &args, self.files.env())
    }
}

pub(crate) async fn run(cluster: &Cluster, step: usize) -> Result<(), DemoError> {
    title(
        step,
        "a local static provisioner, one per node (examples/local_provisioner/)",
    );
    let deployed = deploy(cluster).await?;
    let provisioner = deployed.start()?;
    provisioner
        .wait_for_output(READY, Duration::from_secs(60))
        .await?;
    let pvs = wait_for_pvs(cluster, 3).await?;
    narrate("the provisioner created one PersistentVolume per directory:");
    for pv in &pvs {
        narrate(&format!("  {}", describe(pv)));
    }

    title(
        step + 1,
        "least privilege: a rule taken away, and exactly that rule named",
    );
    let bindings: Api<ClusterRoleBinding> = Api::cluster(cluster.client.clone());
    let binding = bindings.get(NODE_BINDING).await?;
    narrate(&format!(
        "the container is restarted (SIGTERM, as on an upgrade) after ClusterRoleBinding {NODE_BINDING} was deleted:"
    ));
    let stopped = provisioner.terminate(Duration::from_secs(30)).await?;
    narrate(&format!("it stopped cleanly: {}", stopped.status));
    bindings
        .delete(NODE_BINDING, &DeleteParams::default())
        .await?;
    let refused = deployed.start()?.wait(Duration::from_secs(60)).await?;
    if refused.status.success() || !refused.printed("nodes") {
        return Err(DemoError::msg(
            "the provisioner did not refuse to start without permission to read its node",
        ));
    }
    narrate(&format!(
        "it refused to start ({}) and named the rule it lacks; the binding is restored:",
        refused.status
    ));
    let mut restored = binding.clone();
    restored.metadata = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: binding.metadata.name.clone(),
        ..Default::default()
    };
    bindings.create(&PostParams::default(), &restored).await?;
    let provisioner = deployed.start()?;
    provisioner
        .wait_for_output(READY, Duration::from_secs(60))
        .await?;
    wait_for_pvs(cluster, 3).await?;
    narrate("running again; its three volumes are still there");

    title(
        step + 2,
        "a token rotation, and a released volume cleaned and offered again",
    );
    if let Some(server) = &cluster.server {
        // Every token issued until now stops working (a fault of the test server): only a
        // token rotated into the file afterwards can carry on.
        server.faults().expire_tokens();
        let revoked = std::time::SystemTime::now();
        while revoked.elapsed().unwrap_or_default() < Duration::from_millis(1100) {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        narrate("the API server stops accepting the provisioner's token");
    }
    deployed.files.write(&cluster.client).await?;
    narrate(
        "the kubelet rotates a new token into the file (..data swapped); the provisioner is not restarted",
    );
    release_one(cluster, &deployed).await?;
    let stopped = provisioner.terminate(Duration::from_secs(30)).await?;
    if !stopped.status.success() {
        return Err(DemoError::msg(format!(
            "the provisioner did not stop cleanly on SIGTERM: {}",
            stopped.status
        )));
    }
    narrate(&format!(
        "SIGTERM: the provisioner flushed its Events and stopped: {}",
        stopped.status
    ));
    Ok(())
}

/// Applies the manifests and plays the DaemonSet controller and the kubelet for this node.
async fn deploy(cluster: &Cluster) -> Result<Deployed, DemoError> {
    let dir = workspace_root().join("examples/deploy/local_provisioner");
    let objects = manifests::read_dir(&dir)?;
    let applied = manifests::apply(&cluster.client, NAMESPACE, &objects).await?;
    narrate(&format!(
        "applied {}: {}",
        dir.strip_prefix(workspace_root()).unwrap_or(&dir).display(),
        applied
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let daemonset = applied
        .iter()
        .find(|a| a.name.starts_with("DaemonSet/"))
        .ok_or_else(|| DemoError::msg("the manifests have no DaemonSet"))?;
    let config_map = applied
        .iter()
        .find(|a| a.name.starts_with("ConfigMap/"))
        .ok_or_else(|| DemoError::msg("the manifests have no ConfigMap"))?;

    // The host's discovery directory, with three volumes in it.
    let discovery = cluster.scratch.path().join("mnt-disks");
    for volume in ["vol1", "vol2", "vol3"] {
        std::fs::create_dir_all(discovery.join(volume))
            .map_err(|e| DemoError::msg(format!("cannot create {volume}: {e}")))?;
    }
    // The ConfigMap volume, as the kubelet mounts it, with the host path moved to scratch.
    let config_text = config_map.object["data"]["config.yaml"]
        .as_str()
        .unwrap_or_default()
        .replace("/mnt/disks", &discovery.display().to_string());
    let config = cluster.scratch.path().join("provisioner-config.yaml");
    std::fs::write(&config, config_text)
        .map_err(|e| DemoError::msg(format!("cannot write {}: {e}", config.display())))?;

    let kubelet = Kubelet::register(&cluster.client, NODE).await?;
    let pod = kubelet::pod_from_template(&daemonset.object)?;
    let files = kubelet
        .run_pod(NAMESPACE, pod, cluster.scratch.path())
        .await?;
    narrate(&format!(
        "host directory {} holds vol1, vol2, vol3; the program runs with NODE_NAME={NODE}, the service variables and those files only",
        discovery.display()
    ));
    Ok(Deployed {
        files,
        config,
        discovery,
    })
}

/// Waits until `count` PVs of the provisioner exist and are Available.
async fn wait_for_pvs(cluster: &Cluster, count: usize) -> Result<Vec<PersistentVolume>, DemoError> {
    let pvs = cluster.client.persistent_volumes();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ours: Vec<PersistentVolume> = pvs
            .list(&ListParams::default())
            .await?
            .items
            .into_iter()
            .filter(|pv| {
                pv.metadata
                    .annotations
                    .as_ref()
                    .is_some_and(|a| a.contains_key(PROVISIONED_BY))
                    && phase(pv) == "Available"
            })
            .collect();
        if ours.len() >= count {
            return Ok(ours);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::msg(format!(
                "{} of {count} PVs appeared within a minute",
                ours.len()
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A claim binds one volume, a file is written into it, the claim goes away: the binder
/// releases the volume, the provisioner empties it and creates its PV afresh.
async fn release_one(cluster: &Cluster, deployed: &Deployed) -> Result<(), DemoError> {
    let claim: PersistentVolumeClaim = serde_json::from_value(json!({
        "metadata": {"name": "data", "annotations": {"volume.kubernetes.io/selected-node": NODE}},
        "spec": {"storageClassName": "local-storage", "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Mi"}}},
    }))?;
    let claims = cluster.client.persistent_volume_claims("default");
    claims.create(&PostParams::default(), &claim).await?;
    let volume = wait_for_claim(cluster, "data").await?;
    let pv = cluster.client.persistent_volumes().get(&volume).await?;
    let path = pv
        .spec
        .as_ref()
        .and_then(|s| s.local.as_ref())
        .map(|l| PathBuf::from(&l.path))
        .unwrap_or_default();
    let uid = pv.metadata.uid.clone().unwrap_or_default();
    narrate(&format!(
        "claim default/data is bound to {volume} ({}); the pod using it writes a file",
        path.display()
    ));
    let written = local_path(&deployed.discovery, &path).join("written-by-a-pod.txt");
    std::fs::write(&written, "data")
        .map_err(|e| DemoError::msg(format!("cannot write {}: {e}", written.display())))?;
    claims.delete("data", &DeleteParams::default()).await?;
    narrate("the claim is deleted: the binder marks the volume Released (reclaim policy Delete)");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let current = cluster.client.persistent_volumes().get_opt(&volume).await?;
        if let Some(pv) = current
            && pv.metadata.uid.as_deref() != Some(uid.as_str())
            && phase(&pv) == "Available"
        {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::msg(format!(
                "{volume} was not cleaned and created afresh within a minute"
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if written.exists() {
        return Err(DemoError::msg(format!(
            "{} survived the cleaning",
            written.display()
        )));
    }
    narrate(&format!(
        "the provisioner emptied the volume and created {volume} afresh (a new uid), Available again"
    ));
    Ok(())
}

/// Waits for claim `name` to be bound; the volume's name.
async fn wait_for_claim(cluster: &Cluster, name: &str) -> Result<String, DemoError> {
    let claims = cluster.client.persistent_volume_claims("default");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let claim = claims.get(name).await?;
        let bound = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
        if let Some(volume) = claim
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.clone())
            .filter(|_| bound)
        {
            return Ok(volume);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::msg(format!(
                "claim {name} was not bound within a minute"
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The host path of a volume: the PV names it as the host sees it.
fn local_path(discovery: &Path, pv_path: &Path) -> PathBuf {
    match pv_path.file_name() {
        Some(entry) => discovery.join(entry),
        None => pv_path.to_path_buf(),
    }
}

fn phase(pv: &PersistentVolume) -> &str {
    pv.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

/// `name  capacity  path  node  phase`.
fn describe(pv: &PersistentVolume) -> String {
    let spec = pv.spec.clone().unwrap_or_default();
    let capacity = spec
        .capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .map(|q| q.0.clone())
        .unwrap_or_default();
    let path = spec.local.map(|l| l.path).unwrap_or_default();
    let node = spec
        .node_affinity
        .and_then(|a| a.required)
        .and_then(|r| r.node_selector_terms.into_iter().next())
        .and_then(|t| t.match_expressions)
        .and_then(|e| e.into_iter().next())
        .and_then(|e| e.values)
        .and_then(|v| v.into_iter().next())
        .unwrap_or_default();
    format!(
        "{}  {capacity}  {path}  node={node}  {}",
        pv.metadata.name.as_deref().unwrap_or(""),
        phase(pv)
    )
}
