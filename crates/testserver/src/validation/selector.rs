//! Label selectors in specs (`metav1.LabelSelector`): `ValidateLabelSelector` of
//! `k8s.io/apimachinery/pkg/apis/meta/v1/validation` and the matching of a selector against a
//! template's labels (`LabelSelectorAsSelector(...).Matches`).
//!
//! Guarantee: a selector that fails [`label_selector`] never matches in [`matches`] (an
//! unknown operator selects nothing), so callers that only report mismatches of valid
//! selectors stay consistent with upstream's "skip when the selector does not convert".

use serde_json::{Map, Value};

use super::field_error::BadValue;
use super::{FieldError, godump, meta, names};

/// `ValidateLabelSelector` of the selector at `path` (`None` or `null`: nothing to check).
pub(crate) fn label_selector(selector: Option<&Value>, path: &str) -> Vec<FieldError> {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return Vec::new();
    };
    let mut errs = meta::labels(selector.get("matchLabels"), &format!("{path}.matchLabels"));
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    for (i, expr) in expressions.into_iter().flatten().enumerate() {
        errs.extend(requirement(expr, &format!("{path}.matchExpressions[{i}]")));
    }
    errs
}

/// `ValidateLabelSelectorRequirement`.
fn requirement(expr: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values: Vec<&Value> = expr
        .get("values")
        .and_then(Value::as_array)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let operator = expr.get("operator").and_then(Value::as_str).unwrap_or("");
    match operator {
        "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
            format!("{path}.values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "In" | "NotIn" => {}
        "Exists" | "DoesNotExist" if !values.is_empty() => errs.push(FieldError::forbidden(
            format!("{path}.values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "Exists" | "DoesNotExist" => {}
        other => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            other,
            "not a valid selector operator",
        )),
    }
    let key = expr.get("key").and_then(Value::as_str).unwrap_or("");
    for msg in names::qualified_name(key) {
        errs.push(FieldError::invalid(format!("{path}.key"), key, msg));
    }
    for (i, value) in values.iter().enumerate() {
        let value = value.as_str().unwrap_or("");
        for msg in names::label_value(value) {
            errs.push(FieldError::invalid(
                format!("{path}.values[{i}]"),
                value,
                msg,
            ));
        }
    }
    errs
}

/// Whether `labels` satisfy a `matchLabels`/`matchExpressions` selector (an empty selector
/// matches everything; an unknown operator matches nothing).
pub(crate) fn matches(selector: &Value, labels: Option<&Map<String, Value>>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    let labels_ok = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| get(k) == v.as_str());
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    let expressions_ok = expressions.into_iter().flatten().all(|e| {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match e.get("operator").and_then(Value::as_str).unwrap_or("") {
            "In" => get(key).is_some_and(|v| values.contains(&v)),
            "NotIn" => get(key).is_none_or(|v| !values.contains(&v)),
            "Exists" => get(key).is_some(),
            "DoesNotExist" => get(key).is_none(),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

/// Whether the selector has neither `matchLabels` nor `matchExpressions`.
pub(crate) fn is_empty(selector: &Value) -> bool {
    let empty = |key: &str| match selector.get(key) {
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => true,
    };
    empty("matchLabels") && empty("matchExpressions")
}

/// A selector, label map or other JSON-tagged value as a field error shows it (Go's JSON).
pub(crate) fn json_value(v: Option<&Value>) -> BadValue {
    BadValue::Raw(godump::go_json(v.unwrap_or(&Value::Null)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// ValidateLabelSelector and ValidateLabelSelectorRequirement.
    #[test]
    fn selector_rules() {
        let ok = json!({"matchLabels": {"a": "b"}, "matchExpressions": [
            {"key": "k", "operator": "In", "values": ["v"]},
            {"key": "k", "operator": "Exists"}]});
        assert!(label_selector(Some(&ok), "spec.selector").is_empty());
        let bad = json!({"matchLabels": {"a": "b c"}, "matchExpressions": [
            {"key": "k", "operator": "In"},
            {"key": "k", "operator": "Exists", "values": ["v"]},
            {"key": "bad key", "operator": "Near", "values": ["-x"]}]});
        assert_eq!(
            texts(label_selector(Some(&bad), "spec.selector")),
            [
                "spec.selector.matchLabels: Invalid value: \"b c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "spec.selector.matchExpressions[2].operator: Invalid value: \"Near\": not a valid selector operator",
                "spec.selector.matchExpressions[2].key: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "spec.selector.matchExpressions[2].values[0]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ]
        );
    }

    #[test]
    fn matching() {
        let labels = json!({"app": "a", "tier": "web"});
        let labels = labels.as_object();
        assert!(matches(&json!({}), labels));
        assert!(matches(&json!({"matchLabels": {"app": "a"}}), labels));
        assert!(!matches(&json!({"matchLabels": {"app": "b"}}), labels));
        assert!(matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}),
            labels
        ));
        assert!(!matches(
            &json!({"matchExpressions": [{"key": "tier", "operator": "Near"}]}),
            labels
        ));
    }
}
