//! ResourceClaim and ResourceClaimTemplate updates (`ValidateResourceClaimUpdate`,
//! `ValidateResourceClaimTemplateUpdate` of `pkg/apis/resource/validation`): the spec is
//! immutable (`ValidateImmutableField`), compared as `apiequality.Semantic.DeepEqual`
//! compares the internal structs, where an empty list equals a missing one.
//!
//! Go prints the refused spec with `%#v` (pointers as addresses); the value here is the spec's
//! JSON.

use serde_json::Value;

use super::FieldError;

/// `v` with empty lists and `null`s removed, as semantic equality sees it.
pub(crate) fn semantic(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k.clone(), semantic(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(semantic).collect()),
        other => other.clone(),
    }
}

/// `ValidateImmutableField(new.Spec, old.Spec, "spec")`.
pub(crate) fn immutable_spec(new: &Value, old: &Value) -> Vec<FieldError> {
    let spec = |v: &Value| semantic(v.get("spec").unwrap_or(&Value::Null));
    if spec(new) == spec(old) {
        return Vec::new();
    }
    vec![FieldError::invalid(
        "spec",
        new.get("spec").cloned().unwrap_or(Value::Null),
        "field is immutable",
    )]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `ValidateResourceClaimUpdate`: any spec change is refused, an empty list is no change.
    #[test]
    fn the_spec_is_immutable() {
        let old = json!({"spec": {"devices": {"requests": [{"name": "gpu"}]}}});
        let same = json!({"spec": {"devices": {"requests": [{"name": "gpu"}], "constraints": []}}});
        assert!(immutable_spec(&same, &old).is_empty());
        let changed = json!({"spec": {"devices": {"requests": [{"name": "tpu"}]}}});
        let errs: Vec<String> = immutable_spec(&changed, &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errs,
            [
                "spec: Invalid value: {\"devices\":{\"requests\":[{\"name\":\"tpu\"}]}}: field is immutable"
            ]
        );
    }
}
