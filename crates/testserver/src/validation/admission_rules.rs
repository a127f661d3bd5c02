//! The rule pieces admissionregistration.k8s.io types share
//! (`pkg/apis/admissionregistration/validation`): rules with operations (`validateRuleWithOperations`,
//! `validateRule`, `validateResources` with its wildcard and subresource rules) and match
//! conditions (`validateMatchConditions`: names, count, and the CEL expression compiled).
//!
//! CEL: expressions are parsed by the `cel` crate, as CRD validation rules are
//! (`crd::cel`); a syntax error is refused with `compilation failed: ERROR: ...` as cel-go
//! words it, while syntax the crate does not support (the optional-field forms) is let through
//! unchecked. cel-go also type-checks (undeclared references, a result of the wrong type) and
//! estimates cost; of that only a literal result of the wrong type is caught here.

use std::collections::HashSet;

use cel::Program;
use cel::common::ast::{Expr, LiteralValue};
use serde_json::Value;

use super::{BadValue, FieldError, go_quote, names};

/// The items of an array (none when absent or not an array).
pub(crate) fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The strings of an array.
pub(crate) fn strings(v: Option<&Value>) -> Vec<&str> {
    items(v).iter().map(|s| s.as_str().unwrap_or("")).collect()
}

/// Go's `%#v` of a slice of (named) strings: `[]string{"a", "b"}`.
pub(crate) fn go_slice(type_name: &str, values: &[&str]) -> BadValue {
    let quoted: Vec<String> = values.iter().map(|s| go_quote(s)).collect();
    BadValue::Raw(format!("[]{type_name}{{{}}}", quoted.join(", ")))
}

/// The string at `key`, when set.
pub(crate) fn opt_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .filter(|v| !v.is_null())
        .map(|v| v.as_str().unwrap_or(""))
}

fn has_wildcard(values: &[&str]) -> bool {
    values.contains(&"*")
}

const OPERATIONS: [&str; 5] = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const SCOPES: [&str; 3] = ["*", "Cluster", "Namespaced"];

/// `validateRuleWithOperations` (subresources allowed).
pub(crate) fn rule_with_operations(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let operations = strings(rule.get("operations"));
    if operations.is_empty() {
        errs.push(FieldError::required(format!("{path}.operations"), ""));
    }
    if operations.len() > 1 && has_wildcard(&operations) {
        errs.push(FieldError::invalid(
            format!("{path}.operations"),
            go_slice("admissionregistration.OperationType", &operations),
            "if '*' is present, must not specify other operations",
        ));
    }
    for (i, op) in operations.iter().enumerate() {
        if !OPERATIONS.contains(op) {
            errs.push(FieldError::not_supported(
                format!("{path}.operations[{i}]"),
                *op,
                &OPERATIONS,
            ));
        }
    }
    errs.extend(validate_rule(rule, path));
    errs
}

/// `validateRule` with subresources allowed.
fn validate_rule(rule: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let groups = strings(rule.get("apiGroups"));
    if groups.is_empty() {
        errs.push(FieldError::required(format!("{path}.apiGroups"), ""));
    }
    if groups.len() > 1 && has_wildcard(&groups) {
        errs.push(FieldError::invalid(
            format!("{path}.apiGroups"),
            go_slice("string", &groups),
            "if '*' is present, must not specify other API groups",
        ));
    }
    let versions = strings(rule.get("apiVersions"));
    if versions.is_empty() {
        errs.push(FieldError::required(format!("{path}.apiVersions"), ""));
    }
    if versions.len() > 1 && has_wildcard(&versions) {
        errs.push(FieldError::invalid(
            format!("{path}.apiVersions"),
            go_slice("string", &versions),
            "if '*' is present, must not specify other API versions",
        ));
    }
    for (i, v) in versions.iter().enumerate() {
        if v.is_empty() {
            errs.push(FieldError::required(format!("{path}.apiVersions[{i}]"), ""));
        }
    }
    errs.extend(resources(
        &strings(rule.get("resources")),
        &format!("{path}.resources"),
    ));
    if let Some(scope) = opt_str(rule, "scope")
        && !SCOPES.contains(&scope)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.scope"),
            scope,
            &SCOPES,
        ));
    }
    errs
}

/// `validateResources`: `x/*` excludes `x/y`, `*/y` excludes `x/y`, `*/*` stands alone, and
/// `*` excludes plain resources.
fn resources(resources: &[&str], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if resources.is_empty() {
        errs.push(FieldError::required(path, ""));
    }
    let mut with_wildcard_sub: HashSet<&str> = HashSet::new();
    let mut sub_with_wildcard_res: HashSet<&str> = HashSet::new();
    let (mut double, mut single, mut plain) = (false, false, false);
    for (i, res_sub) in resources.iter().enumerate() {
        if res_sub.is_empty() {
            errs.push(FieldError::required(format!("{path}[{i}]"), ""));
            continue;
        }
        double |= *res_sub == "*/*";
        single |= *res_sub == "*";
        let Some((res, sub)) = res_sub.split_once('/') else {
            plain = *res_sub != "*";
            continue;
        };
        if with_wildcard_sub.contains(res) {
            errs.push(FieldError::invalid(
                format!("{path}[{i}]"),
                *res_sub,
                format!("if '{res}/*' is present, must not specify {res_sub}"),
            ));
        }
        if sub_with_wildcard_res.contains(sub) {
            errs.push(FieldError::invalid(
                format!("{path}[{i}]"),
                *res_sub,
                format!("if '*/{sub}' is present, must not specify {res_sub}"),
            ));
        }
        if sub == "*" {
            with_wildcard_sub.insert(res);
        }
        if res == "*" {
            sub_with_wildcard_res.insert(sub);
        }
    }
    if resources.len() > 1 && double {
        errs.push(FieldError::invalid(
            path,
            go_slice("string", resources),
            "if '*/*' is present, must not specify other resources",
        ));
    }
    if single && plain {
        errs.push(FieldError::invalid(
            path,
            go_slice("string", resources),
            "if '*' is present, must not specify other resources without subresources",
        ));
    }
    errs
}

