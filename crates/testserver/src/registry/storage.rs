//! storage.k8s.io (`pkg/registry/storage/*/strategy.go`): StorageClasses (defaults,
//! validation, columns) here, the CSI types (`storage/csi.rs`), VolumeAttachments and
//! VolumeAttributesClasses (`storage/attachments.rs`).

mod attachments;
mod csi;

pub(crate) use attachments::{VOLUME_ATTACHMENTS, VOLUME_ATTRIBUTES_CLASSES};
pub(crate) use csi::{CSI_DRIVERS, CSI_NODES, CSI_STORAGE_CAPACITIES};

use serde_json::Value;

use crate::admission::defaults::{DecodeError, storage};
use crate::registry::ResourceType;
use crate::registry::print::{self, text};
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Cell, Column, col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The StorageClass strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StorageClasses;

impl Validated for StorageClasses {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::storage::storage_class(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::storage::storage_class_update(new, old)
    }
}

impl Strategy for StorageClasses {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::storage::storage_class(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "" => crate::warnings::storage::storage_class(new),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        storage::storage_class(obj);
        Ok(())
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

    fn returns_deleted_object(&self) -> bool {
        true
    }

    /// `printStorageClass`: the name with ` (default)` for the default class, provisioner,
    /// reclaim policy (`Delete` when unset), binding mode (`Immediate` when unset), whether
    /// volumes may expand.
    fn columns(&self) -> Vec<Column> {
        let mut cols = table::columns(
            vec![
                col(
                    "Provisioner",
                    "provisioner indicates the type of the provisioner.",
                    0,
                    |v| text(v, "/provisioner").into(),
                ),
                col(
                    "ReclaimPolicy",
                    "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.",
                    0,
                    |v| print::or(text(v, "/reclaimPolicy"), "Delete").into(),
                ),
                col(
                    "VolumeBindingMode",
                    "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.",
                    0,
                    |v| print::or(text(v, "/volumeBindingMode"), "Immediate").into(),
                ),
                col(
                    "AllowVolumeExpansion",
                    "allowVolumeExpansion shows whether the storage class allow volume expand.",
                    0,
                    |v| print::boolean(v, "/allowVolumeExpansion").into(),
                ),
            ],
            Vec::new(),
        );
        cols[0].cell = Cell::Fn(|v| {
            let name = text(v, "/metadata/name");
            if is_default(v) {
                format!("{name} (default)").into()
            } else {
                name.into()
            }
        });
        cols
    }
}

/// `storageutil.IsDefaultAnnotation`: the GA or the beta annotation is `true`.
fn is_default(v: &Value) -> bool {
    let annotations = v.pointer("/metadata/annotations");
    [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|k| annotations.and_then(|a| a.get(*k)).and_then(Value::as_str) == Some("true"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// As `TestPrintStorageClass`: the default class marked, the defaults of unset fields.
    #[test]
    fn storage_class_cells() {
        let sc = json!({"metadata": {"name": "fast", "annotations": {
            "storageclass.kubernetes.io/is-default-class": "true"}}, "provisioner": "csi.example"});
        let cells: Vec<Value> = StorageClasses
            .columns()
            .iter()
            .map(|c| c.cell(&sc))
            .collect();
        assert_eq!(
            cells[..5].to_vec(),
            vec![
                json!("fast (default)"),
                json!("csi.example"),
                json!("Delete"),
                json!("Immediate"),
                json!(false)
            ]
        );
    }
}
