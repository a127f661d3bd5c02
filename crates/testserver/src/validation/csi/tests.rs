use serde_json::json;

use super::*;

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(texts, expected);
}

fn driver(spec: Value) -> Value {
    let mut d = json!({"metadata": {"name": "csi.example.com", "resourceVersion": "1"},
        "spec": spec});
    default_csi_driver(&mut d);
    d
}

/// `SetDefaults_CSIDriver`, after which `validateCSIDriverSpec` finds nothing missing.
#[test]
fn driver_defaults() {
    let d = driver(json!({}));
    assert_eq!(
        d["spec"],
        json!({"attachRequired": true, "podInfoOnMount": false, "storageCapacity": false,
            "fsGroupPolicy": "ReadWriteOnceWithFSType", "requiresRepublish": false,
            "seLinuxMount": false, "volumeLifecycleModes": ["Persistent"]})
    );
    check(csi_driver(&d), &[]);
    check(
        csi_driver(&json!({"metadata": {"name": "d"}, "spec": {}})),
        &[
            "spec.attachedRequired: Required value",
            "spec.podInfoOnMount: Required value",
            "spec.storageCapacity: Required value",
            "spec.seLinuxMount: Required value",
        ],
    );
}

/// `validateCSIDriverSpec`: policies, token requests, lifecycle modes, the update period.
#[test]
fn driver_spec() {
    let d = driver(
        json!({"fsGroupPolicy": "Always", "volumeLifecycleModes": ["Forever"],
        "tokenRequests": [{"audience": "a", "expirationSeconds": 60}, {"audience": "a"},
            {"audience": "b", "expirationSeconds": 5_000_000_000_i64}],
        "nodeAllocatableUpdatePeriodSeconds": 5}),
    );
    check(
        csi_driver(&d),
        &[
            "spec.fsGroupPolicy: Unsupported value: \"Always\": supported values: \"File\", \"None\", \"ReadWriteOnceWithFSType\"",
            "spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
            "spec.tokenRequests[1].audience: Duplicate value: \"a\"",
            "spec.tokenRequests[2].expirationSeconds: Invalid value: 5000000000: may not specify a duration larger than 2^32 seconds",
            "spec.volumeLifecycleModes: Unsupported value: \"Forever\": supported values: \"Persistent\", \"Ephemeral\"",
            "spec.nodeAllocatableUpdatePeriodSeconds: Invalid value: 5: must be greater than or equal to 10 seconds",
        ],
    );
}

/// `ValidateCSIDriverUpdate`: `attachRequired` and the lifecycle modes are immutable, the
/// rest (podInfoOnMount here) may change.
#[test]
fn driver_update() {
    let old = driver(json!({}));
    let new = driver(json!({"attachRequired": false, "podInfoOnMount": true,
        "volumeLifecycleModes": ["Persistent", "Ephemeral"]}));
    check(
        csi_driver_update(&new, &old),
        &[
            "spec.attachedRequired: Invalid value: false: field is immutable",
            "spec.volumeLifecycleModes: Invalid value: [\"Persistent\",\"Ephemeral\"]: field is immutable",
        ],
    );
    let only_pod_info = driver(json!({"podInfoOnMount": true}));
    check(csi_driver_update(&only_pod_info, &old), &[]);
}

/// `ValidateCSIDriverName` of `pkg/apis/core/validation`.
#[test]
fn driver_names() {
    check(
        driver_name("", "n"),
        &[
            "n: Required value",
            "n: Invalid value: \"\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ],
    );
    check(driver_name("CSI.Example.com", "n"), &[]);
    check(
        driver_name(&"a".repeat(64), "n"),
        &["n: Too long: may not be more than 63 bytes"],
    );
}

/// `ValidateCSINode`: driver names, node IDs, counts, topology keys.
#[test]
fn nodes() {
    let node = json!({"metadata": {"name": "n1"}, "spec": {"drivers": [
        {"name": "d.example.com", "nodeID": "", "topologyKeys": ["zone", "zone", "a/b/c"]},
        {"name": "d.example.com", "nodeID": "x".repeat(257), "allocatable": {"count": -1}}]}});
    check(
        csi_node(&node),
        &[
            "spec.drivers[0].nodeID: Required value",
            "spec.drivers[0]: Duplicate value: \"zone\"",
            "spec.drivers[0]: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            &format!(
                "spec.drivers[1].nodeID: Invalid value: \"{}\": must be 256 characters or less",
                "x".repeat(257)
            ),
            "spec.drivers[1].allocatable.count: Invalid value: -1: must be greater than or equal to 0",
            "spec.drivers[1].name: Duplicate value: \"d.example.com\"",
        ],
    );
}

/// `ValidateCSINodeUpdate`: a listed driver may change its allocatable count only.
#[test]
fn node_update() {
    let old = json!({"metadata": {"name": "n1"}, "spec": {"drivers": [
        {"name": "d.example.com", "nodeID": "n1", "allocatable": {"count": 4}}]}});
    let counted = json!({"metadata": {"name": "n1"}, "spec": {"drivers": [
        {"name": "d.example.com", "nodeID": "n1", "allocatable": {"count": 8}},
        {"name": "e.example.com", "nodeID": "n1"}]}});
    check(csi_node_update(&counted, &old), &[]);
    let moved = json!({"metadata": {"name": "n1"}, "spec": {"drivers": [
        {"name": "d.example.com", "nodeID": "n2", "topologyKeys": ["zone"]}]}});
    check(
        csi_node_update(&moved, &old),
        &[
            "spec.drivers: Invalid value: {\"Name\":\"d.example.com\",\"NodeID\":\"n2\",\"TopologyKeys\":[\"zone\"],\"Allocatable\":null}: field is immutable",
        ],
    );
}

/// `ValidateCSIStorageCapacity` and `ValidateCSIStorageCapacityUpdate`.
#[test]
fn capacities() {
    let cap = json!({"metadata": {"name": "c", "namespace": "ns"}, "storageClassName": "Fast",
        "capacity": "-1Gi", "nodeTopology": {"matchLabels": {"zone": "-a"}}});
    check(
        csi_storage_capacity(&cap),
        &[
            "nodeTopology.matchLabels: Invalid value: \"-a\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            "storageClassName: Invalid value: \"Fast\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "capacity: Invalid value: \"-1Gi\": must be greater than or equal to 0",
        ],
    );
    let old = json!({"metadata": {"name": "c", "namespace": "ns", "resourceVersion": "1"},
        "storageClassName": "fast",
        "nodeTopology": {"matchLabels": {"zone": "a"}}});
    let new = json!({"metadata": {"name": "c", "namespace": "ns", "resourceVersion": "1"},
        "storageClassName": "slow",
        "capacity": "1Gi", "nodeTopology": {"matchLabels": {"zone": "b"}}});
    check(
        csi_storage_capacity_update(&new, &old),
        &[
            "nodeTopology: Invalid value: {\"matchLabels\":{\"zone\":\"b\"}}: field is immutable",
            "storageClassName: Invalid value: \"slow\": field is immutable",
        ],
    );
}

/// `hasInvalidLabelValueInLabelSelector`: a stored topology that fails the rules lets its
/// expressions' invalid values stay.
#[test]
fn capacity_topology_ratchets() {
    let topology =
        json!({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["-a"]}]});
    let cap = json!({"metadata": {"name": "c", "namespace": "ns", "resourceVersion": "1"},
        "storageClassName": "fast", "nodeTopology": topology});
    assert_eq!(csi_storage_capacity(&cap).len(), 1);
    check(csi_storage_capacity_update(&cap, &cap), &[]);
}
