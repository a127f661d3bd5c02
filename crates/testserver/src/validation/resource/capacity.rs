//! A device's capacities (`validateSingleAllocatableDeviceCapacity`,
//! `validateMultiAllocatableDeviceCapacity`): a request policy only on a device that allows
//! multiple allocations, and then at most one of `validValues` (sorted, at most 10, none over
//! the capacity, the default among them) and `validRange` (a minimum, the default, maximum
//! and step within the capacity and on the step grid). Quantities are shown in their
//! canonical form, as Go's `Quantity.String()` prints them.

use std::cmp::Ordering;

use serde_json::Value;

use super::super::{BadValue, FieldError};
use super::{items, set, set_of};
use crate::shared::quantity::Quantity;

/// `CapacityRequestPolicyDiscreteMaxOptions`.
const VALID_VALUES_MAX: usize = 10;

/// A quantity field: its value and its canonical text (`None` when unset or unparsable,
/// which the decoding refused before validation).
fn quantity(v: Option<&Value>) -> Option<(Quantity, String)> {
    let text = match v? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let q = Quantity::parse(&text)?;
    Some((q, Quantity::canonical(&text).unwrap_or(text)))
}

/// The capacity at `path` of a device that allows `multiple` allocations or not.
pub(crate) fn capacity(capacity: &Value, path: &str, multiple: bool) -> Vec<FieldError> {
    let Some(policy) = set(capacity, "requestPolicy") else {
        return Vec::new();
    };
    let path = format!("{path}.requestPolicy");
    if !multiple {
        return vec![FieldError::forbidden(
            path,
            "allowMultipleAllocations must be true",
        )];
    }
    let Some(max) = quantity(capacity.get("value")) else {
        return Vec::new();
    };
    let values = items(policy, "validValues");
    let range = set(policy, "validRange");
    if !values.is_empty() && range.is_some() {
        return vec![FieldError::forbidden(
            path,
            "exactly one policy can be specified, cannot specify \"validValues\" and \"validRange\" at the same time",
        )];
    }
    let default = quantity(policy.get("default"));
    match (values.is_empty(), range) {
        (false, _) => match default {
            None => vec![FieldError::required(
                format!("{path}.default"),
                "required when validValues is defined",
            )],
            Some(default) => valid_values(&default, &max, values, &format!("{path}.validValues")),
        },
        (true, Some(range)) => match default {
            None => vec![FieldError::required(
                format!("{path}.default"),
                "required when validRange is defined",
            )],
            Some(default) => valid_range(&default, &max, range, &format!("{path}.validRange")),
        },
        (true, None) => Vec::new(),
    }
}

/// `validateRequestPolicyValidValues`.
fn valid_values(
    default: &(Quantity, String),
    max: &(Quantity, String),
    values: &[Value],
    path: &str,
) -> Vec<FieldError> {
    let parsed: Vec<Option<(Quantity, String)>> =
        values.iter().map(|v| quantity(Some(v))).collect();
    let mut errs = Vec::new();
    for (i, pair) in parsed.windows(2).enumerate() {
        if let [Some(a), Some(b)] = pair
            && a.0 > b.0
        {
            errs.push(FieldError::invalid(
                format!("{path}[{}]", i + 1),
                b.1.as_str(),
                "values must be sorted in ascending order",
            ));
        }
    }
    let mut found = false;
    errs.extend(set_of(
        values,
        Some(VALID_VALUES_MAX),
        path,
        |v, at| {
            let Some((q, text)) = quantity(Some(v)) else {
                return Vec::new();
            };
            if q.cmp(&default.0) == Ordering::Equal {
                found = true;
            }
            if q > max.0 {
                vec![FieldError::invalid(
                    at,
                    text,
                    format!("option is larger than capacity value: {}", max.1),
                )]
            } else {
                Vec::new()
            }
        },
        |v| quantity(Some(v)).map_or(0, |(q, _)| q.value()),
        |k| BadValue::from(k.to_string()),
    ));
    if !found {
        errs.push(FieldError::invalid(
            path,
            default.1.as_str(),
            "default value is not valid according to the requestPolicy",
        ));
    }
    errs
}

