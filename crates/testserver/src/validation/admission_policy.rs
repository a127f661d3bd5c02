//! admissionregistration.k8s.io/v1 ValidatingAdmissionPolicies and their bindings
//! (`pkg/apis/admissionregistration/validation`: `ValidateValidatingAdmissionPolicy`,
//! `ValidateValidatingAdmissionPolicyBinding` and their updates): the failure policy, the param
//! kind, the match constraints (`validateMatchResources`, named rules), match conditions,
//! variables, validations, audit annotations; and the binding's policy name, param reference,
//! match resources and validation actions.
//!
//! CEL expressions are parsed as match conditions are (`admission_rules::compile`): syntax
//! errors and literal results of the wrong type are refused, type errors found only by
//! cel-go's checker are not. The strategies' authorization checks of the param kind and
//! param reference are not made.

use std::collections::HashSet;

use serde_json::Value;

use super::admission_rules::{
    compile, compile_bool, go_slice, items, match_conditions, opt_str, rule_with_operations,
    strings,
};
use super::{FieldError, NameRule, names, object_meta, selector};

const FAILURE_POLICIES: [&str; 2] = ["Fail", "Ignore"];
const MATCH_POLICIES: [&str; 2] = ["Equivalent", "Exact"];
const REASONS: [&str; 3] = ["Forbidden", "Invalid", "RequestEntityTooLarge"];
const ACTIONS: [&str; 3] = ["Audit", "Deny", "Warn"];
const MAX_AUDIT_ANNOTATIONS: usize = 20;
const MAX_VALUE_EXPRESSION: usize = 5 * 1024;
const CEL_RESERVED: [&str; 21] = [
    "true",
    "false",
    "null",
    "in",
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// `ValidateValidatingAdmissionPolicy`.
pub(crate) fn policy(obj: &Value) -> Vec<FieldError> {
    policy_with(obj, false)
}

/// `ValidateValidatingAdmissionPolicyUpdate`: match conditions are not compiled again while
/// they and the param kind are unchanged.
pub(crate) fn policy_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let unchanged = |key: &str| spec(new).get(key) == spec(old).get(key);
    policy_with(new, unchanged("paramKind") && unchanged("matchConditions"))
}

fn policy_with(obj: &Value, ignore_match_conditions: bool) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    let spec = spec(obj);
    match opt_str(spec, "failurePolicy") {
        None => errs.push(FieldError::required("spec.failurePolicy", "")),
        Some(p) if !FAILURE_POLICIES.contains(&p) => errs.push(FieldError::not_supported(
            "spec.failurePolicy",
            p,
            &FAILURE_POLICIES,
        )),
        Some(_) => {}
    }
    if let Some(kind) = set(spec, "paramKind") {
        errs.extend(param_kind(kind));
    }
    match set(spec, "matchConstraints") {
        None => errs.push(FieldError::required("spec.matchConstraints", "")),
        Some(constraints) => {
            errs.extend(match_resources(constraints, "spec.matchConstraints"));
            if items(constraints.get("resourceRules")).is_empty() {
                errs.push(FieldError::required(
                    "spec.matchConstraints.resourceRules",
                    "",
                ));
            }
        }
    }
    if !ignore_match_conditions {
        errs.extend(match_conditions(
            spec.get("matchConditions"),
            "spec.matchConditions",
        ));
    }
    for (i, variable) in items(spec.get("variables")).iter().enumerate() {
        errs.extend(self::variable(variable, &format!("spec.variables[{i}]")));
    }
    let (validations, annotations) = (
        items(spec.get("validations")),
        items(spec.get("auditAnnotations")),
    );
    if validations.is_empty() && annotations.is_empty() {
        for key in ["validations", "auditAnnotations"] {
            errs.push(FieldError::required(
                format!("spec.{key}"),
                "validations or auditAnnotations must contain at least one item",
            ));
        }
        return errs;
    }
    for (i, v) in validations.iter().enumerate() {
        errs.extend(validation(v, &format!("spec.validations[{i}]")));
    }
    if annotations.len() > MAX_AUDIT_ANNOTATIONS {
        errs.push(FieldError::invalid(
            "spec.auditAnnotations",
            spec.get("auditAnnotations").cloned().unwrap_or(Value::Null),
            format!("must not have more than {MAX_AUDIT_ANNOTATIONS} auditAnnotations"),
        ));
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut keys = HashSet::new();
    for (i, a) in annotations.iter().enumerate() {
        let at = format!("spec.auditAnnotations[{i}]");
        errs.extend(audit_annotation(a, name, &at));
        let key = opt_str(a, "key").unwrap_or("");
        if !keys.insert(key) {
            errs.push(FieldError::duplicate(format!("{at}.key"), key));
        }
    }
    errs
}

