//! ResourceQuota and LimitRange decoding: their resource lists canonical (a malformed amount
//! fails the decoding) and rounded up to thousandths (`SetDefaults_ResourceList`: `1n` is
//! `1m`), and `SetDefaults_LimitRangeItem` (a `Container` item's `default` from `max`, its
//! `defaultRequest` from `default`, then from `min`). An empty resource list is dropped, as
//! the typed object's `omitempty` drops it.

use serde_json::{Map, Value};

use super::DecodeError;
use super::quantities::maps_at;
use crate::shared::quantity::Quantity;

/// The resource lists of a LimitRange item.
const ITEM_LISTS: [&str; 5] = [
    "max",
    "min",
    "default",
    "defaultRequest",
    "maxLimitRequestRatio",
];

/// A ResourceQuota: `spec.hard`, `status.hard` and `status.used` canonical.
///
/// # Errors
/// [`DecodeError::InvalidQuantity`] for an amount that does not parse.
pub(crate) fn resource_quota(obj: &mut Value) -> Result<(), DecodeError> {
    let lists = ["/spec/hard", "/status/hard", "/status/used"];
    maps_at(obj, &lists)?;
    round_to_milli(obj, &lists);
    Ok(())
}

/// `SetDefaults_ResourceList`: amounts finer than a thousandth rounded up (away from zero) to
/// one, in the amount's own notation (canonical amounts below a thousandth end in `u` or `n`,
/// or an exponent below `-3`).
fn round_to_milli(obj: &mut Value, pointers: &[&str]) {
    for pointer in pointers {
        let Some(list) = obj.pointer_mut(pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        for amount in list.values_mut() {
            let Some(text) = amount.as_str() else {
                continue;
            };
            let exponent = text.ends_with("e-9") || text.ends_with("e-6");
            if !(text.ends_with('n') || text.ends_with('u') || exponent) {
                continue;
            }
            let (negative, magnitude) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text),
            };
            let Some(milli) = Quantity::parse(magnitude).map(Quantity::milli_value) else {
                continue;
            };
            let sign = if negative { "-" } else { "" };
            let rounded = if exponent {
                format!("{sign}{milli}e-3")
            } else {
                format!("{sign}{milli}m")
            };
            if let Some(canonical) = Quantity::canonical(&rounded) {
                *amount = Value::String(canonical);
            }
        }
    }
}

/// A LimitRange: each item's lists canonical, then the item defaults.
///
/// # Errors
/// [`DecodeError::InvalidQuantity`] for an amount that does not parse.
pub(crate) fn limit_range(obj: &mut Value) -> Result<(), DecodeError> {
    let count = obj
        .pointer("/spec/limits")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let pointers: Vec<String> = (0..count)
        .flat_map(|i| ITEM_LISTS.map(|list| format!("/spec/limits/{i}/{list}")))
        .collect();
    let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
    maps_at(obj, &pointers)?;
    round_to_milli(obj, &pointers);
    let items = obj
        .pointer_mut("/spec/limits")
        .and_then(Value::as_array_mut);
    for item in items.into_iter().flatten() {
        if let Some(item) = item.as_object_mut() {
            limit_range_item(item);
        }
    }
    Ok(())
}

/// `SetDefaults_LimitRangeItem`, then empty lists dropped.
fn limit_range_item(item: &mut Map<String, Value>) {
    if item.get("type").and_then(Value::as_str) == Some("Container") {
        let list = |item: &Map<String, Value>, key: &str| {
            item.get(key)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let mut default = list(item, "default");
        for (k, v) in list(item, "max") {
            default.entry(k).or_insert(v);
        }
        let mut request = list(item, "defaultRequest");
        for (k, v) in default.iter().chain(list(item, "min").iter()) {
            request.entry(k.clone()).or_insert_with(|| v.clone());
        }
        item.insert("default".into(), Value::Object(default));
        item.insert("defaultRequest".into(), Value::Object(request));
    }
    item.retain(|k, v| {
        !(ITEM_LISTS.contains(&k.as_str()) && v.as_object().is_some_and(Map::is_empty))
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `SetDefaults_LimitRangeItem`: `default` from `max`, `defaultRequest` from `default` then
    /// `min`; other item types untouched; amounts canonical.
    #[test]
    fn container_items_get_defaults() {
        let mut lr = json!({"kind": "LimitRange", "spec": {"limits": [
            {"type": "Container", "max": {"cpu": "2000m", "memory": "1Gi"}, "min": {"cpu": "100m",
                "ephemeral-storage": "1Gi"}, "default": {"cpu": "1"}},
            {"type": "Pod", "max": {"cpu": "4"}, "default": {}}]}});
        limit_range(&mut lr).unwrap();
        assert_eq!(
            lr["spec"]["limits"],
            json!([
                {"type": "Container", "max": {"cpu": "2", "memory": "1Gi"},
                    "min": {"cpu": "100m", "ephemeral-storage": "1Gi"},
                    "default": {"cpu": "1", "memory": "1Gi"},
                    "defaultRequest": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"}},
                {"type": "Pod", "max": {"cpu": "4"}}
            ])
        );
        let mut bad = json!({"kind": "ResourceQuota", "spec": {"hard": {"pods": "ten"}}});
        assert!(resource_quota(&mut bad).is_err());
    }

    /// `SetDefaults_ResourceList`: thousandths at the finest, rounded away from zero.
    #[test]
    fn amounts_round_up_to_thousandths() {
        let mut quota = json!({"kind": "ResourceQuota", "spec": {"hard": {"cpu": "1n",
            "memory": "-1500u", "pods": "2", "requests.cpu": "1e-9", "limits.cpu": "0.0005"}}});
        resource_quota(&mut quota).unwrap();
        assert_eq!(
            quota["spec"]["hard"],
            json!({"cpu": "1m", "memory": "-2m", "pods": "2", "requests.cpu": "1e-3",
                "limits.cpu": "1m"})
        );
    }
}
