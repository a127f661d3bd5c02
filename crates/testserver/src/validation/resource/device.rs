//! The devices of a ResourceSlice (`validateDevice`): the name, attributes and capacities
//! (qualified names, at most 32 together, one value per attribute, semver versions), the
//! capacities' request policies (`capacity`), taints (checked only when they changed), the
//! counters a device consumes, per-device node selection and binding conditions; and the
//! slice's shared counter sets (`validateCounterSet`).

use serde_json::Value;

use super::super::{BadValue, FieldError};
use super::claim::TAINT_EFFECTS;
use super::names::{DOMAIN_MAX, ID_MAX, label, label_name, label_value, qualified};
use super::node_selector::node_selector;
use super::{capacity, items, map, set, set_of, slice, text};

/// `ResourceSliceMaxAttributesAndCapacitiesPerDevice`.
const ATTRIBUTES_AND_CAPACITIES_MAX: usize = 32;
/// `DeviceAttributeMaxValueLength`.
const ATTRIBUTE_VALUE_MAX: usize = 64;
/// `DeviceTaintsMaxLength`.
const TAINTS_MAX: usize = 16;
/// `ResourceSliceMaxCountersPerCounterSet` and `..PerDeviceCounterConsumption`.
const COUNTERS_MAX: usize = 32;
/// `ResourceSliceMaxDeviceCounterConsumptionsPerDevice`.
const CONSUMPTIONS_MAX: usize = 2;
/// `BindingConditionsMaxSize` and `BindingFailureConditionsMaxSize`.
const BINDING_CONDITIONS_MAX: usize = 4;
/// `validation.DNS1123LabelMaxLength`, where counter keys are truncated.
const LABEL_MAX: usize = 63;

/// `validateDevice` (`old` is the stored device of that name, on an update;
/// `per_device` is the slice's `perDeviceNodeSelection`).
pub(crate) fn device(
    device: &Value,
    old: Option<&Value>,
    path: &str,
    per_device: Option<bool>,
) -> Vec<FieldError> {
    let multiple = device
        .get("allowMultipleAllocations")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut errs = label(text(device, "name"), &format!("{path}.name"));
    let count = |key: &str| {
        device
            .get(key)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    };
    let total = count("attributes") + count("capacity");
    if total > ATTRIBUTES_AND_CAPACITIES_MAX {
        errs.push(FieldError::invalid(
            path,
            i64::try_from(total).unwrap_or(i64::MAX),
            format!(
                "the total number of attributes and capacities must not exceed {ATTRIBUTES_AND_CAPACITIES_MAX}"
            ),
        ));
    }
    let key_max = DOMAIN_MAX + 1 + ID_MAX;
    errs.extend(map(
        device,
        "attributes",
        None,
        key_max,
        &format!("{path}.attributes"),
        |k, v, at| {
            let mut errs = qualified(k, at);
            errs.extend(attribute(v, at));
            errs
        },
    ));
    errs.extend(map(
        device,
        "capacity",
        None,
        key_max,
        &format!("{path}.capacity"),
        |k, v, at| {
            let mut errs = qualified(k, at);
            errs.extend(capacity::capacity(v, at, multiple));
            errs
        },
    ));
    let taints = items(device, "taints");
    if old.is_none_or(|old| items(old, "taints") != taints) {
        errs.extend(slice(
            taints,
            Some(TAINTS_MAX),
            &format!("{path}.taints"),
            taint,
        ));
    }
    errs.extend(set_of(
        items(device, "consumesCounters"),
        Some(CONSUMPTIONS_MAX),
        &format!("{path}.consumesCounters"),
        consumption,
        |c| text(c, "counterSet").to_owned(),
        |k| BadValue::from(k.as_str()),
    ));
    errs.extend(node_selection(device, path, per_device));
    errs.extend(binding_conditions(device, path));
    errs
}

