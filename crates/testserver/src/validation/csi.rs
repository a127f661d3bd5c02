//! storage.k8s.io/v1 CSIDriver, CSINode and CSIStorageCapacity validation
//! (`pkg/apis/storage/validation`: `ValidateCSIDriver`/`ValidateCSIDriverUpdate`,
//! `ValidateCSINode`/`ValidateCSINodeUpdate` with long node IDs allowed,
//! `ValidateCSIStorageCapacity`/`ValidateCSIStorageCapacityUpdate`, invalid topology values
//! allowed on update when the stored ones already were), each function returning
//! the whole list the Go function returns, its `ObjectMeta` rules included.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::field_error::BadValue;
use super::godump::{self, Field, Struct, Ty};
use super::{FieldError, NameRule, names, object_meta, object_meta_update, selector};
use crate::shared::quantity::Quantity;

const FS_GROUP_POLICIES: [&str; 3] = ["File", "None", "ReadWriteOnceWithFSType"];
const LIFECYCLE_MODES: [&str; 2] = ["Persistent", "Ephemeral"];
/// `csiNodeIDLongerMaxLength` (the strategies allow long node IDs).
const NODE_ID_MAX: usize = 256;

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// The value of a field as a field error prints it: strings quoted, numbers and booleans
/// bare, anything else as Go's JSON, `null` when unset.
fn printed(v: Option<&Value>) -> BadValue {
    match v.filter(|v| !v.is_null()) {
        Some(Value::String(s)) => BadValue::from(s.as_str()),
        Some(v @ (Value::Bool(_) | Value::Number(_))) => BadValue::Json(v.clone()),
        other => selector::json_value(other),
    }
}

/// `ValidateCSIDriverName` of `pkg/apis/core/validation` (CSINode drivers, attachers).
pub(crate) fn driver_name(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push(FieldError::required(path, ""));
    }
    if name.len() > 63 {
        errs.push(FieldError::too_long(path, 63));
    }
    for msg in names::dns1123_subdomain(&name.to_lowercase()) {
        errs.push(FieldError::invalid(path, name, msg));
    }
    errs
}

/// `ValidateCSIDriver`.
pub(crate) fn csi_driver(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    errs.extend(csi_driver_spec(spec(obj)));
    errs
}

/// `validateCSIDriverSpec` (`SELinuxMountReadWriteOncePod` on).
fn csi_driver_spec(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (key, path) in [
        ("attachRequired", "spec.attachedRequired"),
        ("podInfoOnMount", "spec.podInfoOnMount"),
        ("storageCapacity", "spec.storageCapacity"),
    ] {
        if set(spec, key).is_none() {
            errs.push(FieldError::required(path, ""));
        }
    }
    if let Some(policy) = set(spec, "fsGroupPolicy").and_then(Value::as_str)
        && !FS_GROUP_POLICIES.contains(&policy)
    {
        errs.push(FieldError::not_supported(
            "spec.fsGroupPolicy",
            policy,
            &FS_GROUP_POLICIES,
        ));
    }
    let mut audiences = HashSet::new();
    for (i, request) in items(spec.get("tokenRequests")).iter().enumerate() {
        let at = format!("spec.tokenRequests[{i}]");
        let audience = request
            .get("audience")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !audiences.insert(audience) {
            errs.push(FieldError::duplicate(format!("{at}.audience"), audience));
            continue;
        }
        let Some(seconds) = set(request, "expirationSeconds").and_then(Value::as_i64) else {
            continue;
        };
        token_expiration(&format!("{at}.expirationSeconds"), seconds, &mut errs);
    }
    for mode in items(spec.get("volumeLifecycleModes")) {
        let mode = mode.as_str().unwrap_or("");
        if !LIFECYCLE_MODES.contains(&mode) {
            errs.push(FieldError::not_supported(
                "spec.volumeLifecycleModes",
                mode,
                &LIFECYCLE_MODES,
            ));
        }
    }
    if set(spec, "seLinuxMount").is_none() {
        errs.push(FieldError::required("spec.seLinuxMount", ""));
    }
    if let Some(period) = set(spec, "nodeAllocatableUpdatePeriodSeconds").and_then(Value::as_i64)
        && period < 10
    {
        errs.push(FieldError::invalid(
            "spec.nodeAllocatableUpdatePeriodSeconds",
            period,
            "must be greater than or equal to 10 seconds",
        ));
    }
    errs
}

