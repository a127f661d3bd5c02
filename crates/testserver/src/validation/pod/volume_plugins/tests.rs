use serde_json::json;

use super::*;
use crate::validation::pod::volume_list::{PodOf, source};
use crate::validation::texts;

const POD: PodOf<'static> = PodOf { name: Some("p") };

fn errs(volume: Value) -> Vec<String> {
    texts(source(&volume, "spec.volumes[0]", POD))
}

/// `validateGitRepoVolumeSource`, `validateGCEPersistentDiskVolumeSource` (checked at
/// `persistentDisk`, with the 1-255 message for a 0-255 rule) and
/// `validateAWSElasticBlockStoreVolumeSource`.
#[test]
fn git_repo_and_cloud_disks() {
    assert_eq!(
        errs(json!({"gitRepo": {"directory": "/a/../b"}})),
        [
            "spec.volumes[0].gitRepo.repository: Required value",
            "spec.volumes[0].gitRepo.directory: Invalid value: \"/a/../b\": must be a relative path",
            "spec.volumes[0].gitRepo.directory: Invalid value: \"/a/../b\": must not contain '..'",
        ]
    );
    assert_eq!(
        errs(json!({"gcePersistentDisk": {"partition": 256}})),
        [
            "spec.volumes[0].persistentDisk.pdName: Required value",
            "spec.volumes[0].persistentDisk.partition: Invalid value: 256: must be between 1 and 255, inclusive",
        ]
    );
    assert!(
        errs(json!({"awsElasticBlockStore": {"volumeID": "vol-1", "partition": 0}})).is_empty()
    );
}

/// `validateNFSVolumeSource`, `validateGlusterfsVolumeSource`, `validateRBDVolumeSource`,
/// `validateCinderVolumeSource`, `validateCephFSVolumeSource`.
#[test]
fn network_file_systems() {
    assert_eq!(
        errs(json!({"nfs": {}})),
        [
            "spec.volumes[0].nfs.server: Required value",
            "spec.volumes[0].nfs.path: Required value",
            "spec.volumes[0].nfs.path: Invalid value: \"\": must be an absolute path",
        ]
    );
    assert_eq!(
        errs(json!({"glusterfs": {}})),
        [
            "spec.volumes[0].glusterfs.endpoints: Required value",
            "spec.volumes[0].glusterfs.path: Required value",
        ]
    );
    assert_eq!(
        errs(json!({"rbd": {"monitors": []}})),
        [
            "spec.volumes[0].rbd.monitors: Required value",
            "spec.volumes[0].rbd.image: Required value",
        ]
    );
    assert_eq!(
        errs(json!({"cinder": {"volumeID": "v", "secretRef": {}}})),
        ["spec.volumes[0].cinder.secretRef.name: Required value"]
    );
    assert_eq!(
        errs(json!({"cephfs": {}})),
        ["spec.volumes[0].cephfs.monitors: Required value"]
    );
}

/// `validateISCSIVolumeSource` and `validateVolumeSource`'s name-length rule.
#[test]
fn iscsi() {
    assert_eq!(
        errs(json!({"iscsi": {"iqn": "x", "lun": 300, "chapAuthSession": true}})),
        [
            "spec.volumes[0].iscsi.targetPortal: Required value",
            "spec.volumes[0].iscsi.iqn: Invalid value: \"x\": must be valid format starting with iqn, eui, or naa",
            "spec.volumes[0].iscsi.lun: Invalid value: 300: must be between 0 and 255, inclusive",
            "spec.volumes[0].iscsi.secretRef: Required value",
        ]
    );
    assert!(
        errs(
            json!({"name": "v", "iscsi": {"targetPortal": "10.0.0.1:3260",
            "iqn": "iqn.2001-04.com.example:storage.disk1", "lun": 0}})
        )
        .is_empty()
    );
    let portal = "a".repeat(70);
    assert_eq!(
        errs(json!({"name": "v", "iscsi": {"targetPortal": portal,
            "iqn": "eui.02004567A425678D", "initiatorName": "naa.bad"}})),
        [
            "spec.volumes[0].iscsi.initiatorname: Invalid value: \"naa.bad\": must be valid format",
            "spec.volumes[0].name: Invalid value: \"v\": Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.",
        ]
    );
}

