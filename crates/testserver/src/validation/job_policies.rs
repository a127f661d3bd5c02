//! The parts of a Job spec with rules of their own (`pkg/apis/batch/validation`):
//! `validatePodFailurePolicy`, `validateSuccessPolicy`, `validatePodReplacementPolicy`,
//! `validateIndexesFormat` and `IsDomainPrefixedPath` of `managedBy`.

use std::collections::HashSet;

use serde_json::Value;

use super::field_error::{BadValue, ErrorKind, go_quote};
use super::{FieldError, godump, names};

const MAX_POD_FAILURE_POLICY_RULES: usize = 20;
const MAX_ON_EXIT_CODES_VALUES: usize = 255;
const MAX_ON_POD_CONDITIONS_PATTERNS: usize = 20;
const MAX_SUCCESS_POLICY_RULES: usize = 20;
const MAX_SUCCEEDED_INDEXES_LENGTH: usize = 64 * 1024;
const ACTIONS: [&str; 4] = ["Count", "FailIndex", "FailJob", "Ignore"];
const OPERATORS: [&str; 2] = ["In", "NotIn"];
const STATUSES: [&str; 3] = ["False", "True", "Unknown"];

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn is_set(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|v| !v.is_null())
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
fn quoted_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| go_quote(v)).collect();
    format!("[{}]", quoted.join(" "))
}

/// `field.Invalid(path, field.OmitValueType{}, detail)`: `Invalid value: <detail>`.
fn invalid_without_value(path: impl Into<String>, detail: &str) -> FieldError {
    FieldError {
        kind: ErrorKind::Invalid,
        field: path.into(),
        value: None,
        detail: detail.to_owned(),
    }
}

/// `validatePodFailurePolicy` of `spec.podFailurePolicy` (at `path`).
pub(crate) fn pod_failure_policy(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let rules_path = format!("{path}.rules");
    let rules = items(spec.pointer("/podFailurePolicy/rules"));
    if rules.len() > MAX_POD_FAILURE_POLICY_RULES {
        errs.push(FieldError::too_many(
            rules_path.clone(),
            rules.len(),
            MAX_POD_FAILURE_POLICY_RULES,
        ));
    }
    let mut containers = HashSet::new();
    for key in ["/template/spec/containers", "/template/spec/initContainers"] {
        for c in items(spec.pointer(key)) {
            containers.insert(s(c, "name"));
        }
    }
    for (i, rule) in rules.iter().enumerate() {
        errs.extend(failure_rule(
            spec,
            rule,
            &format!("{rules_path}[{i}]"),
            &containers,
        ));
    }
    errs
}

fn failure_rule(
    spec: &Value,
    rule: &Value,
    path: &str,
    containers: &HashSet<&str>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let action_path = format!("{path}.action");
    match s(rule, "action") {
        "" => errs.push(FieldError::required(
            action_path,
            format!("valid values: {}", quoted_list(&ACTIONS)),
        )),
        "FailIndex" => {
            if !is_set(spec, "backoffLimitPerIndex") {
                errs.push(FieldError::invalid(
                    action_path,
                    "FailIndex",
                    "requires the backoffLimitPerIndex to be set",
                ));
            }
        }
        a if ACTIONS.contains(&a) => {}
        a => errs.push(FieldError::not_supported(action_path, a, &ACTIONS)),
    }
    let on_exit = rule.get("onExitCodes").filter(|v| !v.is_null());
    let on_conditions = items(rule.get("onPodConditions"));
    if let Some(on_exit) = on_exit {
        errs.extend(on_exit_codes(
            on_exit,
            &format!("{path}.onExitCodes"),
            containers,
        ));
    }
    if !on_conditions.is_empty() {
        errs.extend(on_pod_conditions(
            on_conditions,
            &format!("{path}.onPodConditions"),
        ));
    }
    if on_exit.is_some() && !on_conditions.is_empty() {
        errs.push(invalid_without_value(
            path,
            "specifying both OnExitCodes and OnPodConditions is not supported",
        ));
    }
    if on_exit.is_none() && on_conditions.is_empty() {
        errs.push(invalid_without_value(
            path,
            "specifying one of OnExitCodes and OnPodConditions is required",
        ));
    }
    errs
}

