//! `ValidateValidatingWebhookConfiguration`, `ValidateMutatingWebhookConfiguration` and their
//! updates (`pkg/apis/admissionregistration/validation/validation.go`).

use serde_json::{Value, json};

use super::Hooks;

fn hook(extra: Value) -> Value {
    let mut h = json!({"name": "a.example.com", "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
        "clientConfig": {"url": "https://hook.example.com/validate"}});
    if let (Some(h), Some(extra)) = (h.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            h.insert(k.clone(), v.clone());
        }
    }
    h
}

/// The hooks, each of the default name renamed `w<i>.example.com` so that they are unique.
fn numbered(mut hooks: Vec<Value>) -> Value {
    for (i, h) in hooks.iter_mut().enumerate() {
        if h["name"] == "a.example.com" {
            h["name"] = json!(format!("w{i}.example.com"));
        }
    }
    json!({"webhooks": hooks})
}

#[track_caller]
fn check(kind: Hooks, hooks: Vec<Value>, expected: &[&str]) {
    let errs = kind.validate(&numbered(hooks));
    let got: Vec<String> = errs.iter().map(ToString::to_string).collect();
    assert_eq!(got, expected);
}

#[test]
fn a_valid_configuration_passes() {
    check(Hooks::Validating, vec![hook(json!({}))], &[]);
    check(
        Hooks::Mutating,
        vec![hook(json!({"reinvocationPolicy": "IfNeeded",
        "clientConfig": {"service": {"namespace": "ns", "name": "svc", "path": "/mutate/pods"}}}))],
        &[],
    );
}

/// `IsFullyQualifiedName` and the unique-name rule of `validate*WebhookConfiguration`.
#[test]
fn names_are_fully_qualified_and_unique() {
    check(
        Hooks::Validating,
        vec![
            hook(json!({"name": "a.b"})),
            hook(json!({"name": "Bad"})),
            hook(json!({"name": ""})),
            hook(json!({"name": "x.example.com"})),
            hook(json!({"name": "x.example.com"})),
        ],
        &[
            "webhooks[0].name: Invalid value: \"a.b\": should be a domain with at least three segments separated by dots",
            "webhooks[1].name: Invalid value: \"Bad\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "webhooks[2].name: Required value",
            "webhooks[4].name: Duplicate value: \"x.example.com\"",
        ],
    );
}

/// `validateRuleWithOperations`, `validateRule`, `validateResources`.
#[test]
fn rules_check_operations_wildcards_and_scope() {
    check(
        Hooks::Validating,
        vec![hook(json!({"rules": [
            {"operations": ["*", "CREATE"], "apiGroups": ["*", "apps"], "apiVersions": ["v1", ""],
             "resources": ["pods/*", "pods/log", "*"], "scope": "Everywhere"},
            {"operations": ["GET"], "apiGroups": [], "apiVersions": [], "resources": ["*/*", "pods"]},
            {"operations": [], "apiGroups": [""], "apiVersions": ["*"], "resources": ["*/status", "deployments/status", ""]}
        ]}))],
        &[
            "webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{\"*\", \"CREATE\"}: if '*' is present, must not specify other operations",
            "webhooks[0].rules[0].apiGroups: Invalid value: []string{\"*\", \"apps\"}: if '*' is present, must not specify other API groups",
            "webhooks[0].rules[0].apiVersions[1]: Required value",
            "webhooks[0].rules[0].resources[1]: Invalid value: \"pods/log\": if 'pods/*' is present, must not specify pods/log",
            "webhooks[0].rules[0].scope: Unsupported value: \"Everywhere\": supported values: \"*\", \"Cluster\", \"Namespaced\"",
            "webhooks[0].rules[1].operations[0]: Unsupported value: \"GET\": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"",
            "webhooks[0].rules[1].apiGroups: Required value",
            "webhooks[0].rules[1].apiVersions: Required value",
            "webhooks[0].rules[1].resources: Invalid value: []string{\"*/*\", \"pods\"}: if '*/*' is present, must not specify other resources",
            "webhooks[0].rules[2].operations: Required value",
            "webhooks[0].rules[2].resources[1]: Invalid value: \"deployments/status\": if '*/status' is present, must not specify deployments/status",
            "webhooks[0].rules[2].resources[2]: Required value",
        ],
    );
}

