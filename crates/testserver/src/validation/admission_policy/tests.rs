//! `ValidateValidatingAdmissionPolicy`, `ValidateValidatingAdmissionPolicyBinding` and the
//! policy update (`pkg/apis/admissionregistration/validation/validation.go`), on objects as the
//! v1 defaults leave them.

use serde_json::{Value, json};

use super::*;

fn rule() -> Value {
    json!({"operations": ["CREATE"], "apiGroups": ["apps"], "apiVersions": ["v1"],
        "resources": ["deployments"], "scope": "*"})
}

fn vap(spec: Value) -> Value {
    let mut base = json!({"failurePolicy": "Fail",
        "matchConstraints": {"matchPolicy": "Equivalent", "namespaceSelector": {},
            "objectSelector": {}, "resourceRules": [rule()]},
        "validations": [{"expression": "object.spec.replicas <= 5"}]});
    for (k, v) in spec.as_object().into_iter().flatten() {
        base[k] = v.clone();
    }
    json!({"metadata": {"name": "demo"}, "spec": base})
}

#[track_caller]
fn check(errs: Vec<FieldError>, expected: &[&str]) {
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_valid_policy_passes() {
    check(
        policy(&vap(
            json!({"paramKind": {"apiVersion": "v1", "kind": "ConfigMap"},
        "variables": [{"name": "replicas", "expression": "object.spec.replicas"}],
        "auditAnnotations": [{"key": "high", "valueExpression": "'x'"}]}),
        )),
        &[],
    );
}

/// `validateValidatingAdmissionPolicySpec`: what is required and the validation rules.
#[test]
fn required_parts() {
    check(
        policy(&json!({"metadata": {"name": "p"}, "spec": {}})),
        &[
            "spec.failurePolicy: Required value",
            "spec.matchConstraints: Required value",
            "spec.validations: Required value: validations or auditAnnotations must contain at least one item",
            "spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item",
        ],
    );
    check(
        policy(&vap(json!({"failurePolicy": "Maybe",
        "matchConstraints": {"namespaceSelector": {}, "resourceRules": []}}))),
        &[
            "spec.failurePolicy: Unsupported value: \"Maybe\": supported values: \"Fail\", \"Ignore\"",
            "spec.matchConstraints.matchPolicy: Required value",
            "spec.matchConstraints.objectSelector: Required value",
            "spec.matchConstraints.resourceRules: Required value",
        ],
    );
}

/// `validateParamKind` and `parseGroupVersion`.
#[test]
fn param_kinds() {
    check(
        policy(&vap(
            json!({"paramKind": {"apiVersion": "Example.com/V1", "kind": "My_Kind"}}),
        )),
        &[
            "spec.paramKind.apiVersion: Invalid value: \"Example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.paramKind.apiVersion: Invalid value: \"V1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "spec.paramKind.kind: Invalid value: \"My_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ],
    );
    check(
        policy(&vap(json!({"paramKind": {"apiVersion": "a/b/c"}}))),
        &[
            "spec.paramKind.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
            "spec.paramKind.kind: Required value",
        ],
    );
    check(
        policy(&vap(
            json!({"paramKind": {"apiVersion": "g.io/", "kind": "K"}}),
        )),
        &["spec.paramKind.apiVersion: Invalid value: \"g.io/\": version must be specified"],
    );
}

/// `validateNamedRuleWithOperations`: resource names, then the rule.
#[test]
fn named_rules() {
    let mut r = rule();
    r["resourceNames"] = json!(["a", "a", "x/y"]);
    r["operations"] = json!(["PATCH"]);
    check(
        policy(&vap(json!({"matchConstraints": {"matchPolicy": "Exact",
        "namespaceSelector": {}, "objectSelector": {}, "resourceRules": [r]}}))),
        &[
            "spec.matchConstraints.resourceRules[0].resourceNames[1]: Duplicate value: \"a\"",
            "spec.matchConstraints.resourceRules[0].resourceNames[2]: Invalid value: \"x/y\": may not contain '/'",
            "spec.matchConstraints.resourceRules[0].operations[0]: Unsupported value: \"PATCH\": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"",
        ],
    );
}

/// `validateVariable`, `validateValidation` and `validateAuditAnnotation`.
#[test]
fn variables_validations_and_audit_annotations() {
    check(
        policy(&vap(json!({
        "variables": [{"name": "in", "expression": "1"}, {"name": " ", "expression": "a +"}],
        "validations": [{"expression": "'x'", "messageExpression": "1", "message": "a\nb", "reason": "Teapot"},
            {"expression": " ", "messageExpression": "  ", "message": "  "}],
        "auditAnnotations": [{"key": "Bad Key", "valueExpression": "true"}, {"key": "Bad Key", "valueExpression": ""}]}))),
        &[
            "spec.variables[0].name: Invalid value: \"in\": name is not a valid CEL identifier",
            "spec.variables[1].name: Required value: name is not specified",
            "spec.variables[1].expression: Invalid value: \"a +\": compilation failed: ERROR: <input>:1:4: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | a +\n | ...^",
            "spec.validations[0].expression: Invalid value: \"'x'\": must evaluate to bool but got string",
            "spec.validations[0].messageExpression: Invalid value: \"1\": must evaluate to string but got int",
            "spec.validations[0].message: Invalid value: \"a\\nb\": message must not contain line breaks",
            "spec.validations[0].reason: Unsupported value: \"Teapot\": supported values: \"Forbidden\", \"Invalid\", \"RequestEntityTooLarge\"",
            "spec.validations[1].expression: Required value: expression is not specified",
            "spec.validations[1].messageExpression: Invalid value: \"  \": must be non-empty if specified",
            "spec.validations[1].message: Invalid value: \"  \": message must be non-empty if specified",
            "spec.auditAnnotations[0].key: Invalid value: \"demo/Bad Key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "spec.auditAnnotations[0].valueExpression: Invalid value: \"true\": must evaluate to one of [string null_type] but got bool",
            "spec.auditAnnotations[1].key: Invalid value: \"demo/Bad Key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "spec.auditAnnotations[1].valueExpression: Required value: valueExpression is not specified",
            "spec.auditAnnotations[1].key: Duplicate value: \"Bad Key\"",
        ],
    );
}

/// `ValidateValidatingAdmissionPolicyUpdate`: stored match conditions are not compiled again.
#[test]
fn updates_skip_unchanged_match_conditions() {
    let old = vap(json!({"matchConditions": [{"name": "m", "expression": "1"}]}));
    assert!(policy_update(&old, &old).is_empty());
    assert_eq!(policy(&old).len(), 1);
    let mut new = old.clone();
    new["spec"]["paramKind"] = json!({"apiVersion": "v1", "kind": "ConfigMap"});
    assert_eq!(policy_update(&new, &old).len(), 1);
}

fn vapb(spec: Value) -> Value {
    json!({"metadata": {"name": "b"}, "spec": spec})
}

/// `validateValidatingAdmissionPolicyBindingSpec`, `validateParamRef`,
/// `validateValidationActions`.
#[test]
fn bindings() {
    check(
        binding(&vapb(
            json!({"policyName": "demo", "validationActions": ["Deny"],
            "paramRef": {"name": "cm", "parameterNotFoundAction": "Deny"}}),
        )),
        &[],
    );
    check(
        binding(&vapb(json!({"paramRef": {"name": "a/b",
        "selector": {"matchLabels": {"a": "b"}}, "parameterNotFoundAction": "Ignore"},
        "matchResources": {"matchPolicy": "Equivalent", "namespaceSelector": {}},
        "validationActions": ["Deny", "Warn", "Deny", "Log"]}))),
        &[
            "spec.policyName: Required value",
            "spec.paramRef.name: Invalid value: \"a/b\": may not contain '/'",
            "spec.paramRef.name: Forbidden: name and selector are mutually exclusive",
            "spec.paramRef.selector: Forbidden: name and selector are mutually exclusive",
            "spec.paramRef.parameterNotFoundAction: Unsupported value: \"Ignore\": supported values: \"Deny\", \"Allow\"",
            "spec.matchResouces.objectSelector: Required value",
            "spec.validationActions[2]: Duplicate value: \"Deny\"",
            "spec.validationActions[3]: Unsupported value: \"Log\": supported values: \"Audit\", \"Deny\", \"Warn\"",
            "spec.validationActions: Invalid value: []admissionregistration.ValidationAction{\"Deny\", \"Warn\", \"Deny\", \"Log\"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
        ],
    );
    check(
        binding(&vapb(json!({"policyName": "Demo", "paramRef": {}}))),
        &[
            "spec.policyName: Invalid value: \"Demo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "spec.paramRef: Required value: one of name or selector must be specified",
            "spec.paramRef.parameterNotFoundAction: Required value",
            "spec.validationActions: Required value: at least one validation action is required",
        ],
    );
}
