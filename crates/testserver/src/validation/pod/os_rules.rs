//! Rules that depend on the node's operating system or the host's namespaces (kube-apiserver
//! v1.36): `validateWindowsHostProcessPod`, `validateHostUsers`, and after `validateOS`
//! `validateLinux` or `validateWindows` for a pod that names its OS. Containers are visited as
//! `VisitContainersWithPath` does: init containers, containers, then ephemeral containers.

use serde_json::Value;

use super::{fields, items};
use crate::validation::FieldError;

const WINDOWS_ONLY: &str = "windows options cannot be set for a linux pod";
const NOT_WINDOWS: &str = "cannot be set for a windows pod";

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool) == Some(true)
}

/// Every container with its path, in `VisitContainersWithPath`'s order.
fn containers<'a>(spec: &'a Value, path: &str) -> Vec<(&'a Value, String)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|key| {
            items(spec.get(*key))
                .iter()
                .enumerate()
                .map(move |(i, c)| (c, format!("{path}.{key}[{i}]")))
        })
        .collect()
}

/// `validateWindowsHostProcessPod`: hostProcess the same for the pod and every container,
/// then, with any hostProcess container, all of them and the host network (the test server
/// allows privileged pods, so the cluster policy never refuses them).
pub(crate) fn host_process(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let pod = spec
        .pointer("/securityContext/windowsOptions/hostProcess")
        .and_then(Value::as_bool);
    let all = containers(spec, path);
    let mut host_process = 0;
    for (c, at) in &all {
        let own = c
            .pointer("/securityContext/windowsOptions/hostProcess")
            .and_then(Value::as_bool);
        if let (Some(p), Some(o)) = (pod, own)
            && p != o
        {
            errs.push(FieldError::invalid(
                format!("{at}.securityContext.windowsOptions.hostProcess"),
                Value::Bool(o),
                format!("pod hostProcess value must be identical if both are specified, was {p}"),
            ));
        }
        if own.or(pod) == Some(true) {
            host_process += 1;
        }
    }
    if host_process > 0 {
        if host_process != all.len() {
            errs.push(FieldError::invalid(
                path,
                "",
                "If pod contains any hostProcess containers then all containers must be HostProcess containers",
            ));
        }
        if !flag(spec, "hostNetwork") {
            errs.push(FieldError::invalid(
                format!("{path}.hostNetwork"),
                Value::Bool(false),
                "hostNetwork must be true if pod contains any hostProcess containers",
            ));
        }
    }
    errs
}

/// `validateHostUsers`: a pod in its own user namespace shares no other namespace with the
/// host (Go's paths, capitals included).
pub(crate) fn host_users(spec: &Value, path: &str) -> Vec<FieldError> {
    if spec.get("hostUsers").and_then(Value::as_bool) != Some(false) {
        return Vec::new();
    }
    [
        ("hostNetwork", "hostNetwork"),
        ("hostPID", "HostPID"),
        ("hostIPC", "HostIPC"),
    ]
    .into_iter()
    .filter(|(key, _)| flag(spec, key))
    .map(|(_, child)| {
        FieldError::forbidden(
            format!("{path}.{child}"),
            "when `pod.Spec.HostUsers` is false",
        )
    })
    .collect()
}

/// `validateOS`, then the rules of the OS it names.
pub(crate) fn os(spec: &Value, path: &str) -> Vec<FieldError> {
    let errs = fields::os(spec, path);
    if !errs.is_empty() {
        return errs;
    }
    match spec.pointer("/os/name").and_then(Value::as_str) {
        Some("linux") => linux(spec, path),
        Some("windows") => windows(spec, path),
        _ => Vec::new(),
    }
}

/// `validateLinux`: no Windows options anywhere.
fn linux(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if spec
        .pointer("/securityContext/windowsOptions")
        .is_some_and(|v| !v.is_null())
    {
        errs.push(FieldError::forbidden(
            format!("{path}.securityContext.windowsOptions"),
            WINDOWS_ONLY,
        ));
    }
    for (c, at) in containers(spec, path) {
        if c.pointer("/securityContext/windowsOptions")
            .is_some_and(|v| !v.is_null())
        {
            errs.push(FieldError::forbidden(
                format!("{at}.securityContext.windowsOptions"),
                WINDOWS_ONLY,
            ));
        }
    }
    errs
}

