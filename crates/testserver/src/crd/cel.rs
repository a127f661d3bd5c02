//! Validation rules (`x-kubernetes-validations`): CEL expressions compiled when a CRD is
//! written and evaluated on every write of its objects, as apiextensions-apiserver's
//! `pkg/apiserver/schema/cel` does, through the `cel` crate's interpreter.
//!
//! What holds, as on the real server (v1.36):
//! - a rule that does not parse refuses the CRD: `<schema path>.x-kubernetes-validations[i].rule:
//!   Invalid value: apiextensions.ValidationRule{...}: compilation failed: ERROR: <input>:...`;
//!   so do what cel-go's type check refuses ([`check`]: fields the schema does not declare,
//!   undeclared names, operators applied to the wrong types, a result that is not a `bool`),
//!   `optionalOldSelf` on a rule without `oldSelf`, and `oldSelf` below the items of a list
//!   that is not a `map` list;
//! - rules run in the environment of `crate::cel::env::env()`: the standard library, cel-go's strings, lists
//!   and sets extensions and Kubernetes' list, regex, quantity, URL, IP/CIDR, format and semver
//!   libraries, with their error texts;
//! - each rule sees `self` (the value at its node, typed by the schema: `number` fields are
//!   doubles, `integer` ones ints) and, when there is an old value, `oldSelf`: object fields
//!   meet their old field, `map` list items the old item with the same keys ([`correlation`]);
//!   a rule naming `oldSelf` (a transition rule) runs only with an old value, unless it has
//!   `optionalOldSelf: true`, which makes `oldSelf` an optional and runs it on creates too;
//! - a failed rule is `<path>: Invalid value: <message>` (a scalar node's value shown before
//!   the message, as since 1.35), the message from `messageExpression` (when it evaluates to a
//!   non-empty string), else `message`, else `failed rule: <rule>`; `reason` picks
//!   `Required`/`Forbidden`/`Duplicate`; `fieldPath` names a field below the node; an
//!   evaluation error is `<path>: Invalid value: "<schema type>": <error> evaluating rule:
//!   <rule>`;
//! - ratcheting: on an update, the failure of a rule without `oldSelf` is dropped when its
//!   node (or, for an uncorrelated node, its nearest correlated ancestor) is unchanged;
//! - rules are evaluated only when the schema validation found no error that makes them
//!   meaningless (type, required, enum, too long/many), else the one `<nil>: Invalid value:
//!   null: some validation rules were not checked...` error says so.
//!
//! Known differences (the `cel` crate is a dynamically typed interpreter, cel-go type-checks
//! against the schema): [`check`] models the common operators and functions only, so a type
//! error elsewhere is found when the rule is evaluated, not at CRD creation; no cost estimates
//! or limits; ratcheted failures are not returned as warnings; see the README for the rest.

use std::sync::Arc;

use cel::Context;
use cel::objects::OptionalValue;
use serde_json::Value;

use self::correlation::Ratchet;
use crate::cel::{env, go_error, go_snippets, to_cel};
use crate::validation::{BadValue, ErrorKind, FieldError};

const RULES: &str = "x-kubernetes-validations";

/// Whether `schema` has a rule anywhere (the real server builds its CEL validator only then).
pub(crate) fn has_rules(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(k, v)| k == RULES || has_rules(v)),
        Value::Array(items) => items.iter().any(has_rules),
        _ => false,
    }
}

/// The rules of one schema node, as the CRD's own validation checks them: each must parse
/// (`path` is the node's path in the CRD, e.g. `spec.versions[0].schema.openAPIV3Schema`).
pub(crate) fn compile_errors(schema: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let rules = schema.get(RULES).and_then(Value::as_array);
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        let text = rule.get("rule").and_then(Value::as_str).unwrap_or("");
        let at = format!("{path}.{RULES}[{i}]");
        if text.trim().is_empty() {
            errs.push(FieldError::required(format!("{at}.rule"), ""));
            continue;
        }
        let optional = rule.get("optionalOldSelf").and_then(Value::as_bool) == Some(true);
        let is_root = path.ends_with(".openAPIV3Schema");
        let uses_old_self = match env::compile(text) {
            Ok(program) => {
                let checked = check::check(&program, text, schema, is_root, optional);
                let detail = if !checked.issues.is_empty() {
                    Some(format!("compilation failed: {}", checked.issues))
                } else if checked.not_bool() {
                    Some("cel expression must evaluate to a bool".to_owned())
                } else {
                    None
                };
                if let Some(detail) = detail {
                    errs.push(FieldError::invalid(
                        format!("{at}.rule"),
                        BadValue::Raw(go_rule(rule)),
                        detail,
                    ));
                    continue;
                }
                program.references().has_variable("oldSelf")
            }
            Err(err) => {
                errs.push(FieldError::invalid(
                    format!("{at}.rule"),
                    BadValue::Raw(go_rule(rule)),
                    format!("compilation failed: {}", go_snippets(&err.to_string())),
                ));
                continue;
            }
        };
        if let Some(expr) = rule.get("messageExpression").and_then(Value::as_str) {
            let undefined = match env::compile(expr) {
                Ok(program) => check::check(&program, expr, schema, is_root, optional).issues,
                Err(err) => go_snippets(&err.to_string()),
            };
            if !undefined.is_empty() {
                errs.push(FieldError::invalid(
                    format!("{at}.messageExpression"),
                    BadValue::Raw(go_rule(rule)),
                    format!("messageExpression compilation failed: {undefined}"),
                ));
            }
        }
        if let Some(optional) = rule.get("optionalOldSelf").and_then(Value::as_bool)
            && !uses_old_self
        {
            errs.push(FieldError::invalid(
                format!("{at}.optionalOldSelf"),
                Value::Bool(optional),
                "may not be set if oldSelf is not used in rule",
            ));
        }
    }
    if path.ends_with(".openAPIV3Schema") {
        uncorrelatable(schema, path, None, errs);
    }
}