/// The `pods/*` + `*` case: `*` with a plain resource is refused, `*` with subresources not.
#[test]
fn a_single_wildcard_excludes_plain_resources() {
    check(
        Hooks::Validating,
        vec![hook(json!({"rules": [
            {"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["*", "pods"]},
            {"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["*", "pods/status"]}
        ]}))],
        &[
            "webhooks[0].rules[0].resources: Invalid value: []string{\"*\", \"pods\"}: if '*' is present, must not specify other resources without subresources",
        ],
    );
}

/// The policies, side effects, timeout and selectors of `validate*Webhook`.
#[test]
fn policies_side_effects_timeout_and_selectors() {
    check(
        Hooks::Mutating,
        vec![
            hook(json!({"failurePolicy": "Sometimes", "matchPolicy": "Loose",
            "sideEffects": "Some", "timeoutSeconds": 31, "reinvocationPolicy": "Always",
            "namespaceSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}})),
            hook(json!({"name": "b.example.com", "sideEffects": null, "timeoutSeconds": 0})),
        ],
        &[
            "webhooks[0].failurePolicy: Unsupported value: \"Sometimes\": supported values: \"Fail\", \"Ignore\"",
            "webhooks[0].matchPolicy: Unsupported value: \"Loose\": supported values: \"Equivalent\", \"Exact\"",
            "webhooks[0].sideEffects: Unsupported value: \"Some\": supported values: \"None\", \"NoneOnDryRun\"",
            "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
            "webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "webhooks[0].reinvocationPolicy: Unsupported value: \"Always\": supported values: \"IfNeeded\", \"Never\"",
            "webhooks[1].sideEffects: Required value: must specify one of None, NoneOnDryRun",
            "webhooks[1].timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 seconds",
        ],
    );
}

/// `ValidateWebhookURL` and `ValidateWebhookService` (with the swapped name and namespace of
/// the real call).
#[test]
fn client_configs() {
    check(
        Hooks::Validating,
        vec![
            hook(json!({"clientConfig": {}})),
            hook(
                json!({"clientConfig": {"url": "https://x", "service": {"name": "s", "namespace": "n"}}}),
            ),
            hook(json!({"clientConfig": {"url": "http://u:p@h.example.com/p?q=1#f"}})),
            hook(json!({"clientConfig": {"url": "/relative"}})),
            hook(json!({"clientConfig": {"url": ":bad"}})),
            hook(
                json!({"clientConfig": {"service": {"name": "s", "port": 0, "path": "foo//Bar/"}}}),
            ),
            hook(json!({"clientConfig": {"service": {"namespace": "n", "path": "//"}}})),
        ],
        &[
            "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
            "webhooks[1].clientConfig: Required value: exactly one of url or service is required",
            "webhooks[2].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
            "webhooks[2].clientConfig.url: Invalid value: \"u:p\": user information is not permitted in the URL",
            "webhooks[2].clientConfig.url: Invalid value: \"f\": fragments are not permitted in the URL",
            "webhooks[2].clientConfig.url: Invalid value: \"q=1\": query parameters are not permitted in the URL",
            "webhooks[3].clientConfig.url: Invalid value: \"\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
            "webhooks[3].clientConfig.url: Invalid value: \"\": host must be specified; desired format: https://host[/path]",
            "webhooks[4].clientConfig.url: Required value: url must be a valid URL: parse \":bad\": missing protocol scheme; desired format: https://host[/path]",
            "webhooks[5].clientConfig.service.name: Required value",
            "webhooks[5].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive",
            "webhooks[5].clientConfig.service.path: Invalid value: \"foo//Bar/\": must start with a '/'",
            "webhooks[5].clientConfig.service.path: Invalid value: \"foo//Bar/\": segment[1] may not be empty",
            "webhooks[5].clientConfig.service.path: Invalid value: \"foo//Bar/\": segment[2]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            "webhooks[6].clientConfig.service.namespace: Required value",
            "webhooks[6].clientConfig.service.path: Invalid value: \"//\": segment[0] may not be empty",
        ],
    );
}

/// `validateAdmissionReviewVersions`.
#[test]
fn admission_review_versions() {
    check(
        Hooks::Validating,
        vec![
            hook(json!({"admissionReviewVersions": []})),
            hook(json!({"admissionReviewVersions": ["v2", "v2", "V3"]})),
        ],
        &[
            "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
            "webhooks[1].admissionReviewVersions[1]: Invalid value: \"v2\": duplicate version",
            "webhooks[1].admissionReviewVersions[2]: Invalid value: \"V3\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            "webhooks[1].admissionReviewVersions: Invalid value: []string{\"v2\", \"v2\", \"V3\"}: must include at least one of v1, v1beta1",
        ],
    );
}

/// `validateMatchConditions`: names, duplicates, and the CEL compilation.
#[test]
fn match_conditions() {
    check(
        Hooks::Validating,
        vec![hook(json!({"matchConditions": [
            {"name": "ok", "expression": "request.userInfo.username != 'admin'"},
            {"name": "ok", "expression": "  "},
            {"name": "bad name!", "expression": "object.metadata.name =="},
            {"name": "", "expression": "1"}
        ]}))],
        &[
            "webhooks[0].matchConditions[1].expression: Required value",
            "webhooks[0].matchConditions[1].name: Duplicate value: \"ok\"",
            "webhooks[0].matchConditions[2].expression: Invalid value: \"object.metadata.name ==\": compilation failed: ERROR: <input>:1:24: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | object.metadata.name ==\n | .......................^",
            "webhooks[0].matchConditions[2].name: Invalid value: \"bad name!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            "webhooks[0].matchConditions[3].expression: Invalid value: \"1\": must evaluate to bool but got int",
            "webhooks[0].matchConditions[3].name: Required value",
        ],
    );
}

/// `Validate*WebhookConfigurationUpdate`: what the stored object already had stays allowed,
/// unchanged match conditions are not compiled again, new breakage is refused.
#[test]
fn updates_keep_what_the_stored_object_had() {
    let old = numbered(vec![
        hook(
            json!({"sideEffects": "Some", "admissionReviewVersions": ["v0"],
            "matchConditions": [{"name": "m", "expression": "1"}]}),
        ),
        hook(json!({})),
    ]);
    assert!(Hooks::Validating.validate_update(&old, &old).is_empty());
    let errs = Hooks::Validating.validate(&old);
    assert_eq!(errs.len(), 3, "{errs:?}");
    let mut new = old.clone();
    new["webhooks"][1]["matchConditions"] = json!([{"name": "n", "expression": "2"}]);
    let errs: Vec<String> = Hooks::Validating
        .validate_update(&new, &old)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errs,
        [
            "webhooks[0].matchConditions[0].expression: Invalid value: \"1\": must evaluate to bool but got int",
            "webhooks[1].matchConditions[0].expression: Invalid value: \"2\": must evaluate to bool but got int",
        ]
    );
    let stored = json!({"webhooks": [hook(json!({}))]});
    let new = json!({"webhooks": [hook(json!({"sideEffects": "Unknown"}))]});
    assert_eq!(
        Hooks::Validating.validate_update(&new, &stored).len(),
        1,
        "Unknown side effects are refused when every stored hook had None"
    );
}

/// `validatingWebhookHasInvalidLabelValueInSelector`: a stored selector that breaks the rules
/// lets the update keep selector values that are not label values.
#[test]
fn updates_keep_invalid_selector_values_the_stored_object_had() {
    let selector = json!({"matchExpressions": [{"key": "a", "operator": "In", "values": ["not a label value!"]}]});
    let broken = numbered(vec![hook(json!({"objectSelector": selector}))]);
    let value_error = "webhooks[0].objectSelector.matchExpressions[0].values[0]";
    let fields = |errs: Vec<super::FieldError>| -> Vec<String> {
        errs.into_iter().map(|e| e.field).collect()
    };
    assert_eq!(fields(Hooks::Validating.validate(&broken)), [value_error]);
    assert!(
        Hooks::Validating
            .validate_update(&broken, &broken)
            .is_empty()
    );
    let clean = numbered(vec![hook(json!({}))]);
    assert_eq!(
        fields(Hooks::Validating.validate_update(&broken, &clean)),
        [value_error]
    );
}
