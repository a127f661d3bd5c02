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
        &[r#"spec: Invalid value: "object": failed rule: self.replicas <= 5"#],
    );
    check(
        json!([{"rule": "self.replicas <= 5", "message": "at most 5"}]),
        spec.clone(),
        None,
        &[r#"spec: Invalid value: "object": at most 5"#],
    );
    check(
        json!([{"rule": "self.replicas <= 5", "message": "at most 5",
            "messageExpression": "'at most 5, not ' + string(self.replicas)"}]),
        spec.clone(),
        None,
        &[r#"spec: Invalid value: "object": at most 5, not 7"#],
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
        &[r#"spec.items[1].port: Invalid value: "integer": must be positive"#],
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
        &[r#"spec: Invalid value: "object": name is immutable"#],
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
        &[r#"spec: Invalid value: "object": failed rule: self.replicas <= 5"#],
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