/// Transition rules where old values cannot be correlated (below the items of a list that
/// is not a `map` list), refused with the path of the outermost such list.
fn uncorrelatable(schema: &Value, path: &str, forbid: Option<&str>, errs: &mut Vec<FieldError>) {
    let rules = schema.get(RULES).and_then(Value::as_array);
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        let text = rule.get("rule").and_then(Value::as_str).unwrap_or("");
        if let (Some(list), Ok(program)) = (forbid, env::compile(text))
            && program.references().has_variable("oldSelf")
        {
            errs.push(FieldError::invalid(
                format!("{path}.{RULES}[{i}].rule"),
                text,
                format!(
                    "oldSelf cannot be used on the uncorrelatable portion of the schema within \
                     {list}"
                ),
            ));
        }
    }
    let correlatable_map = matches!(
        schema.get("x-kubernetes-map-type").and_then(Value::as_str),
        None | Some("granular" | "atomic")
    );
    for (key, sub) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let forbid = forbid.or((!correlatable_map).then_some(path));
        uncorrelatable(sub, &format!("{path}.properties[{key}]"), forbid, errs);
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        let map_list = schema.get("x-kubernetes-list-type").and_then(Value::as_str) == Some("map");
        let forbid = forbid.or((!map_list).then_some(path));
        uncorrelatable(items, &format!("{path}.items"), forbid, errs);
    }
    if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        uncorrelatable(
            additional,
            &format!("{path}.additionalProperties"),
            forbid,
            errs,
        );
    }
}

/// The rule as Go's `%#v` prints an `apiextensions.ValidationRule` (nil pointers only).
fn go_rule(rule: &Value) -> String {
    let s =
        |k: &str| crate::validation::go_quote(rule.get(k).and_then(Value::as_str).unwrap_or(""));
    format!(
        "apiextensions.ValidationRule{{Rule:{}, Message:{}, MessageExpression:{}, \
         Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:{}, \
         OptionalOldSelf:(*bool)(nil)}}",
        s("rule"),
        s("message"),
        s("messageExpression"),
        s("fieldPath")
    )
}

/// Whether an error of the schema validation keeps the rules from being evaluated.
fn blocks(err: &FieldError) -> bool {
    matches!(
        err.kind,
        ErrorKind::NotSupported
            | ErrorKind::Required
            | ErrorKind::TooLong
            | ErrorKind::TooMany
            | ErrorKind::TypeInvalid
    )
}

/// Evaluates the rules of `schema` (the node at `field`, empty for the root) on `new`
/// (`old`: its previous value on an update), after the schema validation's `errs`.
pub(crate) fn validate(
    schema: &Value,
    new: &Value,
    old: Option<&Value>,
    field: &str,
    errs: &mut Vec<FieldError>,
) {
    if !has_rules(schema) {
        return;
    }
    if errs.iter().any(blocks) {
        errs.push(FieldError::invalid(
            "<nil>",
            Value::Null,
            "some validation rules were not checked because the object was invalid; correct \
             the existing errors to complete validation",
        ));
        return;
    }
    node(
        schema,
        new,
        old,
        Ratchet::root(schema, new, old),
        field,
        errs,
    );
}

