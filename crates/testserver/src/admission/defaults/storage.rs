//! PersistentVolume, PersistentVolumeClaim and StorageClass defaults.

use serde_json::Value;

use crate::shared::json::{default_str, object_at};

/// `SetDefaults_PersistentVolume`: reclaim policy `Retain`, volume mode `Filesystem`, phase
/// `Pending`.
pub(crate) fn persistent_volume(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec"]) {
        default_str(spec, "persistentVolumeReclaimPolicy", "Retain");
        default_str(spec, "volumeMode", "Filesystem");
    }
    if let Some(status) = object_at(obj, &["status"]) {
        default_str(status, "phase", "Pending");
    }
}

/// `SetDefaults_PersistentVolumeClaim`: volume mode `Filesystem`, phase `Pending`.
pub(crate) fn persistent_volume_claim(obj: &mut Value) {
    if let Some(spec) = object_at(obj, &["spec"]) {
        default_str(spec, "volumeMode", "Filesystem");
    }
    if let Some(status) = object_at(obj, &["status"]) {
        default_str(status, "phase", "Pending");
    }
}

/// `SetDefaults_StorageClass`: reclaim policy `Delete`, binding mode `Immediate`.
pub(crate) fn storage_class(obj: &mut Value) {
    if let Some(class) = obj.as_object_mut() {
        default_str(class, "reclaimPolicy", "Delete");
        default_str(class, "volumeBindingMode", "Immediate");
    }
}
