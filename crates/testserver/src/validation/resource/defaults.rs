//! The v1 defaults of resource.k8s.io (`SetObjectDefaults_*` of `pkg/apis/resource/v1`) and
//! what the strategies' `PrepareForCreate`/`PrepareForUpdate` drop:
//!
//! - claims and templates: an `exactly` request and each `firstAvailable` subrequest get
//!   `allocationMode: ExactCount` and, in that mode, `count: 1`; their tolerations (and the
//!   tolerations of a claim's allocation results) get `operator: Equal`;
//! - slices: a device taint gets `timeAdded` (now, in seconds, as `time.Now()` at decoding);
//!   the fields of gates off in v1.36 are dropped unless the stored slice used them
//!   (`DRANodeAllocatableResources`: a device's `nodeAllocatableResourceMappings`;
//!   `DRAListTypeAttributes`: list-valued attributes; `DRAResourcePoolStatus`:
//!   `spec.partitionTypeAttribute`);
//! - claim status writes: `status.devices` entries of devices the new status no longer
//!   allocates are removed (`dropDeallocatedStatusDevices`).
//!
//! Every other gate the strategies consult is on in v1.36, so nothing else is dropped.

use serde_json::{Value, json};

use super::allocation::{allocated, device_id};

/// `SetDefaults_ExactDeviceRequest` / `SetDefaults_DeviceSubRequest`, with the tolerations'
/// operator default.
fn request_defaults(request: &mut Value) {
    let Some(map) = request.as_object_mut() else {
        return;
    };
    let mode = map
        .get("allocationMode")
        .and_then(Value::as_str)
        .unwrap_or("");
    if mode.is_empty() {
        map.insert("allocationMode".into(), json!("ExactCount"));
    }
    let exact = map.get("allocationMode").and_then(Value::as_str) == Some("ExactCount");
    if exact && map.get("count").and_then(Value::as_i64).unwrap_or(0) == 0 {
        map.insert("count".into(), json!(1));
    }
    tolerations(request);
}

/// `operator: Equal` on each toleration that has none.
fn tolerations(parent: &mut Value) {
    for toleration in each(parent, "tolerations") {
        if let Some(map) = toleration.as_object_mut()
            && map
                .get("operator")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
        {
            map.insert("operator".into(), json!("Equal"));
        }
    }
}

/// The items of the array at `key`.
fn each<'a>(v: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    v.get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// The request defaults of a `ResourceClaimSpec`.
fn claim_spec(spec: &mut Value) {
    let Some(devices) = spec.get_mut("devices") else {
        return;
    };
    for request in each(devices, "requests") {
        if let Some(exactly) = request.get_mut("exactly").filter(|e| e.is_object()) {
            request_defaults(exactly);
        }
        for sub in each(request, "firstAvailable") {
            request_defaults(sub);
        }
    }
}

/// `SetObjectDefaults_ResourceClaim`.
pub(crate) fn claim(claim: &mut Value) {
    if let Some(spec) = claim.get_mut("spec") {
        claim_spec(spec);
    }
    if let Some(devices) = claim.pointer_mut("/status/allocation/devices") {
        for result in each(devices, "results") {
            tolerations(result);
        }
    }
}

/// `SetObjectDefaults_ResourceClaimTemplate`.
pub(crate) fn template(template: &mut Value) {
    if let Some(spec) = template.pointer_mut("/spec/spec") {
        claim_spec(spec);
    }
}

/// `SetObjectDefaults_ResourceSlice`: `timeAdded` of the devices' taints (`now`, the server's
/// time).
pub(crate) fn slice(slice: &mut Value, now: &str) {
    let Some(spec) = slice.get_mut("spec") else {
        return;
    };
    for device in each(spec, "devices") {
        for taint in each(device, "taints") {
            if let Some(map) = taint.as_object_mut()
                && map.get("timeAdded").is_none_or(Value::is_null)
            {
                map.insert("timeAdded".into(), json!(now));
            }
        }
    }
}

/// The attribute fields of `DRAListTypeAttributes`.
const LIST_ATTRIBUTES: [&str; 4] = ["bools", "ints", "strings", "versions"];

/// Whether any device of `slice` (the stored one of an update) passes `test`.
fn devices_use(slice: Option<&Value>, test: impl Fn(&Value) -> bool) -> bool {
    slice
        .and_then(|s| s.pointer("/spec/devices"))
        .and_then(Value::as_array)
        .is_some_and(|devices| devices.iter().any(test))
}

/// Whether a device has a list-valued attribute.
fn uses_list_attributes(device: &Value) -> bool {
    device
        .get("attributes")
        .and_then(Value::as_object)
        .is_some_and(|attributes| {
            attributes
                .values()
                .any(|a| LIST_ATTRIBUTES.iter().any(|k| a.get(*k).is_some()))
        })
}

