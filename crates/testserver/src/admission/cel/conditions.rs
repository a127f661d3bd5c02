//! `matchConditions` (`k8s.io/apiserver/pkg/admission/plugin/webhook/matchconditions`
//! `matcher.Match`), shared by webhooks and ValidatingAdmissionPolicies.

use std::fmt;

use serde_json::Value;

use super::{Activation, EvalError};

/// `failurePolicy`: what an error does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailurePolicy {
    /// The request fails (the default).
    Fail,
    /// The error is ignored.
    Ignore,
}

impl FailurePolicy {
    /// The policy a `failurePolicy` field names (`Fail` when absent).
    pub(crate) fn of(field: Option<&Value>) -> Self {
        match field.and_then(Value::as_str) {
            Some("Ignore") => FailurePolicy::Ignore,
            _ => FailurePolicy::Fail,
        }
    }
}

/// Match conditions that failed to evaluate under `failurePolicy: Fail`: Go's aggregate of
/// their errors (`[a, b]` for more than one, duplicates once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MatchConditionsError {
    /// Each condition's error, in order.
    pub(crate) errors: Vec<EvalError>,
}

impl fmt::Display for MatchConditionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut seen: Vec<String> = Vec::new();
        for e in &self.errors {
            let text = e.to_string();
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        match seen.as_slice() {
            [one] => f.write_str(one),
            many => write!(f, "[{}]", many.join(", ")),
        }
    }
}

impl std::error::Error for MatchConditionsError {}

/// Whether the request matches `conditions` (`{name, expression}` objects), evaluated over
/// `activation`: the first condition that is `false` makes it not match, even after errors of
/// earlier ones; otherwise errors fail the request under `Fail` and make it not match under
/// `Ignore`; a condition of another type than bool does not make it not match.
///
/// # Errors
/// Under `Fail`, the conditions that could not be evaluated.
pub(crate) fn match_conditions(
    conditions: &[Value],
    policy: FailurePolicy,
    activation: &Activation<'_>,
) -> Result<bool, MatchConditionsError> {
    let mut errors = Vec::new();
    for condition in conditions {
        let expression = condition
            .get("expression")
            .and_then(Value::as_str)
            .unwrap_or("");
        match activation.evaluate(expression) {
            Ok(cel::Value::Bool(false)) => return Ok(false),
            Ok(_) => {}
            Err(err) => errors.push(err),
        }
    }
    match (errors.is_empty(), policy) {
        (true, _) => Ok(true),
        (false, FailurePolicy::Ignore) => Ok(false),
        (false, FailurePolicy::Fail) => Err(MatchConditionsError { errors }),
    }
}