fn on_pod_conditions(patterns: &[Value], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if patterns.len() > MAX_ON_POD_CONDITIONS_PATTERNS {
        errs.push(FieldError::too_many(
            path,
            patterns.len(),
            MAX_ON_POD_CONDITIONS_PATTERNS,
        ));
    }
    for (j, pattern) in patterns.iter().enumerate() {
        let at = format!("{path}[{j}]");
        let kind = s(pattern, "type");
        for msg in names::qualified_name(kind) {
            errs.push(FieldError::invalid(format!("{at}.type"), kind, msg));
        }
        match s(pattern, "status") {
            "" => errs.push(FieldError::required(
                format!("{at}.status"),
                format!("valid values: {}", quoted_list(&STATUSES)),
            )),
            st if STATUSES.contains(&st) => {}
            st => errs.push(FieldError::not_supported(
                format!("{at}.status"),
                st,
                &STATUSES,
            )),
        }
    }
    errs
}

fn on_exit_codes(on_exit: &Value, path: &str, containers: &HashSet<&str>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let operator = s(on_exit, "operator");
    match operator {
        "" => errs.push(FieldError::required(
            format!("{path}.operator"),
            format!("valid values: {}", quoted_list(&OPERATORS)),
        )),
        op if OPERATORS.contains(&op) => {}
        op => errs.push(FieldError::not_supported(
            format!("{path}.operator"),
            op,
            &OPERATORS,
        )),
    }
    if let Some(name) = on_exit.get("containerName").and_then(Value::as_str)
        && !containers.contains(name)
    {
        errs.push(FieldError::invalid(
            format!("{path}.containerName"),
            name,
            "must be one of the container or initContainer names in the pod template",
        ));
    }
    let values_path = format!("{path}.values");
    let raw = on_exit.get("values").filter(|v| !v.is_null());
    let values: Vec<i64> = items(raw).iter().filter_map(Value::as_i64).collect();
    if values.is_empty() {
        errs.push(FieldError::invalid(
            values_path.clone(),
            BadValue::Raw(godump::go_json(raw.unwrap_or(&Value::Null))),
            "at least one value is required",
        ));
    } else if values.len() > MAX_ON_EXIT_CODES_VALUES {
        errs.push(FieldError::too_many(
            values_path.clone(),
            values.len(),
            MAX_ON_EXIT_CODES_VALUES,
        ));
    }
    let mut seen = HashSet::new();
    for (j, v) in values.iter().enumerate() {
        let at = format!("{values_path}[{j}]");
        if operator == "In" && *v == 0 {
            errs.push(FieldError::invalid(
                at.clone(),
                *v,
                "must not be 0 for the In operator",
            ));
        }
        if !seen.insert(*v) {
            errs.push(FieldError::duplicate(at, *v));
        }
    }
    if values.windows(2).any(|w| w[0] > w[1]) {
        errs.push(FieldError::invalid(
            values_path,
            BadValue::Raw(godump::go_json(raw.unwrap_or(&Value::Null))),
            "must be ordered",
        ));
    }
    errs
}

/// The internal `SuccessPolicy` as the real server prints it (Go field names).
pub(crate) fn success_policy_value(policy: Option<&Value>) -> BadValue {
    let rules: Vec<String> = items(policy.and_then(|p| p.get("rules")))
        .iter()
        .map(|r| {
            let indexes = r
                .get("succeededIndexes")
                .map_or("null".to_owned(), godump::go_json);
            let count = r
                .get("succeededCount")
                .map_or("null".to_owned(), godump::go_json);
            format!("{{\"SucceededIndexes\":{indexes},\"SucceededCount\":{count}}}")
        })
        .collect();
    let rules = if policy
        .and_then(|p| p.get("rules"))
        .is_some_and(Value::is_array)
    {
        format!("[{}]", rules.join(","))
    } else {
        "null".to_owned()
    };
    BadValue::Raw(format!("{{\"Rules\":{rules}}}"))
}

/// `validateSuccessPolicy` of an Indexed Job's `spec.successPolicy` (at `path`).
pub(crate) fn success_policy(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let rules_path = format!("{path}.rules");
    let rules = items(spec.pointer("/successPolicy/rules"));
    if rules.is_empty() {
        errs.push(FieldError::required(
            rules_path.clone(),
            "at least one rules must be specified when the successPolicy is specified",
        ));
    }
    if rules.len() > MAX_SUCCESS_POLICY_RULES {
        errs.push(FieldError::too_many(
            rules_path.clone(),
            rules.len(),
            MAX_SUCCESS_POLICY_RULES,
        ));
    }
    let completions = spec.get("completions").and_then(Value::as_i64).unwrap_or(0);
    for (i, rule) in rules.iter().enumerate() {
        errs.extend(success_rule(
            rule,
            completions,
            &format!("{rules_path}[{i}]"),
        ));
    }
    errs
}

