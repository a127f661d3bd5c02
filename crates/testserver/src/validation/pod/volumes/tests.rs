use serde_json::json;

use super::*;
use crate::validation::pod::volume_list::{PodOf, source};

fn errs(volume: Value) -> Vec<String> {
    source(&volume, "spec.volumes[0]", PodOf { name: Some("p") })
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// `validateVolumeSource` (emptyDir sizeLimit) and `validateHostPathVolumeSource`
/// (`validatePathNoBacksteps`, `validateHostPathType`).
#[test]
fn empty_dir_and_host_path() {
    assert_eq!(
        errs(json!({"emptyDir": {"sizeLimit": "-1Gi"}})),
        [
            "spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity"
        ]
    );
    assert!(errs(json!({"emptyDir": {"sizeLimit": "1Gi"}})).is_empty());
    assert_eq!(
        errs(json!({"hostPath": {"path": ""}})),
        ["spec.volumes[0].hostPath.path: Required value"]
    );
    assert_eq!(
        errs(json!({"hostPath": {"path": "/a/../b", "type": "Dir"}})),
        [
            "spec.volumes[0].hostPath.path: Invalid value: \"/a/../b\": must not contain '..'",
            "spec.volumes[0].hostPath.type: Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
        ]
    );
}

/// `validateSecretVolumeSource`, `validateConfigMapVolumeSource`, `validateKeyToPath`
/// (`ValidateLocalNonReservedPath`, file modes).
#[test]
fn secret_and_config_map() {
    assert_eq!(
        errs(
            json!({"secret": {"defaultMode": 512, "items": [{"key": "", "path": "..x", "mode": -1}]}})
        ),
        [
            "spec.volumes[0].secret.secretName: Required value",
            "spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
            "spec.volumes[0].secret.items[0].key: Required value",
            "spec.volumes[0].secret.items[0].path: Invalid value: \"..x\": must not start with '..'",
            "spec.volumes[0].secret.items[0].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
        ]
    );
    assert_eq!(
        errs(json!({"configMap": {"name": "cm", "items": [{"key": "k", "path": "/abs"}]}})),
        [
            "spec.volumes[0].configMap.items[0].path: Invalid value: \"/abs\": must be a relative path"
        ]
    );
    assert!(errs(json!({"configMap": {"name": "cm", "defaultMode": 420}})).is_empty());
}

/// `validatePersistentClaimVolumeSource`, `validateCSIVolumeSource` (bad secret name reported
/// at `csi.name`, as Go does), `validateEphemeralVolumeSource`.
#[test]
fn claims_csi_and_ephemeral() {
    assert_eq!(
        errs(json!({"persistentVolumeClaim": {"claimName": ""}})),
        ["spec.volumes[0].persistentVolumeClaim.claimName: Required value"]
    );
    let csi = errs(json!({"csi": {"driver": "", "nodePublishSecretRef": {"name": "Bad"}}}));
    assert_eq!(csi[0], "spec.volumes[0].csi.driver: Required value");
    assert!(
        csi[csi.len() - 1].starts_with("spec.volumes[0].csi.name: Invalid value: \"Bad\""),
        "{csi:?}"
    );
    assert_eq!(
        errs(json!({"ephemeral": {}})),
        ["spec.volumes[0].ephemeral.volumeClaimTemplate: Required value"]
    );
    let eph = errs(json!({"ephemeral": {"volumeClaimTemplate": {"spec": {}}}}));
    assert!(
        eph.iter().any(|e| e.starts_with(
            "spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value"
        )),
        "{eph:?}"
    );
}

/// `validateDownwardAPIVolumeFile` and `validateProjectionSources` (duplicate paths, token
/// expiry, one source per item).
#[test]
fn downward_api_and_projected() {
    assert_eq!(
        errs(json!({"downwardAPI": {"items": [{"path": "p"}]}})),
        [
            "spec.volumes[0].downwardAPI: Required value: one of fieldRef and resourceFieldRef is required"
        ]
    );
    assert_eq!(
        errs(json!({"projected": {"sources": [
            {"configMap": {"name": "a", "items": [{"key": "k", "path": "same"}]}},
            {"secret": {"name": "b", "items": [{"key": "k", "path": "same"}]},
             "serviceAccountToken": {"expirationSeconds": 60, "path": "token"}},
        ]}})),
        [
            "spec.volumes[0].projected: Invalid value: \"b\": conflicting duplicate paths",
            "spec.volumes[0].projected.sources[1].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
            "spec.volumes[0].projected.sources[1]: Forbidden: may not specify more than 1 volume type per source",
        ]
    );
}

/// Only the first source in `validateVolumeSource`'s order is checked; the next is refused.
#[test]
fn only_first_source_in_go_order() {
    assert_eq!(
        errs(json!({"secret": {}, "emptyDir": {"sizeLimit": "-1"}})),
        [
            "spec.volumes[0].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity",
            "spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type",
        ]
    );
}

/// `validateDownwardAPIVolumeFile`: field paths from the volume set, resource selectors that
/// name their container.
#[test]
fn downward_api_selectors() {
    assert_eq!(
        errs(json!({"downwardAPI": {"items": [
            {"path": "a", "fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}},
            {"path": "b", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels['x']"}},
            {"path": "c", "resourceFieldRef": {"resource": "limits.cpu"}},
            {"path": "d", "resourceFieldRef": {"containerName": "app", "resource": "limits.gpu"}},
            {"path": "e", "fieldRef": {"apiVersion": "v2", "fieldPath": "metadata.name"}},
        ]}})),
        [
            "spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\"",
            "spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value",
            "spec.volumes[0].downwardAPI.resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported values: \"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", \"requests.ephemeral-storage\", \"requests.memory\"",
            "spec.volumes[0].downwardAPI.fieldRef.fieldPath: Invalid value: \"metadata.name\": error converting fieldPath: unsupported pod version: v2",
        ]
    );
}
