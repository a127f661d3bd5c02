//! Labels and label selectors as strings: `labels.FormatLabels`, `LabelSelectorAsSelector(..)
//! .String()` and `metav1.FormatLabelSelector`.

use serde_json::Value;

/// `labels.FormatLabels`: `k=v` pairs sorted by key, joined by `,`; `<none>` when empty.
pub(crate) fn format_labels(map: Option<&Value>) -> String {
    let mut pairs: Vec<(&String, &str)> = map
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k, v.as_str().unwrap_or("")))
        .collect();
    pairs.sort();
    let text = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    if text.is_empty() {
        "<none>".into()
    } else {
        text
    }
}

/// `metav1.LabelSelectorAsSelector(selector).String()`: the requirements sorted by key
/// (`k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, values sorted), `""` for a missing or
/// empty selector, `None` for one Go refuses (an unknown operator, `In` without values).
pub(crate) fn label_selector_string(selector: Option<&Value>) -> Option<String> {
    let Some(selector) = selector.filter(|s| !s.is_null()) else {
        return Some(String::new());
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or(""))));
        }
    }
    for expr in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = expr.get("key").and_then(Value::as_str).unwrap_or("");
        let mut values: Vec<&str> = expr
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        values.dedup();
        let text = match expr.get("operator").and_then(Value::as_str) {
            Some("In") if !values.is_empty() => format!("{key} in ({})", values.join(",")),
            Some("NotIn") if !values.is_empty() => format!("{key} notin ({})", values.join(",")),
            Some("Exists") if values.is_empty() => key.to_owned(),
            Some("DoesNotExist") if values.is_empty() => format!("!{key}"),
            _ => return None,
        };
        reqs.push((key.to_owned(), text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    Some(
        reqs.into_iter()
            .map(|(_, text)| text)
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// `metav1.FormatLabelSelector`: the selector's string, `<none>` when it selects everything
/// or nothing, `<error>` when Go refuses it.
pub(crate) fn format_label_selector(selector: Option<&Value>) -> String {
    match label_selector_string(selector) {
        Some(text) if text.is_empty() => "<none>".into(),
        Some(text) => text,
        None => "<error>".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn labels_are_sorted_pairs() {
        assert_eq!(format_labels(Some(&json!({"b": "2", "a": "1"}))), "a=1,b=2");
        assert_eq!(format_labels(Some(&json!({}))), "<none>");
        assert_eq!(format_labels(None), "<none>");
    }

    /// As apimachinery's `TestLabelSelectorAsSelector` and `FormatLabelSelector`.
    #[test]
    fn selectors() {
        let sel = json!({"matchLabels": {"foo": "bar", "app": "web"}, "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["b", "a"]},
            {"key": "env", "operator": "NotIn", "values": ["prod"]},
            {"key": "gpu", "operator": "Exists"},
            {"key": "arm", "operator": "DoesNotExist"}]});
        assert_eq!(
            format_label_selector(Some(&sel)),
            "app=web,!arm,env notin (prod),foo=bar,gpu,tier in (a,b)"
        );
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        assert_eq!(format_label_selector(None), "<none>");
        let bad = json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]});
        assert_eq!(format_label_selector(Some(&bad)), "<error>");
        assert_eq!(label_selector_string(Some(&bad)), None);
        // a set of values, as `sets.New` makes it: repeated values print once
        let repeated = json!({"matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "dev", "prod"]}]});
        assert_eq!(
            label_selector_string(Some(&repeated)).as_deref(),
            Some("env in (dev,prod)")
        );
    }
}
