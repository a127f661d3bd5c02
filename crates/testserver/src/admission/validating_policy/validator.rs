//! One policy evaluated for one binding and parameter (`validating/validator.go`
//! `validator.Validate`): its matchConditions, then each validation with its message, then its
//! auditAnnotations.

use serde_json::Value;

use crate::admission::cel::{
    Activation, FailurePolicy, Input, MatchConditionsError, match_conditions,
};

/// `celconfig.MaxEvaluatedMessageExpressionSizeBytes`.
const MAX_MESSAGE: usize = 5 * 1024;

/// What a validation decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    /// It holds (or failed under `failurePolicy: Ignore`).
    Admit,
    /// It does not hold, or failed under `Fail`.
    Deny {
        /// The message.
        message: String,
        /// The Status reason (`Invalid` when the validation names none; empty for errors).
        reason: String,
    },
}

/// What an auditAnnotation decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Annotation {
    /// Publish `value` under the key.
    Publish {
        /// `key`.
        key: String,
        /// The trimmed value.
        value: String,
    },
    /// Nothing to publish (empty or null value, or an error under `Ignore`).
    Exclude,
    /// The valueExpression failed (under `Fail`): the request is denied with `message`.
    Error {
        /// Why.
        message: String,
    },
}

/// The decisions (one per validation, in order) and audit annotations of one evaluation.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// One per validation, unless a match condition decided first.
    pub(super) decisions: Vec<Decision>,
    /// One per auditAnnotation.
    pub(super) annotations: Vec<Annotation>,
}

fn error_decision(policy: FailurePolicy, message: String) -> Decision {
    match policy {
        FailurePolicy::Ignore => Decision::Admit,
        FailurePolicy::Fail => Decision::Deny {
            message,
            reason: String::new(),
        },
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Evaluates `policy` for `input` (whose `params` is this evaluation's parameter).
pub(super) fn validate(policy: &Value, input: &Input<'_>) -> Outcome {
    let failure = FailurePolicy::of(policy.pointer("/spec/failurePolicy"));
    let conditions = list(policy, "/spec/matchConditions");
    if !conditions.is_empty() {
        // match conditions see no namespaceObject
        let matching = Activation::new(&Input {
            namespace: None,
            ..*input
        });
        let matched: Result<bool, MatchConditionsError> =
            match_conditions(conditions, failure, &matching);
        match matched {
            Ok(true) => {}
            Ok(false) => return Outcome::default(),
            Err(err) => {
                return Outcome {
                    decisions: vec![error_decision(failure, err.to_string())],
                    annotations: Vec::new(),
                };
            }
        }
    }
    let mut activation = Activation::new(input);
    for variable in list(policy, "/spec/variables") {
        activation.define(text(variable, "name"), text(variable, "expression"));
    }
    let decisions = list(policy, "/spec/validations")
        .iter()
        .map(|v| validation(v, failure, &activation))
        .collect();
    let annotations = list(policy, "/spec/auditAnnotations")
        .iter()
        .map(|a| audit_annotation(a, failure, &activation))
        .collect();
    Outcome {
        decisions,
        annotations,
    }
}

/// One validation: its expression, and when it does not hold, its message.
fn validation(v: &Value, failure: FailurePolicy, activation: &Activation<'_>) -> Decision {
    let expression = text(v, "expression");
    match activation.evaluate(expression) {
        Err(err) => error_decision(failure, err.to_string()),
        Ok(cel::Value::Bool(true)) => Decision::Admit,
        Ok(_) => {
            let reason = match text(v, "reason") {
                "" => "Invalid",
                r => r,
            };
            Decision::Deny {
                message: message(v, expression, activation),
                reason: reason.to_owned(),
            }
        }
    }
}

/// `messageExpression`'s string (trimmed; dropped when longer than 5 KiB or multi-line),
/// else `message` (trimmed), else `failed expression: <expression>`.
fn message(v: &Value, expression: &str, activation: &Activation<'_>) -> String {
    let mut message = String::new();
    if let Some(expr) = v.get("messageExpression").and_then(Value::as_str)
        && let Ok(cel::Value::String(s)) = activation.evaluate(expr)
    {
        let trimmed = s.trim();
        if trimmed.len() <= MAX_MESSAGE && !trimmed.contains('\n') {
            trimmed.clone_into(&mut message);
        }
    }
    if message.is_empty() {
        text(v, "message").trim().clone_into(&mut message);
    }
    if message.is_empty() {
        message = format!("failed expression: {}", expression.trim());
    }
    message
}

/// cel-go's name of a value's type.
fn type_name(value: &cel::Value) -> &'static str {
    match value {
        cel::Value::Int(_) => "int",
        cel::Value::UInt(_) => "uint",
        cel::Value::Float(_) => "double",
        cel::Value::Bool(_) => "bool",
        cel::Value::String(_) => "string",
        cel::Value::Bytes(_) => "bytes",
        cel::Value::List(_) => "list",
        cel::Value::Map(_) => "map",
        cel::Value::Null => "null_type",
        cel::Value::Duration(_) => "google.protobuf.Duration",
        cel::Value::Timestamp(_) => "google.protobuf.Timestamp",
        _ => "dyn",
    }
}

/// One auditAnnotation: a string value is published trimmed (an empty one, or null, is not).
fn audit_annotation(a: &Value, failure: FailurePolicy, activation: &Activation<'_>) -> Annotation {
    let expression = text(a, "valueExpression");
    match activation.evaluate(expression) {
        Err(err) => match failure {
            FailurePolicy::Ignore => Annotation::Exclude,
            FailurePolicy::Fail => Annotation::Error {
                message: err.to_string(),
            },
        },
        Ok(cel::Value::String(s)) if s.trim().is_empty() => Annotation::Exclude,
        Ok(cel::Value::String(s)) => Annotation::Publish {
            key: text(a, "key").to_owned(),
            value: s.trim().to_owned(),
        },
        Ok(cel::Value::Null) => Annotation::Exclude,
        Ok(other) => Annotation::Error {
            message: format!(
                "valueExpression '{expression}' resulted in unsupported return type: {}. Return \
                 type must be either string or null.",
                type_name(&other)
            ),
        },
    }
}
