//! `ValidateNodeSelector` of `pkg/apis/core/validation` (label values checked strictly), for
//! ResourceSlices, their devices and claims' allocations: at least one term, each term's
//! label requirements (`ValidateNodeSelectorRequirement`) and field requirements
//! (`ValidateNodeFieldSelectorRequirement`, only `metadata.name`).

use serde_json::Value;

use super::super::FieldError;
use super::names::{label_name, label_value, subdomain};
use super::{items, text};

/// `ValidateNodeSelector` at `path`.
pub(crate) fn node_selector(selector: &Value, path: &str) -> Vec<FieldError> {
    let terms_path = format!("{path}.nodeSelectorTerms");
    let terms = items(selector, "nodeSelectorTerms");
    if terms.is_empty() {
        return vec![FieldError::required(
            terms_path,
            "must have at least one node selector term",
        )];
    }
    let mut errs = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let at = format!("{terms_path}[{i}]");
        for (j, req) in items(term, "matchExpressions").iter().enumerate() {
            errs.extend(requirement(req, &format!("{at}.matchExpressions[{j}]")));
        }
        for (j, req) in items(term, "matchFields").iter().enumerate() {
            errs.extend(field_requirement(req, &format!("{at}.matchFields[{j}]")));
        }
    }
    errs
}

/// `ValidateNodeSelectorRequirement`.
fn requirement(req: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = items(req, "values");
    let values_path = format!("{path}.values");
    match text(req, "operator") {
        "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
            &values_path,
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "Exists" | "DoesNotExist" if !values.is_empty() => errs.push(FieldError::forbidden(
            &values_path,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "Gt" | "Lt" if values.len() != 1 => errs.push(FieldError::required(
            &values_path,
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
        )),
        "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" => {}
        other => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            other,
            "not a valid selector operator",
        )),
    }
    errs.extend(label_name(text(req, "key"), &format!("{path}.key")));
    for (i, value) in values.iter().enumerate() {
        errs.extend(label_value(
            value.as_str().unwrap_or(""),
            &format!("{values_path}[{i}]"),
        ));
    }
    errs
}

/// `ValidateNodeFieldSelectorRequirement`.
fn field_requirement(req: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = items(req, "values");
    match text(req, "operator") {
        "In" | "NotIn" if values.len() != 1 => errs.push(FieldError::required(
            format!("{path}.values"),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        )),
        "In" | "NotIn" => {}
        other => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            other,
            "not a valid selector operator",
        )),
    }
    let key = text(req, "key");
    if key == "metadata.name" {
        for (i, value) in values.iter().enumerate() {
            errs.extend(subdomain(
                value.as_str().unwrap_or(""),
                &format!("{path}.values[{i}]"),
            ));
        }
    } else {
        errs.push(FieldError::invalid(
            format!("{path}.key"),
            key,
            "not a valid field selector key",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `ValidateNodeSelector`: terms are required; operators, keys and values are checked.
    #[test]
    fn node_selectors() {
        assert_eq!(
            texts(node_selector(&json!({}), "s")),
            ["s.nodeSelectorTerms: Required value: must have at least one node selector term"]
        );
        let selector = json!({"nodeSelectorTerms": [{
            "matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["a"]},
                {"key": "zone", "operator": "In"},
                {"key": "zone", "operator": "Exists", "values": ["a"]},
                {"key": "zone", "operator": "Near"}],
            "matchFields": [
                {"key": "metadata.name", "operator": "In", "values": ["node-1"]},
                {"key": "spec.x", "operator": "Exists"}]}]});
        assert_eq!(
            texts(node_selector(&selector, "s")),
            [
                "s.nodeSelectorTerms[0].matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
                "s.nodeSelectorTerms[0].matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                "s.nodeSelectorTerms[0].matchExpressions[3].operator: Invalid value: \"Near\": not a valid selector operator",
                "s.nodeSelectorTerms[0].matchFields[1].operator: Invalid value: \"Exists\": not a valid selector operator",
                "s.nodeSelectorTerms[0].matchFields[1].key: Invalid value: \"spec.x\": not a valid field selector key",
            ]
        );
    }
}
