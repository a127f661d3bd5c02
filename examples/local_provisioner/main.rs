//! `local_provisioner`: a local static provisioner, one per node (a DaemonSet), behaving like
//! kubernetes-sigs/sig-storage-local-static-provisioner.
//!
//! **What it does.** For its own node (`NODE_NAME`, from the downward API) it lists each
//! configured discovery directory; every directory in it (a mount point is one) is a volume,
//! and gets one PersistentVolume:
//! - name `local-pv-<fnv1a32(entry, node, class)>` (upstream's, so names survive restarts);
//! - `spec.local.path` = `<hostDir>/<entry>`, node affinity `kubernetes.io/hostname In
//!   [<the node's hostname label>]`, capacity = the size of the filesystem holding it (statvfs,
//!   rounded down to whole GiB or MiB as upstream), `ReadWriteOnce`, the class's reclaim policy
//!   and mount options (read from the StorageClass), the configured volume mode and fsType;
//! - annotation `pv.kubernetes.io/provisioned-by: local-volume-provisioner-<node>-<node uid>`
//!   (`...-<node>` with `useNodeNameOnly`), labels from `labelsForPV` and the node labels
//!   named in `nodeLabelsForPV`.
//!
//! It watches PVs through a shared informer whose store is indexed by node (from the node
//! affinity). When one of its PVs (annotation *and* node) is `Released` with policy `Delete`,
//! it empties the volume (only inside its discovery directory, never following a symlink) and
//! deletes the PV (with a uid precondition); the next discovery creates it afresh. PVs it did
//! not create are never touched. A volume directory that vanished under a PV is reported with
//! a Warning Event `VolumeMissing` and a log line; the PV is kept (the disk may come back).
//! Events (`events.k8s.io/v1`, in namespace `default` as PVs are cluster-scoped):
//! `Provisioned`, `VolumeDeleted`, `VolumeFailedDelete`, `VolumeMissing`, about the PV.
//!
//! **Configuration** (`--config`, default `/etc/provisioner/config/config.yaml`, a ConfigMap
//! key; the same keys as upstream's ConfigMap, in one YAML document):
//!
//! ```yaml
//! storageClassMap:
//!   local-storage:               # the StorageClass (it must exist; its reclaimPolicy is used)
//!     hostDir: /mnt/disks        # the discovery directory on the host
//!     mountDir: /mnt/disks       # where the container sees it (default: hostDir)
//!     volumeMode: Filesystem     # the default and the only mode supported here
//!     fsType: ext4               # optional: spec.local.fsType
//! nodeLabelsForPV: [topology.kubernetes.io/zone]   # optional
//! labelsForPV: {team: storage}                     # optional
//! useNodeNameOnly: false                           # optional
//! ```
//!
//! **Flags.** `--config FILE`; `--discovery-interval SECONDS` (default 10, upstream's
//! discovery period); `--service-account-dir DIR` (default
//! `/var/run/secrets/kubernetes.io/serviceaccount`) exists only so the demo and the tests can
//! run it outside a pod, with the files a kubelet would write. It always uses the in-cluster
//! configuration (`KUBERNETES_SERVICE_HOST`/`PORT` and those files), never a kubeconfig.
//!
//! **RBAC** (`examples/deploy/local_provisioner/`): the ServiceAccount is bound to the
//! bootstrap ClusterRole `system:persistent-volume-provisioner` (PVs create/delete/get/list/
//! watch, storageclasses get, events create/patch) and to a ClusterRole with `get` on `nodes`
//! (the node's uid and labels), exactly as upstream. At start-up it asks the API server
//! (SelfSubjectAccessReviews) for each permission it uses and, if one is missing, prints the
//! rule that would grant it and exits 1.
//!
//! **Lifetime.** The PV watch resumes after connections drop and re-lists after `410 Gone`;
//! the token file is re-read when the kubelet rotates it. SIGTERM (or SIGINT) stops it: the
//! queued Events are flushed (for at most five seconds) and it exits 0.
//!
//! **Compared with upstream.** Same PV names, fields, annotation, ownership rules and
//! serial discovery/deleter design. Not here: `Block` volume mode and block cleaning
//! (job- or script-based), the mount-point requirement for `Filesystem` entries (any directory
//! is a volume, as the demo has no mounts), `namePattern`, owner references to the Node,
//! metrics, and the `setPVOwnerRef`/`minResyncPeriod` knobs.
//!
//! ```text
//! cargo run --example local_provisioner -- --config provisioner.yaml \
//!     --service-account-dir /tmp/sa      # plus NODE_NAME and KUBERNETES_SERVICE_HOST/PORT
//! ```

