//! The selectors of an access review's `resourceAttributes` (`fieldSelector`,
//! `labelSelector`), validated as `validateResourceAttributes` of
//! pkg/apis/authorization/validation does: a raw selector or requirements, not both and not
//! neither; each requirement as `ValidateFieldSelectorRequirement` /
//! `ValidateLabelSelectorRequirement` with unknown operators allowed (skewed clients).
//!
//! The authorizer does not look at selectors (RBAC ignores them); only their shape is checked.

use serde_json::Value;

use super::access::{FieldError, field_invalid};
use crate::validation::{go_quote, names};

fn required(field: String, detail: &str) -> FieldError {
    FieldError {
        field,
        body: format!("Required value: {detail}"),
        reason: "FieldValueRequired",
    }
}

fn forbidden(field: String, detail: &str) -> FieldError {
    FieldError {
        field,
        body: format!("Forbidden: {detail}"),
        reason: "FieldValueForbidden",
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn len(v: &Value, key: &str) -> usize {
    v.get(key).and_then(Value::as_array).map_or(0, Vec::len)
}

/// Appends the errors of `spec.resourceAttributes`' selectors (nothing when the review has
/// no resource attributes or no selectors).
pub(super) fn validate(spec: &Value, errors: &mut Vec<FieldError>) {
    let Some(attrs) = spec.get("resourceAttributes").filter(|v| v.is_object()) else {
        return;
    };
    let base = "spec.resourceAttributes";
    for (key, raw_key) in [
        ("fieldSelector", "rawSelector"),
        ("labelSelector", "rawSelector"),
    ] {
        let Some(selector) = attrs.get(key).filter(|v| v.is_object()) else {
            continue;
        };
        let path = format!("{base}.{key}");
        let raw = text(selector, raw_key);
        let requirements = selector
            .get("requirements")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        if !raw.is_empty() && !requirements.is_empty() {
            errors.push(field_invalid(
                &format!("{path}.{raw_key}"),
                &go_quote(raw),
                "may not specified at the same time as requirements",
            ));
        }
        if raw.is_empty() && requirements.is_empty() {
            errors.push(required(
                format!("{path}.requirements"),
                &format!("when {path} is specified, requirements or rawSelector is required"),
            ));
        }
        for (i, r) in requirements.iter().enumerate() {
            let at = format!("{path}.requirements[{i}]");
            if key == "fieldSelector" && text(r, "key").is_empty() {
                errors.push(required(format!("{at}.key"), "must be specified"));
            }
            match text(r, "operator") {
                "In" | "NotIn" if len(r, "values") == 0 => errors.push(required(
                    format!("{at}.values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                )),
                "Exists" | "DoesNotExist" if len(r, "values") > 0 => errors.push(forbidden(
                    format!("{at}.values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )),
                _ => {}
            }
            if key == "labelSelector" {
                let label = text(r, "key");
                for msg in names::qualified_name(label) {
                    errors.push(field_invalid(&format!("{at}.key"), &go_quote(label), &msg));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(attrs: Value, expected: &[&str]) {
        let mut errors = Vec::new();
        validate(&json!({ "resourceAttributes": attrs }), &mut errors);
        let got: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {} ({})", e.field, e.body, e.reason))
            .collect();
        assert_eq!(got, expected);
    }

    /// validateFieldSelectorAttributes, validateLabelSelectorAttributes and the requirement
    /// validations of apimachinery's meta/v1 validation (unknown operators allowed).
    #[test]
    fn selector_shapes() {
        check(json!({"verb": "list", "resource": "pods"}), &[]);
        check(
            json!({"fieldSelector": {}}),
            &[
                "spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required (FieldValueRequired)",
            ],
        );
        check(
            json!({"labelSelector": {"rawSelector": "a=b", "requirements": [{"key": "a", "operator": "In", "values": ["b"]}]}}),
            &[
                "spec.resourceAttributes.labelSelector.rawSelector: Invalid value: \"a=b\": may not specified at the same time as requirements (FieldValueInvalid)",
            ],
        );
        check(
            json!({"fieldSelector": {"requirements": [{"operator": "In"}, {"key": "x", "operator": "Exists", "values": ["1"]}, {"key": "y", "operator": "Someday"}]}}),
            &[
                "spec.resourceAttributes.fieldSelector.requirements[0].key: Required value: must be specified (FieldValueRequired)",
                "spec.resourceAttributes.fieldSelector.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn' (FieldValueRequired)",
                "spec.resourceAttributes.fieldSelector.requirements[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist' (FieldValueForbidden)",
            ],
        );
        check(
            json!({"labelSelector": {"requirements": [{"key": "bad key!", "operator": "Exists"}]}}),
            &[
                "spec.resourceAttributes.labelSelector.requirements[0].key: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') (FieldValueInvalid)",
            ],
        );
    }
}
