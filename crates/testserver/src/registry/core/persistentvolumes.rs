//! PersistentVolumes (`pkg/registry/core/persistentvolume/strategy.go`): defaults, canonical
//! capacity, the `Pending` phase and its transition time, validation, table columns.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, storage};
use crate::registry::ResourceType;
use crate::registry::print::{self, items, text};
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
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        crate::warnings::storage::persistent_volume(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "" => crate::warnings::storage::persistent_volume(new),
            _ => Vec::new(),
        }
    }

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

    /// `printPersistentVolume`: capacity, access modes, reclaim policy, phase
    /// (`Terminating` while deleting), claim, class, attributes class, reason; the wide volume
    /// mode.
    fn columns(&self) -> Vec<Column> {
        let mut cols = table::columns(
            vec![
                col(
                    "Capacity",
                    "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity",
                    0,
                    |v| print::quantity(v, "/spec/capacity/storage").into(),
                ),
                col(
                    "Access Modes",
                    "accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes",
                    0,
                    |v| access_modes(v, "/spec/accessModes").into(),
                ),
                col(
                    "Reclaim Policy",
                    "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming",
                    0,
                    |v| text(v, "/spec/persistentVolumeReclaimPolicy").into(),
                ),
                col(
                    "Status",
                    "phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase",
                    0,
                    phase,
                ),
                col(
                    "Claim",
                    "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding",
                    0,
                    |v| match v.pointer("/spec/claimRef") {
                        Some(r) if r.is_object() => {
                            format!("{}/{}", text(r, "/namespace"), text(r, "/name")).into()
                        }
                        _ => "".into(),
                    },
                ),
                col("StorageClass", "StorageClass of the pv", 0, |v| {
                    class(v, "/spec/storageClassName").into()
                }),
                col(
                    "VolumeAttributesClass",
                    "VolumeAttributesClass of the pv",
                    0,
                    |v| unset(v, "/spec/volumeAttributesClassName"),
                ),
                col(
                    "Reason",
                    "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.",
                    0,
                    |v| text(v, "/status/reason").into(),
                ),
            ],
            Vec::new(),
        );
        cols.push(col("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.", 1, |v| {
            unset(v, "/spec/volumeMode")
        }));
        cols
    }
}

/// `helper.GetAccessModesAsString`: `RWO`, `ROX`, `RWX`, `RWOP` in that order, each once.
pub(crate) fn access_modes(obj: &Value, pointer: &str) -> String {
    let modes = items(obj, pointer);
    let has = |m: &str| modes.iter().any(|v| v.as_str() == Some(m));
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(mode, _)| has(mode))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// `GetPersistentVolumeClass` and `GetPersistentVolumeClaimClass`: the beta annotation
/// first, then the field at `pointer`.
pub(crate) fn class(obj: &Value, pointer: &str) -> String {
    let beta = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        .and_then(Value::as_str);
    beta.unwrap_or_else(|| text(obj, pointer)).to_owned()
}

/// The string at `pointer`, `<unset>` when missing.
pub(crate) fn unset(obj: &Value, pointer: &str) -> Value {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("<unset>")
        .into()
}

/// The phase, `Terminating` while the object is being deleted.
pub(crate) fn phase(obj: &Value) -> Value {
    if print::deleting(obj) {
        return "Terminating".into();
    }
    text(obj, "/status/phase").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `TestPrintPersistentVolume`: every column, the claim as `namespace/name`.
    #[test]
    fn columns_follow_print_persistent_volume() {
        let pv = json!({"metadata": {"annotations": {}}, "spec": {"capacity": {"storage": "4Gi"},
            "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast",
            "claimRef": {"namespace": "ns", "name": "c"}, "volumeMode": "Block"},
            "status": {"phase": "Bound"}});
        let cells: Vec<Value> = PersistentVolumes
            .columns()
            .iter()
            .map(|c| c.cell(&pv))
            .collect();
        assert_eq!(
            cells[1..9].to_vec(),
            vec![
                json!("4Gi"),
                json!("RWO,RWX"),
                json!("Retain"),
                json!("Bound"),
                json!("ns/c"),
                json!("fast"),
                json!("<unset>"),
                json!("")
            ]
        );
        assert_eq!(cells[10], json!("Block"));
        let deleting = json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {}, "status": {"phase": "Bound"}});
        assert_eq!(phase(&deleting), json!("Terminating"));
        assert_eq!(print::quantity(&deleting, "/spec/capacity/storage"), "0");
    }

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