/// The per-device node selection: exactly one of `nodeName`, `nodeSelector` and `allNodes`
/// when the slice selects nodes per device, none otherwise.
fn node_selection(device: &Value, path: &str, per_device: Option<bool>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let node_name = set(device, "nodeName");
    let selector = set(device, "nodeSelector");
    let all_nodes = set(device, "allNodes");
    if per_device != Some(true) {
        if node_name.is_some() || selector.is_some() || all_nodes.is_some() {
            errs.push(FieldError::invalid(
                path,
                Value::Null,
                "`nodeName`, `nodeSelector` and `allNodes` can only be set if `perDeviceNodeSelection` is set to true in the ResourceSlice spec",
            ));
        }
        return errs;
    }
    let mut fields = Vec::new();
    if let Some(name) = node_name {
        let name = name.as_str().unwrap_or("");
        if name.is_empty() {
            errs.push(FieldError::invalid(
                format!("{path}.nodeName"),
                name,
                "must not be empty",
            ));
        } else {
            fields.push("`nodeName`");
            errs.extend(super::names::subdomain(name, &format!("{path}.nodeName")));
        }
    }
    if let Some(selector) = selector {
        fields.push("`nodeSelector`");
        errs.extend(node_selector(selector, &format!("{path}.nodeSelector")));
    }
    if let Some(all) = all_nodes {
        if all.as_bool() == Some(true) {
            fields.push("`allNodes`");
        } else {
            errs.push(FieldError::invalid(
                format!("{path}.allNodes"),
                Value::Bool(false),
                "must be either unset or set to true",
            ));
        }
    }
    let message = "exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required when `perDeviceNodeSelection` is set to true in the ResourceSlice spec";
    match fields.len() {
        0 => errs.push(FieldError::required(path, message)),
        1 => {}
        _ => errs.push(FieldError::invalid(
            path,
            format!("{{{}}}", fields.join(", ")),
            message,
        )),
    }
    errs
}

/// `validateDeviceAttribute`: exactly one of `bool`, `int`, `string` (at most 64 bytes) and
/// `version` (semver 2.0.0, at most 64 bytes).
fn attribute(attribute: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut fields = 0;
    if set(attribute, "bool").is_some() {
        fields += 1;
    }
    if set(attribute, "int").is_some() {
        fields += 1;
    }
    if let Some(s) = set(attribute, "string") {
        fields += 1;
        if s.as_str().unwrap_or("").len() > ATTRIBUTE_VALUE_MAX {
            errs.push(FieldError::too_long(
                format!("{path}.string"),
                ATTRIBUTE_VALUE_MAX,
            ));
        }
    }
    if let Some(v) = set(attribute, "version") {
        fields += 1;
        let v = v.as_str().unwrap_or("");
        if !is_semver(v) {
            errs.push(FieldError::invalid(
                format!("{path}.version"),
                v,
                "must be a string compatible with semver.org spec 2.0.0",
            ));
        }
        if v.len() > ATTRIBUTE_VALUE_MAX {
            errs.push(FieldError::too_long(
                format!("{path}.version"),
                ATTRIBUTE_VALUE_MAX,
            ));
        }
    }
    match fields {
        0 => errs.push(FieldError::invalid(
            path,
            "",
            "exactly one value must be specified",
        )),
        1 => {}
        _ => errs.push(FieldError::invalid(
            path,
            attribute.clone(),
            "exactly one value must be specified",
        )),
    }
    errs
}

/// `numericIdentifier`: `0` or digits without a leading zero.
fn numeric(s: &str) -> bool {
    s == "0" || (!s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()))
}

/// `semverRe`: `MAJOR.MINOR.PATCH`, an optional `-prerelease` and `+build`.
fn is_semver(v: &str) -> bool {
    let (rest, build) = match v.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (v, None),
    };
    let ident =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if build.is_some_and(|b| !b.split('.').all(ident)) {
        return false;
    }
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let pre_ok = |p: &str| ident(p) && (numeric(p) || !p.bytes().all(|b| b.is_ascii_digit()));
    if pre.is_some_and(|p| !p.split('.').all(pre_ok)) {
        return false;
    }
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| numeric(p))
}

