//! ResourceQuota validation (`ValidateResourceQuota`, `ValidateResourceQuotaSpec`,
//! `validateResourceQuotaScopes`, `validateScopedResourceSelectorRequirement` and
//! `ValidateResourceQuotaUpdate` of `pkg/apis/core/validation`): the hard limits' names and
//! amounts, the scopes and the scope selector, and scopes that may not change.
//!
//! Go walks `spec.hard` as a map (in no fixed order); here its names come sorted, so several
//! errors of one quota may be listed in another order than a real server lists them.

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, core_status, godump, resources};

/// The scopes a quota may name (`IsStandardResourceQuotaScope`).
const SCOPES: [&str; 7] = [
    "Terminating",
    "NotTerminating",
    "BestEffort",
    "NotBestEffort",
    "PriorityClass",
    "CrossNamespacePodAffinity",
    "VolumeAttributesClass",
];

/// The scopes whose scope-selector operator must be `Exists`.
const EXISTS_ONLY: [&str; 5] = [
    "BestEffort",
    "NotBestEffort",
    "Terminating",
    "NotTerminating",
    "CrossNamespacePodAffinity",
];

/// The compute resources of pods (`podComputeQuotaResources`).
const POD_COMPUTE: [&str; 6] = [
    "cpu",
    "memory",
    "limits.cpu",
    "limits.memory",
    "requests.cpu",
    "requests.memory",
];

fn spec(obj: &Value) -> &Value {
    static NULL: Value = Value::Null;
    obj.get("spec").unwrap_or(&NULL)
}

fn hard(spec: &Value) -> impl Iterator<Item = (&String, &Value)> {
    spec.get("hard")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// `IsResourceQuotaScopeValidForResource`.
fn valid_for(scope: &str, resource: &str) -> bool {
    match scope {
        "Terminating"
        | "NotTerminating"
        | "NotBestEffort"
        | "PriorityClass"
        | "CrossNamespacePodAffinity" => resource == "pods" || POD_COMPUTE.contains(&resource),
        "BestEffort" => resource == "pods",
        "VolumeAttributesClass" => {
            resource == "persistentvolumeclaims" || resource == "requests.storage"
        }
        _ => true,
    }
}

/// The standard hard limits a scope does not apply to, one per limit.
fn misapplied<'a>(spec: &'a Value, scope: &'a str) -> impl Iterator<Item = &'a String> {
    hard(spec)
        .map(|(k, _)| k)
        .filter(move |k| resources::is_standard_quota(k) && !valid_for(scope, k))
}

/// `spec.scopes` as `field.Error` prints a `[]core.ResourceQuotaScope`.
fn scopes_value(spec: &Value) -> BadValue {
    BadValue::Raw(godump::go_json(spec.get("scopes").unwrap_or(&Value::Null)))
}

fn strs(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|s| s.as_str().unwrap_or(""))
        .collect()
}

/// A scope set holding both scopes of a conflicting pair.
fn conflicts(scopes: &[&str]) -> usize {
    [
        ("BestEffort", "NotBestEffort"),
        ("Terminating", "NotTerminating"),
    ]
    .iter()
    .filter(|(a, b)| scopes.contains(a) && scopes.contains(b))
    .count()
}

/// `validateResourceQuotaScopes`.
fn scopes(spec: &Value) -> Vec<FieldError> {
    const PATH: &str = "spec.scopes";
    let scopes = strs(spec.get("scopes"));
    let mut errs = Vec::new();
    for scope in &scopes {
        if !SCOPES.contains(scope) {
            errs.push(FieldError::invalid(
                PATH,
                scopes_value(spec),
                "unsupported scope",
            ));
        }
        for _ in misapplied(spec, scope) {
            errs.push(FieldError::invalid(
                PATH,
                scopes_value(spec),
                "unsupported scope applied to resource",
            ));
        }
    }
    for _ in 0..conflicts(&scopes) {
        errs.push(FieldError::invalid(
            PATH,
            scopes_value(spec),
            "conflicting scopes",
        ));
    }
    errs
}