/// `validateParamKind`.
fn param_kind(kind: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let path = "spec.paramKind.apiVersion";
    let api_version = opt_str(kind, "apiVersion").unwrap_or("");
    if api_version.is_empty() {
        errs.push(FieldError::required(path, ""));
    } else {
        match parse_group_version(api_version) {
            Err(err) => errs.push(FieldError::invalid(path, api_version, err)),
            Ok((group, version)) => {
                // the group and version rules of APIServices
                let problems = names::dns1123_subdomain(group);
                if !group.is_empty() && !problems.is_empty() {
                    errs.push(FieldError::invalid(path, group, problems.join(",")));
                }
                if version.is_empty() {
                    errs.push(FieldError::invalid(
                        path,
                        api_version,
                        "version must be specified",
                    ));
                } else {
                    let problems = names::dns1035_label(version);
                    if !problems.is_empty() {
                        errs.push(FieldError::invalid(path, version, problems.join(",")));
                    }
                }
            }
        }
    }
    let k = opt_str(kind, "kind").unwrap_or("");
    if k.is_empty() {
        errs.push(FieldError::required("spec.paramKind.kind", ""));
    } else {
        let problems = names::dns1035_label(&k.to_lowercase());
        if !problems.is_empty() {
            errs.push(FieldError::invalid(
                "spec.paramKind.kind",
                k,
                format!(
                    "may have mixed case, but should otherwise match: {}",
                    problems.join(",")
                ),
            ));
        }
    }
    errs
}

/// `parseGroupVersion`.
fn parse_group_version(gv: &str) -> Result<(&str, &str), String> {
    if gv.is_empty() || gv == "/" {
        return Ok(("", ""));
    }
    match gv.split_once('/') {
        None => Ok(("", gv)),
        Some((group, version)) if !version.contains('/') => Ok((group, version)),
        Some(_) => Err(format!("unexpected GroupVersion string: {gv}")),
    }
}

/// `validateMatchResources`.
fn match_resources(m: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match opt_str(m, "matchPolicy") {
        None => errs.push(FieldError::required(format!("{path}.matchPolicy"), "")),
        Some(p) if !MATCH_POLICIES.contains(&p) => errs.push(FieldError::not_supported(
            format!("{path}.matchPolicy"),
            p,
            &MATCH_POLICIES,
        )),
        Some(_) => {}
    }
    for key in ["namespaceSelector", "objectSelector"] {
        match set(m, key) {
            None => errs.push(FieldError::required(format!("{path}.{key}"), "")),
            Some(s) => errs.extend(selector::label_selector(Some(s), &format!("{path}.{key}"))),
        }
    }
    for key in ["resourceRules", "excludeResourceRules"] {
        for (i, rule) in items(m.get(key)).iter().enumerate() {
            errs.extend(named_rule(rule, &format!("{path}.{key}[{i}]")));
        }
    }
    errs
}

/// `validateNamedRuleWithOperations`.
fn named_rule(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for (i, name) in strings(rule.get("resourceNames")).iter().enumerate() {
        let at = format!("{path}.resourceNames[{i}]");
        for msg in names::path_segment_name(name) {
            errs.push(FieldError::invalid(&at, *name, msg));
        }
        if !seen.insert(*name) {
            errs.push(FieldError::duplicate(at, *name));
        }
    }
    errs.extend(rule_with_operations(rule, path));
    errs
}

/// `isCELIdentifier`.
fn is_cel_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !CEL_RESERVED.contains(&name)
}

/// `validateVariable`.
fn variable(v: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = opt_str(v, "name").unwrap_or("");
    if name.trim().is_empty() {
        errs.push(FieldError::required(
            format!("{path}.name"),
            "name is not specified",
        ));
    } else if !is_cel_identifier(name) {
        errs.push(FieldError::invalid(
            format!("{path}.name"),
            name,
            "name is not a valid CEL identifier",
        ));
    }
    let expression = opt_str(v, "expression").unwrap_or("");
    if expression.trim().is_empty() {
        errs.push(FieldError::required(
            format!("{path}.expression"),
            "expression is not specified",
        ));
    } else {
        errs.extend(compile(
            expression,
            expression,
            &[],
            &format!("{path}.expression"),
        ));
    }
    errs
}

/// `validateValidation`.
fn validation(v: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let expression = opt_str(v, "expression").unwrap_or("");
    if expression.trim().is_empty() {
        errs.push(FieldError::required(
            format!("{path}.expression"),
            "expression is not specified",
        ));
    } else {
        errs.extend(compile_bool(expression, &format!("{path}.expression")));
    }
    let message_expression = opt_str(v, "messageExpression").unwrap_or("");
    if !message_expression.is_empty() && message_expression.trim().is_empty() {
        errs.push(FieldError::invalid(
            format!("{path}.messageExpression"),
            message_expression,
            "must be non-empty if specified",
        ));
    } else if !message_expression.is_empty() {
        errs.extend(compile(
            message_expression,
            message_expression,
            &["string"],
            &format!("{path}.messageExpression"),
        ));
    }
    let message = opt_str(v, "message").unwrap_or("");
    let trimmed = message.trim();
    if !message.is_empty() && trimmed.is_empty() {
        errs.push(FieldError::invalid(
            format!("{path}.message"),
            message,
            "message must be non-empty if specified",
        ));
    } else if trimmed.contains(['\n', '\r']) {
        errs.push(FieldError::invalid(
            format!("{path}.message"),
            message,
            "message must not contain line breaks",
        ));
    }
    if let Some(reason) = opt_str(v, "reason")
        && !REASONS.contains(&reason)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.reason"),
            reason,
            &REASONS,
        ));
    }
    errs
}

