use serde_json::json;

use super::*;

use crate::validation::texts;

fn slice(spec: Value) -> Value {
    json!({"metadata": {"name": "s", "resourceVersion": "1"}, "spec": spec})
}

fn pool() -> Value {
    json!({"name": "pool", "generation": 0, "resourceSliceCount": 1})
}

/// `validateResourceSliceSpec`: driver, pool, exactly one node selection.
#[test]
fn driver_pool_and_nodes() {
    let good = slice(
        json!({"driver": "gpu.example.com", "pool": pool(), "nodeName": "node-1",
        "devices": [{"name": "gpu-0"}]}),
    );
    assert!(create(&good).is_empty());
    let bad = slice(
        json!({"driver": "", "pool": {"name": "", "generation": -1, "resourceSliceCount": 0},
        "nodeName": "node-1", "allNodes": true, "nodeSelector": {"nodeSelectorTerms": []},
        "devices": [], "sharedCounters": []}),
    );
    let errs = texts(create(&bad));
    assert_eq!(errs[0], "spec.driver: Required value");
    assert_eq!(
        errs[2..],
        [
            "spec.pool.name: Required value",
            "spec.pool.resourceSliceCount: Invalid value: 0: must be greater than zero",
            "spec.pool.generation: Invalid value: -1: must be greater than or equal to zero",
            "spec.nodeSelector.nodeSelectorTerms: Required value: must have at least one node selector term",
            "spec.nodeSelector.nodeSelectorTerms: Invalid value: []: must have exactly one node selector term",
            "spec: Invalid value: \"{`nodeName`, `nodeSelector`, `allNodes`}\": exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required, but multiple fields are set",
            "spec: Invalid value: \"\": only one of `sharedCounters` or `devices` is allowed",
        ]
    );
    let none = slice(json!({"driver": "d.example.com", "pool": pool(), "allNodes": false}));
    assert_eq!(
        texts(create(&none)),
        [
            "spec.allNodes: Invalid value: false: must be either unset or set to true",
            "spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required",
        ]
    );
}

/// The device limits: 128, or 64 with taints; names listed once; counter sets.
#[test]
fn devices_and_counter_sets() {
    let many: Vec<Value> = (0..65).map(|i| json!({"name": format!("d{i}")})).collect();
    let s = slice(
        json!({"driver": "d.example.com", "pool": pool(), "allNodes": true, "devices": many}),
    );
    assert!(create(&s).is_empty());
    let mut tainted = s.clone();
    tainted["spec"]["devices"][0]["taints"] = json!([{"key": "k", "effect": "None"}]);
    assert_eq!(
        texts(create(&tainted)),
        ["spec.devices: Too many: 65: must have at most 64 items"]
    );
    let twice = slice(
        json!({"driver": "d.example.com", "pool": pool(), "allNodes": true,
        "devices": [{"name": "a"}, {"name": "a"}]}),
    );
    assert_eq!(
        texts(create(&twice)),
        ["spec.devices[1]: Duplicate value: \"a\""]
    );
    let sets = slice(
        json!({"driver": "d.example.com", "pool": pool(), "allNodes": true,
        "sharedCounters": [{"name": "gpu", "counters": {"memory": {"value": "8Gi"}}}, {"name": "gpu"}]}),
    );
    assert_eq!(
        texts(create(&sets)),
        [
            "spec.sharedCounters[1].counters: Required value",
            "spec.sharedCounters[1]: Duplicate value: \"gpu\"",
        ]
    );
}

/// `ValidateResourceSliceUpdate`: the pool name, driver and node name are immutable.
#[test]
fn immutable_fields() {
    let old = slice(json!({"driver": "d.example.com", "pool": pool(), "nodeName": "a"}));
    let mut new = old.clone();
    new["spec"]["driver"] = json!("e.example.com");
    new["spec"]["pool"]["name"] = json!("other");
    new["spec"]["nodeName"] = Value::Null;
    new["spec"]["allNodes"] = json!(true);
    assert_eq!(
        texts(update(&new, &old)),
        [
            "spec.pool.name: Invalid value: \"other\": field is immutable",
            "spec.driver: Invalid value: \"e.example.com\": field is immutable",
            "spec.nodeName: Invalid value: null: field is immutable",
        ]
    );
}