/// The internal `core.ScopeSelector` as `json.Marshal` prints it (Go field names).
fn selector_value(selector: &Value) -> BadValue {
    let expressions = selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .map_or("null".to_owned(), |list| {
            let items: Vec<String> = list
                .iter()
                .map(|e| {
                    let s =
                        |k: &str| godump::go_string(e.get(k).and_then(Value::as_str).unwrap_or(""));
                    let values = e
                        .get("values")
                        .filter(|v| !v.is_null())
                        .map_or("null".to_owned(), godump::go_json);
                    format!(
                        "{{\"ScopeName\":{},\"Operator\":{},\"Values\":{values}}}",
                        s("scopeName"),
                        s("operator")
                    )
                })
                .collect();
            format!("[{}]", items.join(","))
        });
    BadValue::Raw(format!("{{\"MatchExpressions\":{expressions}}}"))
}

/// `validateScopeSelector` with `validateScopedResourceSelectorRequirement` (its paths name
/// no index of the expression, as upstream's do).
fn scope_selector(spec: &Value) -> Vec<FieldError> {
    const PATH: &str = "spec.scopeSelector.matchExpressions";
    let Some(selector) = spec.get("scopeSelector").filter(|s| !s.is_null()) else {
        return Vec::new();
    };
    let mut errs = Vec::new();
    let mut seen = Vec::new();
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    for req in expressions.into_iter().flatten() {
        let text = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or("");
        let (scope, operator) = (text("scopeName"), text("operator"));
        if !SCOPES.contains(&scope) {
            errs.push(FieldError::invalid(
                format!("{PATH}.scopeName"),
                resources::name_value(scope),
                "unsupported scope",
            ));
        }
        for _ in misapplied(spec, scope) {
            errs.push(FieldError::invalid(
                PATH,
                selector_value(selector),
                "unsupported scope applied to resource",
            ));
        }
        if EXISTS_ONLY.contains(&scope) && operator != "Exists" {
            errs.push(FieldError::invalid(
                format!("{PATH}.operator"),
                resources::name_value(operator),
                "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
            ));
        }
        let values = req.get("values").and_then(Value::as_array);
        let no_values = values.is_none_or(Vec::is_empty);
        match operator {
            "In" | "NotIn" if no_values => errs.push(FieldError::required(
                format!("{PATH}.values"),
                "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
            )),
            "In" | "NotIn" => {}
            "Exists" | "DoesNotExist" if !no_values => errs.push(FieldError::invalid(
                format!("{PATH}.values"),
                BadValue::Raw(godump::go_json(req.get("values").unwrap_or(&Value::Null))),
                "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
            )),
            "Exists" | "DoesNotExist" => {}
            other => errs.push(FieldError::invalid(
                format!("{PATH}.operator"),
                resources::name_value(other),
                "not a valid selector operator",
            )),
        }
        seen.push(scope);
    }
    for _ in 0..conflicts(&seen) {
        // upstream reports the `scopes` list here, not the selector
        errs.push(FieldError::invalid(
            PATH,
            scopes_value(spec),
            "conflicting scopes",
        ));
    }
    errs
}

/// `ValidateResourceQuotaSpec`.
fn quota_spec(obj: &Value) -> Vec<FieldError> {
    let spec = spec(obj);
    let mut errs = Vec::new();
    for (name, v) in hard(spec) {
        let path = format!("spec.hard[{name}]");
        errs.extend(resources::quota_resource_name(name, &path));
        errs.extend(resources::amount(name, &path, v));
    }
    errs.extend(scopes(spec));
    errs.extend(scope_selector(spec));
    errs
}

/// `ValidateResourceQuota` after the metadata: the spec, then the status (empty on create,
/// where `PrepareForCreate` resets it).
pub(crate) fn resource_quota(obj: &Value) -> Vec<FieldError> {
    let mut errs = quota_spec(obj);
    errs.extend(core_status::resource_quota(obj, obj));
    errs
}

/// `ValidateResourceQuotaUpdate` after the metadata: the spec, and the same set of scopes.
pub(crate) fn resource_quota_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = quota_spec(new);
    let set = |obj: &Value| {
        let mut s = strs(spec(obj).get("scopes"));
        s.sort_unstable();
        s.dedup();
        s.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    if set(new) != set(old) {
        errs.push(FieldError::invalid(
            "spec.scopes",
            scopes_value(spec(new)),
            "field is immutable",
        ));
    }
    errs
}

#[cfg(test)]
mod tests;