/// The slice strategy's `dropDisabledFields` (`old` is the stored slice of an update).
pub(crate) fn drop_disabled_slice_fields(new: &mut Value, old: Option<&Value>) {
    let mappings = "nodeAllocatableResourceMappings";
    let keep_mappings = devices_use(old, |d| {
        d.get(mappings)
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    });
    let keep_lists = devices_use(old, uses_list_attributes);
    let keep_partition = old
        .and_then(|o| o.pointer("/spec/partitionTypeAttribute"))
        .is_some_and(|v| !v.is_null());
    let Some(spec) = new.get_mut("spec") else {
        return;
    };
    if !keep_partition && let Some(map) = spec.as_object_mut() {
        map.remove("partitionTypeAttribute");
    }
    for device in each(spec, "devices") {
        if !keep_mappings && let Some(map) = device.as_object_mut() {
            map.remove(mappings);
        }
        if keep_lists {
            continue;
        }
        if let Some(attributes) = device.get_mut("attributes").and_then(Value::as_object_mut) {
            for attribute in attributes.values_mut() {
                if let Some(map) = attribute.as_object_mut() {
                    for key in LIST_ATTRIBUTES {
                        map.remove(key);
                    }
                }
            }
        }
    }
}

/// `dropDeallocatedStatusDevices`: the `status.devices` entries of devices the stored
/// allocation had and the new one has not are removed (`devices` removed when none is left).
pub(crate) fn drop_deallocated_status_devices(new: &mut Value, old: &Value) {
    let before = allocated(old.pointer("/status/allocation").filter(|a| !a.is_null()));
    let now = allocated(new.pointer("/status/allocation").filter(|a| !a.is_null()));
    let gone: Vec<&String> = before.iter().filter(|d| !now.contains(d)).collect();
    let Some(status) = new.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(devices) = status.get_mut("devices").and_then(Value::as_array_mut) else {
        return;
    };
    devices.retain(|d| !gone.contains(&&device_id(d)));
    if devices.is_empty() {
        status.remove("devices");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `SetDefaults_ExactDeviceRequest`, `SetDefaults_DeviceSubRequest` and the toleration
    /// operator default.
    #[test]
    fn claim_defaults() {
        let mut c = json!({"spec": {"devices": {"requests": [
            {"name": "a", "exactly": {"deviceClassName": "c", "tolerations": [{"key": "k"}]}},
            {"name": "b", "exactly": {"deviceClassName": "c", "allocationMode": "All"}},
            {"name": "d", "firstAvailable": [{"name": "x", "deviceClassName": "c", "count": 2}]}]}},
            "status": {"allocation": {"devices": {"results": [{"tolerations": [{"operator": "Exists"}, {}]}]}}}});
        claim(&mut c);
        assert_eq!(
            c["spec"]["devices"]["requests"],
            json!([
                {"name": "a", "exactly": {"deviceClassName": "c", "allocationMode": "ExactCount",
                    "count": 1, "tolerations": [{"key": "k", "operator": "Equal"}]}},
                {"name": "b", "exactly": {"deviceClassName": "c", "allocationMode": "All"}},
                {"name": "d", "firstAvailable": [{"name": "x", "deviceClassName": "c", "count": 2,
                    "allocationMode": "ExactCount"}]}])
        );
        assert_eq!(
            c["status"]["allocation"]["devices"]["results"][0]["tolerations"],
            json!([{"operator": "Exists"}, {"operator": "Equal"}])
        );
        let mut t =
            json!({"spec": {"spec": {"devices": {"requests": [{"name": "a", "exactly": {}}]}}}});
        template(&mut t);
        assert_eq!(
            t["spec"]["spec"]["devices"]["requests"][0]["exactly"],
            json!({"allocationMode": "ExactCount", "count": 1})
        );
    }

    /// `SetDefaults_DeviceTaint` and the slice's dropped fields.
    #[test]
    fn slice_defaults_and_drops() {
        let mut s = json!({"spec": {"partitionTypeAttribute": "x", "devices": [{"name": "d",
            "taints": [{"key": "k", "effect": "NoSchedule"}, {"key": "l", "effect": "None", "timeAdded": "2020-01-01T00:00:00Z"}],
            "nodeAllocatableResourceMappings": {"cpu": {}},
            "attributes": {"a": {"ints": [1]}, "b": {"int": 1}}}]}});
        slice(&mut s, "2026-12-07T07:00:00Z");
        let taints = &s["spec"]["devices"][0]["taints"];
        assert_eq!(taints[0]["timeAdded"], "2026-12-07T07:00:00Z");
        assert_eq!(taints[1]["timeAdded"], "2020-01-01T00:00:00Z");
        let stored = s.clone();
        drop_disabled_slice_fields(&mut s, None);
        assert_eq!(s["spec"].get("partitionTypeAttribute"), None);
        assert_eq!(
            s["spec"]["devices"][0].get("nodeAllocatableResourceMappings"),
            None
        );
        assert_eq!(
            s["spec"]["devices"][0]["attributes"],
            json!({"a": {}, "b": {"int": 1}})
        );
        let mut kept = stored.clone();
        drop_disabled_slice_fields(&mut kept, Some(&stored));
        assert_eq!(kept, stored);
    }

    /// `dropDeallocatedStatusDevices`.
    #[test]
    fn deallocated_devices_lose_their_status() {
        let result = |device: &str| json!({"driver": "d", "pool": "p", "device": device});
        let old =
            json!({"status": {"allocation": {"devices": {"results": [result("a"), result("b")]}}}});
        let mut new = json!({"status": {"allocation": {"devices": {"results": [result("a")]}},
            "devices": [result("a"), result("b"), result("c")]}});
        drop_deallocated_status_devices(&mut new, &old);
        assert_eq!(new["status"]["devices"], json!([result("a"), result("c")]));
        let mut cleared = json!({"status": {"devices": [result("a"), result("b")]}});
        drop_deallocated_status_devices(&mut cleared, &old);
        assert_eq!(cleared["status"], json!({}));
    }
}
