//! LimitRange validation (`ValidateLimitRange` of `pkg/apis/core/validation`, which the
//! strategy runs on create and on update): the limit types, the resource names of each
//! `min`/`max`/`default`/`defaultRequest`/`maxLimitRequestRatio` map, and how their amounts
//! relate (`min <= defaultRequest <= default <= max`, ratios at least 1 and at most
//! `max/min`, equal defaults for resources that may not overcommit).
//!
//! Objects reach validation defaulted (`SetDefaults_LimitRangeItem`: a `Container` item's
//! `default` comes from `max`, its `defaultRequest` from `default` or `min`), as on the real
//! server, so a `max` below a `min` is also reported against the defaults it produced. Go
//! walks the resource names of an item as a set (in no fixed order); here they come sorted.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{FieldError, names, resources};
use crate::shared::quantity::Quantity;

/// The standard limit types (`IsStandardLimitRangeType`).
const TYPES: [&str; 3] = ["Pod", "Container", "PersistentVolumeClaim"];

/// `resource.MaxMilliValue`: above it, ratios are compared in whole units.
const MAX_MILLI_VALUE: i64 = i64::MAX / 1000;

/// `validateLimitRangeTypeName`.
fn type_name(kind: &str, path: &str) -> Vec<FieldError> {
    let errs: Vec<FieldError> = names::qualified_name(kind)
        .into_iter()
        .map(|m| FieldError::invalid(path, resources::name_value(kind), m))
        .collect();
    if !errs.is_empty() || kind.contains('/') || TYPES.contains(&kind) {
        return errs;
    }
    vec![FieldError::invalid(
        path,
        resources::name_value(kind),
        "must be a standard limit type or fully qualified",
    )]
}

/// `validateLimitRangeResourceName`: container rules for `Pod` and `Container` items.
fn resource_name(kind: &str, name: &str, path: &str) -> Vec<FieldError> {
    match kind {
        "Pod" | "Container" => resources::container_resource_name(name, path),
        _ => resources::resource_name(name, path),
    }
}

fn map<'a>(item: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    item.get(key).and_then(Value::as_object)
}

/// One map of an item: its names checked, collected into `keys`.
fn names_of(
    item: &Value,
    key: &str,
    kind: &str,
    path: &str,
    keys: &mut BTreeSet<String>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for name in map(item, key).into_iter().flat_map(Map::keys) {
        errs.extend(resource_name(kind, name, &format!("{path}.{key}[{name}]")));
        keys.insert(name.clone());
    }
    errs
}