/// `ValidateCSIDriverUpdate` (the strategy's whole `ValidateUpdate`): the metadata update, the
/// new spec, then `attachRequired` and `volumeLifecycleModes`, which may not change.
pub(crate) fn csi_driver_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = object_meta_update(new, old);
    errs.extend(csi_driver_spec(spec(new)));
    for (key, path) in [
        ("attachRequired", "spec.attachedRequired"),
        ("volumeLifecycleModes", "spec.volumeLifecycleModes"),
    ] {
        let (now, before) = (set(spec(new), key), set(spec(old), key));
        if now != before {
            errs.push(FieldError::invalid(
                path,
                printed(now),
                "field is immutable",
            ));
        }
    }
    errs
}

/// The v1 defaults of a CSIDriver (`SetDefaults_CSIDriver`, `SELinuxMountReadWriteOncePod`
/// on).
pub(crate) fn default_csi_driver(obj: &mut Value) {
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    for (key, default) in [
        ("attachRequired", json!(true)),
        ("podInfoOnMount", json!(false)),
        ("storageCapacity", json!(false)),
        ("fsGroupPolicy", json!("ReadWriteOnceWithFSType")),
        ("requiresRepublish", json!(false)),
        ("seLinuxMount", json!(false)),
    ] {
        if spec.get(key).is_none_or(Value::is_null) {
            spec.insert(key.into(), default);
        }
    }
    let modes_unset = spec
        .get("volumeLifecycleModes")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    if modes_unset {
        spec.insert("volumeLifecycleModes".into(), json!(["Persistent"]));
    }
}

/// The internal `storage.CSINodeDriver` (its `Allocatable` cleared, as the update check
/// compares it).
static CSI_NODE_DRIVER: Struct = Struct {
    fields: &[
        Field::new("Name", "name", Ty::Str),
        Field::new("NodeID", "nodeID", Ty::Str),
        Field::new("TopologyKeys", "topologyKeys", Ty::Slice(&Ty::Str)),
        Field::new("Allocatable", "allocatable", Ty::Json),
    ],
};

/// `ValidateCSINode`.
pub(crate) fn csi_node(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    let mut names_seen = HashSet::new();
    for (i, driver) in items(spec(obj).get("drivers")).iter().enumerate() {
        let at = format!("spec.drivers[{i}]");
        let name = driver.get("name").and_then(Value::as_str).unwrap_or("");
        errs.extend(driver_name(name, &format!("{at}.name")));
        let node_id = driver.get("nodeID").and_then(Value::as_str).unwrap_or("");
        if node_id.is_empty() {
            errs.push(FieldError::required(format!("{at}.nodeID"), ""));
        }
        if node_id.len() > NODE_ID_MAX {
            errs.push(FieldError::invalid(
                format!("{at}.nodeID"),
                node_id,
                format!("must be {NODE_ID_MAX} characters or less"),
            ));
        }
        if let Some(count) = driver.pointer("/allocatable/count").and_then(Value::as_i64)
            && count < 0
        {
            errs.push(FieldError::invalid(
                format!("{at}.allocatable.count"),
                count,
                "must be greater than or equal to 0",
            ));
        }
        if !names_seen.insert(name) {
            errs.push(FieldError::duplicate(format!("{at}.name"), name));
        }
        let mut keys = HashSet::new();
        for key in items(driver.get("topologyKeys")) {
            let key = key.as_str().unwrap_or("");
            if key.is_empty() {
                errs.push(FieldError::required(at.as_str(), ""));
            }
            if !keys.insert(key) {
                errs.push(FieldError::duplicate(at.as_str(), key));
            }
            for msg in names::qualified_name(key) {
                errs.push(FieldError::invalid(at.as_str(), key, msg));
            }
        }
    }
    errs
}

