//! The pod-level security context (`validatePodSpecSecurityContext`, kube-apiserver v1.36):
//! user and group id ranges, shareProcessNamespace with hostPID, sysctls,
//! `fsGroupChangePolicy`, the seccomp profile, Windows options, the AppArmor profile,
//! `supplementalGroupsPolicy` and `seLinuxChangePolicy` (either value, as
//! `SELinuxChangePolicy` is on by default).
//! Errors come in Go's order under `{path}.securityContext`.

use serde_json::Value;

use crate::validation::FieldError;

use super::container_security;

const ID_RANGE: &str = "must be between 0 and 2147483647, inclusive";
const PROFILE_TYPES: [&str; 3] = ["Localhost", "RuntimeDefault", "Unconfined"];

fn id_error(path: String, value: &Value) -> Option<FieldError> {
    let id = value.as_i64()?;
    (!(0..=i64::from(i32::MAX)).contains(&id)).then(|| FieldError::invalid(path, id, ID_RANGE))
}

/// `validatePodSpecSecurityContext` of `spec.securityContext`.
pub(crate) fn security_context(spec: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // Defaulting always sets a securityContext; a spec without one is checked as `{}`.
    let empty = Value::Object(serde_json::Map::new());
    let sc = spec
        .get("securityContext")
        .filter(|v| v.is_object())
        .unwrap_or(&empty);
    let at = format!("{path}.securityContext");
    for key in ["fsGroup", "runAsUser", "runAsGroup"] {
        if let Some(v) = sc.get(key) {
            errs.extend(id_error(format!("{at}.{key}"), v));
        }
    }
    if let Some(groups) = sc.get("supplementalGroups").and_then(Value::as_array) {
        for (i, gid) in groups.iter().enumerate() {
            errs.extend(id_error(format!("{at}.supplementalGroups[{i}]"), gid));
        }
    }
    // The internal PodSecurityContext holds the spec's hostPID and shareProcessNamespace.
    let flag = |key: &str| spec.get(key).and_then(Value::as_bool) == Some(true);
    if flag("shareProcessNamespace") && flag("hostPID") {
        errs.push(FieldError::invalid(
            format!("{at}.shareProcessNamespace"),
            Value::Bool(true),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    errs.extend(super::sysctls::sysctls(spec, sc, &at));
    if let Some(policy) = sc.get("fsGroupChangePolicy").and_then(Value::as_str) {
        const POLICIES: [&str; 2] = ["Always", "OnRootMismatch"];
        if !POLICIES.contains(&policy) {
            errs.push(FieldError::not_supported(
                format!("{at}.fsGroupChangePolicy"),
                policy,
                &POLICIES,
            ));
        }
    }
    errs.extend(seccomp(
        sc.get("seccompProfile"),
        &format!("{at}.seccompProfile"),
    ));
    if let Some(w) = set(sc, "windowsOptions") {
        errs.extend(container_security::windows(
            w,
            &format!("{at}.windowsOptions"),
        ));
    }
    if let Some(p) = set(sc, "appArmorProfile") {
        errs.extend(container_security::app_armor(
            p,
            &format!("{at}.appArmorProfile"),
        ));
    }
    for (key, allowed) in [
        ("supplementalGroupsPolicy", ["Merge", "Strict"]),
        ("seLinuxChangePolicy", ["MountOption", "Recursive"]),
    ] {
        if let Some(policy) = set(sc, key) {
            let policy = policy.as_str().unwrap_or("");
            if !allowed.contains(&policy) {
                errs.push(FieldError::not_supported(
                    format!("{at}.{key}"),
                    policy,
                    &allowed,
                ));
            }
        }
    }
    errs
}

fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// `validateSeccompProfileField`: the type is required and one of three; a Localhost profile
/// needs `localhostProfile`, a relative path without `..` (`validateLocalDescendingPath`).
fn seccomp(p: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(p) = p.filter(|v| v.is_object()) else {
        return errs;
    };
    let kind = p.get("type").and_then(Value::as_str).unwrap_or("");
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when seccompProfile is set",
        ));
    } else if !PROFILE_TYPES.contains(&kind) {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            kind,
            &PROFILE_TYPES,
        ));
    }
    let at = format!("{path}.localhostProfile");
    match p.get("localhostProfile").and_then(Value::as_str) {
        None if kind == "Localhost" => errs.push(FieldError::required(
            at,
            "must be set when seccomp type is Localhost",
        )),
        Some(local) if kind == "Localhost" => {
            if local.starts_with('/') {
                errs.push(FieldError::invalid(
                    at.clone(),
                    local,
                    "must be a relative path",
                ));
            }
            if local.split('/').any(|part| part == "..") {
                errs.push(FieldError::invalid(at, local, "must not contain '..'"));
            }
        }
        _ => {}
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bodies(spec: &Value) -> Vec<String> {
        security_context(spec, "spec")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// `validatePodSpecSecurityContext`: `IsValidUserID`/`IsValidGroupID` ranges, in Go's
    /// order (fsGroup, runAsUser, runAsGroup, supplementalGroups).
    #[test]
    fn id_ranges() {
        let errs = bodies(&json!({"securityContext": {
            "runAsUser": -1, "fsGroup": 2147483648_i64, "runAsGroup": 0,
            "supplementalGroups": [1, -5],
        }}));
        assert_eq!(
            errs,
            [
                "spec.securityContext.fsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
                "spec.securityContext.supplementalGroups[1]: Invalid value: -5: must be between 0 and 2147483647, inclusive",
            ]
        );
    }

    /// `validatePodSpecSecurityContext`: the spec's shareProcessNamespace with hostPID.
    #[test]
    fn shared_process_namespace_with_host_pid() {
        let errs = bodies(&json!({"hostPID": true, "shareProcessNamespace": true,
            "securityContext": {}}));
        assert_eq!(
            errs,
            [
                "spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"
            ]
        );
        assert!(bodies(&json!({"hostPID": true, "securityContext": {}})).is_empty());
        assert_eq!(
            bodies(&json!({"hostPID": true, "shareProcessNamespace": true})).len(),
            1
        );
    }

    /// `validateFSGroupChangePolicy`, `validateSeccompProfileField`.
    #[test]
    fn policies_and_profiles() {
        let errs = bodies(&json!({"securityContext": {
            "fsGroupChangePolicy": "Sometimes",
            "seccompProfile": {"type": "Localhost"},
        }}));
        assert_eq!(
            errs,
            [
                "spec.securityContext.fsGroupChangePolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnRootMismatch\"",
                "spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost",
            ]
        );
        let errs = bodies(&json!({"securityContext": {"seccompProfile": {}}}));
        assert_eq!(
            errs,
            [
                "spec.securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set"
            ]
        );
        assert!(
            bodies(&json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}))
                .is_empty()
        );
        let errs = bodies(&json!({"securityContext": {
            "seccompProfile": {"type": "Localhost", "localhostProfile": "/a/../b"},
        }}));
        assert_eq!(
            errs,
            [
                "spec.securityContext.seccompProfile.localhostProfile: Invalid value: \"/a/../b\": must be a relative path",
                "spec.securityContext.seccompProfile.localhostProfile: Invalid value: \"/a/../b\": must not contain '..'",
            ]
        );
    }

    /// `validatePodSpecSecurityContext` after seccomp: `validateWindowsSecurityContextOptions`,
    /// `ValidateAppArmorProfileField`, `validateSupplementalGroupsPolicy`,
    /// `validateSELinuxChangePolicy`.
    #[test]
    fn app_armor_windows_and_policies() {
        let errs = bodies(&json!({"securityContext": {
            "windowsOptions": {"runAsUserName": ""},
            "appArmorProfile": {"type": "Localhost"},
            "supplementalGroupsPolicy": "Loose",
            "seLinuxChangePolicy": "Never",
        }}));
        assert_eq!(
            errs,
            [
                "spec.securityContext.windowsOptions.runAsUserName: Invalid value: \"\": runAsUserName cannot be an empty string",
                "spec.securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost",
                "spec.securityContext.supplementalGroupsPolicy: Unsupported value: \"Loose\": supported values: \"Merge\", \"Strict\"",
                "spec.securityContext.seLinuxChangePolicy: Unsupported value: \"Never\": supported values: \"MountOption\", \"Recursive\"",
            ]
        );
        assert!(
            bodies(
                &json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"},
                "supplementalGroupsPolicy": "Strict", "seLinuxChangePolicy": "MountOption"}})
            )
            .is_empty()
        );
    }
}