/// `validateFlockerVolumeSource`, `validateQuobyteVolumeSource`, `validateFCVolumeSource`.
#[test]
fn flocker_quobyte_and_fibre_channel() {
    assert_eq!(
        errs(json!({"flocker": {"datasetName": "a/b", "datasetUUID": "u"}})),
        [
            "spec.volumes[0].flocker: Invalid value: \"resource\": datasetName and datasetUUID can not be specified simultaneously",
            "spec.volumes[0].flocker.datasetName: Invalid value: \"a/b\": must not contain '/'",
        ]
    );
    assert_eq!(
        errs(json!({"quobyte": {"registry": "h:1,nohost", "volume": "v"}})),
        [
            "spec.volumes[0].quobyte.registry: Invalid value: \"h:1,nohost\": must be a host:port pair or multiple pairs separated by commas"
        ]
    );
    assert_eq!(
        errs(json!({"quobyte": {"registry": "[::1]:7861", "volume": "v"}})),
        Vec::<String>::new()
    );
    assert_eq!(
        errs(json!({"fc": {"targetWWNs": ["a", "b"], "wwids": ["w"], "lun": 256}})),
        [
            "spec.volumes[0].fc.targetWWNs: Invalid value: []string{\"a\", \"b\"}: targetWWNs and wwids can not be specified simultaneously",
            "spec.volumes[0].fc.lun: Invalid value: 256: must be between 0 and 255, inclusive",
        ]
    );
    assert_eq!(
        errs(json!({"fc": {"targetWWNs": ["a"]}})),
        ["spec.volumes[0].fc.lun: Required value: lun is required if targetWWNs is specified"]
    );
}

/// `validateFlexVolumeSource`, `validateAzureFile`, `validateAzureDisk` (with its defaults),
/// `validateStorageOSVolumeSource`, `validateScaleIOVolumeSource` and the single-field ones.
#[test]
fn vendor_plugins() {
    assert_eq!(
        errs(json!({"flexVolume": {"driver": "d", "options": {"x.k8s.io/a": "1", "mine/b": "2"}}})),
        [
            "spec.volumes[0].flexVolume.options[x.k8s.io/a]: Invalid value: \"x.k8s.io/a\": kubernetes.io and k8s.io namespaces are reserved"
        ]
    );
    assert_eq!(
        errs(json!({"azureFile": {}})),
        [
            "spec.volumes[0].azureFile.secretName: Required value",
            "spec.volumes[0].azureFile.shareName: Required value",
        ]
    );
    assert_eq!(
        errs(
            json!({"azureDisk": {"diskName": "d", "diskURI": "/x", "cachingMode": "Fast",
            "kind": "Shared"}})
        ),
        [
            "spec.volumes[0].azureDisk.cachingMode: Unsupported value: \"Fast\": supported values: \"None\", \"ReadOnly\", \"ReadWrite\"",
            "spec.volumes[0].azureDisk.diskURI: Unsupported value: \"/x\": supported values: \"https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd\"",
        ]
    );
    assert_eq!(
        errs(json!({"storageos": {"volumeName": "Bad_Name", "secretRef": {}}}))[1],
        "spec.volumes[0].storageos.secretRef.name: Required value"
    );
    assert_eq!(
        errs(json!({"scaleIO": {"system": "s"}})),
        [
            "spec.volumes[0].scaleIO.gateway: Required value",
            "spec.volumes[0].scaleIO.volumeName: Required value",
        ]
    );
    for (kind, key) in [
        ("vsphereVolume", "volumePath"),
        ("photonPersistentDisk", "pdID"),
        ("portworxVolume", "volumeID"),
    ] {
        assert_eq!(
            errs(json!({ kind: {} })),
            [format!("spec.volumes[0].{kind}.{key}: Required value")]
        );
    }
}

/// `validateImageVolumeSource`: a Pod's image volume needs a reference; a template's need not.
#[test]
fn image_volumes() {
    assert_eq!(
        errs(json!({"image": {"pullPolicy": "Sometimes"}})),
        [
            "spec.volumes[0].image.reference: Required value",
            "spec.volumes[0].image.pullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
        ]
    );
    assert!(
        texts(source(
            &json!({"image": {}}),
            "spec.volumes[0]",
            PodOf { name: None }
        ))
        .is_empty()
    );
}
