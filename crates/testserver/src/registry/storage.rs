//! storage.k8s.io (`pkg/registry/storage/*/strategy.go`): StorageClasses (defaults,
//! validation, columns) and the types whose DELETE returns the deleted object.

use serde_json::Value;

use crate::admission::defaults::{DecodeError, storage};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The StorageClass strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StorageClasses;

/// CSIDrivers, CSINodes and VolumeAttachments: nothing special but `ReturnDeletedObject`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReturnsDeleted;

impl Strategy for ReturnsDeleted {
    fn returns_deleted_object(&self) -> bool {
        true
    }
}

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

    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col("Provisioner", "the provisioner", 0, |v| {
                    table::s(v, "/provisioner")
                }),
                col("ReclaimPolicy", "the reclaim policy", 0, |v| {
                    table::s(v, "/reclaimPolicy")
                }),
                col("VolumeBindingMode", "the volume binding mode", 0, |v| {
                    table::s(v, "/volumeBindingMode")
                }),
            ],
            Vec::new(),
        )
    }
}
