use serde_json::json;

use super::*;
use crate::validation::resource::claim::request_names;

use crate::validation::texts;

fn result(device: &str) -> Value {
    json!({"request": "gpu", "driver": "gpu.example.com", "pool": "p", "device": device})
}

/// `validateDeviceRequestAllocationResult` and `validateDeviceAllocationConfiguration`.
#[test]
fn new_allocations() {
    let devices = json!({"requests": [{"name": "gpu"}]});
    let names = request_names(&devices);
    let a = json!({"devices": {
        "results": [result("gpu-0"),
            {"request": "gpu", "driver": "", "pool": "", "device": "gpu-1", "shareID": "x",
                "bindingFailureConditions": ["failed"]}],
        "config": [{"source": "FromClaim", "requests": ["gpu"], "opaque": {"driver": "gpu.example.com", "parameters": {}}},
            {"source": "FromNowhere", "opaque": {"driver": "gpu.example.com", "parameters": {}}}]},
        "nodeSelector": {"nodeSelectorTerms": []}});
    let errs = texts(allocation(&a, "status.allocation", &names));
    let at = "status.allocation.devices.results[1]";
    assert_eq!(errs[0], format!("{at}.driver: Required value"));
    assert_eq!(
        errs[2..],
        [
            format!("{at}.pool: Required value"),
            format!("{at}.bindingConditions: Invalid value: []string(nil): bindingConditions are required to use bindingFailureConditions"),
            format!("{at}.shareID: Invalid value: \"x\": error validating uid: invalid UUID length: 1"),
            "status.allocation.devices.config[1].source: Unsupported value: \"FromNowhere\": supported values: \"FromClaim\", \"FromClass\"".to_owned(),
            "status.allocation.nodeSelector.nodeSelectorTerms: Required value: must have at least one node selector term".to_owned(),
        ]
    );
}

/// `validateDeviceStatus`: entries name allocated devices, once; network data.
#[test]
fn device_status_entries() {
    let allocation = json!({"devices": {"results": [result("gpu-0")]}});
    let status = json!({"devices": [
        {"driver": "gpu.example.com", "pool": "p", "device": "gpu-0",
            "networkData": {"ips": ["10.0.0.1/24", "10.0.0.1", "2001:db8:0::1/64"]}},
        {"driver": "gpu.example.com", "pool": "p", "device": "gpu-9", "data": [1]},
        {"driver": "gpu.example.com", "pool": "p", "device": "gpu-0"}]});
    assert_eq!(
        texts(devices(&status, &allocated(Some(&allocation)))),
        [
            "status.devices[0].networkData.ips[1]: Invalid value: \"10.0.0.1\": must be a valid address in CIDR form, (e.g. 10.9.8.7/24 or 2001:db8::1/64)",
            "status.devices[0].networkData.ips[2]: Invalid value: \"2001:db8:0::1/64\": must be in canonical form (\"2001:db8::1/64\")",
            "status.devices[1]: Invalid value: gpu.example.com/p/gpu-9: must be an allocated device in the claim",
            "status.devices[1].data: Invalid value: \"<value omitted>\": must be a valid JSON object",
            "status.devices[2]: Duplicate value: gpu.example.com/p/gpu-0",
        ]
    );
}
