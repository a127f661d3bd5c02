//! Pod-level scalar fields of `validatePodSpec` (kube-apiserver v1.36): readiness and
//! scheduling gates, service account and node names, hostname and subdomain, host aliases,
//! priority class, runtime class, preemption policy and the OS name. Each function returns the errors of
//! its fields in Go's order; `validate_spec` calls them where `validatePodSpec` does.

use serde_json::Value;

use crate::validation::common_status::legacy_ip;
use crate::validation::{FieldError, names};

fn items(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Each message of `check` as an Invalid error of `value` at `path`.
fn each(path: String, value: &str, msgs: Vec<String>) -> impl Iterator<Item = FieldError> {
    msgs.into_iter()
        .map(move |msg| FieldError::invalid(path.clone(), value, msg))
}

/// `validateReadinessGates` then `validateSchedulingGates`.
pub(crate) fn gates(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, gate) in items(spec.get("readinessGates")).iter().enumerate() {
        let kind = text(gate, "conditionType").unwrap_or("");
        errs.extend(each(
            format!("{path}.readinessGates[{i}].conditionType"),
            kind,
            names::qualified_name(kind),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, gate) in items(spec.get("schedulingGates")).iter().enumerate() {
        let name = text(gate, "name").unwrap_or("");
        errs.extend(each(
            format!("{path}.schedulingGates[{i}].name"),
            name,
            names::qualified_name(name),
        ));
        if !seen.insert(name) {
            errs.push(FieldError::duplicate(
                format!("{path}.schedulingGates[{i}]"),
                name,
            ));
        }
    }
    errs
}

/// `serviceAccountName` and `nodeName` (both `NameIsDNSSubdomain` when set).
pub(crate) fn account_and_node(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["serviceAccountName", "nodeName"] {
        if let Some(name) = text(spec, key).filter(|n| !n.is_empty()) {
            errs.extend(each(
                format!("{path}.{key}"),
                name,
                names::dns1123_subdomain(name),
            ));
        }
    }
    errs
}

/// `hostname` and `subdomain` (both `ValidateDNS1123Label` when set).
pub(crate) fn host_names(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for key in ["hostname", "subdomain"] {
        if let Some(name) = text(spec, key).filter(|n| !n.is_empty()) {
            errs.extend(each(
                format!("{path}.{key}"),
                name,
                names::dns1123_label(name),
            ));
        }
    }
    errs
}

/// What `validatePodSpec` checks after the tolerations: `ValidateHostAliases`,
/// `priorityClassName`, `ValidateRuntimeClassName` and `ValidatePreemptionPolicy` (the
/// overhead and the OS follow).
pub(crate) fn after_tolerations(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, alias) in items(spec.get("hostAliases")).iter().enumerate() {
        let at = format!("{path}.hostAliases[{i}]");
        errs.extend(legacy_ip(
            &format!("{at}.ip"),
            text(alias, "ip").unwrap_or(""),
            false,
        ));
        for (j, host) in items(alias.get("hostnames")).iter().enumerate() {
            let host = host.as_str().unwrap_or("");
            errs.extend(each(
                format!("{at}.hostnames[{j}]"),
                host,
                names::dns1123_subdomain(host),
            ));
        }
    }
    if let Some(name) = text(spec, "priorityClassName").filter(|n| !n.is_empty()) {
        errs.extend(each(
            format!("{path}.priorityClassName"),
            name,
            names::dns1123_subdomain(name),
        ));
    }
    if let Some(name) = text(spec, "runtimeClassName") {
        errs.extend(each(
            format!("{path}.runtimeClassName"),
            name,
            names::dns1123_subdomain(name),
        ));
    }
    if let Some(policy) = text(spec, "preemptionPolicy") {
        const POLICIES: [&str; 2] = ["PreemptLowerPriority", "Never"];
        let at = format!("{path}.preemptionPolicy");
        if policy.is_empty() {
            errs.push(FieldError::required(at, ""));
        } else if !POLICIES.contains(&policy) {
            errs.push(FieldError::not_supported(at, policy, &POLICIES));
        }
    }
    errs
}

/// `validateOS`: a name is required and is `linux` or `windows`, reported at `os` itself
/// (`os_rules.rs` adds the per-OS rules).
pub(crate) fn os(spec: &Value, path: &str) -> Vec<FieldError> {
    const OSES: [&str; 2] = ["linux", "windows"];
    let Some(os) = spec.get("os").filter(|v| v.is_object()) else {
        return Vec::new();
    };
    match text(os, "name").unwrap_or("") {
        "" => vec![FieldError::required(
            format!("{path}.os.name"),
            "cannot be empty",
        )],
        name if !OSES.contains(&name) => {
            vec![FieldError::not_supported(format!("{path}.os"), name, &OSES)]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bodies(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(ToString::to_string).collect()
    }

    /// `validateReadinessGates` (ValidateQualifiedName) and `validateSchedulingGates`
    /// (qualified name, then Duplicate at the item).
    #[test]
    fn gates_follow_go() {
        let spec = json!({
            "readinessGates": [{"conditionType": "example.com/ready"}, {"conditionType": "bad!"}],
            "schedulingGates": [{"name": "a"}, {"name": "a"}],
        });
        let errs = bodies(&gates(&spec, "spec"));
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs[0].starts_with("spec.readinessGates[1].conditionType: Invalid value: \"bad!\": name part must consist of"), "{errs:?}");
        assert_eq!(errs[1], "spec.schedulingGates[1]: Duplicate value: \"a\"");
    }

    /// `validatePodSpec`: serviceAccountName and nodeName are DNS subdomains, hostname and
    /// subdomain DNS labels; empty means unset.
    #[test]
    fn names_are_dns_names() {
        let spec = json!({
            "serviceAccountName": "Bad", "nodeName": "node-1.example",
            "hostname": "a.b", "subdomain": "",
        });
        let errs = bodies(&account_and_node(&spec, "spec"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with(
                "spec.serviceAccountName: Invalid value: \"Bad\": a lowercase RFC 1123 subdomain"
            ),
            "{errs:?}"
        );
        let errs = bodies(&host_names(&spec, "spec"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0]
                .starts_with("spec.hostname: Invalid value: \"a.b\": a lowercase RFC 1123 label"),
            "{errs:?}"
        );
    }

    /// `ValidateHostAliases`, `ValidatePriorityClassName`, `ValidatePreemptionPolicy`.
    #[test]
    fn aliases_priority_and_preemption() {
        let spec = json!({
            "hostAliases": [{"ip": "10.0.0.300", "hostnames": ["ok.example", "Not_OK"]}],
            "priorityClassName": "high",
            "preemptionPolicy": "Sometimes",
        });
        let errs = bodies(&after_tolerations(&spec, "spec"));
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert_eq!(
            errs[0],
            "spec.hostAliases[0].ip: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
        );
        assert!(
            errs[1].starts_with("spec.hostAliases[0].hostnames[1]: Invalid value: \"Not_OK\""),
            "{errs:?}"
        );
        assert_eq!(
            errs[2],
            "spec.preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\""
        );
        assert!(after_tolerations(&json!({"preemptionPolicy": "Never"}), "spec").is_empty());
    }

    /// `validateOS`: name required, then one of linux and windows, reported at `os`.
    #[test]
    fn os_name() {
        let errs = bodies(&os(&json!({"os": {}}), "spec"));
        assert_eq!(errs, ["spec.os.name: Required value: cannot be empty"]);
        let errs = bodies(&os(&json!({"os": {"name": "plan9"}}), "spec"));
        assert_eq!(
            errs,
            ["spec.os: Unsupported value: \"plan9\": supported values: \"linux\", \"windows\""]
        );
        assert!(os(&json!({"os": {"name": "linux"}}), "spec").is_empty());
    }
}
