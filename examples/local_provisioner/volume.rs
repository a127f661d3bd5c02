//! What a local PV of this provisioner looks like: its name, its fields, how it is recognised.

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::api::core::v1::{
    LocalVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PersistentVolume,
    PersistentVolumeSpec, VolumeNodeAffinity,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The annotation naming the provisioner of a PV.
pub(crate) const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// The node label the PVs' node affinity uses.
pub(crate) const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";

/// Upstream's deterministic name: `local-pv-` and the FNV-1a 32-bit hash of the entry's file
/// name, the node name and the class, so a restarted provisioner finds its PVs again.
pub(crate) fn pv_name(file: &str, node: &str, class: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in [file, node, class].iter().flat_map(|s| s.bytes()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("local-pv-{hash:x}")
}

/// The size of the filesystem holding `path` (statvfs), rounded down as upstream does.
pub(crate) fn capacity(path: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(path)?;
    Ok(round_down_pretty(
        stat.f_blocks.saturating_mul(stat.f_frsize),
    ))
}

/// Rounds down to whole GiB, else whole MiB, when that still leaves at least ten units.
pub(crate) fn round_down_pretty(bytes: u64) -> u64 {
    for unit in [1u64 << 30, 1 << 20] {
        if bytes / unit >= 10 {
            return bytes / unit * unit;
        }
    }
    bytes
}

/// Everything a new PV is made from.
pub(crate) struct NewVolume<'a> {
    pub(crate) name: String,
    pub(crate) host_path: &'a Path,
    pub(crate) capacity: u64,
    pub(crate) class: &'a str,
    pub(crate) reclaim_policy: String,
    pub(crate) volume_mode: &'a str,
    pub(crate) fs_type: Option<&'a str>,
    pub(crate) mount_options: Option<Vec<String>>,
    pub(crate) provisioner: &'a str,
    pub(crate) hostname: &'a str,
    pub(crate) labels: BTreeMap<String, String>,
}

impl NewVolume<'_> {
    /// The PV to create.
    pub(crate) fn build(self) -> PersistentVolume {
        let affinity = VolumeNodeAffinity {
            required: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: HOSTNAME_LABEL.to_owned(),
                        operator: "In".to_owned(),
                        values: Some(vec![self.hostname.to_owned()]),
                    }]),
                    match_fields: None,
                }],
            }),
        };
        PersistentVolume {
            metadata: ObjectMeta {
                name: Some(self.name),
                annotations: Some(BTreeMap::from([(
                    PROVISIONED_BY.to_owned(),
                    self.provisioner.to_owned(),
                )])),
                labels: (!self.labels.is_empty()).then_some(self.labels),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeSpec {
                capacity: Some(BTreeMap::from([(
                    "storage".to_owned(),
                    Quantity(self.capacity.to_string()),
                )])),
                local: Some(LocalVolumeSource {
                    path: self.host_path.display().to_string(),
                    fs_type: self.fs_type.map(str::to_owned),
                }),
                access_modes: Some(vec!["ReadWriteOnce".to_owned()]),
                persistent_volume_reclaim_policy: Some(self.reclaim_policy),
                storage_class_name: Some(self.class.to_owned()),
                volume_mode: Some(self.volume_mode.to_owned()),
                mount_options: self.mount_options,
                node_affinity: Some(affinity),
                ..PersistentVolumeSpec::default()
            }),
            status: None,
        }
    }
}

/// The `kubernetes.io/hostname` values of a PV's required node affinity (the index key).
pub(crate) fn hostnames(pv: &PersistentVolume) -> Vec<String> {
    let terms = pv
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref())
        .map(|r| r.node_selector_terms.as_slice())
        .unwrap_or_default();
    terms
        .iter()
        .flat_map(|t| t.match_expressions.iter().flatten())
        .filter(|e| e.key == HOSTNAME_LABEL && e.operator == "In")
        .flat_map(|e| e.values.iter().flatten().cloned())
        .collect()
}

/// Whether `pv` was made by `provisioner` (the annotation is the proof; the node index only
/// narrows the search).
pub(crate) fn is_ours(pv: &PersistentVolume, provisioner: &str) -> bool {
    pv.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(PROVISIONED_BY))
        .is_some_and(|p| p == provisioner)
}

/// `Released` with reclaim policy `Delete`: the volume is to be cleaned and the PV deleted.
pub(crate) fn is_released_for_delete(pv: &PersistentVolume) -> bool {
    let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref());
    let policy = pv
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref());
    phase == Some("Released") && policy == Some("Delete")
}

/// The PV's `spec.local.path`.
pub(crate) fn local_path(pv: &PersistentVolume) -> Option<&str> {
    pv.spec
        .as_ref()
        .and_then(|s| s.local.as_ref())
        .map(|l| l.path.as_str())
}

/// The PV's storage class.
pub(crate) fn class(pv: &PersistentVolume) -> Option<&str> {
    pv.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_fnv1a_of_file_node_and_class() {
        // FNV-1a 32 of the empty input is the offset basis.
        assert_eq!(pv_name("", "", ""), "local-pv-811c9dc5");
        // FNV-1a 32 of "a" is 0xe40c292c.
        assert_eq!(pv_name("a", "", ""), "local-pv-e40c292c");
        assert_eq!(pv_name("", "", "a"), pv_name("a", "", ""));
        assert_ne!(pv_name("vol1", "n1", "c"), pv_name("vol1", "n2", "c"));
    }

    #[test]
    fn capacities_round_down_to_readable_units() {
        assert_eq!(round_down_pretty((10 << 30) + 5), 10 << 30);
        assert_eq!(round_down_pretty((9 << 30) + 5), 9 << 30);
        assert_eq!(round_down_pretty(5), 5);
    }
}