fn success_rule(rule: &Value, completions: i64, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let indexes = rule.get("succeededIndexes").and_then(Value::as_str);
    let count = rule.get("succeededCount").and_then(Value::as_i64);
    if indexes.is_none() && count.is_none() {
        errs.push(FieldError::required(
            path,
            "at least one of succeededCount or succeededIndexes must be specified",
        ));
    }
    let mut total = 0;
    if let Some(indexes) = indexes {
        let at = format!("{path}.succeededIndexes");
        if indexes.len() > MAX_SUCCEEDED_INDEXES_LENGTH {
            errs.push(FieldError::too_long(
                at.clone(),
                MAX_SUCCEEDED_INDEXES_LENGTH,
            ));
        }
        match indexes_format(indexes, completions) {
            Ok(n) => total = n,
            Err(e) => errs.push(FieldError::invalid(
                at,
                indexes,
                format!("error parsing succeededIndexes: {e}"),
            )),
        }
    }
    if let Some(count) = count {
        let at = format!("{path}.succeededCount");
        if count < 0 {
            errs.push(FieldError::invalid(
                at.clone(),
                count,
                "must be greater than or equal to 0",
            ));
        }
        if count > completions {
            errs.push(FieldError::invalid(
                at.clone(),
                count,
                format!(
                    "must be less than or equal to {completions} (the number of specified completions)"
                ),
            ));
        }
        if indexes.is_some() && count > total {
            errs.push(FieldError::invalid(
                at,
                count,
                format!(
                    "must be less than or equal to {total} (the number of indexes in the specified succeededIndexes field)"
                ),
            ));
        }
    }
    errs
}

/// `validateIndexesFormat`: the number of indexes of `1,3-5`-style text.
fn indexes_format(text: &str, completions: i64) -> Result<i64, String> {
    if text.is_empty() {
        return Ok(0);
    }
    let mut last: Option<i64> = None;
    let mut total = 0;
    for interval in text.split(',') {
        let (x, y) = index_interval(interval, completions)?;
        if let Some(last) = last
            && last >= x
        {
            return Err(format!(
                "non-increasing order, previous: {last}, current: {x}"
            ));
        }
        total += y - x + 1;
        last = Some(y);
    }
    Ok(total)
}

/// `parseIndexInterval`.
fn index_interval(interval: &str, completions: i64) -> Result<(i64, i64), String> {
    let limits: Vec<&str> = interval.split('-').collect();
    if limits.len() > 2 {
        return Err(format!(
            "the fragment {} violates the requirement that an index interval can have at most two parts separated by '-'",
            go_quote(interval)
        ));
    }
    let parse = |part: &str| -> Result<i64, String> {
        let n: i64 = part.parse().map_err(|_| {
            format!(
                "cannot convert string to integer for index: {}",
                go_quote(part)
            )
        })?;
        if n >= completions {
            return Err(format!("too large index: {}", go_quote(part)));
        }
        Ok(n)
    };
    let x = parse(limits[0])?;
    if let Some(high) = limits.get(1) {
        let y = parse(high)?;
        if x >= y {
            return Err(format!("non-increasing order, previous: {x}, current: {y}"));
        }
        return Ok((x, y));
    }
    Ok((x, x))
}

/// `validatePodReplacementPolicy`.
pub(crate) fn pod_replacement_policy(spec: &Value, path: &str) -> Vec<FieldError> {
    let Some(policy) = spec.get("podReplacementPolicy").and_then(Value::as_str) else {
        return Vec::new();
    };
    if is_set(spec, "podFailurePolicy") {
        if policy != "Failed" {
            return vec![FieldError::not_supported(path, policy, &["Failed"])];
        }
    } else if !["Failed", "TerminatingOrFailed"].contains(&policy) {
        return vec![FieldError::not_supported(
            path,
            policy,
            &["Failed", "TerminatingOrFailed"],
        )];
    }
    Vec::new()
}

