//! PersistentVolumes (`pkg/api/persistentvolume/util.go` `GetWarningsForPersistentVolume`),
//! PersistentVolumeClaims and claim templates (`pkg/api/persistentvolumeclaim/util.go`),
//! StorageClasses and CSIStorageCapacities (`pkg/api/storage/util.go`).

use serde_json::Value;

use super::{has, items, node, pod::fractional_bytes, str_at};

/// `core.BetaStorageClassAnnotation`.
const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `deprecatedStorageClassAnnotationsMsg`.
const BETA_STORAGE_CLASS_MSG: &str =
    "deprecated since v1.8; use \"storageClassName\" attribute instead";

fn beta_storage_class(obj: &Value) -> Option<String> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(BETA_STORAGE_CLASS))
        .map(|_| format!("metadata.annotations[{BETA_STORAGE_CLASS}]: {BETA_STORAGE_CLASS_MSG}"))
}

/// `GetWarningsForPersistentVolume`.
pub(crate) fn persistent_volume(pv: &Value) -> Vec<String> {
    let spec = pv.get("spec").unwrap_or(&Value::Null);
    let mut warnings: Vec<String> = beta_storage_class(pv).into_iter().collect();
    if str_at(spec, "/persistentVolumeReclaimPolicy") == "Recycle" {
        warnings.push("spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.".to_owned());
    }
    let terms = items(spec, "/nodeAffinity/required/nodeSelectorTerms");
    for (i, term) in terms.iter().enumerate() {
        let path = format!("spec.nodeAffinity.required.nodeSelectorTerms[{i}]");
        warnings.extend(node::selector_term(term, &path));
    }
    for (plugin, shown, msg) in [
        (
            "cephfs",
            "cephfs",
            "deprecated in v1.28, non-functional in v1.31+",
        ),
        (
            "photonPersistentDisk",
            "photonPersistentDisk",
            "deprecated in v1.11, non-functional in v1.16+",
        ),
        (
            "scaleIO",
            "scaleIO",
            "deprecated in v1.16, non-functional in v1.22+",
        ),
        (
            "storageos",
            "storageOS",
            "deprecated in v1.22, non-functional in v1.25+",
        ),
        (
            "glusterfs",
            "glusterfs",
            "deprecated in v1.25, non-functional in v1.26+",
        ),
        (
            "rbd",
            "rbd",
            "deprecated in v1.28, non-functional in v1.31+",
        ),
    ] {
        if has(spec, plugin) {
            warnings.push(format!("spec.{shown}: {msg}"));
        }
    }
    warnings
}

/// `GetWarningsForPersistentVolumeClaim`.
pub(crate) fn persistent_volume_claim(pvc: &Value) -> Vec<String> {
    let mut warnings: Vec<String> = beta_storage_class(pvc).into_iter().collect();
    warnings.extend(claim_spec("spec", pvc.get("spec").unwrap_or(&Value::Null)));
    warnings
}

/// `GetWarningsForPersistentVolumeClaimSpec` of the claim spec at `path`: fractional storage
/// requests and limits.
pub(crate) fn claim_spec(path: &str, spec: &Value) -> Vec<String> {
    ["requests", "limits"]
        .iter()
        .filter_map(|kind| {
            let at = format!("{path}.resources.{kind}[storage]");
            fractional_bytes(spec.pointer(&format!("/resources/{kind}/storage")), &at)
        })
        .collect()
}

/// `GetWarningsForStorageClass`: deprecated node labels in `allowedTopologies`.
pub(crate) fn storage_class(sc: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    for (i, topology) in items(sc, "/allowedTopologies").iter().enumerate() {
        for (j, expression) in items(topology, "/matchLabelExpressions").iter().enumerate() {
            if let Some(msg) = node::deprecated_label(str_at(expression, "/key")) {
                warnings.push(format!(
                    "allowedTopologies[{i}].matchLabelExpressions[{j}].key: {msg}"
                ));
            }
        }
    }
    warnings
}

/// `GetWarningsForCSIStorageCapacity`: deprecated node labels in `nodeTopology`.
pub(crate) fn csi_storage_capacity(capacity: &Value) -> Vec<String> {
    match capacity.get("nodeTopology") {
        Some(topology) if !topology.is_null() => node::label_selector(topology, "nodeTopology"),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `GetWarningsForPersistentVolume`: the beta annotation, Recycle, node affinity and the
    /// removed plugins, in Go's order.
    #[test]
    fn persistent_volumes() {
        let pv = json!({"metadata": {"annotations": {"volume.beta.kubernetes.io/storage-class": "fast"}},
            "spec": {"persistentVolumeReclaimPolicy": "Recycle", "storageos": {},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "failure-domain.beta.kubernetes.io/zone", "operator": "Exists"}]}]}}}});
        assert_eq!(
            persistent_volume(&pv),
            [
                "metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use \"storageClassName\" attribute instead",
                "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning.",
                "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
                "spec.storageOS: deprecated in v1.22, non-functional in v1.25+",
            ]
        );
        assert!(
            persistent_volume(&json!({"spec": {"persistentVolumeReclaimPolicy": "Retain"}}))
                .is_empty()
        );
    }

    /// `GetWarningsForPersistentVolumeClaimSpec`: fractional storage, in canonical form.
    #[test]
    fn claims_with_fractional_storage() {
        let pvc = json!({"spec": {"resources": {"requests": {"storage": "1500m"}, "limits": {"storage": "2Gi"}}}});
        assert_eq!(
            persistent_volume_claim(&pvc),
            [
                "spec.resources.requests[storage]: fractional byte value \"1500m\" is invalid, must be an integer"
            ]
        );
    }

    /// `GetWarningsForStorageClass` and `GetWarningsForCSIStorageCapacity`.
    #[test]
    fn storage_classes_and_capacities() {
        let sc = json!({"allowedTopologies": [{"matchLabelExpressions": [
            {"key": "failure-domain.beta.kubernetes.io/region", "values": ["r"]}]}]});
        assert_eq!(
            storage_class(&sc),
            [
                "allowedTopologies[0].matchLabelExpressions[0].key: deprecated since v1.17; use \"topology.kubernetes.io/region\" instead"
            ]
        );
        let csc = json!({"nodeTopology": {"matchExpressions": [
            {"key": "beta.kubernetes.io/arch", "operator": "Exists"}]}});
        assert_eq!(
            csi_storage_capacity(&csc),
            [
                "nodeTopology.matchExpressions[0].key: beta.kubernetes.io/arch is deprecated since v1.14; use \"kubernetes.io/arch\" instead"
            ]
        );
    }
}
