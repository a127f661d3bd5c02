//! Rules evaluated on objects: one `check` per case, each naming the errors expected in the
//! real server's words.

use serde_json::{Value, json};

use super::{compile_errors, validate};
use crate::validation::FieldError;

/// The schema of a spec with `replicas` (integer), `ratio` (number), `name`, `tags` (a map)
/// and `items` (a list of objects), `rules` on the spec node.
fn schema(rules: Value) -> Value {
    json!({
        "type": "object",
        "properties": {"spec": {
            "type": "object",
            "x-kubernetes-validations": rules,
            "properties": {
                "replicas": {"type": "integer"},
                "ratio": {"type": "number"},
                "name": {"type": "string"},
                "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "port": {"type": "integer",
                        "x-kubernetes-validations": [{"rule": "self > 0", "message": "must be positive"}]},
                }}},
            },
        }},
    })
}

#[track_caller]
fn check(rules: Value, new: Value, old: Option<Value>, expected: &[&str]) {
    let schema = schema(rules);
    let mut errs: Vec<FieldError> = Vec::new();
    validate(
        &schema,
        &json!({"spec": new}),
        old.map(|o| json!({"spec": o})).as_ref(),
        "",
        &mut errs,
    );
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

#[test]
fn comparisons_size_has_and_macros() {
    let spec = json!({"replicas": 3, "ratio": 1, "name": "web", "tags": {"a": "1", "b": "2"},
        "items": [{"port": 80}]});
    for rule in [
        "self.replicas <= 5",
        "self.ratio == 1.0",
        "size(self.name) == 3 && self.name.startsWith('w')",
        "has(self.tags) && !has(self.missing)",
        "'a' in self.tags && self.tags.all(k, k.matches('^[a-z]$'))",
        "self.items.exists(i, i.port == 80) && self.items.exists_one(i, i.port > 0)",
        "self.items.map(i, i.port).filter(p, p > 8000).size() == 0",
    ] {
        check(json!([{"rule": rule}]), spec.clone(), None, &[]);
    }
}

#[test]
fn failed_rules_name_the_node_its_type_and_the_message() {
    let spec = json!({"replicas": 7, "name": "web"});
    check(
        json!([{"rule": "self.replicas <= 5"}]),
        spec.clone(),
        None,
        &[r#"spec: Invalid value: failed rule: self.replicas <= 5"#],
    );
    check(
        json!([{"rule": "self.replicas <= 5", "message": "at most 5"}]),
        spec.clone(),
        None,
        &[r#"spec: Invalid value: at most 5"#],
    );
    check(
        json!([{"rule": "self.replicas <= 5", "message": "at most 5",
            "messageExpression": "'at most 5, not ' + string(self.replicas)"}]),
        spec.clone(),
        None,
        &[r#"spec: Invalid value: at most 5, not 7"#],
    );
    check(
        json!([{"rule": "self.replicas <= 5", "fieldPath": ".replicas", "reason": "FieldValueForbidden",
            "message": "too many"}]),
        spec,
        None,
        &["spec.replicas: Forbidden: too many"],
    );
    // a rule on a list item's field
    check(
        json!([]),
        json!({"items": [{"port": 80}, {"port": 0}]}),
        None,
        &[r#"spec.items[1].port: Invalid value: 0: must be positive"#],
    );
}

#[test]
fn evaluation_errors_say_what_failed() {
    check(
        json!([{"rule": "self.name == 'x'"}]),
        json!({"replicas": 1}),
        None,
        &[r#"spec: Invalid value: "object": no such key: name evaluating rule: self.name == 'x'"#],
    );
}

#[test]
fn transition_rules_need_an_old_value_and_unchanged_values_ratchet() {
    let immutable = json!([{"rule": "self.name == oldSelf.name", "message": "name is immutable"}]);
    check(immutable.clone(), json!({"name": "a"}), None, &[]);
    check(
        immutable.clone(),
        json!({"name": "a"}),
        Some(json!({"name": "a"})),
        &[],
    );
    check(
        immutable,
        json!({"name": "b"}),
        Some(json!({"name": "a"})),
        &[r#"spec: Invalid value: name is immutable"#],
    );
    // an old object that already broke the rule may be written again unchanged
    let at_most = json!([{"rule": "self.replicas <= 5"}]);
    check(
        at_most.clone(),
        json!({"replicas": 9}),
        Some(json!({"replicas": 9})),
        &[],
    );
    check(
        at_most,
        json!({"replicas": 9, "name": "x"}),
        Some(json!({"replicas": 9})),
        &[r#"spec: Invalid value: failed rule: self.replicas <= 5"#],
    );
}

#[test]
fn schema_errors_that_block_rules_are_reported_once() {
    let schema = schema(json!([{"rule": "self.replicas <= 5"}]));
    let mut errs = vec![FieldError::required("spec.name", "")];
    validate(
        &schema,
        &json!({"spec": {"replicas": 9}}),
        None,
        "",
        &mut errs,
    );
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "spec.name: Required value",
            "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ]
    );
}

#[test]
fn rules_that_do_not_parse_refuse_the_crd() {
    let node = json!({"type": "object", "x-kubernetes-validations": [
        {"rule": "self.replicas <="}, {"rule": "self.ok"}, {"rule": " "}]});
    let mut errs = Vec::new();
    compile_errors(&node, "spec.versions[0].schema.openAPIV3Schema", &mut errs);
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with(
            r#"spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas <=", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:"#
        ),
        "{}",
        got[0]
    );
    assert_eq!(
        got[1],
        "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[2].rule: Required value"
    );
}

/// A spec whose `ports` is a map list keyed by `name` (a transition rule and a plain rule
/// on its items) and whose `tags` is an atomic list (a plain rule on its items).
fn lists_schema() -> Value {
    json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {"type": "object",
                "x-kubernetes-validations": [
                    {"rule": "self.port == oldSelf.port", "message": "port is immutable"},
                    {"rule": "self.port < 1024", "message": "must be privileged"}],
                "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}},
        "tags": {"type": "array", "items": {"type": "string",
            "x-kubernetes-validations": [{"rule": "self.size() < 4", "message": "too long"}]}},
    }}}})
}

#[track_caller]
fn check_lists(new: Value, old: Option<Value>, expected: &[&str]) {
    let mut errs: Vec<FieldError> = Vec::new();
    let old = old.map(|o| json!({"spec": o}));
    validate(
        &lists_schema(),
        &json!({"spec": new}),
        old.as_ref(),
        "",
        &mut errs,
    );
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

/// `validateArray`: map list items meet their old item by key, wherever it moved.
#[test]
fn transition_rules_inside_map_lists_see_the_item_with_the_same_keys() {
    let old = json!({"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 443}]});
    check_lists(
        json!({"ports": [{"name": "b", "port": 444}, {"name": "a", "port": 80}]}),
        Some(old.clone()),
        &[r#"spec.ports[0]: Invalid value: port is immutable"#],
    );
    // a new item has no old value: its transition rule does not run
    check_lists(
        json!({"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 443},
            {"name": "c", "port": 8}]}),
        Some(old),
        &[],
    );
}

/// `shouldRatchetError`: a failing plain rule of an unchanged correlated item (or of an item
/// of an unchanged atomic list) is dropped; transition rules and changed values are not.
#[test]
fn ratcheting_follows_the_correlation() {
    let old = json!({"ports": [{"name": "a", "port": 8080}], "tags": ["long-tag"]});
    // both failures were already stored, and the values did not change (a map list reorder
    // is no change)
    check_lists(old.clone(), Some(old.clone()), &[]);
    check_lists(
        json!({"ports": [{"name": "z", "port": 1}, {"name": "a", "port": 8080}],
            "tags": ["long-tag"]}),
        Some(old.clone()),
        &[],
    );
    // an atomic list's items are not correlated: the changed list is what ratcheting sees
    check_lists(
        json!({"ports": [{"name": "a", "port": 8080}], "tags": ["long-tag", "x"]}),
        Some(old.clone()),
        &[r#"spec.tags[0]: Invalid value: "long-tag": too long"#],
    );
    // on create nothing ratchets
    check_lists(
        old,
        None,
        &[
            r#"spec.ports[0]: Invalid value: must be privileged"#,
            r#"spec.tags[0]: Invalid value: "long-tag": too long"#,
        ],
    );
}

/// `optionalOldSelf`: the transition rule runs on create too, `oldSelf` an optional.
#[test]
fn optional_old_self_runs_on_create_with_an_optional() {
    let rule = json!([{"rule": "oldSelf.hasValue() ? self.name == oldSelf.value().name \
        : self.name.startsWith('a')", "optionalOldSelf": true, "message": "bad name"}]);
    check(rule.clone(), json!({"name": "abc"}), None, &[]);
    check(
        rule.clone(),
        json!({"name": "b"}),
        None,
        &[r#"spec: Invalid value: bad name"#],
    );
    check(
        rule.clone(),
        json!({"name": "b"}),
        Some(json!({"name": "b"})),
        &[],
    );
    check(
        rule,
        json!({"name": "c"}),
        Some(json!({"name": "b"})),
        &[r#"spec: Invalid value: bad name"#],
    );
    let or_value = json!([{"rule": "self.replicas >= oldSelf.orValue(self).replicas",
        "optionalOldSelf": true}]);
    check(or_value.clone(), json!({"replicas": 1}), None, &[]);
    check(
        or_value,
        json!({"replicas": 1}),
        Some(json!({"replicas": 2})),
        &[r#"spec: Invalid value: failed rule: self.replicas >= oldSelf.orValue(self).replicas"#],
    );
}

/// A call no overload takes is cel-go's runtime `no such overload`, worded as
/// `validateExpressions` does.
#[test]
fn no_such_overload_names_the_rule() {
    check(
        json!([{"rule": "quantity(self.replicas).isInteger()"}]),
        json!({"replicas": 1}),
        None,
        &[
            r#"spec: Invalid value: "object": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: quantity(self.replicas).isInteger()"#,
        ],
    );
}

/// `ValidateCustomResourceDefinitionOpenAPISchema`: `optionalOldSelf` needs `oldSelf`, and
/// `oldSelf` needs correlatable values (no atomic or set list above the rule).
#[test]
fn crd_checks_of_old_self() {
    let root = json!({"type": "object", "properties": {"spec": {"type": "object",
    "x-kubernetes-validations": [{"rule": "self.a == 1", "optionalOldSelf": true}],
    "properties": {
        "a": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "object",
            "properties": {"v": {"type": "string",
                "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}}}},
        "ports": {"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"], "items": {"type": "object",
                "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}},
    }}}});
    let path = "spec.versions[0].schema.openAPIV3Schema";
    let mut errs = Vec::new();
    compile_errors(&root, path, &mut errs);
    compile_errors(
        &root["properties"]["spec"],
        &format!("{path}.properties[spec]"),
        &mut errs,
    );
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[tags].items.properties[v].x-kubernetes-validations[0].rule: Invalid value: \"self == oldSelf\": oldSelf cannot be used on the uncorrelatable portion of the schema within spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[tags]",
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule",
        ]
    );
}

/// `valuesunstructured.go`: `date-time` and `duration` strings are timestamps and durations
/// to the rules.
#[test]
fn formatted_strings_are_timestamps_and_durations() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "x-kubernetes-validations": [
            {"rule": "self.ttl <= duration('1h')", "message": "ttl at most 1h"},
            {"rule": "self.expires > timestamp('2020-01-01T00:00:00Z') + self.ttl"}],
        "properties": {
            "ttl": {"type": "string", "format": "duration"},
            "expires": {"type": "string", "format": "date-time"}}}}});
    let run = |spec: Value| {
        let mut errs = Vec::new();
        validate(&schema, &json!({"spec": spec}), None, "", &mut errs);
        errs.iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    assert_eq!(
        run(json!({"ttl": "30m", "expires": "2024-01-01T00:00:00Z"})),
        Vec::<String>::new()
    );
    assert_eq!(
        run(json!({"ttl": "2h", "expires": "2020-01-01T01:00:00Z"})),
        [
            "spec: Invalid value: ttl at most 1h",
            "spec: Invalid value: failed rule: self.expires > timestamp('2020-01-01T00:00:00Z') + self.ttl",
        ]
    );
}
