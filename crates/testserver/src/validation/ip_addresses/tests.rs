use serde_json::json;

use super::*;

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(texts, expected);
}

fn address(name: &str, parent: Value) -> Value {
    json!({"metadata": {"name": name, "resourceVersion": "1"}, "spec": {"parentRef": parent}})
}

/// `ValidateIPAddressName` through `IsValidIP`.
#[test]
fn names_are_strict_ips() {
    let parent = json!({"resource": "services", "namespace": "ns", "name": "svc"});
    check(ip_address(&address("10.0.0.1", parent.clone())), &[]);
    check(ip_address(&address("2001:db8::1", parent.clone())), &[]);
    check(
        ip_address(&address("10.0.0.01", parent.clone())),
        &["metadata.name: Invalid value: \"10.0.0.01\": must not have leading 0s"],
    );
    check(
        ip_address(&address("::ffff:10.0.0.1", parent.clone())),
        &[
            "metadata.name: Invalid value: \"::ffff:10.0.0.1\": must not be an IPv4-mapped IPv6 address",
        ],
    );
    check(
        ip_address(&address("2001:DB8:0:0::1", parent.clone())),
        &[
            "metadata.name: Invalid value: \"2001:DB8:0:0::1\": must be in canonical form (\"2001:db8::1\")",
        ],
    );
    check(
        ip_address(&address("svc-a", parent)),
        &[
            "metadata.name: Invalid value: \"svc-a\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        ],
    );
}

/// `validateIPAddressParentReference` and the immutable reference of `ValidateIPAddressUpdate`.
#[test]
fn parent_references() {
    check(
        ip_address(&json!({"metadata": {"name": "10.0.0.1"}, "spec": {}})),
        &["spec.parentRef: Required value"],
    );
    check(
        ip_address(&address(
            "10.0.0.1",
            json!({"group": "Bad_Group", "namespace": "a/b"}),
        )),
        &[
            "spec.parentRef.group: Invalid value: \"Bad_Group\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.parentRef.resource: Required value",
            "spec.parentRef.name: Required value",
            "spec.parentRef.namespace: Invalid value: \"a/b\": may not contain '/'",
        ],
    );
    let old = address(
        "10.0.0.1",
        json!({"resource": "services", "namespace": "ns", "name": "a"}),
    );
    let new = address(
        "10.0.0.1",
        json!({"resource": "services", "namespace": "ns", "name": "b"}),
    );
    check(
        ip_address_update(&new, &old),
        &[
            "spec.parentRef: Invalid value: {\"Group\":\"\",\"Resource\":\"services\",\"Namespace\":\"ns\",\"Name\":\"b\"}: field is immutable",
        ],
    );
}

/// `IsValidCIDR`: sloppy parsing, then the strict rules.
#[test]
fn cidrs_are_strict() {
    check(cidr("10.0.0.0/24", "c"), &[]);
    check(cidr("2001:db8::/64", "c"), &[]);
    check(
        cidr("10.0.0.1/24", "c"),
        &["c: Invalid value: \"10.0.0.1/24\": must not have bits set beyond the prefix length"],
    );
    check(
        cidr("010.0.0.0/24", "c"),
        &["c: Invalid value: \"010.0.0.0/24\": must not have leading 0s in IP or prefix length"],
    );
    check(
        cidr("::ffff:10.0.0.0/120", "c"),
        &["c: Invalid value: \"::ffff:10.0.0.0/120\": must not have an IPv4-mapped IPv6 address"],
    );
    check(
        cidr("2001:DB8::/64", "c"),
        &["c: Invalid value: \"2001:DB8::/64\": must be in canonical form (\"2001:db8::/64\")"],
    );
    check(
        cidr("10.0.0.0", "c"),
        &[
            "c: Invalid value: \"10.0.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        ],
    );
}

fn service_cidr_of(cidrs: Value) -> Value {
    json!({"metadata": {"name": "kubernetes", "resourceVersion": "1"}, "spec": {"cidrs": cidrs}})
}

/// `ValidateServiceCIDR`: one or two CIDRs, one per family.
#[test]
fn service_cidrs() {
    check(
        service_cidr(&service_cidr_of(json!(["10.96.0.0/16", "fd00::/108"]))),
        &[],
    );
    check(
        service_cidr(&service_cidr_of(json!([]))),
        &["spec.cidrs: Required value: at least one CIDR required"],
    );
    check(
        service_cidr(&service_cidr_of(json!(["10.0.0.0/24", "10.1.0.0/24"]))),
        &[
            "spec.cidrs: Invalid value: {\"CIDRs\":[\"10.0.0.0/24\",\"10.1.0.0/24\"]}: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64",
        ],
    );
    check(
        service_cidr(&service_cidr_of(json!([
            "10.0.0.0/24",
            "fd00::/64",
            "10.1.0.0/24"
        ]))),
        &[
            "spec.cidrs: Invalid value: {\"CIDRs\":[\"10.0.0.0/24\",\"fd00::/64\",\"10.1.0.0/24\"]}: may only hold up to 2 values",
        ],
    );
    check(
        service_cidr(&service_cidr_of(json!(["10.0.0.1/24"]))),
        &[
            "spec.cidrs[0]: Invalid value: \"10.0.0.1/24\": must not have bits set beyond the prefix length",
        ],
    );
}

/// `ValidateServiceCIDRUpdate`: immutable CIDRs, but single-stack may become dual-stack.
#[test]
fn service_cidr_updates() {
    let single = service_cidr_of(json!(["10.96.0.0/16"]));
    check(
        service_cidr_update(
            &service_cidr_of(json!(["10.96.0.0/16", "fd00::/108"])),
            &single,
        ),
        &[],
    );
    check(
        service_cidr_update(&service_cidr_of(json!(["10.97.0.0/16"])), &single),
        &["spec.cidrs[0]: Invalid value: \"10.97.0.0/16\": field is immutable"],
    );
    let dual = service_cidr_of(json!(["10.96.0.0/16", "fd00::/108"]));
    check(
        service_cidr_update(&single, &dual),
        &["spec.cidrs: Invalid value: [\"10.96.0.0/16\"]: field is immutable"],
    );
}
