use serde_json::json;

use super::*;

use crate::validation::texts;

fn claim(devices: Value) -> Value {
    json!({"metadata": {"name": "c", "namespace": "ns"}, "spec": {"devices": devices}})
}

fn exactly(class: &str) -> Value {
    json!({"deviceClassName": class, "allocationMode": "ExactCount", "count": 1})
}

/// `validateDeviceRequest`: exactly one of `exactly` and `firstAvailable`; names are DNS
/// labels listed once.
#[test]
fn requests_have_one_kind() {
    let c = claim(json!({"requests": [
        {"name": "gpu", "exactly": exactly("gpu.example.com")},
        {"name": "both", "exactly": exactly("gpu.example.com"),
            "firstAvailable": [{"name": "a", "deviceClassName": "c", "allocationMode": "All"}]},
        {"name": "none"},
        {"name": "gpu", "exactly": exactly("gpu.example.com")}]}));
    assert_eq!(
        texts(claim_create(&c)),
        [
            "spec.devices.requests[1]: Invalid value: null: exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set",
            "spec.devices.requests[2]: Required value: exactly one of `exactly` or `firstAvailable` is required",
            "spec.devices.requests[3]: Duplicate value: \"gpu\"",
        ]
    );
}

/// `validateExactDeviceRequest`, `validateDeviceSubRequest`,
/// `validateDeviceAllocationMode`, `validateDeviceToleration`.
#[test]
fn exact_requests_and_subrequests() {
    let c = claim(json!({"requests": [
        {"name": "Gpu", "exactly": {"deviceClassName": "", "allocationMode": "All", "count": 2,
            "selectors": [{"cel": {"expression": "device.driver == 'a'"}}],
            "tolerations": [{"key": "a/b/c", "operator": "Exists", "value": "x", "effect": "Later"},
                {"operator": ""}]}},
        {"name": "pick", "firstAvailable": [
            {"name": "big", "deviceClassName": "Big", "allocationMode": "ExactCount", "count": 0},
            {"name": "big", "deviceClassName": "small", "allocationMode": "Some"}]}]}));
    let errs = texts(claim_create(&c));
    assert_eq!(
        errs[1..],
        [
            "spec.devices.requests[0].exactly.deviceClassName: Required value",
            "spec.devices.requests[0].exactly.count: Invalid value: 2: must not be specified when allocationMode is 'All'",
            "spec.devices.requests[0].exactly.tolerations[0].key: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "spec.devices.requests[0].exactly.tolerations[0].value: Invalid value: \"x\": must be empty for operator `Exists`",
            "spec.devices.requests[0].exactly.tolerations[0].effect: Unsupported value: \"Later\": supported values: \"NoExecute\", \"NoSchedule\", \"None\"",
            "spec.devices.requests[0].exactly.tolerations[1].operator: Required value",
            "spec.devices.requests[1].firstAvailable[0].deviceClassName: Invalid value: \"Big\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.devices.requests[1].firstAvailable[0].count: Invalid value: 0: must be greater than zero",
            "spec.devices.requests[1].firstAvailable[1].allocationMode: Unsupported value: \"Some\": supported values: \"All\", \"ExactCount\"",
            "spec.devices.requests[1].firstAvailable[1]: Duplicate value: \"big\"",
        ]
    );
    assert!(errs[0].starts_with(
        "spec.devices.requests[0].name: Invalid value: \"Gpu\": a lowercase RFC 1123 label"
    ));
}

/// `validateDeviceConstraint` and `validateDeviceClaimConfiguration`: they name requests
/// (or request/subrequest) of the claim.
#[test]
fn constraints_and_configs_name_requests() {
    let c = claim(json!({
        "requests": [{"name": "a", "exactly": exactly("c")},
            {"name": "b", "firstAvailable": [{"name": "x", "deviceClassName": "c",
                "allocationMode": "ExactCount", "count": 1}]}],
        "constraints": [{"requests": ["a", "b/x", "b/y", "a"], "matchAttribute": "example.com/numa"},
            {"requests": ["a"]},
            {"matchAttribute": "numa"}],
        "config": [{"requests": ["c"], "opaque": {"driver": "d.example.com", "parameters": {}}},
            {"opaque": {"driver": "d.example.com"}}]}));
    let message = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'";
    assert_eq!(
        texts(claim_create(&c)),
        [
            format!("spec.devices.constraints[0].requests[2]: Invalid value: \"b/y\": {message}"),
            "spec.devices.constraints[0].requests[3]: Duplicate value: \"a\"".to_owned(),
            "spec.devices.constraints[1]: Required value: exactly one of \"matchAttribute\" or \"distinctAttribute\" is required, but multiple fields are set".to_owned(),
            "spec.devices.constraints[2].matchAttribute: Invalid value: \"numa\": a fully qualified name must be a domain and a name separated by a slash".to_owned(),
            format!("spec.devices.config[0].requests[0]: Invalid value: \"c\": {message}"),
            "spec.devices.config[1].opaque.parameters: Required value".to_owned(),
        ]
    );
}

/// `ValidateResourceClaimUpdate`: only the metadata and the immutable spec.
#[test]
fn claim_updates_check_immutability_only() {
    let mut old = claim(json!({"requests": [{"name": "a", "exactly": exactly("c")}]}));
    old["metadata"]["resourceVersion"] = json!("1");
    let mut new = old.clone();
    new["metadata"]["labels"] = json!({"a": "b"});
    assert!(claim_update(&new, &old).is_empty());
    new["spec"]["devices"]["requests"][0]["exactly"]["deviceClassName"] = json!("Bad");
    let errs = texts(claim_update(&new, &old));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].ends_with("field is immutable"), "{errs:?}");
}

/// `ValidateResourceClaimTemplate`: the template's metadata and its claim spec.
#[test]
fn templates() {
    let t = json!({"metadata": {"name": "t", "namespace": "ns"}, "spec": {
        "metadata": {"labels": {"a": "-"}},
        "spec": {"devices": {"requests": [{"name": "a"}]}}}});
    let errs = texts(template_create(&t));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].starts_with("spec.metadata.labels: Invalid value: \"-\""));
    assert_eq!(
        errs[1],
        "spec.spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required"
    );
}
