//! Replays the authorization side of the recorded transcripts: the RBAC objects admin
//! created are stored, every request sent as another identity is decided, and denials must
//! produce the recorded 403 `Status` byte for byte.

use serde_json::Value;

use super::support::{transcript_user, with_bootstrap};
use crate::rbac::attributes::Attributes;
use crate::rbac::evaluate::authorize;
use crate::rbac::forbidden::Forbidden;
use crate::rbac::objects::PolicySet;

/// Transcripts with steps sent as someone other than admin.
const TRANSCRIPTS: &[(&str, &str)] = &[
    (
        "authn-anonymous-and-invalid",
        include_str!("../../../tests/transcripts/authn-anonymous-and-invalid.json"),
    ),
    (
        "discovery-core",
        include_str!("../../../tests/transcripts/discovery-core.json"),
    ),
    (
        "discovery-groups",
        include_str!("../../../tests/transcripts/discovery-groups.json"),
    ),
    (
        "rbac-local-storage-admin",
        include_str!("../../../tests/transcripts/rbac-local-storage-admin.json"),
    ),
    (
        "rbac-role-binding",
        include_str!("../../../tests/transcripts/rbac-role-binding.json"),
    ),
    (
        "rbac-subresource",
        include_str!("../../../tests/transcripts/rbac-subresource.json"),
    ),
    (
        "selfsubjectaccessreview",
        include_str!("../../../tests/transcripts/selfsubjectaccessreview.json"),
    ),
    (
        "selfsubjectreview",
        include_str!("../../../tests/transcripts/selfsubjectreview.json"),
    ),
    (
        "tokenrequest",
        include_str!("../../../tests/transcripts/tokenrequest.json"),
    ),
];

const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Applies an admin write of an RBAC object to the policy, as the store would.
fn apply_admin_write(policy: &mut PolicySet, step: &Value) {
    let method = step["request"]["method"].as_str().unwrap_or_default();
    let status = step["response"]["status"].as_u64().unwrap_or_default();
    let body = &step["response"]["body"];
    let kind = body["kind"].as_str().unwrap_or_default();
    if (200..300).contains(&status) && RBAC_KINDS.contains(&kind) && method != "DELETE" {
        policy.put(body.clone());
    }
    if method == "DELETE" && status == 200 {
        let path = step["request"]["path"].as_str().unwrap_or_default();
        let kind = match body["details"]["kind"].as_str() {
            Some("roles") => "Role",
            Some("clusterroles") => "ClusterRole",
            Some("rolebindings") => "RoleBinding",
            Some("clusterrolebindings") => "ClusterRoleBinding",
            _ => return,
        };
        let attrs = Attributes::from_request("DELETE", path, "");
        policy.remove(kind, &attrs.namespace, &attrs.name);
    }
}

#[track_caller]
fn check_step(policy: &PolicySet, scenario: &str, index: usize, step: &Value) -> usize {
    let identity = step["as"].as_str().unwrap_or_default();
    let Some(user) = transcript_user(identity) else {
        return 0; // token:invalid is refused by authentication, before authorization
    };
    let request = &step["request"];
    let full = request["path"].as_str().unwrap_or_default();
    let (path, query) = full.split_once('?').unwrap_or((full, ""));
    let method = request["method"].as_str().unwrap_or_default();
    let attrs = Attributes::from_request(method, path, query);
    let decision = authorize(policy, &user, &attrs);
    let response = &step["response"];
    let what = format!("{scenario} step {} ({method} {full})", index + 1);
    let body = &response["body"];
    let is_rbac_denial = response["status"] == 403
        && body["message"]
            .as_str()
            .is_some_and(|m| m.contains("forbidden: User "));
    if is_rbac_denial {
        assert!(!decision.allowed, "{what}: expected a denial");
        let status = Forbidden::new(&user.name, &attrs, &decision.reason).to_status();
        assert_eq!(&status, body, "{what}: 403 body");
    } else if identity != "admin" || response["status"] != 403 {
        assert!(
            decision.allowed,
            "{what}: expected allowed, got {decision:?}"
        );
    }
    1
}

#[test]
fn transcript_authorization_matches_the_real_server() {
    let mut checked = 0;
    for (scenario, text) in TRANSCRIPTS {
        let transcript: Value = serde_json::from_str(text).expect("transcript JSON");
        let mut policy = with_bootstrap([]);
        let steps = transcript["steps"].as_array().expect("steps");
        for (index, step) in steps.iter().enumerate() {
            checked += check_step(&policy, scenario, index, step);
            if step["as"] == "admin" {
                apply_admin_write(&mut policy, step);
            }
        }
    }
    // every step of these scenarios except the invalid-token ones was decided
    assert!(checked >= 100, "only {checked} steps checked");
}
