//! Unit-test helper: an expression evaluated in the rule environment, its result printed.

use cel::Context;
use cel::objects::Value;

/// `expr` evaluated with no variables: its value as CEL source would write it, or `error: `
/// and the error as the real server words it.
pub(super) fn eval(expr: &str) -> String {
    let program = match super::env::compile(expr) {
        Ok(p) => p,
        Err(err) => return format!("compile error: {err}"),
    };
    let context = Context::with_env(super::env::env().clone());
    match program.execute(&context) {
        Ok(value) => show(&value),
        Err(err) => format!("error: {}", super::go_error(&err)),
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => format!("{u}u"),
        Value::Float(f) => format!("{f:?}"),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".to_owned(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        other => format!("{other:?}"),
    }
}
