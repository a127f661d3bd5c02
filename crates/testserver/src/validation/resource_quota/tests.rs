use serde_json::{Value, json};

use super::*;

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

fn quota(spec: Value) -> Value {
    json!({"metadata": {"name": "q"}, "spec": spec})
}

/// `ValidateResourceQuotaSpec`: each hard limit's name and amount.
#[test]
fn hard_limits() {
    check(
        resource_quota(&quota(json!({"hard": {"pods": "10", "requests.cpu": "2",
            "count/deployments.apps": "3", "example.com/gpu": "4"}}))),
        &[],
    );
    check(
        resource_quota(&quota(
            json!({"hard": {"pods": "1500m", "cpu": "-1", "storage": "1Gi"}}),
        )),
        &[
            "spec.hard[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
            "spec.hard[pods]: Invalid value: \"1500m\": must be an integer",
            "spec.hard[storage]: Invalid value: \"storage\": must be a standard resource for quota",
        ],
    );
}

/// `validateResourceQuotaScopes`: unknown scopes, scopes that do not apply to a standard
/// limit (one error per limit) and conflicting pairs, each reporting the whole list.
#[test]
fn scopes() {
    check(
        resource_quota(&quota(
            json!({"hard": {"pods": "1", "cpu": "1", "memory": "1Gi"},
            "scopes": ["BestEffort", "NotBestEffort", "Sometimes"]}),
        )),
        &[
            "spec.scopes: Invalid value: [\"BestEffort\",\"NotBestEffort\",\"Sometimes\"]: unsupported scope applied to resource",
            "spec.scopes: Invalid value: [\"BestEffort\",\"NotBestEffort\",\"Sometimes\"]: unsupported scope applied to resource",
            "spec.scopes: Invalid value: [\"BestEffort\",\"NotBestEffort\",\"Sometimes\"]: unsupported scope",
            "spec.scopes: Invalid value: [\"BestEffort\",\"NotBestEffort\",\"Sometimes\"]: conflicting scopes",
        ],
    );
    check(
        resource_quota(&quota(
            json!({"hard": {"persistentvolumeclaims": "1", "requests.storage": "1Gi",
            "example.com/x": "1"}, "scopes": ["VolumeAttributesClass"]}),
        )),
        &[],
    );
}

/// `validateScopedResourceSelectorRequirement`: paths without an index, operators per
/// scope, values per operator; the selector printed with Go's field names.
#[test]
fn scope_selector() {
    check(
        resource_quota(&quota(
            json!({"hard": {"pods": "1"}, "scopeSelector": {"matchExpressions": [
            {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]},
            {"scopeName": "Terminating", "operator": "In"},
            {"scopeName": "NotTerminating", "operator": "Exists", "values": ["x"]},
            {"scopeName": "Nope", "operator": "Near"}]}}),
        )),
        &[
            "spec.scopeSelector.matchExpressions.operator: Invalid value: \"In\": must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
            "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            "spec.scopeSelector.matchExpressions.values: Invalid value: [\"x\"]: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            "spec.scopeSelector.matchExpressions.scopeName: Invalid value: \"Nope\": unsupported scope",
            "spec.scopeSelector.matchExpressions.operator: Invalid value: \"Near\": not a valid selector operator",
            "spec.scopeSelector.matchExpressions: Invalid value: null: conflicting scopes",
        ],
    );
    check(
        resource_quota(&quota(
            json!({"hard": {"services": "1"}, "scopeSelector": {"matchExpressions": [
            {"scopeName": "PriorityClass", "operator": "Exists"}]}}),
        )),
        &[
            "spec.scopeSelector.matchExpressions: Invalid value: {\"MatchExpressions\":[{\"ScopeName\":\"PriorityClass\",\"Operator\":\"Exists\",\"Values\":null}]}: unsupported scope applied to resource",
        ],
    );
}

/// `ValidateResourceQuotaUpdate`: the set of scopes may not change (order may).
#[test]
fn scopes_are_immutable() {
    let old = quota(json!({"hard": {"pods": "1"}, "scopes": ["Terminating", "BestEffort"]}));
    let reordered = quota(json!({"hard": {"pods": "2"}, "scopes": ["BestEffort", "Terminating"]}));
    check(resource_quota_update(&reordered, &old), &[]);
    let dropped = quota(json!({"hard": {"pods": "1"}}));
    check(
        resource_quota_update(&dropped, &old),
        &["spec.scopes: Invalid value: null: field is immutable"],
    );
}