/// `IsDomainPrefixedPath` of `spec.managedBy`.
pub(crate) fn domain_prefixed_path(value: &str, path: &str) -> Vec<FieldError> {
    if value.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let Some((host, rest)) = value
        .split_once('/')
        .filter(|(h, r)| !h.is_empty() && !r.is_empty())
    else {
        return vec![FieldError::invalid(
            path,
            value,
            "must be a domain-prefixed path (such as \"acme.io/foo\")",
        )];
    };
    let mut errs: Vec<FieldError> = names::dns1123_subdomain(host)
        .into_iter()
        .map(|msg| FieldError::invalid(path, host, msg))
        .collect();
    let path_ok = rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:".contains(c));
    if !path_ok {
        errs.push(FieldError::invalid(
            path,
            rest,
            names::regex_error("Invalid path", "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+", &[]),
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// validatePodFailurePolicyRule, ...OnExitCodes, ...OnPodConditions.
    #[test]
    fn failure_policies() {
        let spec = json!({"template": {"spec": {"containers": [{"name": "main"}]}},
            "podFailurePolicy": {"rules": [
                {"action": "FailJob", "onExitCodes": {"operator": "In", "values": [1, 2]}},
                {"action": "Retry", "onExitCodes": {"containerName": "side", "operator": "In", "values": [0, 3, 3]},
                 "onPodConditions": [{"type": "DisruptionTarget", "status": "Maybe"}]},
                {"action": "FailIndex"},
                {"onExitCodes": {"values": []}}]}});
        assert_eq!(
            texts(pod_failure_policy(&spec, "spec.podFailurePolicy")),
            [
                "spec.podFailurePolicy.rules[1].action: Unsupported value: \"Retry\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\"",
                "spec.podFailurePolicy.rules[1].onExitCodes.containerName: Invalid value: \"side\": must be one of the container or initContainer names in the pod template",
                "spec.podFailurePolicy.rules[1].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator",
                "spec.podFailurePolicy.rules[1].onExitCodes.values[2]: Duplicate value: 3",
                "spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"",
                "spec.podFailurePolicy.rules[1]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported",
                "spec.podFailurePolicy.rules[2].action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set",
                "spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
                "spec.podFailurePolicy.rules[3].action: Required value: valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]",
                "spec.podFailurePolicy.rules[3].onExitCodes.operator: Required value: valid values: [\"In\" \"NotIn\"]",
                "spec.podFailurePolicy.rules[3].onExitCodes.values: Invalid value: []: at least one value is required",
            ]
        );
    }

    /// validateSuccessPolicyRule and validateIndexesFormat.
    #[test]
    fn success_policies() {
        let spec = json!({"completions": 5, "successPolicy": {"rules": [
            {"succeededIndexes": "0-2,4", "succeededCount": 5},
            {"succeededIndexes": "3,1"},
            {"succeededIndexes": "7"},
            {}]}});
        assert_eq!(
            texts(success_policy(&spec, "spec.successPolicy")),
            [
                "spec.successPolicy.rules[0].succeededCount: Invalid value: 5: must be less than or equal to 4 (the number of indexes in the specified succeededIndexes field)",
                "spec.successPolicy.rules[1].succeededIndexes: Invalid value: \"3,1\": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1",
                "spec.successPolicy.rules[2].succeededIndexes: Invalid value: \"7\": error parsing succeededIndexes: too large index: \"7\"",
                "spec.successPolicy.rules[3]: Required value: at least one of succeededCount or succeededIndexes must be specified",
            ]
        );
        assert_eq!(
            success_policy_value(spec.get("successPolicy")).to_string(),
            "{\"Rules\":[{\"SucceededIndexes\":\"0-2,4\",\"SucceededCount\":5},{\"SucceededIndexes\":\"3,1\",\"SucceededCount\":null},{\"SucceededIndexes\":\"7\",\"SucceededCount\":null},{\"SucceededIndexes\":null,\"SucceededCount\":null}]}"
        );
    }

    /// IsDomainPrefixedPath.
    #[test]
    fn managed_by() {
        assert!(domain_prefixed_path("kueue.x-k8s.io/manager", "m").is_empty());
        assert_eq!(
            texts(domain_prefixed_path("manager", "m")),
            [
                "m: Invalid value: \"manager\": must be a domain-prefixed path (such as \"acme.io/foo\")"
            ]
        );
        assert_eq!(
            texts(domain_prefixed_path("acme.io/a b", "m")),
            [
                "m: Invalid value: \"a b\": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"
            ]
        );
    }
}
