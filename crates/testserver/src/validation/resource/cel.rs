//! Device selectors' CEL expressions (`validateSelector`, `validateCELSelector`): required,
//! at most 10 KiB, and compiled, a syntax error refused with cel-go's
//! `compilation failed: ERROR: ...` text.
//!
//! The expressions are parsed by the `cel` crate, not type-checked as cel-go does in the DRA
//! environment: an undeclared reference (anything but `device`), a wrong field type or a
//! cost over `CELSelectorExpressionMaxCost` passes here; of the type rules only a literal
//! result that is not a bool is refused (`must evaluate to bool or the unknown type, not
//! int`).

use cel::Program;
use cel::common::ast::{Expr, LiteralValue};
use serde_json::Value;

use super::super::{FieldError, admission_rules};
use super::{SELECTORS_MAX, set, slice, text};

/// `CELSelectorExpressionMaxLength`.
const EXPRESSION_MAX: usize = 10 * 1024;

/// `validateSelectorSlice` of the list at `key` of `parent`, reported at `path`.
pub(crate) fn selectors(parent: &Value, key: &str, path: &str) -> Vec<FieldError> {
    slice(
        super::items(parent, key),
        Some(SELECTORS_MAX),
        path,
        selector,
    )
}

/// `validateSelector`: the `cel` selector is required.
fn selector(selector: &Value, path: &str) -> Vec<FieldError> {
    let path = format!("{path}.cel");
    match set(selector, "cel") {
        None => vec![FieldError::required(path, "")],
        Some(cel) => expression(text(cel, "expression"), &format!("{path}.expression")),
    }
}

/// The CEL type name of a literal expression, for the ones that are not bools.
fn literal_type(expr: &Expr) -> Option<&'static str> {
    let Expr::Literal(value) = expr else {
        return None;
    };
    Some(match value {
        LiteralValue::Boolean(_) => return None,
        LiteralValue::Int(_) => "int",
        LiteralValue::UInt(_) => "uint",
        LiteralValue::Double(_) => "double",
        LiteralValue::String(_) => "string",
        LiteralValue::Bytes(_) => "bytes",
        LiteralValue::Null => "null_type",
    })
}

/// `validateCELSelector` of one expression.
pub(crate) fn expression(expression: &str, path: &str) -> Vec<FieldError> {
    if expression.len() > EXPRESSION_MAX {
        return vec![FieldError::too_long(path, EXPRESSION_MAX)];
    }
    let mut errs = admission_rules::compile(expression, expression, &[], path);
    if !errs.is_empty() {
        if expression.is_empty() {
            // cel-go shows the empty source line and the caret under it too
            for err in &mut errs {
                err.detail.push_str("\n | \n | ^");
            }
        }
        return errs;
    }
    match Program::compile(expression)
        .ok()
        .and_then(|p| literal_type(&p.expression().expr))
    {
        Some(t) => vec![FieldError::invalid(
            path,
            expression,
            format!("must evaluate to bool or the unknown type, not {t}"),
        )],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `validateCELSelector`: a selector that parses passes, a syntax error is cel-go's.
    #[test]
    fn expressions_are_parsed() {
        assert!(expression("device.driver == 'gpu.example.com'", "e").is_empty());
        assert!(
            expression(
                "device.attributes['gpu.example.com'].model == 'a100' && device.capacity['gpu.example.com'].memory.compareTo(quantity('40Gi')) >= 0",
                "e"
            )
            .is_empty()
        );
        assert_eq!(
            texts(expression("device.driver ==", "e")),
            [
                "e: Invalid value: \"device.driver ==\": compilation failed: ERROR: <input>:1:17: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | device.driver ==\n | ................^"
            ]
        );
        assert_eq!(
            texts(expression("", "e")),
            [
                "e: Invalid value: \"\": compilation failed: ERROR: <input>:1:1: Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}\n | \n | ^"
            ]
        );
        assert_eq!(
            texts(expression("1", "e")),
            ["e: Invalid value: \"1\": must evaluate to bool or the unknown type, not int"]
        );
        assert_eq!(
            texts(expression(&"a".repeat(10 * 1024 + 1), "e")),
            ["e: Too long: may not be more than 10240 bytes"]
        );
    }

    /// `validateSelector`: `cel` is required, the list has at most 32 selectors.
    #[test]
    fn selectors_need_cel() {
        let request = json!({"selectors": [{}, {"cel": {"expression": "true"}}]});
        assert_eq!(
            texts(selectors(&request, "selectors", "r.selectors")),
            ["r.selectors[0].cel: Required value"]
        );
        let many = json!({"selectors": vec![json!({"cel": {"expression": "true"}}); 33]});
        assert_eq!(
            texts(selectors(&many, "selectors", "s")),
            ["s: Too many: 33: must have at most 32 items"]
        );
    }
}
