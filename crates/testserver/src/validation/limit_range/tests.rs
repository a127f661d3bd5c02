use serde_json::{Value, json};

use super::*;

#[track_caller]
fn check(limits: Value, expected: &[&str]) {
    let obj = json!({"metadata": {"name": "l"}, "spec": {"limits": limits}});
    let got: Vec<String> = limit_range(&obj).iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

/// `validateLimitRangeTypeName`, duplicate types, and the container resource-name rules of
/// `Pod`/`Container` items.
#[test]
fn types_and_names() {
    check(
        json!([{"type": "Container", "max": {"cpu": "1"}}, {"type": "Pod", "max": {"cpu": "2"}},
            {"type": "PersistentVolumeClaim", "max": {"storage": "1Gi"}}, {"type": "example.com/x"}]),
        &[],
    );
    check(
        json!([{"type": "Container"}, {"type": "Container"}, {"type": "Node"},
            {"type": "Container", "max": {"storage": "1Gi"}}]),
        &[
            "spec.limits[1].type: Duplicate value: \"Container\"",
            "spec.limits[2].type: Invalid value: \"Node\": must be a standard limit type or fully qualified",
            "spec.limits[3].type: Duplicate value: \"Container\"",
            "spec.limits[3].max[storage]: Invalid value: \"storage\": must be a standard resource for containers",
        ],
    );
}

/// `Pod` items refuse defaults; `PersistentVolumeClaim` items need a storage bound.
#[test]
fn per_type_rules() {
    check(
        json!([{"type": "Pod", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1"}},
            {"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}]),
        &[
            "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
            "spec.limits[0].defaultRequest: Forbidden: may not be specified when `type` is 'Pod'",
            "spec.limits[1].limits: Required value: either minimum or maximum storage value is required, but neither was provided",
        ],
    );
}

/// The relations `ValidateLimitRange` checks per resource, each with its real message.
#[test]
fn amounts_relate() {
    check(
        json!([{"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"},
            "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "3"}}]),
        &[
            "spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1",
            "spec.limits[0].defaultRequest[cpu]: Invalid value: \"3\": default request value 3 is greater than max value 1",
            "spec.limits[0].defaultRequest[cpu]: Invalid value: \"3\": default request value 3 is greater than default limit value 500m",
            "spec.limits[0].default[cpu]: Invalid value: \"2\": min value 2 is greater than default value 500m",
        ],
    );
    check(
        json!([{"type": "Pod", "min": {"memory": "1Gi"}, "max": {"memory": "2Gi"},
            "maxLimitRequestRatio": {"memory": "3", "cpu": "500m"}}]),
        &[
            "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: \"500m\": ratio 500m is less than 1",
            "spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: \"3\": ratio 3 is greater than max/min = 2.000000",
        ],
    );
    check(
        json!([{"type": "Container", "default": {"example.com/gpu": "2"},
            "defaultRequest": {"example.com/gpu": "1"}}]),
        &[
            "spec.limits[0].defaultRequest[example.com/gpu]: Invalid value: \"1\": default value 2 must equal to defaultRequest value 1 in example.com/gpu",
        ],
    );
}
