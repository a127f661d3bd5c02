//! ResourceClaim and ResourceClaimTemplate specs (`ValidateResourceClaim`,
//! `ValidateResourceClaimUpdate`, `ValidateResourceClaimTemplate`,
//! `ValidateResourceClaimTemplateUpdate`): the requests (DNS-label names, each listed once,
//! exactly one of `exactly` and `firstAvailable`, a device class, selectors, the allocation
//! mode and count, tolerations), the constraints and the configs (both naming requests of
//! the claim), the opaque driver parameters.
//!
//! Updates check only the metadata and that the spec did not change (the spec is
//! immutable); the immutable-spec error shows the spec as JSON where Go prints `%#v`.
//! The namespace label an `adminAccess` request needs (`AuthorizedForAdmin`) is not checked.

use serde_json::Value;

use super::super::{BadValue, FieldError, NameRule, object_meta, object_meta_update};
use super::super::{meta, resource_claim::immutable_spec};
use super::{
    CONFIG_MAX, CONSTRAINTS_MAX, OPAQUE_PARAMETERS_MAX, REQUESTS_MAX, cel, int, items, names, set,
    set_of, slice, string_set, text,
};

/// `FirstAvailableDeviceRequestMaxSize`.
const FIRST_AVAILABLE_MAX: usize = 8;

/// Each request's name with its subrequests' names (`gatherRequestNames`; `None` for a
/// request without `firstAvailable`).
pub(crate) type RequestNames<'a> = Vec<(&'a str, Option<Vec<&'a str>>)>;

/// `gatherRequestNames` of a `DeviceClaim` (`spec.devices`).
pub(crate) fn request_names(devices: &Value) -> RequestNames<'_> {
    let mut names: RequestNames<'_> = Vec::new();
    for r in items(devices, "requests") {
        let subs = items(r, "firstAvailable");
        let subs = (!subs.is_empty()).then(|| subs.iter().map(|s| text(s, "name")).collect());
        let name = text(r, "name");
        // a map in Go: a later request of the same name replaces the earlier one
        names.retain(|(n, _)| *n != name);
        names.push((name, subs));
    }
    names
}

/// `requestNames.Has`.
fn has_request(names: &RequestNames<'_>, name: &str) -> bool {
    let segments: Vec<&str> = name.split('/').collect();
    let Some((_, subs)) = names.iter().find(|(n, _)| *n == segments[0]) else {
        return false;
    };
    match segments.as_slice() {
        [_] => true,
        [_, sub] => subs.as_ref().is_some_and(|s| s.contains(sub)),
        _ => false,
    }
}

/// `validateRequestNameRef`: a request, or a request and a subrequest, of the claim.
pub(crate) fn request_ref(name: &str, path: &str, names: &RequestNames<'_>) -> Vec<FieldError> {
    let message = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";
    let segments: Vec<&str> = name.split('/').collect();
    if segments.len() > 2 {
        return vec![FieldError::invalid(path, name, message)];
    }
    let mut errs: Vec<FieldError> = segments
        .iter()
        .flat_map(|s| super::names::label(s, path))
        .collect();
    if !has_request(names, name) {
        errs.push(FieldError::invalid(path, name, message));
    }
    errs
}

/// The names of requests a constraint or config lists (`validateSet` with `stringKey`).
pub(crate) fn request_refs(
    parent: &Value,
    path: &str,
    names: &RequestNames<'_>,
) -> Vec<FieldError> {
    string_set(items(parent, "requests"), REQUESTS_MAX, path, |v, at| {
        request_ref(v.as_str().unwrap_or(""), at, names)
    })
}

/// `validateResourceClaimSpec` (`validateDeviceClaim` of `spec.devices`) at `path`.
pub(crate) fn spec(spec: &Value, path: &str) -> Vec<FieldError> {
    let empty = Value::Null;
    let devices = spec.get("devices").unwrap_or(&empty);
    let path = format!("{path}.devices");
    let names = request_names(devices);
    let mut errs = set_of(
        items(devices, "requests"),
        Some(REQUESTS_MAX),
        &format!("{path}.requests"),
        request,
        |r| text(r, "name").to_owned(),
        |k| BadValue::from(k.as_str()),
    );
    errs.extend(slice(
        items(devices, "constraints"),
        Some(CONSTRAINTS_MAX),
        &format!("{path}.constraints"),
        |c, at| constraint(c, at, &names),
    ));
    errs.extend(slice(
        items(devices, "config"),
        Some(CONFIG_MAX),
        &format!("{path}.config"),
        |c, at| {
            let mut errs = request_refs(c, &format!("{at}.requests"), &names);
            errs.extend(configuration(c, at, false));
            errs
        },
    ));
    errs
}

