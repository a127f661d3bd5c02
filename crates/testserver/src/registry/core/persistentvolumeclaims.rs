//! PersistentVolumeClaims (`pkg/registry/core/persistentvolumeclaim/strategy.go`): defaults,
//! canonical quantities, the `Pending` phase, validation, table columns.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, storage};
use crate::registry::ResourceType;
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

    fn columns(&self) -> Vec<Column> {
        table::columns(
            vec![
                col("Status", "status of the claim", 0, |v| {
                    table::s(v, "/status/phase")
                }),
                col("Volume", "bound volume", 0, |v| {
                    table::s(v, "/spec/volumeName")
                }),
                col("StorageClass", "storage class of the claim", 0, |v| {
                    table::s(v, "/spec/storageClassName")
                }),
            ],
            Vec::new(),
        )
    }
}
