//! PersistentVolumeClaims (`pkg/registry/core/persistentvolumeclaim/strategy.go`): defaults,
//! canonical quantities, the `Pending` phase, validation, table columns.

use serde_json::{Value, json};

use super::persistentvolumes::{access_modes, class, phase, unset};
use crate::admission::defaults::{DecodeError, quantities, storage};
use crate::registry::ResourceType;
use crate::registry::print::{self, text};
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The PersistentVolumeClaim strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersistentVolumeClaims;

impl Validated for PersistentVolumeClaims {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::storage::persistent_volume_claim(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::storage::persistent_volume_claim_update(new, old)
    }

    fn status_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::core_status::persistent_volume_claim(new, old)
    }
}

impl Strategy for PersistentVolumeClaims {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::storage::persistent_volume_claim(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "" => crate::warnings::storage::persistent_volume_claim(new),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::maps_at(
            obj,
            &[
                "/spec/resources/requests",
                "/spec/resources/limits",
                "/status/capacity",
                "/status/allocatedResources",
            ],
        )?;
        storage::persistent_volume_claim(obj);
        Ok(())
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_status(obj, json!({"phase": "Pending"}));
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        strategy::validate::<Self>(rt, obj)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }

    /// `printPersistentVolumeClaim`: phase (`Terminating` while deleting), volume, and, once
    /// bound to a volume, the status capacity and access modes; class, attributes class, the
    /// wide volume mode.
    fn columns(&self) -> Vec<Column> {
        let mut cols = table::columns(
            vec![
                col(
                    "Status",
                    "phase represents the current phase of PersistentVolumeClaim.",
                    0,
                    phase,
                ),
                col(
                    "Volume",
                    "volumeName is the binding reference to the PersistentVolume backing this claim.",
                    0,
                    |v| text(v, "/spec/volumeName").into(),
                ),
                col(
                    "Capacity",
                    "capacity represents the actual resources of the underlying volume.",
                    0,
                    |v| {
                        if text(v, "/spec/volumeName").is_empty() {
                            return "".into();
                        }
                        print::quantity(v, "/status/capacity/storage").into()
                    },
                ),
                col(
                    "Access Modes",
                    "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1",
                    0,
                    |v| {
                        if text(v, "/spec/volumeName").is_empty() {
                            return "".into();
                        }
                        access_modes(v, "/status/accessModes").into()
                    },
                ),
                col("StorageClass", "StorageClass of the pvc", 0, |v| {
                    class(v, "/spec/storageClassName").into()
                }),
                col(
                    "VolumeAttributesClass",
                    "VolumeAttributesClass of the pvc",
                    0,
                    |v| unset(v, "/spec/volumeAttributesClassName"),
                ),
            ],
            Vec::new(),
        );
        cols.push(col("VolumeMode", "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.", 1, |v| {
            unset(v, "/spec/volumeMode")
        }));
        cols
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `TestPrintPersistentVolumeClaim`: capacity and access modes only once bound, the
    /// beta class annotation before the field.
    #[test]
    fn columns_follow_print_persistent_volume_claim() {
        let cells = |pvc: &Value| -> Vec<Value> {
            PersistentVolumeClaims
                .columns()
                .iter()
                .map(|c| c.cell(pvc))
                .collect()
        };
        let pending = json!({"metadata": {"annotations": {
            "volume.beta.kubernetes.io/storage-class": "beta"}},
            "spec": {"storageClassName": "fast", "volumeMode": "Filesystem",
                "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Pending"}});
        let c = cells(&pending);
        assert_eq!(
            c[1..7].to_vec(),
            vec![
                json!("Pending"),
                json!(""),
                json!(""),
                json!(""),
                json!("beta"),
                json!("<unset>")
            ]
        );
        assert_eq!(c[8], json!("Filesystem"));
        let bound = json!({"spec": {"volumeName": "pv1", "storageClassName": "fast"},
            "status": {"phase": "Bound", "capacity": {"storage": "1024Mi"},
                "accessModes": ["ReadWriteOncePod"]}});
        let c = cells(&bound);
        assert_eq!(
            c[1..6].to_vec(),
            vec![
                json!("Bound"),
                json!("pv1"),
                json!("1Gi"),
                json!("RWOP"),
                json!("fast")
            ]
        );
        assert_eq!(c[8], json!("<unset>"));
    }
}
