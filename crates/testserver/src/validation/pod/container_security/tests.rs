use serde_json::json;

use super::*;

use crate::validation::texts;

const AT: &str = "spec.containers[0]";

/// ValidateSecurityContext: a typical hardened context passes; ids, procMount, escalation.
#[test]
fn ids_proc_mount_and_escalation() {
    let ok = json!({"securityContext": {"runAsUser": 1000, "runAsGroup": 0, "privileged": false,
        "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"}, "appArmorProfile": {"type": "Unconfined"}}});
    assert!(security_context(&ok, AT).is_empty());
    let sc = json!({"runAsUser": -1, "runAsGroup": 2_147_483_648_i64, "procMount": "Masked",
        "privileged": true, "allowPrivilegeEscalation": false, "capabilities": {"add": ["CAP_SYS_ADMIN"]}});
    let dump = sc.to_string();
    let at = "spec.containers[0].securityContext";
    assert_eq!(
        texts(security_context(&json!({"securityContext": sc}), AT)),
        [
            format!(
                "{at}.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"
            ),
            format!(
                "{at}.runAsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive"
            ),
            format!(
                "{at}.procMount: Unsupported value: \"Masked\": supported values: \"Default\", \"Unmasked\""
            ),
            format!(
                "{at}: Invalid value: {dump}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
            ),
            format!(
                "{at}: Invalid value: {dump}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"
            ),
        ]
    );
}

/// validateSeccompProfileField and ValidateAppArmorProfileField.
#[test]
fn profiles() {
    let at = "spec.containers[0].securityContext";
    let c = |sc: Value| json!({"securityContext": sc});
    assert_eq!(
        texts(security_context(
            &c(
                json!({"seccompProfile": {"type": "Localhost"}, "appArmorProfile": {"type": "Localhost"}})
            ),
            AT
        )),
        [
            format!(
                "{at}.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"
            ),
            format!(
                "{at}.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost"
            ),
        ]
    );
    assert_eq!(
        texts(security_context(
            &c(
                json!({"seccompProfile": {"type": "Localhost", "localhostProfile": "/abs/../p.json"},
            "appArmorProfile": {"type": "Localhost", "localhostProfile": " p "}})
            ),
            AT
        )),
        [
            format!(
                "{at}.seccompProfile.localhostProfile: Invalid value: \"/abs/../p.json\": must be a relative path"
            ),
            format!(
                "{at}.seccompProfile.localhostProfile: Invalid value: \"/abs/../p.json\": must not contain '..'"
            ),
            format!(
                "{at}.appArmorProfile.localhostProfile: Invalid value: \" p \": must not be padded with whitespace"
            ),
        ]
    );
    assert_eq!(
        texts(security_context(
            &c(json!({"seccompProfile": {}, "appArmorProfile": {"type": "Other"}})),
            AT
        )),
        [
            format!(
                "{at}.seccompProfile.type: Required value: type is required when seccompProfile is set"
            ),
            format!(
                "{at}.appArmorProfile.type: Unsupported value: \"Other\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\""
            ),
        ]
    );
    assert_eq!(
        texts(security_context(
            &c(json!({"appArmorProfile": {"type": "RuntimeDefault", "localhostProfile": "p"}})),
            AT
        )),
        [format!(
            "{at}.appArmorProfile.localhostProfile: Invalid value: \"p\": can only be set when AppArmor type is Localhost"
        )]
    );
}

/// validateWindowsSecurityContextOptions.
#[test]
fn windows_options() {
    let at = "spec.containers[0].securityContext.windowsOptions";
    let ok = json!({"securityContext": {"windowsOptions": {"runAsUserName": "NT AUTHORITY\\NETWORK SERVICE",
        "gmsaCredentialSpecName": "gmsa-spec"}}});
    assert!(security_context(&ok, AT).is_empty());
    let bad = json!({"securityContext": {"windowsOptions": {"gmsaCredentialSpec": "",
        "runAsUserName": "a\\b\\c"}}});
    assert_eq!(
        texts(security_context(&bad, AT)),
        [
            format!(
                "{at}.gmsaCredentialSpec: Invalid value: \"\": gmsaCredentialSpec cannot be an empty string"
            ),
            format!(
                "{at}.runAsUserName: Invalid value: \"a\\\\b\\\\c\": runAsUserName cannot contain more than one backslash"
            ),
        ]
    );
    let user = json!({"securityContext": {"windowsOptions": {"runAsUserName": "dom\\..."}}});
    assert_eq!(
        texts(security_context(&user, AT)),
        [format!(
            "{at}.runAsUserName: Invalid value: \"dom\\\\...\": runAsUserName's User cannot contain only periods or spaces"
        )]
    );
}
