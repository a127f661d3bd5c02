//! ResourceSlices (`ValidateResourceSlice`, `ValidateResourceSliceUpdate`): the metadata (a
//! cluster-scoped DNS subdomain), the driver, the pool (name, slice count, generation), the
//! immutable pool name, driver and node name, exactly one of `nodeName`, `nodeSelector` (one
//! term), `allNodes` and `perDeviceNodeSelection`, at most one of `sharedCounters` and
//! `devices`, the devices (at most 128, or 64 with taints or consumed counters; names listed
//! once) and the counter sets (at most 8, names listed once).

use serde_json::Value;

use super::super::{BadValue, FieldError, NameRule, object_meta, object_meta_update};
use super::device::{counter_set, device};
use super::names::{driver, pool, subdomain};
use super::node_selector::node_selector;
use super::{int, items, set, set_of, text};

/// `ResourceSliceMaxDevices`.
const DEVICES_MAX: usize = 128;
/// `ResourceSliceMaxDevicesWithTaintsOrConsumesCounters`.
const DEVICES_WITH_TAINTS_MAX: usize = 64;
/// `ResourceSliceMaxCounterSets`.
const COUNTER_SETS_MAX: usize = 8;

/// `ValidateImmutableField` of the string at `pointer`, reported at `path`: an unset
/// `optional` field (a Go pointer) differs from an empty one and shows as `null`, an unset
/// plain string is empty.
fn immutable(
    new: &Value,
    old: &Value,
    pointer: &str,
    path: &str,
    optional: bool,
) -> Option<FieldError> {
    let value = |v: &Value| match v.pointer(pointer).and_then(Value::as_str) {
        Some(s) => Value::from(s),
        None if optional => Value::Null,
        None => Value::from(""),
    };
    (value(new) != value(old)).then(|| FieldError::invalid(path, value(new), "field is immutable"))
}

/// `validateResourcePool`.
fn resource_pool(spec: &Value) -> Vec<FieldError> {
    let empty = Value::Null;
    let p = spec.get("pool").unwrap_or(&empty);
    let mut errs = pool(text(p, "name"), "spec.pool.name");
    let count = int(p, "resourceSliceCount");
    if count <= 0 {
        errs.push(FieldError::invalid(
            "spec.pool.resourceSliceCount",
            count,
            "must be greater than zero",
        ));
    }
    let generation = int(p, "generation");
    if generation < 0 {
        errs.push(FieldError::invalid(
            "spec.pool.generation",
            generation,
            "must be greater than or equal to zero",
        ));
    }
    errs
}

/// The node selection of a slice: exactly one of the four fields.
fn node_selection(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut fields = Vec::new();
    if let Some(name) = set(spec, "nodeName") {
        let name = name.as_str().unwrap_or("");
        if name.is_empty() {
            errs.push(FieldError::invalid(
                "spec.nodeName",
                name,
                "must be either unset or set to a non-empty string",
            ));
        } else {
            fields.push("`nodeName`");
            errs.extend(subdomain(name, "spec.nodeName"));
        }
    }
    if let Some(selector) = set(spec, "nodeSelector") {
        fields.push("`nodeSelector`");
        errs.extend(node_selector(selector, "spec.nodeSelector"));
        let terms = items(selector, "nodeSelectorTerms");
        if terms.len() != 1 {
            errs.push(FieldError::invalid(
                "spec.nodeSelector.nodeSelectorTerms",
                selector
                    .get("nodeSelectorTerms")
                    .cloned()
                    .unwrap_or(Value::Null),
                "must have exactly one node selector term",
            ));
        }
    }
    for key in ["allNodes", "perDeviceNodeSelection"] {
        if let Some(flag) = set(spec, key) {
            if flag.as_bool() == Some(true) {
                fields.push(if key == "allNodes" {
                    "`allNodes`"
                } else {
                    "`perDeviceNodeSelection`"
                });
            } else {
                errs.push(FieldError::invalid(
                    format!("spec.{key}"),
                    Value::Bool(false),
                    "must be either unset or set to true",
                ));
            }
        }
    }
    let message = "exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required";
    match fields.len() {
        0 => errs.push(FieldError::required("spec", message)),
        1 => {}
        _ => errs.push(FieldError::invalid(
            "spec",
            format!("{{{}}}", fields.join(", ")),
            format!("{message}, but multiple fields are set"),
        )),
    }
    errs
}

/// `validateResourceSliceSpec` (`old` is the stored spec of an update).
fn spec(spec: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = driver(text(spec, "driver"), "spec.driver");
    errs.extend(resource_pool(spec));
    if let Some(old) = old {
        errs.extend(immutable(spec, old, "/pool/name", "spec.pool.name", false));
        errs.extend(immutable(spec, old, "/driver", "spec.driver", false));
        errs.extend(immutable(spec, old, "/nodeName", "spec.nodeName", true));
    }
    errs.extend(node_selection(spec));
    if set(spec, "sharedCounters").is_some() && set(spec, "devices").is_some() {
        errs.push(FieldError::invalid(
            "spec",
            "",
            "only one of `sharedCounters` or `devices` is allowed",
        ));
    }
    let devices = items(spec, "devices");
    let limited = devices
        .iter()
        .any(|d| !items(d, "taints").is_empty() || !items(d, "consumesCounters").is_empty());
    let max = if limited {
        DEVICES_WITH_TAINTS_MAX
    } else {
        DEVICES_MAX
    };
    let per_device = set(spec, "perDeviceNodeSelection").and_then(Value::as_bool);
    errs.extend(set_of(
        devices,
        Some(max),
        "spec.devices",
        |d, at| {
            let name = text(d, "name");
            let old = old.and_then(|old| {
                items(old, "devices")
                    .iter()
                    .find(|o| text(o, "name") == name)
            });
            device(d, old, at, per_device)
        },
        |d| text(d, "name").to_owned(),
        |k| BadValue::from(k.as_str()),
    ));
    errs.extend(set_of(
        items(spec, "sharedCounters"),
        Some(COUNTER_SETS_MAX),
        "spec.sharedCounters",
        counter_set,
        |s| text(s, "name").to_owned(),
        |k| BadValue::from(k.as_str()),
    ));
    errs
}

/// `ValidateResourceSlice`.
pub(crate) fn create(slice: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(slice, false, NameRule::Subdomain);
    errs.extend(spec(slice.get("spec").unwrap_or(&Value::Null), None));
    errs
}

/// `ValidateResourceSliceUpdate`: the metadata update rules, then the spec with the stored
/// one (immutable fields, unchanged taints not checked again).
pub(crate) fn update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = object_meta_update(new, old);
    errs.extend(spec(
        new.get("spec").unwrap_or(&Value::Null),
        Some(old.get("spec").unwrap_or(&Value::Null)),
    ));
    errs
}

#[cfg(test)]
mod tests;
