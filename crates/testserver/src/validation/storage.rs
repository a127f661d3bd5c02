//! StorageClass, PersistentVolume and PersistentVolumeClaim validation.

use serde_json::Value;

use super::claim_spec::{ACCESS_MODES, VOLUME_MODES};
use super::field_error::BadValue;
use super::{FieldError, godump, names};
use crate::shared::quantity::Quantity;

fn str_of<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn immutable(field: &str, new: Option<&Value>, old: Option<&Value>) -> Option<FieldError> {
    let norm = |v: Option<&Value>| v.filter(|v| !v.is_null()).cloned();
    if norm(new) == norm(old) {
        return None;
    }
    let value = match new {
        None | Some(Value::Null) => BadValue::Raw("null".into()),
        Some(Value::String(s)) => BadValue::from(s.as_str()),
        Some(v) => BadValue::Raw(godump::go_json(v)),
    };
    Some(FieldError::invalid(field, value, "field is immutable"))
}

/// `ValidateStorageClass`.
pub(crate) fn storage_class(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let provisioner = str_of(obj, "/provisioner");
    if provisioner.is_empty() {
        errs.push(FieldError::required("provisioner", ""));
    } else {
        for msg in names::qualified_name(&provisioner.to_lowercase()) {
            errs.push(FieldError::invalid("provisioner", provisioner, msg));
        }
    }
    if let Some(params) = obj.get("parameters").and_then(Value::as_object) {
        if params.len() > 512 {
            errs.push(FieldError::too_long("parameters", 512));
        }
        if params.keys().any(String::is_empty) {
            errs.push(FieldError::invalid(
                "parameters",
                BadValue::Raw(godump::go_json(&Value::Object(params.clone()))),
                "field can not be empty.",
            ));
        }
    }
    let reclaim = str_of(obj, "/reclaimPolicy");
    if !["Delete", "Retain"].contains(&reclaim) {
        errs.push(FieldError::not_supported(
            "reclaimPolicy",
            reclaim,
            &["Delete", "Retain"],
        ));
    }
    let mode = str_of(obj, "/volumeBindingMode");
    if mode.is_empty() {
        errs.push(FieldError::required("volumeBindingMode", ""));
    } else if !["Immediate", "WaitForFirstConsumer"].contains(&mode) {
        errs.push(FieldError::not_supported(
            "volumeBindingMode",
            mode,
            &["Immediate", "WaitForFirstConsumer"],
        ));
    }
    errs
}

/// `ValidateStorageClassUpdate`: parameters, provisioner, reclaim policy and binding mode are
/// immutable.
pub(crate) fn storage_class_update(new: &Value, old: &Value) -> Vec<FieldError> {
    [
        "parameters",
        "provisioner",
        "reclaimPolicy",
        "volumeBindingMode",
    ]
    .iter()
    .filter_map(|k| immutable(k, new.get(*k), old.get(*k)))
    .collect()
}

fn access_modes(obj: &Value, path: &str) -> Vec<FieldError> {
    let modes = obj.pointer("/spec/accessModes").and_then(Value::as_array);
    let mut errs = Vec::new();
    match modes {
        None => errs.push(FieldError::required(
            path,
            "at least 1 access mode is required",
        )),
        Some(m) if m.is_empty() => errs.push(FieldError::required(
            path,
            "at least 1 access mode is required",
        )),
        Some(m) => {
            for mode in m {
                let mode = mode.as_str().unwrap_or("");
                if !ACCESS_MODES.contains(&mode) {
                    errs.push(FieldError::not_supported(path, mode, &ACCESS_MODES));
                }
            }
        }
    }
    errs
}

fn volume_mode(obj: &Value, path: &str) -> Option<FieldError> {
    let mode = obj.pointer("/spec/volumeMode").and_then(Value::as_str)?;
    (!VOLUME_MODES.contains(&mode)).then(|| FieldError::not_supported(path, mode, &VOLUME_MODES))
}

/// `ValidatePersistentVolumeClaim` (spec part).
pub(crate) fn persistent_volume_claim(obj: &Value) -> Vec<FieldError> {
    super::claim_spec::claim_spec(obj.get("spec").unwrap_or(&Value::Null), "spec")
}

