//! `ValidateFlowSchema` and `ValidatePriorityLevelConfiguration`
//! (`pkg/apis/flowcontrol/validation/validation.go`), after the v1 defaults.

use serde_json::{Value, json};

use super::bootstrap::{mandatory_flow_schema, mandatory_priority_level};
use super::*;

/// The errors of `validate` on `obj` after `defaults`.
#[track_caller]
fn check_with(
    defaults: fn(&mut Value),
    validate: fn(&Value) -> Vec<FieldError>,
    mut obj: Value,
    expected: &[&str],
) {
    defaults(&mut obj);
    let got: Vec<String> = validate(&obj).iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

#[track_caller]
fn check_fs(obj: Value, expected: &[&str]) {
    check_with(flow_schema_defaults, flow_schema, obj, expected);
}

#[track_caller]
fn check_pl(obj: Value, expected: &[&str]) {
    check_with(priority_level_defaults, priority_level, obj, expected);
}

fn fs(name: &str, spec: Value) -> Value {
    json!({"metadata": {"name": name}, "spec": spec})
}

fn users_everything() -> Value {
    json!([{"subjects": [{"kind": "User", "user": {"name": "noxu"}}],
        "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}]}])
}

/// A valid schema passes, and `matchingPrecedence` defaults to 1000.
#[test]
fn a_valid_flow_schema_passes_and_is_defaulted() {
    let mut obj = fs(
        "system-foo",
        json!({"priorityLevelConfiguration": {"name": "system-bar"}, "rules": users_everything()}),
    );
    flow_schema_defaults(&mut obj);
    assert_eq!(obj["spec"]["matchingPrecedence"], 1000);
    assert!(flow_schema(&obj).is_empty(), "{:?}", flow_schema(&obj));
}

/// `ValidateFlowSchemaSpec`: precedence, distinguisher and level reference.
#[test]
fn precedence_distinguisher_and_level() {
    check_fs(
        fs(
            "fred",
            json!({"matchingPrecedence": 1, "distinguisherMethod": {"type": "ByGroup"},
            "priorityLevelConfiguration": {"name": "Bad_Level"}, "rules": users_everything()}),
        ),
        &[
            "spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1",
            "spec.distinguisherMethod.type: Unsupported value: flowcontrol.FlowDistinguisherMethod{Type:\"ByGroup\"}: supported values: \"ByNamespace\", \"ByUser\"",
            "spec.priorityLevelConfiguration.name: Invalid value: \"Bad_Level\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ],
    );
    check_fs(
        fs(
            "fred",
            json!({"matchingPrecedence": 10001, "priorityLevelConfiguration": {},
            "rules": users_everything()}),
        ),
        &[
            "spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000",
            "spec.priorityLevelConfiguration.name: Required value: must reference a priority level",
        ],
    );
}

/// `ValidateFlowSchemaSubject`: the kind's member first, then the forbidden others.
#[test]
fn subject_unions() {
    check_fs(
        fs(
            "f",
            json!({"priorityLevelConfiguration": {"name": "l"}, "rules": [{"subjects": [
            {"kind": "ServiceAccount", "user": {"name": "fred"}, "group": {"name": "fred"}},
            {"kind": "User", "group": {"name": "fred"}, "serviceAccount": {"namespace": "s", "name": "n"}},
            {"kind": "ServiceAccount", "serviceAccount": {"name": "Bad!"}},
            {"kind": "Robot"}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}]}]}),
        ),
        &[
            "spec.rules[0].subjects[0].serviceAccount: Required value: serviceAccount is required when subject kind is 'ServiceAccount'",
            "spec.rules[0].subjects[0].user: Forbidden: user is forbidden when subject kind is not 'User'",
            "spec.rules[0].subjects[0].group: Forbidden: group is forbidden when subject kind is not 'Group'",
            "spec.rules[0].subjects[1].user: Required value: user is required when subject kind is 'User'",
            "spec.rules[0].subjects[1].serviceAccount: Forbidden: serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
            "spec.rules[0].subjects[1].group: Forbidden: group is forbidden when subject kind is not 'Group'",
            "spec.rules[0].subjects[2].serviceAccount.name: Invalid value: \"Bad!\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.rules[0].subjects[2].serviceAccount.namespace: Required value: must specify namespace for service account",
            "spec.rules[0].subjects[3].kind: Unsupported value: \"Robot\": supported values: \"Group\", \"ServiceAccount\", \"User\"",
        ],
    );
}

/// The resource and non-resource rules.
#[test]
fn policy_rules() {
    check_fs(
        fs(
            "f",
            json!({"priorityLevelConfiguration": {"name": "l"}, "rules": [
            {"subjects": []},
            {"subjects": [{"kind": "Group", "group": {"name": "g"}}],
             "resourceRules": [
                {"verbs": ["*", "create"], "apiGroups": ["*", "tak"], "resources": ["*", "tok"], "namespaces": ["*"]},
                {"verbs": ["get", "fly"], "apiGroups": [], "resources": [], "namespaces": ["Bad"]},
                {"verbs": [], "apiGroups": [""], "resources": ["pods"]}],
             "nonResourceRules": [
                {"verbs": ["get"], "nonResourceURLs": ["*", "/x"]},
                {"verbs": ["get"], "nonResourceURLs": ["", "x", "/a b", "/a//b", "/a*", "/a/*"]},
                {"verbs": ["get"], "nonResourceURLs": []}]}]}),
        ),
        &[
            "spec.rules[0].subjects: Required value: subjects must contain at least one value",
            "spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty",
            "spec.rules[1].resourceRules[0].verbs: Invalid value: []string{\"*\", \"create\"}: if '*' is present, must not specify other verbs",
            "spec.rules[1].resourceRules[0].apiGroups: Invalid value: []string{\"*\", \"tak\"}: if '*' is present, must not specify other api groups",
            "spec.rules[1].resourceRules[0].resources: Invalid value: []string{\"*\", \"tok\"}: if '*' is present, must not specify other resources",
            "spec.rules[1].resourceRules[1].verbs: Unsupported value: []string{\"get\", \"fly\"}: supported values: \"create\", \"delete\", \"deletecollection\", \"get\", \"list\", \"patch\", \"proxy\", \"update\", \"watch\"",
            "spec.rules[1].resourceRules[1].apiGroups: Required value: resource rules must supply at least one api group",
            "spec.rules[1].resourceRules[1].resources: Required value: resource rules must supply at least one resource",
            "spec.rules[1].resourceRules[1].namespaces[0]: Invalid value: \"Bad\": each member of this list must be '*' or a DNS-1123 label; a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "spec.rules[1].resourceRules[2].verbs: Required value: verbs must contain at least one value",
            "spec.rules[1].resourceRules[2].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace",
            "spec.rules[1].nonResourceRules[0].nonResourceURLs: Invalid value: []string{\"*\", \"/x\"}: if '*' is present, must not specify other non-resource URLs",
            "spec.rules[1].nonResourceRules[1].nonResourceURLs[0]: Invalid value: \"\": must not be empty",
            "spec.rules[1].nonResourceRules[1].nonResourceURLs[1]: Invalid value: \"x\": must start with slash",
            "spec.rules[1].nonResourceRules[1].nonResourceURLs[2]: Invalid value: \"/a b\": must not contain white-space",
            "spec.rules[1].nonResourceRules[1].nonResourceURLs[3]: Invalid value: \"/a//b\": must not contain double slash",
            "spec.rules[1].nonResourceRules[1].nonResourceURLs[4]: Invalid value: \"/a*\": wildcard can only do suffix matching",
            "spec.rules[1].nonResourceRules[2].nonResourceURLs: Required value: nonResourceURLs must contain at least one value",
        ],
    );
}

/// The mandatory `exempt` and `catch-all` schemas keep their fixed specs.
#[test]
fn mandatory_flow_schemas_are_fixed() {
    let exempt = mandatory_flow_schema("exempt").unwrap().clone();
    check_fs(fs("exempt", exempt.clone()), &[]);
    let catch_all = mandatory_flow_schema("catch-all").unwrap().clone();
    check_fs(fs("catch-all", catch_all), &[]);
    let mut changed = exempt;
    changed["rules"][0]["nonResourceRules"][0]["nonResourceURLs"] = json!(["/"]);
    let errs = flow_schema(&fs("exempt", changed));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].field.as_str(), errs[0].detail.as_str()),
        ("spec", "spec of 'exempt' must equal the fixed value")
    );
    // the value as `field.Error` prints the internal spec: `json.Marshal`, Go field names
    assert_eq!(
        errs[0].to_string(),
        r#"spec: Invalid value: {"PriorityLevelConfiguration":{"Name":"exempt"},"MatchingPrecedence":1,"DistinguisherMethod":null,"Rules":[{"Subjects":[{"Kind":"Group","User":null,"Group":{"Name":"system:masters"},"ServiceAccount":null}],"ResourceRules":[{"Verbs":["*"],"APIGroups":["*"],"Resources":["*"],"ClusterScope":true,"Namespaces":["*"]}],"NonResourceRules":[{"Verbs":["*"],"NonResourceURLs":["/"]}]}]}: spec of 'exempt' must equal the fixed value"#
    );
}

fn pl(name: &str, spec: Value) -> Value {
    json!({"metadata": {"name": name}, "spec": spec})
}

/// A valid limited level passes, with its v1 defaults.
#[test]
fn a_valid_priority_level_passes_and_is_defaulted() {
    let mut obj = pl(
        "workload",
        json!({"type": "Limited", "limited": {"limitResponse": {"type": "Queue", "queuing": {}}}}),
    );
    priority_level_defaults(&mut obj);
    assert_eq!(
        obj["spec"]["limited"],
        json!({"nominalConcurrencyShares": 30, "lendablePercent": 0,
            "limitResponse": {"type": "Queue", "queuing": {"handSize": 8, "queues": 64, "queueLengthLimit": 50}}})
    );
    assert!(priority_level(&obj).is_empty());
}

/// `ValidatePriorityLevelConfigurationSpec`: the type and its member.
#[test]
fn priority_level_types() {
    check_pl(
        pl("exempt-ish", json!({"type": "Exempt", "limited": {}})),
        &[
            "spec.type: Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'",
            "spec.limited: Forbidden: must be nil if the type is not Limited",
        ],
    );
    check_pl(
        pl("l", json!({"type": "Limited", "exempt": {}})),
        &[
            "spec.exempt: Forbidden: must be nil if the type is Limited",
            "spec.limited: Required value: must not be empty when type is Limited",
        ],
    );
    check_pl(
        pl("l", json!({"type": "Sometimes"})),
        &["spec.type: Unsupported value: \"Sometimes\": supported values: \"Exempt\", \"Limited\""],
    );
}

/// `ValidateLimitedPriorityLevelConfiguration`, `ValidateLimitResponse` and the queuing rules.
#[test]
fn limited_levels_and_queuing() {
    check_pl(
        pl(
            "l",
            json!({"type": "Limited", "limited": {"nominalConcurrencyShares": -1,
            "lendablePercent": 101, "borrowingLimitPercent": -1,
            "limitResponse": {"type": "Reject", "queuing": {}}}}),
        ),
        &[
            "spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer",
            "spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited",
            "spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive",
            "spec.limited.borrowingLimitPercent: Invalid value: -1: if specified, must be a non-negative integer",
        ],
    );
    check_pl(
        pl(
            "l",
            json!({"type": "Limited", "limited": {"nominalConcurrencyShares": 0,
            "limitResponse": {"type": "Queue", "queuing": {"queues": -1, "handSize": -2, "queueLengthLimit": -3}}}}),
        ),
        &[
            "spec.limited.limitResponse.queuing.queueLengthLimit: Invalid value: -3: must be positive",
            "spec.limited.limitResponse.queuing.queues: Invalid value: -1: must be positive",
            "spec.limited.limitResponse.queuing.handSize: Invalid value: -2: must be positive",
        ],
    );
    check_pl(
        pl(
            "l",
            json!({"type": "Limited", "limited": {"limitResponse": {"type": "Queue",
            "queuing": {"queues": 10, "handSize": 11}}}}),
        ),
        &[
            "spec.limited.limitResponse.queuing.handSize: Invalid value: 11: should not be greater than queues (10)",
        ],
    );
    check_pl(
        pl(
            "l",
            json!({"type": "Limited", "limited": {"limitResponse": {"type": "Queue",
            "queuing": {"queues": 10000000, "handSize": 3000}}}}),
        ),
        &[
            "spec.limited.limitResponse.queuing.handSize: Invalid value: 3000: required entropy bits of deckSize 10000000 and handSize 3000 should not be greater than 60",
        ],
    );
    check_pl(
        pl(
            "l",
            json!({"type": "Limited", "limited": {"limitResponse": {"type": "Drop"}}}),
        ),
        &[
            "spec.limited.limitResponse.type: Unsupported value: \"Drop\": supported values: \"Queue\", \"Reject\"",
        ],
    );
}

/// The mandatory levels: `exempt` may change only `spec.exempt`, `catch-all` nothing.
#[test]
fn mandatory_priority_levels() {
    check_pl(
        pl(
            "exempt",
            json!({"type": "Exempt", "exempt": {"nominalConcurrencyShares": 7, "lendablePercent": 101}}),
        ),
        &["spec.exempt.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive"],
    );
    let errs = priority_level(&pl(
        "exempt",
        json!({"type": "Limited", "limited": {"limitResponse": {"type": "Reject"}}}),
    ));
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "spec.type",
                "type must be 'Exempt' if and only if name is 'exempt'"
            ),
            (
                "spec",
                "spec of 'exempt' except the 'spec.exempt' field must equal the fixed value"
            ),
        ]
    );
    check_pl(
        pl(
            "catch-all",
            mandatory_priority_level("catch-all").unwrap().clone(),
        ),
        &[],
    );
    let errs = priority_level(&pl(
        "catch-all",
        json!({"type": "Limited", "limited": {"nominalConcurrencyShares": 6, "limitResponse": {"type": "Reject"}}}),
    ));
    assert_eq!(
        errs.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>(),
        ["spec of 'catch-all' must equal the fixed value"]
    );
}
