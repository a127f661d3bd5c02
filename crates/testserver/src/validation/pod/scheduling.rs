//! Where a pod may run (kube-apiserver v1.36): the node selector (`ValidateLabels`),
//! `validateAffinity` (node selector terms and requirements, pod (anti)affinity terms, weights,
//! topology keys) and `validateTopologySpreadConstraints`. Errors come in Go's order.

use serde_json::Value;

use crate::validation::{FieldError, meta, names, selector};

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `ValidateLabelName`.
fn label_name(key: &str, at: String) -> impl Iterator<Item = FieldError> {
    names::qualified_name(key)
        .into_iter()
        .map(move |msg| FieldError::invalid(at.clone(), key, msg))
}

fn weight(term: &Value, at: &str) -> Option<FieldError> {
    let w = term.get("weight").and_then(Value::as_i64).unwrap_or(0);
    (!(1..=100).contains(&w))
        .then(|| FieldError::invalid(format!("{at}.weight"), w, "must be in the range 1-100"))
}

/// `ValidateLabels` of `spec.nodeSelector`.
pub(crate) fn node_selector(spec: &Value, path: &str) -> Vec<FieldError> {
    meta::labels(spec.get("nodeSelector"), &format!("{path}.nodeSelector"))
}

/// `validateAffinity` of `spec.affinity`.
pub(crate) fn affinity(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(aff) = set(spec, "affinity") else {
        return errs;
    };
    let at = format!("{path}.affinity");
    if let Some(na) = set(aff, "nodeAffinity") {
        let na_at = format!("{at}.nodeAffinity");
        if let Some(required) = set(na, "requiredDuringSchedulingIgnoredDuringExecution") {
            let terms_at =
                format!("{na_at}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
            let terms = items(required.get("nodeSelectorTerms"));
            if terms.is_empty() {
                errs.push(FieldError::required(
                    terms_at,
                    "must have at least one node selector term",
                ));
            } else {
                for (i, term) in terms.iter().enumerate() {
                    errs.extend(node_selector_term(term, &format!("{terms_at}[{i}]"), false));
                }
            }
        }
        let pref_at = format!("{na_at}.preferredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in items(na.get("preferredDuringSchedulingIgnoredDuringExecution"))
            .iter()
            .enumerate()
        {
            let term_at = format!("{pref_at}[{i}]");
            errs.extend(weight(term, &term_at));
            errs.extend(node_selector_term(
                set(term, "preference").unwrap_or(&Value::Null),
                &format!("{term_at}.preference"),
                true,
            ));
        }
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(pa) = set(aff, kind) else {
            continue;
        };
        let pa_at = format!("{at}.{kind}");
        for (i, term) in items(pa.get("requiredDuringSchedulingIgnoredDuringExecution"))
            .iter()
            .enumerate()
        {
            errs.extend(pod_affinity_term(
                term,
                &format!("{pa_at}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"),
            ));
        }
        for (i, term) in items(pa.get("preferredDuringSchedulingIgnoredDuringExecution"))
            .iter()
            .enumerate()
        {
            let term_at = format!("{pa_at}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            errs.extend(weight(term, &term_at));
            errs.extend(pod_affinity_term(
                set(term, "podAffinityTerm").unwrap_or(&Value::Null),
                &format!("{term_at}.podAffinityTerm"),
            ));
        }
    }
    errs
}

/// `ValidateNodeSelectorTerm`; `any_value` is true for preferred terms, whose values Go
/// does not check.
fn node_selector_term(term: &Value, at: &str, any_value: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (j, req) in items(term.get("matchExpressions")).iter().enumerate() {
        errs.extend(node_selector_requirement(
            req,
            &format!("{at}.matchExpressions[{j}]"),
            any_value,
        ));
    }
    for (j, req) in items(term.get("matchFields")).iter().enumerate() {
        errs.extend(node_field_requirement(
            req,
            &format!("{at}.matchFields[{j}]"),
        ));
    }
    errs
}

/// `ValidateNodeSelectorRequirement`.
fn node_selector_requirement(req: &Value, at: &str, any_value: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = items(req.get("values"));
    let operator = text(req, "operator");
    match operator {
        "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
            format!("{at}.values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "Exists" | "DoesNotExist" if !values.is_empty() => errs.push(FieldError::forbidden(
            format!("{at}.values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "Gt" | "Lt" if values.len() != 1 => errs.push(FieldError::required(
            format!("{at}.values"),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
        )),
        "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" => {}
        other => errs.push(FieldError::invalid(
            format!("{at}.operator"),
            other,
            "not a valid selector operator",
        )),
    }
    errs.extend(label_name(text(req, "key"), format!("{at}.key")));
    if !any_value {
        for (i, value) in values.iter().enumerate() {
            let value = value.as_str().unwrap_or("");
            for msg in names::label_value(value) {
                errs.push(FieldError::invalid(format!("{at}.values[{i}]"), value, msg));
            }
        }
    }
    errs
}

/// `ValidateNodeFieldSelectorRequirement`: only `metadata.name`, with `In`/`NotIn` and one
/// node name.
fn node_field_requirement(req: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = items(req.get("values"));
    match text(req, "operator") {
        "In" | "NotIn" => {
            if values.len() != 1 {
                errs.push(FieldError::required(
                    format!("{at}.values"),
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                ));
            }
        }
        other => errs.push(FieldError::invalid(
            format!("{at}.operator"),
            other,
            "not a valid selector operator",
        )),
    }
    let key = text(req, "key");
    if key == "metadata.name" {
        for (i, value) in values.iter().enumerate() {
            let value = value.as_str().unwrap_or("");
            for msg in names::dns1123_subdomain(value) {
                errs.push(FieldError::invalid(format!("{at}.values[{i}]"), value, msg));
            }
        }
    } else {
        errs.push(FieldError::invalid(
            format!("{at}.key"),
            key,
            "not a valid field selector key",
        ));
    }
    errs
}

/// `validatePodAffinityTerm`: selectors, namespaces (reported at `namespace`, as Go does),
/// `matchLabelKeys`/`mismatchLabelKeys` and the topology key.
fn pod_affinity_term(term: &Value, at: &str) -> Vec<FieldError> {
    let mut errs =
        selector::label_selector(term.get("labelSelector"), &format!("{at}.labelSelector"));
    errs.extend(selector::label_selector(
        term.get("namespaceSelector"),
        &format!("{at}.namespaceSelector"),
    ));
    for ns in items(term.get("namespaces")) {
        let ns = ns.as_str().unwrap_or("");
        for msg in names::dns1123_label(ns) {
            errs.push(FieldError::invalid(format!("{at}.namespace"), ns, msg));
        }
    }
    errs.extend(label_keys(term, at));
    let key = text(term, "topologyKey");
    if key.is_empty() {
        errs.push(FieldError::required(
            format!("{at}.topologyKey"),
            "can not be empty",
        ));
    }
    errs.extend(label_name(key, format!("{at}.topologyKey")));
    errs
}

/// `validateMatchLabelKeysAndMismatchLabelKeys`: label names (only beside a label selector),
/// no key the selector already has before the expressions the create added for it, and no
/// key in both lists. Go reports the selector clash at the term's own index path.
fn label_keys(term: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let strings = |key: &str| -> Vec<&str> {
        items(term.get(key))
            .iter()
            .map(|v| v.as_str().unwrap_or(""))
            .collect()
    };
    let (matching, mismatching) = (strings("matchLabelKeys"), strings("mismatchLabelKeys"));
    let selector = set(term, "labelSelector");
    for (key, keys) in [
        ("matchLabelKeys", &matching),
        ("mismatchLabelKeys", &mismatching),
    ] {
        if keys.is_empty() {
            continue;
        }
        if selector.is_none() {
            errs.push(FieldError::forbidden(
                format!("{at}.{key}"),
                "must not be specified when labelSelector is not set",
            ));
            continue;
        }
        for (i, k) in keys.iter().enumerate() {
            errs.extend(label_name(k, format!("{at}.{key}[{i}]")));
        }
    }
    if let Some(selector) = selector {
        let mut seen: Vec<&str> = selector
            .get("matchLabels")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for expr in items(selector.get("matchExpressions")) {
            let key = text(expr, "key");
            if let Some(i) = matching.iter().rposition(|k| *k == key)
                && seen.contains(&key)
            {
                errs.push(FieldError::invalid(
                    format!("{at}[{i}]"),
                    key,
                    "exists in both matchLabelKeys and labelSelector",
                ));
            }
            seen.push(key);
        }
    }
    for (i, k) in matching.iter().enumerate() {
        if mismatching.contains(k) {
            errs.push(FieldError::invalid(
                format!("{at}.matchLabelKeys[{i}]"),
                *k,
                "exists in both matchLabelKeys and mismatchLabelKeys",
            ));
        }
    }
    errs
}

/// `validateTopologySpreadConstraints` of `spec.topologySpreadConstraints`
/// (`matchLabelKeys` is not checked).
pub(crate) fn topology_spread(spec: &Value, path: &str) -> Vec<FieldError> {
    const ACTIONS: [&str; 2] = ["DoNotSchedule", "ScheduleAnyway"];
    const NODE_POLICIES: [&str; 2] = ["Honor", "Ignore"];
    let mut errs = Vec::new();
    let constraints = items(spec.get("topologySpreadConstraints"));
    for (i, c) in constraints.iter().enumerate() {
        let at = format!("{path}.topologySpreadConstraints[{i}]");
        let skew = c.get("maxSkew").and_then(Value::as_i64).unwrap_or(0);
        if skew <= 0 {
            errs.push(FieldError::invalid(
                format!("{at}.maxSkew"),
                skew,
                "must be greater than zero",
            ));
        }
        let key = text(c, "topologyKey");
        if key.is_empty() {
            errs.push(FieldError::required(
                format!("{at}.topologyKey"),
                "can not be empty",
            ));
        }
        let action = text(c, "whenUnsatisfiable");
        if !ACTIONS.contains(&action) {
            errs.push(FieldError::not_supported(
                format!("{at}.whenUnsatisfiable"),
                action,
                &ACTIONS,
            ));
        }
        if constraints[i + 1..]
            .iter()
            .any(|r| text(r, "topologyKey") == key && text(r, "whenUnsatisfiable") == action)
        {
            errs.push(FieldError::duplicate(
                format!("{at}.{{topologyKey, whenUnsatisfiable}}"),
                format!("{{{key}, {action}}}"),
            ));
        }
        if let Some(min) = c.get("minDomains").and_then(Value::as_i64) {
            if min <= 0 {
                errs.push(FieldError::invalid(
                    format!("{at}.minDomains"),
                    min,
                    "must be greater than zero",
                ));
            }
            if action != "DoNotSchedule" {
                errs.push(FieldError::invalid(
                    format!("{at}.minDomains"),
                    min,
                    format!(
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"
                    ),
                ));
            }
        }
        for policy in ["nodeAffinityPolicy", "nodeTaintsPolicy"] {
            if let Some(p) = c.get(policy).and_then(Value::as_str)
                && !NODE_POLICIES.contains(&p)
            {
                errs.push(FieldError::not_supported(
                    format!("{at}.{policy}"),
                    p,
                    &NODE_POLICIES,
                ));
            }
        }
        errs.extend(selector::label_selector(
            c.get("labelSelector"),
            &format!("{at}.labelSelector"),
        ));
    }
    errs
}

#[cfg(test)]
mod tests;