/// `validateAuditAnnotation`.
fn audit_annotation(a: &Value, policy_name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let key = opt_str(a, "key").unwrap_or("");
    if policy_name.is_empty() {
        errs.push(FieldError::invalid(
            format!("{path}.key"),
            key,
            "requires metadata.name be non-empty",
        ));
    } else {
        let qualified = format!("{policy_name}/{key}");
        for msg in names::qualified_name(&qualified) {
            errs.push(FieldError::invalid(
                format!("{path}.key"),
                qualified.as_str(),
                msg,
            ));
        }
    }
    let value = opt_str(a, "valueExpression").unwrap_or("");
    let trimmed = value.trim();
    let at = format!("{path}.valueExpression");
    if trimmed.is_empty() {
        errs.push(FieldError::required(at, "valueExpression is not specified"));
    } else if trimmed.len() > MAX_VALUE_EXPRESSION {
        errs.push(FieldError::required(
            at,
            format!("must not exceed {MAX_VALUE_EXPRESSION} bytes in length"),
        ));
    } else {
        errs.extend(compile(trimmed, value, &["string", "null_type"], &at));
    }
    errs
}

/// `ValidateValidatingAdmissionPolicyBinding` (also its update).
pub(crate) fn binding(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    let spec = spec(obj);
    let policy = opt_str(spec, "policyName").unwrap_or("");
    if policy.is_empty() {
        errs.push(FieldError::required("spec.policyName", ""));
    } else {
        for msg in names::dns1123_subdomain(policy) {
            errs.push(FieldError::invalid("spec.policyName", policy, msg));
        }
    }
    if let Some(param_ref) = set(spec, "paramRef") {
        errs.extend(self::param_ref(param_ref));
    }
    if let Some(m) = set(spec, "matchResources") {
        // the real path is misspelled
        errs.extend(match_resources(m, "spec.matchResouces"));
    }
    errs.extend(validation_actions(spec.get("validationActions")));
    errs
}

/// `validateParamRef`.
fn param_ref(r: &Value) -> Vec<FieldError> {
    const EXCLUSIVE: &str = "name and selector are mutually exclusive";
    let mut errs = Vec::new();
    let name = opt_str(r, "name").unwrap_or("");
    let selector = set(r, "selector");
    if !name.is_empty() {
        for msg in names::path_segment_name(name) {
            errs.push(FieldError::invalid("spec.paramRef.name", name, msg));
        }
        if selector.is_some() {
            errs.push(FieldError::forbidden("spec.paramRef.name", EXCLUSIVE));
        }
    }
    if let Some(s) = selector {
        errs.extend(selector::label_selector(Some(s), "spec.paramRef.selector"));
        if !name.is_empty() {
            errs.push(FieldError::forbidden("spec.paramRef.selector", EXCLUSIVE));
        }
    }
    if name.is_empty() && selector.is_none() {
        errs.push(FieldError::required(
            "spec.paramRef",
            "one of name or selector must be specified",
        ));
    }
    match opt_str(r, "parameterNotFoundAction").unwrap_or("") {
        "" => errs.push(FieldError::required(
            "spec.paramRef.parameterNotFoundAction",
            "",
        )),
        "Deny" | "Allow" => {}
        other => errs.push(FieldError::not_supported(
            "spec.paramRef.parameterNotFoundAction",
            other,
            &["Deny", "Allow"],
        )),
    }
    errs
}

/// `validateValidationActions`.
fn validation_actions(actions: Option<&Value>) -> Vec<FieldError> {
    let path = "spec.validationActions";
    let actions = strings(actions);
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    for (i, action) in actions.iter().enumerate() {
        if !ACTIONS.contains(action) {
            errs.push(FieldError::not_supported(
                format!("{path}[{i}]"),
                *action,
                &ACTIONS,
            ));
        }
        if !seen.insert(*action) {
            errs.push(FieldError::duplicate(format!("{path}[{i}]"), *action));
        }
    }
    if seen.contains("Deny") && seen.contains("Warn") {
        errs.push(FieldError::invalid(
            path,
            go_slice("admissionregistration.ValidationAction", &actions),
            "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
        ));
    }
    if seen.is_empty() {
        errs.push(FieldError::required(
            path,
            "at least one validation action is required",
        ));
    }
    errs
}

#[cfg(test)]
mod tests;