/// `validateMatchConditions`. Expressions already stored (`preexisting`) compile in the
/// stored-expressions environment on the real server; the checks here are the same for both.
pub(crate) fn match_conditions(conditions: Option<&Value>, path: &str) -> Vec<FieldError> {
    let conditions = items(conditions);
    let mut errs = Vec::new();
    if conditions.len() > 64 {
        errs.push(FieldError::too_many(path, conditions.len(), 64));
    }
    let mut seen = HashSet::new();
    for (i, condition) in conditions.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let expression = opt_str(condition, "expression").unwrap_or("");
        if expression.trim().is_empty() {
            errs.push(FieldError::required(format!("{at}.expression"), ""));
        } else {
            errs.extend(compile_bool(expression.trim(), &format!("{at}.expression")));
        }
        let name = opt_str(condition, "name").unwrap_or("");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else {
            for msg in names::qualified_name(name) {
                errs.push(FieldError::invalid(format!("{at}.name"), name, msg));
            }
        }
        if !name.is_empty() && !seen.insert(name) {
            errs.push(FieldError::duplicate(format!("{at}.name"), name));
        }
    }
    errs
}

/// `CompileCELExpression` of an expression that must be a bool.
pub(crate) fn compile_bool(expression: &str, path: &str) -> Vec<FieldError> {
    compile(expression, expression, &["bool"], path)
}

/// `CompileCELExpression` of `source` (shown as `shown`) whose result must have one of the
/// `types` (any type when empty): a parse error is `compilation failed: <issues>`, a literal
/// of another type `must evaluate to <type> but got <type>` (or `one of [...]`).
pub(crate) fn compile(source: &str, shown: &str, types: &[&str], path: &str) -> Vec<FieldError> {
    let program = match Program::compile(source) {
        Ok(program) => program,
        // syntax cel-go accepts in Kubernetes' environments but the crate's parser does not
        // (optional `.?`, `[?`, `?:` fields): not ours to refuse
        Err(err)
            if err
                .errors
                .iter()
                .all(|e| e.msg.starts_with("unsupported syntax")) =>
        {
            return Vec::new();
        }
        Err(err) => {
            // cel-go indents the source snippet and the caret line by one space
            let issues = err.to_string().replace("\n| ", "\n | ");
            return vec![FieldError::invalid(
                path,
                shown,
                format!("compilation failed: {issues}"),
            )];
        }
    };
    match literal_type(&program.expression().expr) {
        Some(t) if !types.is_empty() && !types.contains(&t) => {
            let wanted = match types {
                [one] => (*one).to_owned(),
                many => format!("one of [{}]", many.join(" ")),
            };
            vec![FieldError::invalid(
                path,
                shown,
                format!("must evaluate to {wanted} but got {t}"),
            )]
        }
        _ => Vec::new(),
    }
}

/// The CEL type name of a literal expression.
fn literal_type(expr: &Expr) -> Option<&'static str> {
    let Expr::Literal(value) = expr else {
        return None;
    };
    Some(match value {
        LiteralValue::Boolean(_) => "bool",
        LiteralValue::Int(_) => "int",
        LiteralValue::UInt(_) => "uint",
        LiteralValue::Double(_) => "double",
        LiteralValue::String(_) => "string",
        LiteralValue::Bytes(_) => "bytes",
        LiteralValue::Null => "null_type",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expressions cel-go accepts in match conditions compile here too.
    #[test]
    fn valid_expressions_compile() {
        for expression in [
            "has(object.metadata.labels) && 'app' in object.metadata.labels",
            "request.userInfo.groups.exists(g, g == 'system:masters')",
            "object.?metadata.?labels.orValue({}).size() > 0",
            "!(request.resource.group == 'rbac.authorization.k8s.io' && request.resource.resource in ['roles'])",
            "authorizer.group('').resource('pods').check('create').allowed()",
            "object.spec.replicas <= params.data.maxReplicas",
            "cel.bind(x, object.metadata.name, x.startsWith('a'))",
            "object.metadata.name.matches('^[a-z]+$') ? true : false",
            "size(object.spec.containers.filter(c, c.image.endsWith(':latest'))) == 0",
            "duration('1h') > duration('30m') && timestamp('2024-01-01T00:00:00Z') < timestamp('2025-01-01T00:00:00Z')",
        ] {
            assert_eq!(compile_bool(expression, "e"), Vec::new(), "{expression}");
        }
    }
}
