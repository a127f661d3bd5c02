use serde_json::json;

use super::*;

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(texts, expected);
}

/// `validateAddressType`: required, then one of the three supported types.
#[test]
fn address_type() {
    check(endpoint_slice(&json!({})), &["addressType: Required value"]);
    check(
        endpoint_slice(&json!({"addressType": "IP"})),
        &["addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""],
    );
    check(
        endpoint_slice(
            &json!({"addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}],
            "ports": [{"name": "http", "protocol": "TCP", "port": 80}]}),
        ),
        &[],
    );
}

/// `validateEndpoints` of IP slices: `IsValidIPv4Address`/`IsValidIPv6Address`, then
/// `ValidateEndpointIP`.
#[test]
fn ip_addresses() {
    let slice = json!({"addressType": "IPv4", "endpoints": [
        {"addresses": ["10.0.0.1", "fd00::1", "127.0.0.1", "0.0.0.0", "169.254.1.1",
            "224.0.0.5", "bogus"]},
        {"addresses": []}]});
    check(
        endpoint_slice(&slice),
        &[
            "endpoints[0].addresses[1]: Invalid value: \"fd00::1\": must be a valid IPv4 address",
            "endpoints[0].addresses[2]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
            "endpoints[0].addresses[3]: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)",
            "endpoints[0].addresses[4]: Invalid value: \"169.254.1.1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)",
            "endpoints[0].addresses[5]: Invalid value: \"224.0.0.5\": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
            "endpoints[0].addresses[6]: Invalid value: \"bogus\": must be a valid IPv4 address",
            "endpoints[0].addresses[6]: Invalid value: \"bogus\": must be a valid IP address",
            "endpoints[1].addresses: Required value: must contain at least 1 address",
        ],
    );
    let v6 = json!({"addressType": "IPv6", "endpoints": [
        {"addresses": ["fd00::1", "10.0.0.1", "::1", "fe80::1", "ff02::2"]}]});
    check(
        endpoint_slice(&v6),
        &[
            "endpoints[0].addresses[1]: Invalid value: \"10.0.0.1\": must be a valid IPv6 address",
            "endpoints[0].addresses[2]: Invalid value: \"::1\": may not be in the loopback range (127.0.0.0/8, ::1/128)",
            "endpoints[0].addresses[3]: Invalid value: \"fe80::1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)",
            "endpoints[0].addresses[4]: Invalid value: \"ff02::2\": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
        ],
    );
    let many: Vec<String> = (0..101)
        .map(|i| format!("10.0.{}.{}", i / 200, i % 200 + 1))
        .collect();
    check(
        endpoint_slice(&json!({"addressType": "IPv4", "endpoints": [{"addresses": many}]})),
        &["endpoints[0].addresses: Too many: 101: must have at most 100 items"],
    );
}

/// `IsFullyQualifiedDomainName`: the first problem only.
#[test]
fn fqdn_addresses() {
    let slice = json!({"addressType": "FQDN", "endpoints": [
        {"addresses": ["example.com", "example.com.", "localhost", "Bad.com", ""]}]});
    check(
        endpoint_slice(&slice),
        &[
            "endpoints[0].addresses[2]: Invalid value: \"localhost\": should be a domain with at least two segments separated by dots",
            "endpoints[0].addresses[3]: Invalid value: \"Bad.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "endpoints[0].addresses[4]: Required value",
        ],
    );
}

/// Node names, hostnames and `validateHints`.
#[test]
fn endpoint_fields_and_hints() {
    let slice = json!({"addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"],
        "nodeName": "Node_1", "hostname": "a.b",
        "hints": {"forZones": [{"name": "z"}, {"name": "z"}, {"name": "-z"}],
            "forNodes": [{"name": "n"}, {"name": "n"}]}}]});
    check(
        endpoint_slice(&slice),
        &[
            "endpoints[0].nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "endpoints[0].hostname: Invalid value: \"a.b\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "endpoints[0].hints.forZones[1].name: Duplicate value: \"z\"",
            "endpoints[0].hints.forZones[2].name: Invalid value: \"-z\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            "endpoints[0].hints.forNodes[1].name: Duplicate value: \"n\"",
        ],
    );
    let zones: Vec<Value> = (0..9).map(|i| json!({"name": format!("z{i}")})).collect();
    let nodes: Vec<Value> = (0..9).map(|i| json!({"name": format!("n{i}")})).collect();
    let slice = json!({"addressType": "IPv4", "endpoints": [
        {"addresses": ["10.0.0.1"], "hints": {"forZones": zones}},
        {"addresses": ["10.0.0.2"], "hints": {"forNodes": nodes}}]});
    check(
        endpoint_slice(&slice),
        &[
            "endpoints[0].hints.forZones: Too many: 9: must have at most 8 items",
            "endpoints[1].hints.forNodes: Too many: 9: must have at most 8 items",
        ],
    );
}

/// `validatePorts`: names are unique (the empty name too), protocols and app protocols.
#[test]
fn ports_rules() {
    let slice = json!({"addressType": "IPv4", "ports": [
        {"name": "", "protocol": "TCP"}, {"name": "", "protocol": "UDP"},
        {"name": "Web", "protocol": "HTTP", "appProtocol": "-web"}, {"name": "x"}]});
    check(
        endpoint_slice(&slice),
        &[
            "ports[1].name: Duplicate value: \"\"",
            "ports[2].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "ports[2].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "ports[2].appProtocol: Invalid value: \"-web\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "ports[3].protocol: Required value",
        ],
    );
}

/// `SetDefaults_EndpointPort`.
#[test]
fn port_defaults() {
    let mut slice = json!({"ports": [{"port": 80}, {"name": "dns", "protocol": "UDP"}]});
    default_ports(&mut slice);
    assert_eq!(
        slice["ports"],
        json!([{"port": 80, "name": "", "protocol": "TCP"},
            {"name": "dns", "protocol": "UDP"}])
    );
}

/// `ValidateEndpointSliceUpdate`: the address type is immutable.
#[test]
fn immutable_address_type() {
    let old = json!({"addressType": "IPv4"});
    check(
        endpoint_slice_update(&json!({"addressType": "IPv6"}), &old),
        &["addressType: Invalid value: \"IPv6\": field is immutable"],
    );
    check(endpoint_slice_update(&old, &old), &[]);
}