/// `ValidatePersistentVolumeClaimUpdate`: the spec is immutable except `volumeName` (set once),
/// `storageClassName` set on a claim that named none (`validateStorageClassUpgradeFromNil`) and,
/// for bound claims, the storage request.
pub(crate) fn persistent_volume_claim_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut new_spec = new.get("spec").cloned().unwrap_or(Value::Null);
    let mut old_spec = old.get("spec").cloned().unwrap_or(Value::Null);
    if str_of(old, "/spec/volumeName").is_empty() {
        match new_spec.get("volumeName") {
            Some(v) => {
                if let Some(o) = old_spec.as_object_mut() {
                    o.insert("volumeName".into(), v.clone());
                }
            }
            None => {
                if let Some(o) = old_spec.as_object_mut() {
                    o.remove("volumeName");
                }
            }
        }
    }
    // a claim that never named a class may get one (the retroactive default class)
    let beta = "volume.beta.kubernetes.io/storage-class";
    if old
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(beta))
        .is_none()
        && old_spec.get("storageClassName").is_none_or(Value::is_null)
        && !str_of(new, "/spec/storageClassName").is_empty()
        && let (Some(o), Some(class)) = (old_spec.as_object_mut(), new_spec.get("storageClassName"))
    {
        o.insert("storageClassName".into(), class.clone());
    }
    if str_of(new, "/status/phase") == "Bound"
        && let (Some(requests), Some(old_storage)) = (
            new_spec
                .pointer_mut("/resources/requests")
                .and_then(Value::as_object_mut),
            old.pointer("/spec/resources/requests/storage"),
        )
    {
        requests.insert("storage".into(), old_storage.clone());
    }
    let (old_dump, new_dump) = (
        godump::dump(&godump::PVC_SPEC, &old_spec),
        godump::dump(&godump::PVC_SPEC, &new_spec),
    );
    if old_dump != new_dump {
        errs.push(FieldError::forbidden(
            "spec",
            format!(
                "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{}",
                godump::unified_diff(&old_dump, &new_dump)
            ),
        ));
    }
    // Shrinking is only allowed down to (not including) the recorded capacity, to recover from
    // a failed expansion.
    let quantity = |v: &Value, p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .and_then(Quantity::parse)
    };
    if let (Some(new_size), Some(old_size)) = (
        quantity(new, "/spec/resources/requests/storage"),
        quantity(old, "/spec/resources/requests/storage"),
    ) && new_size < old_size
    {
        let capacity = quantity(old, "/status/capacity/storage").unwrap_or(Quantity::ZERO);
        if new_size <= capacity {
            errs.push(FieldError::forbidden(
                "spec.resources.requests.storage",
                "field can not be less than status.capacity",
            ));
        }
    }
    errs
}

/// `ValidatePersistentVolume` (spec part).
pub(crate) fn persistent_volume(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    errs.extend(access_modes(obj, "spec.accessModes"));
    match obj.pointer("/spec/capacity").and_then(Value::as_object) {
        None => errs.push(FieldError::required("spec.capacity", "")),
        Some(c) if !c.contains_key("storage") => {
            errs.push(FieldError::required("spec.capacity[storage]", ""));
        }
        Some(_) => {}
    }
    let reclaim = str_of(obj, "/spec/persistentVolumeReclaimPolicy");
    if !reclaim.is_empty() && !["Delete", "Recycle", "Retain"].contains(&reclaim) {
        errs.push(FieldError::not_supported(
            "spec.persistentVolumeReclaimPolicy",
            reclaim,
            &["Delete", "Recycle", "Retain"],
        ));
    }
    let sources = godump::PV_SOURCE_KEYS
        .iter()
        .filter(|k| {
            obj.pointer(&format!("/spec/{k}"))
                .is_some_and(|v| !v.is_null())
        })
        .count();
    if sources == 0 {
        errs.push(FieldError::required("spec", "must specify a volume type"));
    } else if sources > 1 {
        errs.push(FieldError::forbidden(
            "spec",
            "may not specify more than 1 volume type",
        ));
    }
    if obj.pointer("/spec/local").is_some_and(|v| !v.is_null()) {
        if str_of(obj, "/spec/local/path").is_empty() {
            errs.push(FieldError::required("spec.local.path", ""));
        }
        if obj.pointer("/spec/nodeAffinity").is_none_or(Value::is_null) {
            errs.push(FieldError::required(
                "spec.nodeAffinity",
                "Local volume requires node affinity",
            ));
        }
    }
    errs.extend(volume_mode(obj, "spec.volumeMode"));
    errs
}

/// `ValidatePersistentVolumeUpdate`: the volume source and mode are immutable.
pub(crate) fn persistent_volume_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = Value::Null;
    let (old_dump, new_dump) = (
        godump::dump(&godump::PV_SOURCE, old.get("spec").unwrap_or(&empty)),
        godump::dump(&godump::PV_SOURCE, new.get("spec").unwrap_or(&empty)),
    );
    if old_dump != new_dump {
        errs.push(FieldError::forbidden(
            "spec.persistentvolumesource",
            format!(
                "spec.persistentvolumesource is immutable after creation\n{}",
                godump::unified_diff(&old_dump, &new_dump)
            ),
        ));
    }
    errs.extend(immutable(
        "volumeMode",
        new.pointer("/spec/volumeMode"),
        old.pointer("/spec/volumeMode"),
    ));
    errs
}
