//! The object edits of a bind and its undoing, as the controller computes them
//! (`GetBindVolumeToClaim`, `bindClaimToVolume`, `updateVolumePhase`, `updateClaimStatus`,
//! `unbindVolume`). Each returns the new object, or `None` when nothing would change (the
//! controller then writes nothing). The resourceVersion stays: every write is conditional.

use serde_json::{Map, Value, json};

use super::matching::{annotation, is_bound_to, s};

/// Annotation on both objects: the controller (not the user) made the link.
pub(super) const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
/// Annotation on a claim that went through binding once.
pub(super) const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";

fn annotations_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    let meta = obj
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| json!({}));
    let ann = meta
        .as_object_mut()?
        .entry("annotations")
        .or_insert_with(|| json!({}));
    if !ann.is_object() {
        *ann = json!({});
    }
    ann.as_object_mut()
}

fn set_annotation(obj: &mut Value, key: &str) {
    if annotation(obj, key).is_none()
        && let Some(a) = annotations_mut(obj)
    {
        a.insert(key.into(), "yes".into());
    }
}

/// `reference.GetReference` of a claim, the volume's `spec.claimRef`.
pub(super) fn claim_ref(claim: &Value) -> Value {
    json!({
        "kind": "PersistentVolumeClaim",
        "namespace": s(claim, "/metadata/namespace"),
        "name": s(claim, "/metadata/name"),
        "uid": s(claim, "/metadata/uid"),
        "apiVersion": "v1",
        "resourceVersion": s(claim, "/metadata/resourceVersion"),
    })
}

/// `GetBindVolumeToClaim`: the volume pointing at the claim (name, namespace and UID), marked
/// bound-by-controller unless the user pre-bound it to this claim.
pub(super) fn volume_bound_to(volume: &Value, claim: &Value) -> Option<Value> {
    let mut new = volume.clone();
    let mut dirty = false;
    let r = volume.pointer("/spec/claimRef");
    let same =
        |field: &str, claim_field: &str| r.map(|r| s(r, field)) == Some(s(claim, claim_field));
    if !(same("/name", "/metadata/name")
        && same("/namespace", "/metadata/namespace")
        && same("/uid", "/metadata/uid"))
    {
        new["spec"]["claimRef"] = claim_ref(claim);
        dirty = true;
    }
    if !is_bound_to(volume, claim) && annotation(volume, BOUND_BY_CONTROLLER).is_none() {
        set_annotation(&mut new, BOUND_BY_CONTROLLER);
        dirty = true;
    }
    dirty.then_some(new)
}

/// `updateVolumePhase`: the new phase and message (an empty message is omitted).
pub(super) fn with_volume_phase(volume: &Value, phase: &str, message: &str) -> Option<Value> {
    if s(volume, "/status/phase") == phase {
        return None;
    }
    let mut new = volume.clone();
    if !new.get("status").is_some_and(Value::is_object) {
        new["status"] = json!({});
    }
    new["status"]["phase"] = phase.into();
    if let Some(st) = new.get_mut("status").and_then(Value::as_object_mut) {
        if message.is_empty() {
            st.remove("message");
        } else {
            st.insert("message".into(), message.into());
        }
    }
    Some(new)
}

/// `bindClaimToVolume`: `spec.volumeName` (bound-by-controller when the controller set it) and
/// `bind-completed`.
pub(super) fn claim_bound_to(claim: &Value, volume: &Value) -> Option<Value> {
    let mut new = claim.clone();
    let mut dirty = false;
    let name = s(volume, "/metadata/name");
    if s(claim, "/spec/volumeName") != name {
        new["spec"]["volumeName"] = name.into();
        set_annotation(&mut new, BOUND_BY_CONTROLLER);
        dirty = true;
    }
    if annotation(claim, BIND_COMPLETED).is_none() {
        set_annotation(&mut new, BIND_COMPLETED);
        dirty = true;
    }
    dirty.then_some(new)
}

/// `updateClaimStatus`: the phase; with a volume its access modes, its capacity (only when
/// the phase changes) and its VolumeAttributesClass; without one those are cleared.
pub(super) fn with_claim_status(
    claim: &Value,
    phase: &str,
    volume: Option<&Value>,
) -> Option<Value> {
    let mut new = claim.clone();
    if !new.get("status").is_some_and(Value::is_object) {
        new["status"] = json!({});
    }
    let phase_changes = s(claim, "/status/phase") != phase;
    let st = new.get_mut("status").and_then(Value::as_object_mut)?;
    let mut dirty = phase_changes;
    st.insert("phase".into(), phase.into());
    match volume {
        None => {
            for k in [
                "accessModes",
                "capacity",
                "currentVolumeAttributesClassName",
            ] {
                dirty |= st.remove(k).is_some();
            }
        }
        Some(v) => {
            let modes = v.pointer("/spec/accessModes").cloned();
            if st.get("accessModes") != modes.as_ref() {
                match modes {
                    Some(m) => st.insert("accessModes".into(), m),
                    None => st.remove("accessModes"),
                };
                dirty = true;
            }
            let vac = v.pointer("/spec/volumeAttributesClassName").cloned();
            if st.get("currentVolumeAttributesClassName") != vac.as_ref() {
                match vac {
                    Some(c) => st.insert("currentVolumeAttributesClassName".into(), c),
                    None => st.remove("currentVolumeAttributesClassName"),
                };
                dirty = true;
            }
            if phase_changes {
                let cap = v.pointer("/spec/capacity/storage");
                if cap.is_some() && st.get("capacity").and_then(|c| c.get("storage")) != cap {
                    st.insert(
                        "capacity".into(),
                        v.pointer("/spec/capacity").cloned().unwrap_or_default(),
                    );
                    dirty = true;
                }
            }
        }
    }
    dirty.then_some(new)
}

/// `unbindVolume`: a controller-made link goes entirely; a user's pre-binding keeps its name
/// and loses only the UID.
pub(super) fn volume_unbound(volume: &Value) -> Value {
    let mut new = volume.clone();
    if annotation(volume, BOUND_BY_CONTROLLER).is_some() {
        if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("claimRef");
        }
        if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            let empty = meta
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
                .map(|a| {
                    a.remove(BOUND_BY_CONTROLLER);
                    a.is_empty()
                })
                .unwrap_or(false);
            if empty {
                meta.remove("annotations");
            }
        }
    } else if let Some(r) = new
        .pointer_mut("/spec/claimRef")
        .and_then(Value::as_object_mut)
    {
        r.remove("uid");
    }
    new
}

/// `assignDefaultStorageClass`: the claim with `spec.storageClassName` set.
pub(super) fn claim_with_class(claim: &Value, class: &str) -> Value {
    let mut new = claim.clone();
    new["spec"]["storageClassName"] = class.into();
    new
}

/// `setClaimProvisioner`: both storage-provisioner annotations, unless already set.
pub(super) fn claim_with_provisioner(claim: &Value, provisioner: &str) -> Option<Value> {
    const GA: &str = "volume.kubernetes.io/storage-provisioner";
    const BETA: &str = "volume.beta.kubernetes.io/storage-provisioner";
    if annotation(claim, GA) == Some(provisioner) {
        return None;
    }
    let mut new = claim.clone();
    let a = annotations_mut(&mut new)?;
    a.insert(BETA.into(), provisioner.into());
    a.insert(GA.into(), provisioner.into());
    Some(new)
}
