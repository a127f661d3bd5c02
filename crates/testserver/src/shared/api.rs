//! Fixed facts of the Kubernetes API that defaulting, admission and validation all need.

use serde_json::{Value, json};

/// The volume source keys of a v1 `Volume`, in the order validation looks at them.
pub(crate) const VOLUME_SOURCES: [&str; 30] = [
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// The `preemptionPolicy` of a class that names none.
pub(crate) const DEFAULT_PREEMPTION: &str = "PreemptLowerPriority";

/// The PriorityClasses every cluster has (kube-apiserver creates them at start-up, with manager
/// `kube-apiserver`): `(name, value, description)`.
pub(crate) const BUILTIN: [(&str, i64, &str); 2] = [
    (
        "system-node-critical",
        2_000_001_000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    (
        "system-cluster-critical",
        2_000_000_000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
];

/// The built-in PriorityClass objects (without server-filled metadata), for the server to store
/// at start-up.
pub(crate) fn builtin_priority_classes() -> Vec<Value> {
    BUILTIN
        .iter()
        .map(|(name, value, description)| {
            json!({
                "kind": "PriorityClass",
                "apiVersion": "scheduling.k8s.io/v1",
                "metadata": {"name": name},
                "value": value,
                "description": description,
                "preemptionPolicy": DEFAULT_PREEMPTION,
            })
        })
        .collect()
}