/// `validateDeviceRequest`.
fn request(request: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = names::label(text(request, "name"), &format!("{path}.name"));
    let first_available = items(request, "firstAvailable");
    let exactly = set(request, "exactly");
    match (exactly, first_available.is_empty()) {
        (None, true) => errs.push(FieldError::required(
            path,
            "exactly one of `exactly` or `firstAvailable` is required",
        )),
        (Some(_), false) => errs.push(FieldError::invalid(
            path,
            Value::Null,
            "exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set",
        )),
        (None, false) => errs.extend(set_of(
            first_available,
            Some(FIRST_AVAILABLE_MAX),
            &format!("{path}.firstAvailable"),
            |sub, at| {
                let mut errs = names::label(text(sub, "name"), &format!("{at}.name"));
                errs.extend(selection(sub, at));
                errs
            },
            |s| text(s, "name").to_owned(),
            |k| BadValue::from(k.as_str()),
        )),
        (Some(exactly), true) => errs.extend(selection(exactly, &format!("{path}.exactly"))),
    }
    errs
}

/// What an exact request and a subrequest share (`validateExactDeviceRequest`, the rest
/// of `validateDeviceSubRequest`): the device class, selectors, allocation mode and count,
/// tolerations.
fn selection(request: &Value, path: &str) -> Vec<FieldError> {
    let class = text(request, "deviceClassName");
    let class_path = format!("{path}.deviceClassName");
    let mut errs = if class.is_empty() {
        vec![FieldError::required(class_path, "")]
    } else {
        names::subdomain(class, &class_path)
    };
    errs.extend(cel::selectors(
        request,
        "selectors",
        &format!("{path}.selectors"),
    ));
    errs.extend(allocation_mode(request, path));
    for (i, toleration) in items(request, "tolerations").iter().enumerate() {
        errs.extend(self::toleration(
            toleration,
            &format!("{path}.tolerations[{i}]"),
        ));
    }
    errs
}

/// `validateDeviceAllocationMode`.
fn allocation_mode(request: &Value, path: &str) -> Vec<FieldError> {
    let count = int(request, "count");
    match text(request, "allocationMode") {
        "All" if count != 0 => vec![FieldError::invalid(
            format!("{path}.count"),
            count,
            "must not be specified when allocationMode is 'All'",
        )],
        "ExactCount" if count <= 0 => vec![FieldError::invalid(
            format!("{path}.count"),
            count,
            "must be greater than zero",
        )],
        "All" | "ExactCount" => Vec::new(),
        other => vec![FieldError::not_supported(
            format!("{path}.allocationMode"),
            other,
            &["All", "ExactCount"],
        )],
    }
}

/// `validDeviceTaintEffects`, sorted as `sets.List` sorts them.
pub(crate) const TAINT_EFFECTS: [&str; 3] = ["NoExecute", "NoSchedule", "None"];

/// `validateDeviceToleration`.
fn toleration(toleration: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let key = text(toleration, "key");
    if !key.is_empty() {
        errs.extend(names::label_name(key, &format!("{path}.key")));
    }
    let value = text(toleration, "value");
    match text(toleration, "operator") {
        "Exists" if !value.is_empty() => errs.push(FieldError::invalid(
            format!("{path}.value"),
            value,
            "must be empty for operator `Exists`",
        )),
        "Exists" => {}
        "Equal" => errs.extend(names::label_value(value, &format!("{path}.value"))),
        "" => errs.push(FieldError::required(format!("{path}.operator"), "")),
        other => errs.push(FieldError::not_supported(
            format!("{path}.operator"),
            other,
            &["Equal", "Exists"],
        )),
    }
    let effect = text(toleration, "effect");
    if !effect.is_empty() && !TAINT_EFFECTS.contains(&effect) {
        errs.push(FieldError::not_supported(
            format!("{path}.effect"),
            effect,
            &TAINT_EFFECTS,
        ));
    }
    errs
}