/// `validateRequestPolicyRange`.
fn valid_range(
    default: &(Quantity, String),
    cap: &(Quantity, String),
    range: &Value,
    path: &str,
) -> Vec<FieldError> {
    let Some(min) = quantity(range.get("min")) else {
        return vec![FieldError::required(
            format!("{path}.min"),
            "required when validRange is defined",
        )];
    };
    let mut errs = Vec::new();
    let (min_path, max_path, step_path) = (
        format!("{path}.min"),
        format!("{path}.max"),
        format!("{path}.step"),
    );
    if min.0 > cap.0 {
        errs.push(FieldError::invalid(
            &min_path,
            min.1.as_str(),
            format!("min is larger than capacity value: {}", cap.1),
        ));
    }
    if default.0 < min.0 {
        errs.push(FieldError::invalid(
            &min_path,
            default.1.as_str(),
            format!("default is less than min: {}", min.1),
        ));
    }
    let max = quantity(range.get("max"));
    if let Some(max) = &max {
        if min.0 > max.0 {
            errs.push(FieldError::invalid(
                &max_path,
                min.1.as_str(),
                format!("min is larger than max: {}", max.1),
            ));
        }
        if max.0 > cap.0 {
            errs.push(FieldError::invalid(
                &max_path,
                max.1.as_str(),
                format!("max is larger than capacity value: {}", cap.1),
            ));
        }
        if default.0 > max.0 {
            errs.push(FieldError::invalid(
                &max_path,
                default.1.as_str(),
                format!("default is more than max: {}", max.1),
            ));
        }
    }
    if let Some(step) = quantity(range.get("step")) {
        let added = min.0.add(step.0);
        if added > cap.0 {
            let shown = Quantity::canonical(&format!("{}", added.value())).unwrap_or_default();
            errs.push(FieldError::invalid(
                &step_path,
                step.1.as_str(),
                format!("one step {shown} is larger than capacity value: {}", cap.1),
            ));
        }
        errs.extend(on_step(default, &min, &step, &step_path));
        if let Some(max) = &max {
            errs.extend(on_step(max, &min, &step, &step_path));
        }
    }
    errs
}

/// `validateRequestPolicyRangeStep`: `value` is a whole number of steps above `min`.
fn on_step(
    value: &(Quantity, String),
    min: &(Quantity, String),
    step: &(Quantity, String),
    path: &str,
) -> Vec<FieldError> {
    let step_value = step.0.value();
    if step_value == 0 || (value.0.value() - min.0.value()) % step_value == 0 {
        return Vec::new();
    }
    vec![FieldError::invalid(
        path,
        value.1.as_str(),
        format!(
            "value is not a multiple of a given step ({}) from ({})",
            step.1, min.1
        ),
    )]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `validateSingleAllocatableDeviceCapacity` and `validateRequestPolicy`.
    #[test]
    fn request_policies() {
        let policy = json!({"value": "10Gi", "requestPolicy": {"default": "1Gi",
            "validRange": {"min": "1Gi", "step": "1Gi"}}});
        assert_eq!(
            texts(capacity(&policy, "c", false)),
            ["c.requestPolicy: Forbidden: allowMultipleAllocations must be true"]
        );
        assert!(capacity(&policy, "c", true).is_empty());
        let values = json!({"value": "8", "requestPolicy": {"default": "3",
            "validValues": ["4", "2", "16", "4"]}});
        assert_eq!(
            texts(capacity(&values, "c", true)),
            [
                "c.requestPolicy.validValues[1]: Invalid value: \"2\": values must be sorted in ascending order",
                "c.requestPolicy.validValues[3]: Invalid value: \"4\": values must be sorted in ascending order",
                "c.requestPolicy.validValues[2]: Invalid value: \"16\": option is larger than capacity value: 8",
                "c.requestPolicy.validValues[3]: Duplicate value: \"4\"",
                "c.requestPolicy.validValues: Invalid value: \"3\": default value is not valid according to the requestPolicy",
            ]
        );
        let range = json!({"value": "8", "requestPolicy": {"default": "3",
            "validRange": {"min": "2", "max": "9", "step": "2"}}});
        assert_eq!(
            texts(capacity(&range, "c", true)),
            [
                "c.requestPolicy.validRange.max: Invalid value: \"9\": max is larger than capacity value: 8",
                "c.requestPolicy.validRange.step: Invalid value: \"3\": value is not a multiple of a given step (2) from (2)",
                "c.requestPolicy.validRange.step: Invalid value: \"9\": value is not a multiple of a given step (2) from (2)",
            ]
        );
    }
}
