//! RBAC defaults: subject and roleRef API groups, and the always-printed `rules`.

use serde_json::Value;

use crate::shared::json::{array_mut, default_str};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// Role/ClusterRole: `rules` has no `omitempty` in Go, so a missing list prints as `null`.
pub(crate) fn role(obj: &mut Value) {
    if let Some(role) = obj.as_object_mut() {
        role.entry("rules").or_insert(Value::Null);
    }
}

/// `SetDefaults_RoleBinding`/`SetDefaults_ClusterRoleBinding` and `SetDefaults_Subject`.
pub(crate) fn binding(obj: &mut Value) {
    let Some(binding) = obj.as_object_mut() else {
        return;
    };
    if let Some(role_ref) = binding.get_mut("roleRef").and_then(Value::as_object_mut) {
        default_str(role_ref, "apiGroup", RBAC_GROUP);
    }
    for subject in array_mut(binding, "subjects") {
        let Some(s) = subject.as_object_mut() else {
            continue;
        };
        let group = match s.get("kind").and_then(Value::as_str) {
            Some("User" | "Group") => RBAC_GROUP,
            _ => "",
        };
        if !group.is_empty()
            && s.get("apiGroup")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
        {
            s.insert("apiGroup".into(), Value::String(group.into()));
        }
    }
}
