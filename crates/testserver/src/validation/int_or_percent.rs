//! `IntOrString` fields that hold a count or a percentage (`maxSurge`, `maxUnavailable`,
//! `minAvailable`): `ValidatePositiveIntOrPercent`, `IsNotMoreThan100Percent` and
//! `getIntOrPercentValue` of `pkg/apis/apps/validation`, shared by the workloads and
//! PodDisruptionBudgets.
//!
//! Values are shown as the JSON they were sent in (`"25%"`, `3`), as the real server prints
//! an `IntOrString`.

use serde_json::Value;

use super::{FieldError, names};

const PERCENT_FMT: &str = "[0-9]+%";
const PERCENT_MSG: &str =
    "a valid percent string must be a numeric string followed by an ending '%'";

/// `IsValidPercent`: the digits before the `%`, or `None` when `s` is not `[0-9]+%`.
fn percent(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Go's Atoi saturates nowhere: an overflowing percentage fails to parse and counts as 0
    Some(digits.parse().unwrap_or(0))
}

/// `ValidatePositiveIntOrPercent` of the value at `path` (absent or `null`: nothing to check).
pub(crate) fn positive(value: Option<&Value>, path: &str) -> Vec<FieldError> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) if percent(s).is_none() => vec![FieldError::invalid(
            path,
            s.as_str(),
            names::regex_error(PERCENT_MSG, PERCENT_FMT, &["1%", "93%"]),
        )],
        Some(Value::String(_)) => Vec::new(),
        Some(v) => match v.as_i64() {
            Some(n) if n < 0 => vec![FieldError::invalid(
                path,
                n,
                "must be greater than or equal to 0",
            )],
            Some(_) => Vec::new(),
            None => vec![FieldError::invalid(
                path,
                v.clone(),
                "must be an integer or percentage (e.g '5%%')",
            )],
        },
    }
}

/// `IsNotMoreThan100Percent`.
pub(crate) fn not_more_than_100_percent(value: Option<&Value>, path: &str) -> Vec<FieldError> {
    match value {
        Some(Value::String(s)) if percent(s).is_some_and(|p| p > 100) => {
            vec![FieldError::invalid(
                path,
                s.as_str(),
                "must not be greater than 100%",
            )]
        }
        _ => Vec::new(),
    }
}

/// `getIntOrPercentValue`: the percentage of a percent string, the number of an integer, and
/// `IntValue()` of any other string (its integer value, or 0).
pub(crate) fn value(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::String(s)) => percent(s).unwrap_or_else(|| s.parse().unwrap_or(0)),
        Some(v) => v.as_i64().unwrap_or(0),
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// ValidatePositiveIntOrPercent, IsNotMoreThan100Percent, getIntOrPercentValue.
    #[test]
    fn rules() {
        assert!(positive(Some(&json!("25%")), "m").is_empty());
        assert!(positive(Some(&json!(0)), "m").is_empty());
        assert_eq!(
            texts(positive(Some(&json!("25")), "m")),
            [
                "m: Invalid value: \"25\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
            ]
        );
        assert_eq!(
            texts(positive(Some(&json!(-1)), "m")),
            ["m: Invalid value: -1: must be greater than or equal to 0"]
        );
        assert_eq!(
            texts(not_more_than_100_percent(Some(&json!("101%")), "m")),
            ["m: Invalid value: \"101%\": must not be greater than 100%"]
        );
        assert!(not_more_than_100_percent(Some(&json!(101)), "m").is_empty());
        assert_eq!(value(Some(&json!("30%"))), 30);
        assert_eq!(value(Some(&json!(2))), 2);
        assert_eq!(value(Some(&json!("x"))), 0);
        assert_eq!(value(None), 0);
    }
}