/// `validateWindows`: none of the Linux-only fields of the pod and its containers.
fn windows(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let sc_at = format!("{path}.securityContext");
    let forbid = |errs: &mut Vec<FieldError>, at: String| {
        errs.push(FieldError::forbidden(at, NOT_WINDOWS));
    };
    if let Some(sc) = set(spec, "securityContext") {
        let sc_set = |key: &str| set(sc, key).is_some();
        // (where Go reads it, field): the internal security context holds the spec's flags
        let rules: [(bool, String); 15] = [
            (
                sc_set("appArmorProfile"),
                format!("{sc_at}.appArmorProfile"),
            ),
            (sc_set("seLinuxOptions"), format!("{sc_at}.seLinuxOptions")),
            (
                set(spec, "hostUsers").is_some(),
                format!("{path}.hostUsers"),
            ),
            (flag(spec, "hostPID"), format!("{path}.hostPID")),
            (flag(spec, "hostIPC"), format!("{path}.hostIPC")),
            (sc_set("seccompProfile"), format!("{sc_at}.seccompProfile")),
            (sc_set("fsGroup"), format!("{sc_at}.fsGroup")),
            (
                sc_set("fsGroupChangePolicy"),
                format!("{sc_at}.fsGroupChangePolicy"),
            ),
            (
                !items(sc.get("sysctls")).is_empty(),
                format!("{sc_at}.sysctls"),
            ),
            (
                set(spec, "shareProcessNamespace").is_some(),
                format!("{path}.shareProcessNamespace"),
            ),
            (sc_set("runAsUser"), format!("{sc_at}.runAsUser")),
            (sc_set("runAsGroup"), format!("{sc_at}.runAsGroup")),
            (
                sc_set("supplementalGroups"),
                format!("{sc_at}.supplementalGroups"),
            ),
            (
                sc_set("supplementalGroupsPolicy"),
                format!("{sc_at}.supplementalGroupsPolicy"),
            ),
            (
                sc_set("seLinuxChangePolicy"),
                format!("{sc_at}.seLinuxChangePolicy"),
            ),
        ];
        for (bad, at) in rules {
            if bad {
                forbid(&mut errs, at);
            }
        }
    }
    const CONTAINER_FIELDS: [&str; 10] = [
        "appArmorProfile",
        "seLinuxOptions",
        "seccompProfile",
        "capabilities",
        "readOnlyRootFilesystem",
        "privileged",
        "allowPrivilegeEscalation",
        "procMount",
        "runAsUser",
        "runAsGroup",
    ];
    for (c, at) in containers(spec, path) {
        let Some(sc) = set(c, "securityContext") else {
            continue;
        };
        for key in CONTAINER_FIELDS {
            if set(sc, key).is_some() {
                forbid(&mut errs, format!("{at}.securityContext.{key}"));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::validation::texts;

    /// `validateOS` then `validateLinux`: Windows options of the pod and its containers.
    #[test]
    fn linux_pods() {
        let spec = json!({"os": {"name": "linux"},
            "securityContext": {"windowsOptions": {}},
            "initContainers": [{"securityContext": {"windowsOptions": {"runAsUserName": "u"}}}],
            "containers": [{"securityContext": {}}]});
        assert_eq!(
            texts(os(&spec, "spec")),
            [
                "spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod",
                "spec.initContainers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod",
            ]
        );
        // an OS error stops the per-OS rules
        let bad = json!({"os": {"name": ""}, "securityContext": {"windowsOptions": {}}});
        assert_eq!(
            texts(os(&bad, "spec")),
            ["spec.os.name: Required value: cannot be empty"]
        );
    }

    /// `validateWindows`: Linux-only pod fields in Go's order, then each container's.
    #[test]
    fn windows_pods() {
        let spec = json!({"os": {"name": "windows"}, "hostPID": true, "hostUsers": true,
            "securityContext": {"runAsUser": 1, "seccompProfile": {"type": "RuntimeDefault"},
                "sysctls": [{"name": "a", "value": "b"}]},
            "containers": [{"securityContext": {"privileged": false, "capabilities": {}}}]});
        assert_eq!(
            texts(os(&spec, "spec")),
            [
                "spec.hostUsers: Forbidden: cannot be set for a windows pod",
                "spec.hostPID: Forbidden: cannot be set for a windows pod",
                "spec.securityContext.seccompProfile: Forbidden: cannot be set for a windows pod",
                "spec.securityContext.sysctls: Forbidden: cannot be set for a windows pod",
                "spec.securityContext.runAsUser: Forbidden: cannot be set for a windows pod",
                "spec.containers[0].securityContext.capabilities: Forbidden: cannot be set for a windows pod",
                "spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows pod",
            ]
        );
    }

    /// `validateWindowsHostProcessPod` and `validateHostUsers`.
    #[test]
    fn host_process_and_host_users() {
        let spec = json!({
        "securityContext": {"windowsOptions": {"hostProcess": true}},
        "containers": [
            {"securityContext": {"windowsOptions": {"hostProcess": false}}},
            {"name": "b"},
        ]});
        assert_eq!(
            texts(host_process(&spec, "spec")),
            [
                "spec.containers[0].securityContext.windowsOptions.hostProcess: Invalid value: false: pod hostProcess value must be identical if both are specified, was true",
                "spec: Invalid value: \"\": If pod contains any hostProcess containers then all containers must be HostProcess containers",
                "spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers",
            ]
        );
        assert!(host_process(&json!({"containers": [{}]}), "spec").is_empty());
        assert_eq!(
            texts(host_users(
                &json!({"hostUsers": false, "hostNetwork": true, "hostIPC": true}),
                "spec"
            )),
            [
                "spec.hostNetwork: Forbidden: when `pod.Spec.HostUsers` is false",
                "spec.HostIPC: Forbidden: when `pod.Spec.HostUsers` is false",
            ]
        );
    }
}
