//! Validation rules (`x-kubernetes-validations`): CEL expressions compiled when a CRD is
//! written and evaluated on every write of its objects, as apiextensions-apiserver's
//! `pkg/apiserver/schema/cel` does, through the `cel` crate's interpreter.
//!
//! What holds, as on the real server:
//! - a rule that does not parse refuses the CRD: `<schema path>.x-kubernetes-validations[i].rule:
//!   Invalid value: apiextensions.ValidationRule{...}: compilation failed: ERROR: <input>:...`;
//! - each rule sees `self` (the value at its node, typed by the schema: `number` fields are
//!   doubles, `integer` ones ints) and, on updates, `oldSelf`; a rule naming `oldSelf` (a
//!   transition rule) is evaluated only when there is an old value;
//! - a failed rule is `<path>: Invalid value: "<schema type>": <message>`, the message from
//!   `messageExpression` (when it evaluates to a non-empty string), else `message`, else
//!   `failed rule: <rule>`; `reason` picks `Required`/`Forbidden`/`Duplicate`; `fieldPath`
//!   names a field below the node; an evaluation error is `<error> evaluating rule: <rule>`;
//! - ratcheting: on an update, rules of a value that did not change are not evaluated (only
//!   transition rules are);
//! - rules are evaluated only when the schema validation found no error that makes them
//!   meaningless (type, required, enum, too long/many), else the one `<nil>: Invalid value:
//!   null: some validation rules were not checked...` error says so.
//!
//! Known differences (the `cel` crate is a dynamically typed interpreter, cel-go type-checks
//! against the schema): type errors in a rule (`self.noSuchField`, `self.replicas == 'x'`)
//! are found when evaluated, not at CRD creation; no cost estimates or limits; no Kubernetes
//! CEL libraries (`quantity()`, `url()`, `ip()`, `format.*`, list `isSorted()`...) and no
//! `optionalOldSelf`; the list items of `x-kubernetes-list-type: map` lists are not
//! correlated with their old values (so their transition rules are not evaluated).

use cel::Context;
use cel::objects::{Key, Map};
use serde_json::Value;

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
        if let Err(err) = env::compile(text) {
            errs.push(FieldError::invalid(
                format!("{at}.rule"),
                BadValue::Raw(go_rule(rule)),
                format!("compilation failed: {err}"),
            ));
        }
        if let Some(expr) = rule.get("messageExpression").and_then(Value::as_str)
            && let Err(err) = env::compile(expr)
        {
            errs.push(FieldError::invalid(
                format!("{at}.messageExpression"),
                BadValue::Raw(go_rule(rule)),
                format!("messageExpression compilation failed: {err}"),
            ));
        }
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
    node(schema, new, old, field, errs);
}

fn node(schema: &Value, new: &Value, old: Option<&Value>, field: &str, errs: &mut Vec<FieldError>) {
    if new.is_null() {
        return;
    }
    let unchanged = old == Some(new);
    for rule in schema
        .get(RULES)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        evaluate(schema, rule, new, old, unchanged, field, errs);
    }
    if unchanged {
        // ratcheting: below an unchanged value only transition rules could fail, and they
        // compare equal values
        return;
    }
    let child = |key: &str| {
        if field.is_empty() {
            key.to_owned()
        } else {
            format!("{field}.{key}")
        }
    };
    if let (Some(properties), Some(object)) = (
        schema.get("properties").and_then(Value::as_object),
        new.as_object(),
    ) {
        for (key, sub) in properties {
            if let Some(value) = object.get(key) {
                node(sub, value, old.and_then(|o| o.get(key)), &child(key), errs);
            }
        }
    }
    if let (Some(sub), Some(object)) = (
        schema.get("additionalProperties").filter(|a| a.is_object()),
        new.as_object(),
    ) {
        for (key, value) in object {
            let at = format!("{}[{key}]", if field.is_empty() { "<nil>" } else { field });
            node(sub, value, old.and_then(|o| o.get(key)), &at, errs);
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), new.as_array()) {
        for (i, value) in list.iter().enumerate() {
            node(items, value, None, &format!("{field}[{i}]"), errs);
        }
    }
}