/// `Validator.validate`: the rules of this node, then those below it.
fn node(
    schema: &Value,
    new: &Value,
    old: Option<&Value>,
    ratchet: Ratchet<'_>,
    field: &str,
    errs: &mut Vec<FieldError>,
) {
    if new.is_null() {
        return;
    }
    let old = old.filter(|o| !o.is_null());
    for rule in schema
        .get(RULES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        evaluate(schema, rule, new, old, ratchet, field, errs);
    }
    let child = |key: &str| {
        if field.is_empty() {
            key.to_owned()
        } else {
            format!("{field}.{key}")
        }
    };
    if let Some(object) = new.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties").filter(|a| a.is_object());
        for (key, value) in object {
            let old = old.and_then(|o| o.get(key));
            if let Some(sub) = additional {
                let at = format!("{}[{key}]", if field.is_empty() { "<nil>" } else { field });
                node(sub, value, old, ratchet.key(key), &at, errs);
            } else if let Some(sub) = properties.and_then(|p| p.get(key)) {
                node(sub, value, old, ratchet.key(key), &child(key), errs);
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), new.as_array()) {
        for (i, value) in list.iter().enumerate() {
            let old = old.and_then(|o| correlation::map_list_item(schema, o, value));
            node(
                items,
                value,
                old,
                ratchet.index(i),
                &format!("{field}[{i}]"),
                errs,
            );
        }
    }
}

/// One rule of a node (`validateExpressions`): a transition rule (one naming `oldSelf`) runs
/// only with an old value, unless `optionalOldSelf` makes `oldSelf` an optional; a rule that
/// evaluates to false is an error unless ratcheting drops it.
fn evaluate(
    schema: &Value,
    rule: &Value,
    new: &Value,
    old: Option<&Value>,
    ratchet: Ratchet<'_>,
    field: &str,
    errs: &mut Vec<FieldError>,
) {
    let text = rule.get("rule").and_then(Value::as_str).unwrap_or("");
    // compiled when the CRD was written; one that does not parse never got stored
    let Ok(program) = env::compile(text) else {
        return;
    };
    let transition = program.references().has_variable("oldSelf");
    let optional = rule.get("optionalOldSelf").and_then(Value::as_bool) == Some(true);
    if transition && old.is_none() && !optional {
        return;
    }
    let mut context = Context::with_env(env::env().clone());
    context.add_variable_from_value("self", to_cel(schema, new));
    if let Some(old) = old {
        context.add_variable_from_value("oldSelf", to_cel(schema, old));
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let at = if field.is_empty() { "<nil>" } else { field };
    let result = if optional {
        let mut rule_context = Context::with_env(env::env().clone());
        rule_context.add_variable_from_value("self", to_cel(schema, new));
        let old = old.map(|o| to_cel(schema, o));
        let old = match old {
            Some(o) => OptionalValue::of(o),
            None => OptionalValue::none(),
        };
        rule_context.add_variable_from_value("oldSelf", cel::Value::Opaque(Arc::new(old)));
        program.execute(&rule_context)
    } else {
        program.execute(&context)
    };
    let rule_text = text.trim();
    let failed = match result {
        Ok(cel::Value::Bool(true)) => return,
        Ok(cel::Value::Bool(false)) => {
            if !transition && ratchet.applies() {
                // the real server turns the error into a warning
                return;
            }
            message(rule, text, &context)
        }
        Ok(other) => format!("{other:?} is not a boolean evaluating rule: {rule_text}"),
        Err(err) => {
            let err = go_error(&err);
            let msg = if err.starts_with("no such overload") {
                format!(
                    "'{err}': call arguments did not match a supported operator, function or \
                     macro signature for rule: {rule_text}"
                )
            } else {
                format!("{err} evaluating rule: {rule_text}")
            };
            errs.push(FieldError::invalid(at, ty, msg));
            return;
        }
    };
    let at = match rule.get("fieldPath").and_then(Value::as_str) {
        Some(path) if field.is_empty() => path.trim_start_matches('.').to_owned(),
        Some(path) => format!("{field}.{}", path.trim_start_matches('.')),
        None => at.to_owned(),
    };
    // since 1.35 the value of a scalar is shown, that of an object or a list omitted
    let value = (ty != "object" && ty != "array").then(|| BadValue::Json(new.clone()));
    let (kind, detail) = match rule.get("reason").and_then(Value::as_str) {
        Some("FieldValueRequired") => (ErrorKind::Required, failed),
        Some("FieldValueForbidden") => (ErrorKind::Forbidden, failed),
        Some("FieldValueDuplicate") => (ErrorKind::Duplicate, String::new()),
        _ => (ErrorKind::Invalid, failed),
    };
    errs.push(FieldError {
        kind,
        field: at,
        value,
        detail,
    });
}

/// The message of a failed rule: `messageExpression`'s string, else `message`, else
/// `failed rule: <rule>`.
fn message(rule: &Value, text: &str, context: &Context) -> String {
    let fixed = || match rule.get("message").and_then(Value::as_str) {
        Some(m) if !m.is_empty() => m.to_owned(),
        _ => format!("failed rule: {}", text.trim()),
    };
    let Some(expr) = rule.get("messageExpression").and_then(Value::as_str) else {
        return fixed();
    };
    match env::compile(expr).map(|p| p.execute(context)) {
        Ok(Ok(cel::Value::String(s))) if !s.trim().is_empty() && !s.contains('\n') => s.to_string(),
        _ => fixed(),
    }
}

mod check;
mod correlation;
#[cfg(test)]
mod tests;
