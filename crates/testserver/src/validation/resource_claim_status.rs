//! ResourceClaim status updates (`validateResourceClaimStatusUpdate` of
//! `pkg/apis/resource/validation`), as its hand-written rules report them (declarative
//! validation does not take over in v1.36): at most 256 `reservedFor` entries, each naming
//! its resource, name and a uid no other entry has; the `devices` entries
//! (`resource::allocation::devices`); a claim is reserved only once allocated; a deleted
//! claim gets no new reservations; a stored allocation is immutable (shown as JSON where Go
//! prints `%#v`), a new one is checked whole (`resource::allocation::allocation`).

use serde_json::Value;

use super::FieldError;
use super::resource::{allocation, claim};
use super::resource_claim::semantic;

/// `ResourceClaimReservedForMaxSize`.
const RESERVED_FOR_MAX: usize = 256;

/// `ResourceClaimConsumerReference`'s required fields, in Go's order.
const REFERENCE_FIELDS: &[&str] = &["resource", "name", "uid"];

fn items<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The status rules of `ValidateResourceClaimStatusUpdate` (after the metadata rules).
pub(crate) fn update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let reserved = items(new, "/status/reservedFor");
    // validateSet: the size alone when too long, else each entry, then duplicate uids
    if reserved.len() > RESERVED_FOR_MAX {
        errs.push(FieldError::too_many(
            "status.reservedFor",
            reserved.len(),
            RESERVED_FOR_MAX,
        ));
    } else {
        for (i, reference) in reserved.iter().enumerate() {
            for field in REFERENCE_FIELDS {
                if text(reference, field).is_empty() {
                    errs.push(FieldError::required(
                        format!("status.reservedFor[{i}].{field}"),
                        "",
                    ));
                }
            }
        }
        for (i, reference) in reserved.iter().enumerate() {
            let uid = text(reference, "uid");
            if reserved[..i].iter().any(|r| text(r, "uid") == uid) {
                errs.push(FieldError::duplicate(
                    format!("status.reservedFor[{i}]"),
                    uid,
                ));
            }
        }
    }
    let allocation = new.pointer("/status/allocation").filter(|a| !a.is_null());
    let empty = Value::Null;
    errs.extend(allocation::devices(
        new.get("status").unwrap_or(&empty),
        &allocation::allocated(allocation),
    ));
    if !reserved.is_empty() {
        if allocation.is_none() {
            errs.push(FieldError::forbidden(
                "status.reservedFor",
                "may not be specified when `allocated` is not set",
            ));
        } else if new
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|t| !t.is_null())
        {
            let before = items(old, "/status/reservedFor");
            if reserved.iter().any(|r| !before.contains(r)) {
                errs.push(FieldError::forbidden(
                    "status.reservedFor",
                    "new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set",
                ));
            }
        }
    }
    let stored = old.pointer("/status/allocation").filter(|a| !a.is_null());
    match (allocation, stored) {
        (Some(allocation), Some(stored)) if semantic(allocation) != semantic(stored) => {
            errs.push(FieldError::invalid(
                "status.allocation",
                allocation.clone(),
                "field is immutable",
            ));
        }
        (Some(allocation), None) => {
            let devices = new.pointer("/spec/devices").unwrap_or(&empty);
            let names = claim::request_names(devices);
            errs.extend(allocation::allocation(
                allocation,
                "status.allocation",
                &names,
            ));
        }
        _ => {}
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claim(status: Value) -> Value {
        json!({"spec": {"devices": {"requests": [
            {"name": "gpu", "exactly": {"deviceClassName": "gpu.example.com"}},
            {"name": "any", "firstAvailable": [{"name": "big"}, {"name": "small"}]}]}},
            "status": status})
    }

    use crate::validation::texts;

    /// `validateResourceClaimUserReference` and the reservation invariants.
    #[test]
    fn reservations() {
        let unallocated = claim(json!({"reservedFor": [{"resource": "pods", "name": "p"}]}));
        assert_eq!(
            texts(update(&unallocated, &claim(json!({})))),
            [
                "status.reservedFor[0].uid: Required value",
                "status.reservedFor: Forbidden: may not be specified when `allocated` is not set",
            ]
        );
        let pod = json!({"resource": "pods", "name": "p", "uid": "u"});
        let other = json!({"resource": "pods", "name": "q", "uid": "v"});
        let allocation = json!({"devices": {"results": []}});
        let old = claim(json!({"allocation": allocation, "reservedFor": [pod]}));
        let mut new = claim(json!({"allocation": allocation, "reservedFor": [pod, other]}));
        assert!(update(&new, &old).is_empty());
        let twice = claim(json!({"allocation": allocation, "reservedFor": [pod, pod]}));
        assert_eq!(
            texts(update(&twice, &old)),
            ["status.reservedFor[1]: Duplicate value: \"u\""]
        );
        let many: Vec<Value> = (0..257).map(|i| json!({"uid": i.to_string()})).collect();
        let crowded = claim(json!({"allocation": allocation, "reservedFor": many}));
        assert_eq!(
            texts(update(&crowded, &old)),
            ["status.reservedFor: Too many: 257: must have at most 256 items"]
        );
        new["metadata"] = json!({"deletionTimestamp": "2026-01-01T00:00:00Z"});
        assert_eq!(
            texts(update(&new, &old)),
            [
                "status.reservedFor: Forbidden: new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set"
            ]
        );
    }

    /// `validateDeviceRequestAllocationResult`: the request reference and the device name.
    #[test]
    fn new_allocation_results() {
        let result = |request: &str, device: &str| json!({"request": request, "driver": "d.example.com", "pool": "p", "device": device});
        let new = claim(json!({"allocation": {"devices": {"results": [
            result("gpu", "dev-0"), result("any/big", "dev-1"), result("any/huge", "Dev_2"),
            result("a/b/c", "dev-3")]}}}));
        let message = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";
        assert_eq!(
            texts(update(&new, &claim(json!({})))),
            [
                format!(
                    "status.allocation.devices.results[2].request: Invalid value: \"any/huge\": {message}"
                ),
                "status.allocation.devices.results[2].device: Invalid value: \"Dev_2\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_owned(),
                format!(
                    "status.allocation.devices.results[3].request: Invalid value: \"a/b/c\": {message}"
                ),
            ]
        );
        // a stored allocation is not validated again
        assert!(update(&new, &new).is_empty());
    }

    /// `validateResourceClaimStatusUpdate`: the `devices` entries come before the
    /// reservation invariants; a stored allocation never changes.
    #[test]
    fn devices_entries_and_a_fixed_allocation() {
        let result =
            json!({"request": "gpu", "driver": "d.example.com", "pool": "p", "device": "dev-0"});
        let allocation = json!({"devices": {"results": [result]}});
        let old = claim(json!({"allocation": allocation}));
        let new = claim(
            json!({"allocation": allocation, "reservedFor": [{"resource": "pods", "name": "p", "uid": "u"}],
            "devices": [{"driver": "d.example.com", "pool": "p", "device": "dev-1"}]}),
        );
        assert_eq!(
            texts(update(&new, &old)),
            [
                "status.devices[0]: Invalid value: d.example.com/p/dev-1: must be an allocated device in the claim"
            ]
        );
        let moved = claim(json!({"allocation": {"devices": {"results": [
            {"request": "gpu", "driver": "d.example.com", "pool": "p", "device": "dev-2"}]}}}));
        assert_eq!(
            texts(update(&moved, &old)),
            [
                "status.allocation: Invalid value: {\"devices\":{\"results\":[{\"device\":\"dev-2\",\"driver\":\"d.example.com\",\"pool\":\"p\",\"request\":\"gpu\"}]}}: field is immutable"
            ]
        );
    }
}
