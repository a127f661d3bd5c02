//! ResourceClaim status updates (`validateResourceClaimStatusUpdate` of
//! `pkg/apis/resource/validation`), as its hand-written rules report them (declarative
//! validation does not take over in v1.36): at most 256 `reservedFor` entries, each naming
//! its resource, name and a uid no other entry has; a claim is reserved only once
//! allocated; a deleted claim gets no new reservations; a new allocation's results name a
//! request (or request/subrequest) of the claim and a device (an RFC 1123 label).
//!
//! Not reproduced: the `status.devices` entries, a changed allocation (immutable once set;
//! Go shows the whole struct), the allocation's list sizes and the other fields of its
//! results (driver, pool, tolerations, binding conditions, share IDs, node selector, config).

use serde_json::Value;

use super::{FieldError, names};

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

/// `gatherRequestNames`: each request's name with its subrequests' names (`None` for a
/// request without `firstAvailable`).
fn request_names(claim: &Value) -> Vec<(&str, Option<Vec<&str>>)> {
    items(claim, "/spec/devices/requests")
        .iter()
        .map(|r| {
            let subs = items(r, "/firstAvailable");
            let subs = (!subs.is_empty()).then(|| subs.iter().map(|s| text(s, "name")).collect());
            (text(r, "name"), subs)
        })
        .collect()
}

/// `requestNames.Has`.
fn has_request(names: &[(&str, Option<Vec<&str>>)], name: &str) -> bool {
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

/// `ValidateDNS1123Label` at `path`.
fn dns_label(value: &str, path: &str) -> Vec<FieldError> {
    names::dns1123_label(value)
        .into_iter()
        .map(|msg| FieldError::invalid(path, value, msg))
        .collect()
}

/// `validateRequestNameRef`.
fn request_ref(name: &str, path: &str, names: &[(&str, Option<Vec<&str>>)]) -> Vec<FieldError> {
    let message = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";
    let segments: Vec<&str> = name.split('/').collect();
    if segments.len() > 2 {
        return vec![FieldError::invalid(path, name, message)];
    }
    let mut errs: Vec<FieldError> = segments.iter().flat_map(|s| dns_label(s, path)).collect();
    if !has_request(names, name) {
        errs.push(FieldError::invalid(path, name, message));
    }
    errs
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
    if let (Some(allocation), None) = (allocation, stored) {
        let names = request_names(new);
        for (i, result) in items(allocation, "/devices/results").iter().enumerate() {
            let path = format!("status.allocation.devices.results[{i}]");
            errs.extend(request_ref(
                text(result, "request"),
                &format!("{path}.request"),
                &names,
            ));
            errs.extend(dns_label(text(result, "device"), &format!("{path}.device")));
        }
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

    fn texts(errs: Vec<FieldError>) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

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
}