/// `validateDeviceConstraint`: the requests it applies to, then its attribute
/// (`DRAConsumableCapacity` on: `matchAttribute` or `distinctAttribute`).
fn constraint(constraint: &Value, path: &str, names: &RequestNames<'_>) -> Vec<FieldError> {
    let mut errs = request_refs(constraint, &format!("{path}.requests"), names);
    if let Some(attribute) = set(constraint, "matchAttribute") {
        errs.extend(names::fully_qualified(
            attribute.as_str().unwrap_or(""),
            &format!("{path}.matchAttribute"),
        ));
    } else if let Some(attribute) = set(constraint, "distinctAttribute") {
        errs.extend(names::fully_qualified(
            attribute.as_str().unwrap_or(""),
            &format!("{path}.distinctAttribute"),
        ));
    } else {
        errs.push(FieldError::required(
            path,
            "exactly one of \"matchAttribute\" or \"distinctAttribute\" is required, but multiple fields are set",
        ));
    }
    errs
}

/// `validateDeviceConfiguration`: the `opaque` configuration is required; the size of
/// `stored` parameters is not limited.
pub(crate) fn configuration(config: &Value, path: &str, stored: bool) -> Vec<FieldError> {
    let path = format!("{path}.opaque");
    let Some(opaque) = set(config, "opaque") else {
        return vec![FieldError::required(path, "")];
    };
    let mut errs = names::driver(text(opaque, "driver"), &format!("{path}.driver"));
    errs.extend(raw_extension(
        opaque.get("parameters"),
        &format!("{path}.parameters"),
        (!stored).then_some(OPAQUE_PARAMETERS_MAX),
    ));
    errs
}

/// `validateRawExtension`: required, at most `max` bytes of JSON (no limit for stored
/// values), an object. The server holds the value decoded, so its size is that of its
/// compact JSON.
pub(crate) fn raw_extension(
    value: Option<&Value>,
    path: &str,
    max: Option<usize>,
) -> Vec<FieldError> {
    match (value, max) {
        (None | Some(Value::Null), _) => vec![FieldError::required(path, "")],
        (Some(v), Some(max)) if v.to_string().len() > max => {
            vec![FieldError::too_long(path, max)]
        }
        (Some(Value::Object(_)), _) => Vec::new(),
        (Some(_), _) => vec![FieldError::invalid(
            path,
            "<value omitted>",
            "must be a valid JSON object",
        )],
    }
}

/// `ValidateResourceClaim`: the metadata (a namespaced DNS subdomain), then the spec.
pub(crate) fn claim_create(claim: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(claim, true, NameRule::Subdomain);
    errs.extend(spec(claim.get("spec").unwrap_or(&Value::Null), "spec"));
    errs
}

/// `ValidateResourceClaimUpdate`: the metadata, its update rules, the immutable spec.
pub(crate) fn claim_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(new, true, NameRule::Subdomain);
    errs.extend(object_meta_update(new, old));
    errs.extend(immutable_spec(new, old));
    errs
}

/// `ValidateResourceClaimTemplate`: the metadata, then the template's metadata
/// (`ValidateTemplateObjectMeta`: annotations and labels) and its claim spec.
pub(crate) fn template_create(template: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(template, true, NameRule::Subdomain);
    let empty = Value::Null;
    let spec = template.get("spec").unwrap_or(&empty);
    let metadata = spec.get("metadata").unwrap_or(&empty);
    errs.extend(meta::annotations_at(
        metadata.get("annotations"),
        "spec.metadata.annotations",
    ));
    errs.extend(meta::labels(metadata.get("labels"), "spec.metadata.labels"));
    errs.extend(self::spec(spec.get("spec").unwrap_or(&empty), "spec.spec"));
    errs
}

/// The template strategy's `ValidateUpdate`: `ValidateResourceClaimTemplate` of the new
/// object, then `ValidateResourceClaimTemplateUpdate` (the metadata update rules, the
/// immutable spec).
pub(crate) fn template_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = template_create(new);
    errs.extend(object_meta_update(new, old));
    errs.extend(immutable_spec(new, old));
    errs
}

#[cfg(test)]
mod tests;
