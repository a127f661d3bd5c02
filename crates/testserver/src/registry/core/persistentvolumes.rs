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

/// `lastPhaseTransitionTime` on a status update: kept from the stored status when the phase
/// stays and the client sent none; `now` when the phase changes and the client sent none or
/// the stored one; what the client sent otherwise.
fn phase_transition_time(new: &mut Value, old: &Value, now: &str) {
    let Some(status) = new.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    let stored = old.pointer("/status/lastPhaseTransitionTime");
    let sent = status
        .get("lastPhaseTransitionTime")
        .filter(|v| !v.is_null());
    let same_phase = status.get("phase") == old.pointer("/status/phase");
    let time = match (same_phase, sent) {
        (true, None) => stored.cloned(),
        (false, None) => Some(json!(now)),
        (false, Some(t)) if Some(t) == stored => Some(json!(now)),
        (_, Some(t)) => Some(t.clone()),
    };
    match time {
        Some(t) => status.insert("lastPhaseTransitionTime".into(), t),
        None => status.remove("lastPhaseTransitionTime"),
    };
}

impl Strategy for PersistentVolumes {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::maps_at(obj, &["/spec/capacity"])?;
        storage::persistent_volume(obj);
        Ok(())
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
                phase_transition_time(new, old, now);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(sent: Value, expected: Option<&str>) {
        let old = json!({"spec": {}, "status": {"phase": "Available",
            "lastPhaseTransitionTime": "2026-01-01T00:00:00Z"}});
        let mut new = json!({"spec": {}, "status": sent});
        PersistentVolumes.prepare_for_update("status", &mut new, &old, "2026-02-02T00:00:00Z");
        assert_eq!(
            new["status"]["lastPhaseTransitionTime"].as_str(),
            expected,
            "{new}"
        );
    }

    #[test]
    fn phase_transition_time_follows_the_phase() {
        check(json!({"phase": "Available"}), Some("2026-01-01T00:00:00Z"));
        check(json!({"phase": "Bound"}), Some("2026-02-02T00:00:00Z"));
        check(
            json!({"phase": "Bound", "lastPhaseTransitionTime": "2026-01-01T00:00:00Z"}),
            Some("2026-02-02T00:00:00Z"),
        );
        check(
            json!({"phase": "Bound", "lastPhaseTransitionTime": "2025-05-05T00:00:00Z"}),
            Some("2025-05-05T00:00:00Z"),
        );
        check(
            json!({"phase": "Available", "lastPhaseTransitionTime": "2025-05-05T00:00:00Z"}),
            Some("2025-05-05T00:00:00Z"),
        );
    }
}
