//! PersistentVolumes (`pkg/registry/core/persistentvolume/strategy.go`): defaults, canonical
//! capacity, the `Pending` phase and its transition time, validation, table columns.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, storage};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Strategy, Validated, keep};
use crate::registry::table::{self, Column, col};
use crate::validation::{FieldError, Invalid, NameRule};

/// The PersistentVolume strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersistentVolumes;

impl Validated for PersistentVolumes {
    const NAME_RULE: NameRule = NameRule::PathSegment;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::storage::persistent_volume(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        crate::validation::storage::persistent_volume_update(new, old)
    }
}

impl Strategy for PersistentVolumes {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::maps_at(obj, &["/spec/capacity"])?;
        storage::persistent_volume(obj);
        Ok(())
    }

    fn has_status(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value, now: &str) {
        strategy::set_status(
            obj,
            json!({"phase": "Pending", "lastPhaseTransitionTime": now}),
        );
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, now: &str) {
        match subresource {
            "" => self.prepare_main_update(new, old),
            "status" => {
                keep(new, old, "spec");
                let new_phase = new.pointer("/status/phase").cloned();
                if new_phase.as_ref() != old.pointer("/status/phase")
                    && let Some(status) = new.get_mut("status").and_then(Value::as_object_mut)
                {
                    status.insert("lastPhaseTransitionTime".into(), json!(now));
                }
            }
            _ => {}
        }
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
                col("Capacity", "capacity of the volume", 0, |v| {
                    table::s(v, "/spec/capacity/storage")
                }),
                col("Status", "status of the volume", 0, |v| {
                    table::s(v, "/status/phase")
                }),
                col("StorageClass", "storage class of the volume", 0, |v| {
                    table::s(v, "/spec/storageClassName")
                }),
            ],
            Vec::new(),
        )
    }
}