/// The amount of `name` in the item's `key` map: its text and value.
fn amount<'a>(item: &'a Value, key: &str, name: &str) -> Option<(&'a Value, Quantity)> {
    let v = map(item, key)?.get(name)?;
    Some((v, resources::quantity(v)?))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// The relations between one resource's amounts in an item (a `Pod` item's defaults are not
/// read: they are refused).
fn relations(item: &Value, name: &str, path: &str, pod: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let at = |key: &str| format!("{path}.{key}[{name}]");
    let invalid = |key: &str, v: &Value, msg: String| {
        FieldError::invalid(at(key), resources::quantity_value(v), msg)
    };
    let min = amount(item, "min", name);
    let max = amount(item, "max", name);
    let default = amount(item, "default", name).filter(|_| !pod);
    let request = amount(item, "defaultRequest", name).filter(|_| !pod);
    let ratio = amount(item, "maxLimitRequestRatio", name);
    if let (Some((mv, mq)), Some((xv, xq))) = (min, max)
        && mq > xq
    {
        let msg = format!(
            "min value {} is greater than max value {}",
            text(mv),
            text(xv)
        );
        errs.push(invalid("min", mv, msg));
    }
    if let (Some((rv, rq)), Some((mv, mq))) = (request, min)
        && mq > rq
    {
        let msg = format!(
            "min value {} is greater than default request value {}",
            text(mv),
            text(rv)
        );
        errs.push(invalid("defaultRequest", rv, msg));
    }
    if let (Some((rv, rq)), Some((xv, xq))) = (request, max)
        && rq > xq
    {
        let msg = format!(
            "default request value {} is greater than max value {}",
            text(rv),
            text(xv)
        );
        errs.push(invalid("defaultRequest", rv, msg));
    }
    if let (Some((rv, rq)), Some((dv, dq))) = (request, default)
        && rq > dq
    {
        let msg = format!(
            "default request value {} is greater than default limit value {}",
            text(rv),
            text(dv)
        );
        errs.push(invalid("defaultRequest", rv, msg));
    }
    if let (Some((dv, dq)), Some((mv, mq))) = (default, min)
        && mq > dq
    {
        let msg = format!(
            "min value {} is greater than default value {}",
            text(mv),
            text(dv)
        );
        errs.push(invalid("default", mv, msg));
    }
    if let (Some((dv, dq)), Some((xv, xq))) = (default, max)
        && dq > xq
    {
        let msg = format!(
            "default value {} is greater than max value {}",
            text(dv),
            text(xv)
        );
        errs.push(invalid("default", xv, msg));
    }
    if let Some((rv, rq)) = ratio {
        if rq < Quantity::parse("1").unwrap_or(Quantity::ZERO) {
            let msg = format!("ratio {} is less than 1", text(rv));
            errs.push(invalid("maxLimitRequestRatio", rv, msg));
        }
        if let (Some((_, mq)), Some((_, xq))) = (min, max)
            && let Some(limit) = ratio_limit(rq, mq, xq)
        {
            errs.push(invalid(
                "maxLimitRequestRatio",
                rv,
                format!("ratio {} is greater than max/min = {limit:.6}", text(rv)),
            ));
        }
    }
    if !resources::is_overcommit_allowed(name)
        && let (Some((dv, dq)), Some((rv, rq))) = (default, request)
        && dq != rq
    {
        let msg = format!(
            "default value {} must equal to defaultRequest value {} in {name}",
            text(dv),
            text(rv)
        );
        errs.push(invalid("defaultRequest", rv, msg));
    }
    errs
}

/// `max/min` when `ratio` exceeds it, compared in thousandths unless a value is too large for
/// them (as upstream does, in floating point).
#[allow(clippy::cast_precision_loss)] // Go compares these as float64 too
fn ratio_limit(ratio: Quantity, min: Quantity, max: Quantity) -> Option<f64> {
    let (mut r, mut lo, mut hi) = (ratio.value() as f64, min.value(), max.value());
    if ratio.value() < MAX_MILLI_VALUE && lo < MAX_MILLI_VALUE && hi < MAX_MILLI_VALUE {
        r = ratio.milli_value() as f64 / 1000.0;
        lo = min.milli_value();
        hi = max.milli_value();
    }
    let limit = hi as f64 / lo as f64;
    (r > limit).then_some(limit)
}

/// One `spec.limits[i]` item.
fn item(item: &Value, path: &str, seen: &mut Vec<String>) -> Vec<FieldError> {
    let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
    let mut errs = type_name(kind, &format!("{path}.type"));
    if seen.iter().any(|k| k == kind) {
        errs.push(FieldError::duplicate(
            format!("{path}.type"),
            resources::name_value(kind),
        ));
    }
    seen.push(kind.to_owned());
    let mut keys = BTreeSet::new();
    errs.extend(names_of(item, "max", kind, path, &mut keys));
    errs.extend(names_of(item, "min", kind, path, &mut keys));
    if kind == "Pod" {
        for key in ["default", "defaultRequest"] {
            if map(item, key).is_some_and(|m| !m.is_empty()) {
                errs.push(FieldError::forbidden(
                    format!("{path}.{key}"),
                    "may not be specified when `type` is 'Pod'",
                ));
            }
        }
    } else {
        errs.extend(names_of(item, "default", kind, path, &mut keys));
        errs.extend(names_of(item, "defaultRequest", kind, path, &mut keys));
    }
    if kind == "PersistentVolumeClaim"
        && !["min", "max"]
            .iter()
            .any(|k| map(item, k).is_some_and(|m| m.contains_key("storage")))
    {
        errs.push(FieldError::required(
            format!("{path}.limits"),
            "either minimum or maximum storage value is required, but neither was provided",
        ));
    }
    errs.extend(names_of(
        item,
        "maxLimitRequestRatio",
        kind,
        path,
        &mut keys,
    ));
    for name in &keys {
        errs.extend(relations(item, name, path, kind == "Pod"));
    }
    errs
}

/// `ValidateLimitRange` after the metadata.
pub(crate) fn limit_range(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = Vec::new();
    let limits = obj.pointer("/spec/limits").and_then(Value::as_array);
    for (i, limit) in limits.into_iter().flatten().enumerate() {
        errs.extend(item(limit, &format!("spec.limits[{i}]"), &mut seen));
    }
    errs
}

#[cfg(test)]
mod tests;
