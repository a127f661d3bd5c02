//! `spec.securityContext.sysctls` (`validateSysctls` and `ValidateHostSysctl`, kube-apiserver
//! v1.36): each name is required, a valid sysctl name (dots or slashes as separators) and
//! unique; a namespaced sysctl may not be set in a pod sharing that namespace with the host.

use std::collections::HashSet;

use serde_json::Value;

use super::{items, s};
use crate::validation::FieldError;

/// `SysctlContainSlashFmt` anchored, as the message prints the compiled regex.
const SYSCTL_REGEX: &str =
    r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";
/// `SysctlMaxLength`.
const MAX_LENGTH: usize = 253;

/// `IsValidSysctlName`.
fn valid_name(name: &str) -> bool {
    name.len() <= MAX_LENGTH
        && regex_automata::meta::Regex::new(SYSCTL_REGEX).is_ok_and(|re| re.is_match(name))
}

/// The kernel namespace of a sysctl (`utilsysctl.GetNamespace`), for the two that a pod may
/// share with its host: `net` or `ipc`.
fn namespace(name: &str) -> Option<&'static str> {
    // `NormalizeName`: a name whose first separator is a slash uses slashes throughout
    let normalized = match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
        _ => name.to_owned(),
    };
    if normalized == "kernel.sem"
        || ["kernel.shm", "kernel.msg", "fs.mqueue."]
            .iter()
            .any(|p| normalized.starts_with(p))
    {
        Some("ipc")
    } else if normalized.starts_with("net.") {
        Some("net")
    } else {
        None
    }
}

/// `validateSysctls` of `spec.securityContext.sysctls`, at `{at}.sysctls` (`at` being
/// `spec.securityContext`); `spec` holds `hostNetwork` and `hostIPC`.
pub(super) fn sysctls(spec: &Value, sc: &Value, at: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = HashSet::new();
    let host = |key: &str| spec.get(key).and_then(Value::as_bool) == Some(true);
    for (i, sysctl) in items(sc.get("sysctls")).iter().enumerate() {
        let here = format!("{at}.sysctls[{i}].name");
        let name = s(sysctl, "name");
        if name.is_empty() {
            errs.push(FieldError::required(here.as_str(), ""));
        } else if !valid_name(name) {
            errs.push(FieldError::invalid(
                here.as_str(),
                name,
                format!("must have at most {MAX_LENGTH} characters and match regex {SYSCTL_REGEX}"),
            ));
        } else if seen.contains(name) {
            errs.push(FieldError::duplicate(here.as_str(), name));
        }
        match namespace(name) {
            Some("net") if host("hostNetwork") => errs.push(FieldError::invalid(
                here,
                name,
                "may not be specified when 'hostNetwork' is true",
            )),
            Some("ipc") if host("hostIPC") => errs.push(FieldError::invalid(
                here,
                name,
                "may not be specified when 'hostIPC' is true",
            )),
            _ => {}
        }
        seen.insert(name);
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    fn errs(spec: Value) -> Vec<String> {
        let sc = spec["securityContext"].clone();
        texts(sysctls(&spec, &sc, "spec.securityContext"))
    }

    /// `validateSysctls`: required, `IsValidSysctlName`, unique (dot and slash forms).
    #[test]
    fn names() {
        assert!(
            errs(json!({"securityContext": {"sysctls": [
                {"name": "kernel.shm_rmid_forced", "value": "0"},
                {"name": "net/ipv4/ip_local_port_range", "value": "1024 65535"},
            ]}}))
            .is_empty()
        );
        assert_eq!(
            errs(json!({"securityContext": {"sysctls": [
                {"name": ""}, {"name": "Kernel.X"}, {"name": "a.b"}, {"name": "a.b"},
            ]}})),
            [
                "spec.securityContext.sysctls[0].name: Required value",
                format!(
                    "spec.securityContext.sysctls[1].name: Invalid value: \"Kernel.X\": must have at most 253 characters and match regex {SYSCTL_REGEX}"
                )
                .as_str(),
                "spec.securityContext.sysctls[3].name: Duplicate value: \"a.b\"",
            ]
        );
    }

    /// `ValidateHostSysctl`: net sysctls with hostNetwork, IPC ones with hostIPC.
    #[test]
    fn host_namespaces() {
        assert_eq!(
            errs(
                json!({"hostNetwork": true, "hostIPC": true, "securityContext": {"sysctls": [
                    {"name": "net.core.somaxconn"}, {"name": "kernel/msgmax"},
                    {"name": "kernel.domainname"},
                ]}})
            ),
            [
                "spec.securityContext.sysctls[0].name: Invalid value: \"net.core.somaxconn\": may not be specified when 'hostNetwork' is true",
                "spec.securityContext.sysctls[1].name: Invalid value: \"kernel/msgmax\": may not be specified when 'hostIPC' is true",
            ]
        );
    }
}