/// `ValidateCSINodeUpdate` (the strategy's whole `ValidateUpdate`,
/// `MutableCSINodeAllocatableCount` on): the new object's checks, then no driver listed
/// before may change but for its allocatable count.
pub(crate) fn csi_node_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = csi_node(new);
    let without_allocatable = |driver: &Value| {
        let mut driver = driver.clone();
        if let Some(map) = driver.as_object_mut() {
            map.remove("allocatable");
        }
        driver
    };
    for old_driver in items(spec(old).get("drivers")) {
        for new_driver in items(spec(new).get("drivers")) {
            if old_driver.get("name") != new_driver.get("name") {
                continue;
            }
            let (now, before) = (
                without_allocatable(new_driver),
                without_allocatable(old_driver),
            );
            if godump::dump(&CSI_NODE_DRIVER, &now) != godump::dump(&CSI_NODE_DRIVER, &before) {
                let dumped = godump::compact(&godump::dump(&CSI_NODE_DRIVER, &now));
                errs.push(FieldError::invalid(
                    "spec.drivers",
                    BadValue::Raw(dumped),
                    "field is immutable",
                ));
            }
        }
    }
    errs
}

/// `ValidateCSIStorageCapacity` (invalid label values in the topology refused).
pub(crate) fn csi_storage_capacity(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, true, NameRule::Subdomain);
    errs.extend(selector::label_selector(
        obj.get("nodeTopology"),
        "nodeTopology",
    ));
    let class = obj
        .get("storageClassName")
        .and_then(Value::as_str)
        .unwrap_or("");
    for msg in names::dns1123_subdomain(class) {
        errs.push(FieldError::invalid("storageClassName", class, msg));
    }
    if let Some(text) = set(obj, "capacity").and_then(Value::as_str)
        && let Some(q) = Quantity::parse(text)
        && q < Quantity::ZERO
    {
        let canonical = Quantity::canonical(text).unwrap_or_else(|| text.to_owned());
        errs.push(FieldError::invalid(
            "capacity",
            canonical,
            "must be greater than or equal to 0",
        ));
    }
    errs
}

/// The strategy's `ValidateUpdate`: `ValidateCSIStorageCapacity` of the new object, then
/// `ValidateCSIStorageCapacityUpdate` (the metadata update, the immutable topology and class).
pub(crate) fn csi_storage_capacity_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = csi_storage_capacity(new);
    // `AllowInvalidLabelValueInSelector` when the stored topology already fails the rules
    let ratcheted = !selector::label_selector(old.get("nodeTopology"), "nodeTopology").is_empty();
    if ratcheted {
        errs.retain(|e| {
            !(e.field.starts_with("nodeTopology.matchExpressions[") && e.field.contains(".values["))
        });
    }
    errs.extend(object_meta_update(new, old));
    let (now, before) = (set(new, "nodeTopology"), set(old, "nodeTopology"));
    if now != before {
        errs.push(FieldError::invalid(
            "nodeTopology",
            selector::json_value(now),
            "field is immutable",
        ));
    }
    let class = |v: &Value| {
        v.get("storageClassName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if class(new) != class(old) {
        errs.push(FieldError::invalid(
            "storageClassName",
            class(new),
            "field is immutable",
        ));
    }
    errs
}

/// A requested token's `expirationSeconds`: from 10 minutes to 2^32 seconds (CSIDriver
/// `tokenRequests` and projected `serviceAccountToken` volume sources check it alike).
pub(crate) fn token_expiration(path: &str, seconds: i64, errs: &mut Vec<FieldError>) {
    if seconds < 600 {
        errs.push(FieldError::invalid(
            path,
            seconds,
            "may not specify a duration less than 10 minutes",
        ));
    }
    if seconds > 1 << 32 {
        errs.push(FieldError::invalid(
            path,
            seconds,
            "may not specify a duration larger than 2^32 seconds",
        ));
    }
}

#[cfg(test)]
mod tests;