mod clean;
mod config;
mod provisioner;
mod volume;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kubeset::clientset::{Client, Permission};
use kubeset::config::{ProcessEnv, incluster};
use kubeset::runtime::events::{EventRecorder, Reporter};

use crate::config::Config;
use crate::provisioner::{Identity, Provisioner};

/// A local static provisioner for this node.
#[derive(Debug, Parser)]
struct Args {
    /// The configuration file (upstream's ConfigMap keys).
    #[arg(long, default_value = "/etc/provisioner/config/config.yaml")]
    config: PathBuf,
    /// Seconds between two discoveries.
    #[arg(long, default_value_t = 10.0)]
    discovery_interval: f64,
    /// Where the ServiceAccount's token, ca.crt and namespace are (outside a pod only).
    #[arg(long, default_value = incluster::SERVICE_ACCOUNT_DIR)]
    service_account_dir: PathBuf,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            let mut source = err.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// Every request the provisioner makes, as RBAC sees it.
fn permissions(node: &str) -> Vec<Permission> {
    let mut needed = vec![Permission::new("get", "nodes").name(node)];
    for verb in ["create", "delete", "get", "list", "watch"] {
        needed.push(Permission::new(verb, "persistentvolumes"));
    }
    needed.push(Permission::new("get", "storageclasses").group("storage.k8s.io"));
    // Events about cluster-scoped objects live in `default`.
    for verb in ["create", "patch"] {
        needed.push(
            Permission::new(verb, "events")
                .group("events.k8s.io")
                .namespace("default"),
        );
    }
    needed
}

async fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let args = Args::parse();
    let node_name = std::env::var("NODE_NAME")
        .map_err(|_| "NODE_NAME is not set (the DaemonSet sets it from spec.nodeName)")?;
    let config = Config::load(&args.config)?;
    let client = Client::new(incluster::load_from(
        &ProcessEnv,
        &args.service_account_dir,
    )?)?;

    let missing = client.missing_permissions(&permissions(&node_name)).await?;
    if !missing.is_empty() {
        let me = client.whoami().await?;
        let user = me.username.as_deref().unwrap_or("<unknown>");
        eprintln!(
            "error: {user} lacks {} permission(s) it needs:",
            missing.len()
        );
        for permission in &missing {
            eprintln!(
                "- {permission}; a rule that allows it:\n{}",
                permission.rule_yaml()
            );
        }
        eprintln!("see examples/deploy/local_provisioner/rbac.yaml");
        return Ok(ExitCode::FAILURE);
    }

    let node = match client.nodes().get(&node_name).await {
        Ok(node) => node,
        Err(err) => return Err(client.explain_forbidden(err).await.into()),
    };
    let node_labels = node.metadata.labels.clone().unwrap_or_default();
    let hostname = node_labels
        .get(volume::HOSTNAME_LABEL)
        .cloned()
        .unwrap_or_else(|| node_name.clone());
    let provisioner = if config.use_node_name_only {
        format!("local-volume-provisioner-{node_name}")
    } else {
        let uid = node.metadata.uid.as_deref().unwrap_or_default();
        format!("local-volume-provisioner-{node_name}-{uid}")
    };
    let mut labels: BTreeMap<String, String> = config
        .node_labels_for_pv
        .iter()
        .filter_map(|key| Some((key.clone(), node_labels.get(key)?.clone())))
        .collect();
    labels.extend(config.labels_for_pv.clone());
    println!("local provisioner {provisioner} on node {node_name} (hostname {hostname})");

    let recorder = EventRecorder::new(
        client.clone(),
        Reporter::new("local-volume-provisioner", provisioner.clone()),
    );
    let me = Identity {
        node: node_name,
        hostname,
        provisioner,
        labels,
    };
    let informer = Provisioner::informer(&client);
    let period = Duration::try_from_secs_f64(args.discovery_interval)?;
    Provisioner::new(client, config, me, recorder.clone(), &informer)
        .run(informer, period, shutdown())
        .await;
    println!("stopping: flushing events");
    let _ = tokio::time::timeout(Duration::from_secs(5), recorder.flush()).await;
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Resolves on SIGTERM (the kubelet stopping the pod) or SIGINT.
async fn shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(err) => {
            eprintln!("warning: cannot listen for SIGTERM ({err}); stopping on SIGINT only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
