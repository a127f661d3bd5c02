//! resource.k8s.io/v1 (dynamic resource allocation) validation and defaults, from
//! `pkg/apis/resource/validation/validation.go`, `pkg/apis/resource/v1/defaults.go` and the
//! strategies of `pkg/registry/resource/*`, with v1.36's feature gates at their defaults
//! (`DRAPrioritizedList`, `DRAAdminAccess`, `DRADeviceTaints`, `DRAPartitionableDevices`,
//! `DRAConsumableCapacity`, `DRADeviceBindingConditions`, `DRAExtendedResource` and
//! `DRAResourceClaimDeviceStatus` on; `DRAListTypeAttributes`,
//! `DRANodeAllocatableResources` and `DRAResourcePoolStatus` off).
//!
//! Guarantees: every function returns the hand-written rules' field errors in the order Go
//! appends them (declarative validation does not take over in v1.36), with Go's messages;
//! where Go walks a map (attributes, capacities, counters) the keys are visited in sorted
//! order. Values Go prints with `%#v` (structs) are shown as their JSON.
//!
//! One file per type or rule group: [`claim`] (claim and template specs), [`device_class`],
//! [`slice`], [`device`] and [`capacity`] (ResourceSlices), [`allocation`] (what a claim's status holds),
//! [`cel`] (selector expressions), [`names`] (the qualified-name rules), [`node_selector`]
//! (`ValidateNodeSelector`), [`defaults`] (`SetDefaults_*` and the strategies' field drops).

pub(crate) mod allocation;
pub(crate) mod capacity;
pub(crate) mod cel;
pub(crate) mod claim;
pub(crate) mod defaults;
pub(crate) mod device;
pub(crate) mod device_class;
pub(crate) mod names;
pub(crate) mod node_selector;
pub(crate) mod slice;

use serde_json::Value;

use super::{BadValue, FieldError};

/// `DeviceRequestsMaxSize` (also the most requests a constraint or config names, and
/// `AllocationResultsMaxSize`).
pub(crate) const REQUESTS_MAX: usize = 32;
/// `DeviceConstraintsMaxSize`.
pub(crate) const CONSTRAINTS_MAX: usize = 32;
/// `DeviceConfigMaxSize`.
pub(crate) const CONFIG_MAX: usize = 32;
/// `DeviceSelectorsMaxSize`.
pub(crate) const SELECTORS_MAX: usize = 32;
/// `OpaqueParametersMaxLength`.
pub(crate) const OPAQUE_PARAMETERS_MAX: usize = 10 * 1024;

/// The items of the array at `key` (none when absent, `null` or not an array).
pub(crate) fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The string at `key` (`""` when absent).
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The value at `key` when set (not `null`): a Go pointer that is not nil.
pub(crate) fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// The integer at `key` (0 when absent).
pub(crate) fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `validateSlice`: more than `max` items is one `Too many` error and nothing else (for DoS
/// protection), else each item's errors at `path[i]`.
pub(crate) fn slice(
    list: &[Value],
    max: Option<usize>,
    path: &str,
    mut each: impl FnMut(&Value, &str) -> Vec<FieldError>,
) -> Vec<FieldError> {
    if let Some(max) = max
        && list.len() > max
    {
        return vec![FieldError::too_many(path, list.len(), max)];
    }
    list.iter()
        .enumerate()
        .flat_map(|(i, item)| each(item, &format!("{path}[{i}]")))
        .collect()
}

/// `validateSet`: [`slice`], then a `Duplicate value` for each item whose `key` an earlier
/// item has (the key shown as `shown` prints it).
pub(crate) fn set_of<K: PartialEq>(
    list: &[Value],
    max: Option<usize>,
    path: &str,
    each: impl FnMut(&Value, &str) -> Vec<FieldError>,
    key: impl Fn(&Value) -> K,
    shown: impl Fn(&K) -> BadValue,
) -> Vec<FieldError> {
    if let Some(max) = max
        && list.len() > max
    {
        return vec![FieldError::too_many(path, list.len(), max)];
    }
    let mut errs = slice(list, None, path, each);
    let mut seen: Vec<K> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let k = key(item);
        if seen.contains(&k) {
            errs.push(FieldError::duplicate(format!("{path}[{i}]"), shown(&k)));
        } else {
            seen.push(k);
        }
    }
    errs
}

/// A set of strings (`validateSet` with `stringKey`).
pub(crate) fn string_set(
    list: &[Value],
    max: usize,
    path: &str,
    each: impl FnMut(&Value, &str) -> Vec<FieldError>,
) -> Vec<FieldError> {
    set_of(
        list,
        Some(max),
        path,
        each,
        |v| v.as_str().unwrap_or("").to_owned(),
        |k| BadValue::from(k.as_str()),
    )
}

/// The entries of the map at `key`, sorted by key (Go walks its maps in random order).
pub(crate) fn sorted_entries<'a>(v: &'a Value, key: &str) -> Vec<(&'a str, &'a Value)> {
    let mut entries: Vec<(&str, &Value)> = v
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    entries.sort_by_key(|(k, _)| *k);
    entries
}

/// `validateMap`: more than `max` entries is one `Too many` error, else each key and value
/// at `path[key]` (a key longer than `truncate` is shortened in the middle, as
/// `truncateIfTooLong` does).
pub(crate) fn map(
    v: &Value,
    key: &str,
    max: Option<usize>,
    truncate: usize,
    path: &str,
    mut each: impl FnMut(&str, &Value, &str) -> Vec<FieldError>,
) -> Vec<FieldError> {
    let entries = sorted_entries(v, key);
    if let Some(max) = max
        && entries.len() > max
    {
        return vec![FieldError::too_many(path, entries.len(), max)];
    }
    entries
        .into_iter()
        .flat_map(|(k, item)| each(k, item, &format!("{path}[{}]", truncated(k, truncate))))
        .collect()
}

/// `truncateIfTooLong`.
fn truncated(s: &str, max: usize) -> String {
    let max = max.max(16);
    if s.len() <= max {
        return s.to_owned();
    }
    let remaining = max - 3;
    let head = &s.as_bytes()[..remaining.div_ceil(2)];
    let tail = &s.as_bytes()[s.len() - remaining / 2..];
    format!(
        "{}...{}",
        String::from_utf8_lossy(head),
        String::from_utf8_lossy(tail)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `validateSlice` and `validateSet`: the size alone when too long, else each item and
    /// then the duplicates.
    #[test]
    fn sets_and_slices() {
        let list = [json!("a"), json!("b"), json!("a")];
        let errs = string_set(&list, 3, "r", |v, at| {
            if v == "b" {
                vec![FieldError::required(at, "")]
            } else {
                Vec::new()
            }
        });
        assert_eq!(
            texts(&errs),
            ["r[1]: Required value", "r[2]: Duplicate value: \"a\""]
        );
        let errs = string_set(&list, 2, "r", |_, _| unreachable!());
        assert_eq!(texts(&errs), ["r: Too many: 3: must have at most 2 items"]);
    }

    /// `truncateIfTooLong`: at least 16 bytes kept, the middle replaced by `...`.
    #[test]
    fn long_keys_are_truncated_in_the_middle() {
        assert_eq!(truncated("short", 5), "short");
        let long = "a".repeat(10) + &"b".repeat(10);
        assert_eq!(truncated(&long, 5), "aaaaaaa...bbbbbb");
    }
}
