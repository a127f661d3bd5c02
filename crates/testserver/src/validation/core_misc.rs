//! Validation of the smaller kinds: Namespace, Node, Lease, PriorityClass and the RBAC objects
//! (Events are in `event`).

use serde_json::{Value, json};

use super::field_error::BadValue;
use super::{FieldError, godump, names};

fn items<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `ValidateNamespace`: the spec finalizer names.
pub(crate) fn namespace(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for f in items(obj, "/spec/finalizers") {
        let name = f.as_str().unwrap_or("");
        for msg in names::qualified_name(name) {
            errs.push(FieldError::invalid("spec.finalizers", name, msg));
        }
        if !name.contains('/') && !["kubernetes", "orphan", "foregroundDeletion"].contains(&name) {
            errs.push(FieldError::invalid(
                "spec.finalizers",
                name,
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// `ValidateNode`: taints.
pub(crate) fn node(obj: &Value) -> Vec<FieldError> {
    const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    let mut errs = Vec::new();
    for (i, taint) in items(obj, "/spec/taints").iter().enumerate() {
        let key = s(taint, "/key");
        let path = format!("spec.taints[{i}]");
        if key.is_empty() {
            errs.push(FieldError::required(format!("{path}.key"), ""));
        }
        for msg in names::qualified_name(key)
            .into_iter()
            .filter(|_| !key.is_empty())
        {
            errs.push(FieldError::invalid(format!("{path}.key"), key, msg));
        }
        let effect = s(taint, "/effect");
        if effect.is_empty() {
            errs.push(FieldError::required(format!("{path}.effect"), ""));
        } else if !EFFECTS.contains(&effect) {
            errs.push(FieldError::not_supported(
                format!("{path}.effect"),
                effect,
                &EFFECTS,
            ));
        }
    }
    errs
}

/// `ValidateLease`.
pub(crate) fn lease(obj: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(d) = obj
        .pointer("/spec/leaseDurationSeconds")
        .and_then(Value::as_i64)
        && d <= 0
    {
        errs.push(FieldError::invalid(
            "spec.leaseDurationSeconds",
            d,
            "must be greater than 0",
        ));
    }
    if let Some(t) = obj
        .pointer("/spec/leaseTransitions")
        .and_then(Value::as_i64)
        && t < 0
    {
        errs.push(FieldError::invalid(
            "spec.leaseTransitions",
            t,
            "must be greater than or equal to 0",
        ));
    }
    errs
}

/// Highest priority a user-defined PriorityClass may have.
const HIGHEST_USER_PRIORITY: i64 = 1_000_000_000;

/// `ValidatePriorityClass`.
pub(crate) fn priority_class(obj: &Value) -> Vec<FieldError> {
    let name = s(obj, "/metadata/name");
    let value = obj.get("value").and_then(Value::as_i64).unwrap_or(0);
    let mut errs = Vec::new();
    if name.starts_with("system-") {
        let known = crate::shared::api::builtin_priority_classes()
            .iter()
            .any(|c| {
                s(c, "/metadata/name") == name
                    && c.get("value").and_then(Value::as_i64) == Some(value)
            });
        if !known {
            errs.push(FieldError::forbidden(
                "metadata.name",
                format!("priority class names with 'system-' prefix are reserved for system use only. error: {name} is not a known system priority class"),
            ));
        }
    } else if value > HIGHEST_USER_PRIORITY {
        errs.push(FieldError::forbidden(
            "value",
            format!("maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}"),
        ));
    }
    let preemption = s(obj, "/preemptionPolicy");
    if !preemption.is_empty() && !["Never", "PreemptLowerPriority"].contains(&preemption) {
        errs.push(FieldError::not_supported(
            "preemptionPolicy",
            preemption,
            &["Never", "PreemptLowerPriority"],
        ));
    }
    errs
}

/// `ValidateRole`/`ValidateClusterRole`: every policy rule.
pub(crate) fn role(obj: &Value) -> Vec<FieldError> {
    let namespaced = obj.get("kind").and_then(Value::as_str) == Some("Role")
        || !s(obj, "/metadata/namespace").is_empty();
    let mut errs = Vec::new();
    for (i, rule) in items(obj, "/rules").iter().enumerate() {
        let path = format!("rules[{i}]");
        let has = |k: &str| !items(rule, &format!("/{k}")).is_empty();
        if !has("verbs") {
            errs.push(FieldError::required(
                format!("{path}.verbs"),
                "verbs must contain at least one value",
            ));
        }
        if has("nonResourceURLs") {
            let urls = BadValue::Raw(godump::go_json(
                rule.get("nonResourceURLs").unwrap_or(&Value::Null),
            ));
            if namespaced {
                errs.push(FieldError::invalid(
                    format!("{path}.nonResourceURLs"),
                    urls.clone(),
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if has("apiGroups") || has("resources") || has("resourceNames") {
                errs.push(FieldError::invalid(
                    format!("{path}.nonResourceURLs"),
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
            continue;
        }
        if !has("apiGroups") {
            errs.push(FieldError::required(
                format!("{path}.apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if !has("resources") {
            errs.push(FieldError::required(
                format!("{path}.resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
    errs
}

/// `ValidateRoleBinding`/`ValidateClusterRoleBinding`.
pub(crate) fn role_binding(obj: &Value, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let group = s(obj, "/roleRef/apiGroup");
    if group != "rbac.authorization.k8s.io" {
        errs.push(FieldError::not_supported(
            "roleRef.apiGroup",
            group,
            &["rbac.authorization.k8s.io"],
        ));
    }
    let kind = s(obj, "/roleRef/kind");
    let kinds: &[&str] = if namespaced {
        &["Role", "ClusterRole"]
    } else {
        &["ClusterRole"]
    };
    if !kinds.contains(&kind) {
        errs.push(FieldError::not_supported("roleRef.kind", kind, kinds));
    }
    if s(obj, "/roleRef/name").is_empty() {
        errs.push(FieldError::required("roleRef.name", ""));
    }
    for (i, subject) in items(obj, "/subjects").iter().enumerate() {
        let path = format!("subjects[{i}]");
        if s(subject, "/name").is_empty() {
            errs.push(FieldError::required(format!("{path}.name"), ""));
        }
        match s(subject, "/kind") {
            "ServiceAccount" => {
                if !namespaced && s(subject, "/namespace").is_empty() {
                    errs.push(FieldError::required(format!("{path}.namespace"), ""));
                }
            }
            "User" | "Group" => {
                let g = s(subject, "/apiGroup");
                if g != "rbac.authorization.k8s.io" {
                    errs.push(FieldError::not_supported(
                        format!("{path}.apiGroup"),
                        g,
                        &["rbac.authorization.k8s.io"],
                    ));
                }
            }
            other => errs.push(FieldError::not_supported(
                format!("{path}.kind"),
                other,
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }
    errs
}

/// `roleRef` is immutable; the value prints as the internal struct's JSON.
pub(crate) fn role_binding_update(new: &Value, old: &Value) -> Vec<FieldError> {
    if new.get("roleRef") == old.get("roleRef") {
        return Vec::new();
    }
    let value = json!({
        "APIGroup": s(new, "/roleRef/apiGroup"),
        "Kind": s(new, "/roleRef/kind"),
        "Name": s(new, "/roleRef/name"),
    });
    let raw = format!(
        "{{\"APIGroup\":{},\"Kind\":{},\"Name\":{}}}",
        godump::go_string(s(&value, "/APIGroup")),
        godump::go_string(s(&value, "/Kind")),
        godump::go_string(s(&value, "/Name"))
    );
    vec![FieldError::invalid(
        "roleRef",
        BadValue::Raw(raw),
        "cannot change roleRef",
    )]
}

/// `ValidatePriorityClassUpdate`: the value and the preemption policy are fixed.
pub(crate) fn priority_class_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if new.get("value") != old.get("value") {
        errs.push(FieldError::forbidden(
            "value",
            "may not be changed in an update.",
        ));
    }
    let policy = |v: &Value| s(v, "/preemptionPolicy").to_owned();
    if policy(new) != policy(old) {
        errs.push(FieldError::invalid(
            "preemptionPolicy",
            policy(new),
            "field is immutable",
        ));
    }
    errs
}