/// `validateDeviceTaint` of a new taint: a label key, a label value, an effect.
pub(crate) fn taint(taint: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = label_name(text(taint, "key"), &format!("{path}.key"));
    let value = text(taint, "value");
    if !value.is_empty() {
        errs.extend(label_value(value, &format!("{path}.value")));
    }
    match text(taint, "effect") {
        "" => errs.push(FieldError::required(format!("{path}.effect"), "")),
        effect if !TAINT_EFFECTS.contains(&effect) => errs.push(FieldError::not_supported(
            format!("{path}.effect"),
            effect,
            &TAINT_EFFECTS,
        )),
        _ => {}
    }
    errs
}

/// The counters of a counter set or a consumption: required, at most 32, DNS-label names.
fn counters(parent: &Value, path: &str) -> Vec<FieldError> {
    let path = format!("{path}.counters");
    if parent
        .get("counters")
        .and_then(Value::as_object)
        .is_none_or(|m| m.is_empty())
    {
        return vec![FieldError::required(path, "")];
    }
    map(
        parent,
        "counters",
        Some(COUNTERS_MAX),
        LABEL_MAX,
        &path,
        |k, _, at| label(k, at),
    )
}

/// A required DNS-label name at `path`.
fn required_label(value: &str, path: &str) -> Vec<FieldError> {
    if value.is_empty() {
        vec![FieldError::required(path, "")]
    } else {
        label(value, path)
    }
}

/// `validateDeviceCounterConsumption`.
fn consumption(consumption: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = required_label(
        text(consumption, "counterSet"),
        &format!("{path}.counterSet"),
    );
    errs.extend(counters(consumption, path));
    errs
}

/// `validateCounterSet`.
pub(crate) fn counter_set(set: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = required_label(text(set, "name"), &format!("{path}.name"));
    errs.extend(counters(set, path));
    errs
}

/// Go's `%#v` of a `[]string` field.
fn go_strings(v: Option<&Value>) -> BadValue {
    BadValue::Raw(match v.and_then(Value::as_array) {
        None => "[]string(nil)".to_owned(),
        Some(list) => {
            let quoted: Vec<String> = list
                .iter()
                .map(|s| super::super::go_quote(s.as_str().unwrap_or("")))
                .collect();
            format!("[]string{{{}}}", quoted.join(", "))
        }
    })
}

/// `validateDeviceBindingParameters` of a device or an allocation result at `path`.
pub(crate) fn binding_conditions(parent: &Value, path: &str) -> Vec<FieldError> {
    let conditions = items(parent, "bindingConditions");
    let failures = items(parent, "bindingFailureConditions");
    let conditions_path = format!("{path}.bindingConditions");
    let failures_path = format!("{path}.bindingFailureConditions");
    let each = |v: &Value, at: &str| label_name(v.as_str().unwrap_or(""), at);
    let mut errs = slice(
        conditions,
        Some(BINDING_CONDITIONS_MAX),
        &conditions_path,
        each,
    );
    errs.extend(slice(
        failures,
        Some(BINDING_CONDITIONS_MAX),
        &failures_path,
        each,
    ));
    for (i, c) in conditions.iter().enumerate() {
        if conditions[..i].contains(c) {
            errs.push(FieldError::duplicate(
                format!("{conditions_path}[{i}]"),
                c.as_str().unwrap_or(""),
            ));
        }
    }
    for (i, c) in failures.iter().enumerate() {
        let name = c.as_str().unwrap_or("");
        if failures[..i].contains(c) {
            errs.push(FieldError::duplicate(format!("{failures_path}[{i}]"), name));
        }
        if conditions.contains(c) {
            errs.push(FieldError::invalid(
                format!("{failures_path}[{i}]"),
                name,
                "bindingFailureConditions must not overlap with bindingConditions",
            ));
        }
    }
    if conditions.is_empty() && !failures.is_empty() {
        errs.push(FieldError::invalid(
            conditions_path,
            go_strings(parent.get("bindingConditions")),
            "bindingConditions are required to use bindingFailureConditions",
        ));
    }
    if failures.is_empty() && !conditions.is_empty() {
        errs.push(FieldError::invalid(
            failures_path,
            go_strings(parent.get("bindingFailureConditions")),
            "bindingFailureConditions are required to use bindingConditions",
        ));
    }
    errs
}

#[cfg(test)]
mod tests;
