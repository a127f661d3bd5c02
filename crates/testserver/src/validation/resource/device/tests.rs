use serde_json::json;

use super::*;

use crate::validation::texts;

/// `validateDevice`: attribute and capacity names, one value per attribute, semver.
#[test]
fn attributes_and_capacities() {
    let d = json!({"name": "gpu-0",
        "attributes": {"example.com/model": {"string": "a100"}, "version": {"version": "1.02.3"},
            "bad-name": {"int": 1}, "both": {"int": 1, "bool": true}, "none": {}},
        "capacity": {"memory": {"value": "40Gi"}}});
    assert_eq!(
        texts(device(&d, None, "d", None)),
        [
            "d.attributes[bad-name]: Invalid value: \"bad-name\": a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', regex used for validation is '[A-Za-z_][A-Za-z0-9_]*')",
            "d.attributes[both]: Invalid value: {\"bool\":true,\"int\":1}: exactly one value must be specified",
            "d.attributes[none]: Invalid value: \"\": exactly one value must be specified",
            "d.attributes[version].version: Invalid value: \"1.02.3\": must be a string compatible with semver.org spec 2.0.0",
        ]
    );
    let crowded: serde_json::Map<String, Value> = (0..33)
        .map(|i| (format!("a{i}"), json!({"int": i})))
        .collect();
    let d = json!({"name": "d", "attributes": crowded});
    assert_eq!(
        texts(device(&d, None, "d", None)),
        ["d: Invalid value: 33: the total number of attributes and capacities must not exceed 32"]
    );
}

/// `semverRe`.
#[test]
fn semver() {
    for good in [
        "1.2.3",
        "0.0.0",
        "1.2.3-rc.1",
        "1.2.3-0a.x-y",
        "1.2.3+build.5",
        "10.20.30-a+b",
    ] {
        assert!(is_semver(good), "{good}");
    }
    for bad in [
        "1.2",
        "01.2.3",
        "1.2.3-01",
        "1.2.3-",
        "1.2.3+",
        "v1.2.3",
        "1.2.3-a..b",
    ] {
        assert!(!is_semver(bad), "{bad}");
    }
}

/// `validateDeviceTaint` (only when the taints changed), `validateDeviceCounterConsumption`.
#[test]
fn taints_and_counters() {
    let d = json!({"name": "d",
        "taints": [{"key": "example.com/broken", "effect": "NoSchedule"}, {"key": "", "value": "-", "effect": "Soon"}],
        "consumesCounters": [{"counterSet": "gpu", "counters": {"mem": {"value": "1"}}},
            {"counterSet": "", "counters": {}}, {"counterSet": "gpu", "counters": {"Mem": {"value": "1"}}}]});
    let errs = texts(device(&d, None, "d", None));
    assert_eq!(errs.len(), 5, "{errs:#?}");
    assert!(
        errs[0].starts_with("d.taints[1].key: Invalid value: \"\": name part must be non-empty")
    );
    assert!(errs[2].starts_with("d.taints[1].value: Invalid value: \"-\": a valid label must be"));
    assert_eq!(
        errs[3..5],
        [
            "d.taints[1].effect: Unsupported value: \"Soon\": supported values: \"NoExecute\", \"NoSchedule\", \"None\"",
            "d.consumesCounters: Too many: 3: must have at most 2 items",
        ]
    );
    let two = json!({"name": "d", "consumesCounters": [{"counterSet": "", "counters": {}},
        {"counterSet": "gpu", "counters": {"Mem": {"value": "1"}}}]});
    let errs = texts(device(&two, Some(&d), "d", None));
    assert_eq!(
        errs[..2],
        [
            "d.consumesCounters[0].counterSet: Required value",
            "d.consumesCounters[0].counters: Required value"
        ]
    );
    assert!(errs[2].starts_with(
        "d.consumesCounters[1].counters[Mem]: Invalid value: \"Mem\": a lowercase RFC 1123 label"
    ));
    // unchanged taints are not checked again
    let same = json!({"name": "d", "taints": d["taints"]});
    assert!(device(&same, Some(&d), "d", None).is_empty());
}

/// Per-device node selection and `validateDeviceBindingParameters`.
#[test]
fn node_selection_and_binding_conditions() {
    let d = json!({"name": "d", "nodeName": "n"});
    assert_eq!(
        texts(device(&d, None, "d", None)),
        [
            "d: Invalid value: null: `nodeName`, `nodeSelector` and `allNodes` can only be set if `perDeviceNodeSelection` is set to true in the ResourceSlice spec"
        ]
    );
    let message = "exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required when `perDeviceNodeSelection` is set to true in the ResourceSlice spec";
    assert_eq!(
        texts(device(&json!({"name": "d"}), None, "d", Some(true))),
        [format!("d: Required value: {message}")]
    );
    let both = json!({"name": "d", "nodeName": "n", "allNodes": true});
    assert_eq!(
        texts(device(&both, None, "d", Some(true))),
        [format!(
            "d: Invalid value: \"{{`nodeName`, `allNodes`}}\": {message}"
        )]
    );
    let bound = json!({"name": "d", "bindingConditions": ["ready", "ready"], "bindingFailureConditions": ["ready"]});
    assert_eq!(
        texts(device(&bound, None, "d", None)),
        [
            "d.bindingConditions[1]: Duplicate value: \"ready\"",
            "d.bindingFailureConditions[0]: Invalid value: \"ready\": bindingFailureConditions must not overlap with bindingConditions",
        ]
    );
    let half = json!({"name": "d", "bindingConditions": ["ready"]});
    assert_eq!(
        texts(device(&half, None, "d", None)),
        [
            "d.bindingFailureConditions: Invalid value: []string(nil): bindingFailureConditions are required to use bindingConditions"
        ]
    );
}