fn evaluate(
    schema: &Value,
    rule: &Value,
    new: &Value,
    old: Option<&Value>,
    unchanged: bool,
    field: &str,
    errs: &mut Vec<FieldError>,
) {
    let text = rule.get("rule").and_then(Value::as_str).unwrap_or("");
    // compiled when the CRD was written; one that does not parse never got stored
    let Ok(program) = env::compile(text) else {
        return;
    };
    let transition = program.references().has_variable("oldSelf");
    if (transition && old.is_none()) || (unchanged && !transition) {
        return;
    }
    let mut context = Context::with_env(env::env().clone());
    context.add_variable_from_value("self", to_cel(schema, new));
    if let Some(old) = old {
        context.add_variable_from_value("oldSelf", to_cel(schema, old));
    }
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    let mut at = if field.is_empty() {
        "<nil>".to_owned()
    } else {
        field.to_owned()
    };
    if let Some(path) = rule.get("fieldPath").and_then(Value::as_str) {
        let path = path.trim_start_matches('.');
        at = if field.is_empty() {
            path.to_owned()
        } else {
            format!("{field}.{path}")
        };
    }
    let failed = match program.execute(&context) {
        Ok(cel::Value::Bool(true)) => return,
        Ok(cel::Value::Bool(false)) => message(rule, text, &context),
        Ok(other) => format!(
            "{other:?} is not a boolean evaluating rule: {}",
            text.trim()
        ),
        Err(err) => format!("{} evaluating rule: {}", go_error(&err), text.trim()),
    };
    let err = match rule.get("reason").and_then(Value::as_str) {
        Some("FieldValueRequired") => FieldError::required(at, failed),
        Some("FieldValueForbidden") => FieldError::forbidden(at, failed),
        Some("FieldValueDuplicate") => FieldError::duplicate(at, ty),
        _ => FieldError::invalid(at, ty, failed),
    };
    errs.push(err);
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

/// cel-go's wording of the common evaluation errors; a library function's error is its text.
fn go_error(err: &cel::ExecutionError) -> String {
    match err {
        cel::ExecutionError::NoSuchKey(key) => format!("no such key: {key}"),
        cel::ExecutionError::FunctionError { message, .. } => message.clone(),
        cel::ExecutionError::NoSuchOverload(_) => "no such overload".to_owned(),
        other => other.to_string(),
    }
}

/// A JSON value as CEL sees it under `schema`: `number` fields are doubles even when written
/// as integers, objects are maps with string keys.
fn to_cel(schema: &Value, value: &Value) -> cel::Value {
    let ty = schema.get("type").and_then(Value::as_str).unwrap_or("");
    match value {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) if ty == "number" => cel::Value::Float(n.as_f64().unwrap_or_default()),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => cel::Value::Int(i),
            (None, Some(u)) => cel::Value::UInt(u),
            _ => cel::Value::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => cel::Value::String(s.clone().into()),
        Value::Array(items) => {
            let item = schema.get("items").unwrap_or(&Value::Null);
            cel::Value::List(
                items
                    .iter()
                    .map(|v| to_cel(item, v))
                    .collect::<Vec<_>>()
                    .into(),
            )
        }
        Value::Object(object) => {
            let properties = schema.get("properties");
            let additional = schema.get("additionalProperties").unwrap_or(&Value::Null);
            let map: std::collections::HashMap<Key, cel::Value> = object
                .iter()
                .map(|(k, v)| {
                    let sub = properties.and_then(|p| p.get(k)).unwrap_or(additional);
                    (Key::String(k.clone().into()), to_cel(sub, v))
                })
                .collect();
            cel::Value::Map(Map::from(map))
        }
    }
}

mod env;
mod format;
mod lists;
mod net;
mod quantity;
mod regex;
mod sets;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod url;
