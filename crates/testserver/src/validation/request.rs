//! Checks of request bodies that are not stored objects: the body's type against the URL, and
//! TokenRequest specs.

use serde_json::Value;

use super::{FieldError, Invalid};

/// The Go package of the internal types of a group, as conversion errors name it.
fn internal_package(group: &str) -> &str {
    match group {
        "" => "core",
        g => g.split('.').next().unwrap_or(g),
    }
}

/// Kinds registered in each group/version (those a body may name).
fn registered(group: &str, version: &str, kind: &str) -> bool {
    let kinds: &[&str] = match (group, version) {
        ("", "v1") => &[
            "Pod",
            "Node",
            "Namespace",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "Service",
            "Endpoints",
            "Event",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "Binding",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "LimitRange",
            "List",
            "DeleteOptions",
            "Status",
        ],
        ("apps", "v1") => &[
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "ControllerRevision",
        ],
        ("storage.k8s.io", "v1") => &["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"],
        ("coordination.k8s.io", "v1") => &["Lease"],
        ("scheduling.k8s.io", "v1") => &["PriorityClass"],
        ("rbac.authorization.k8s.io", "v1") => {
            &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]
        }
        ("events.k8s.io", "v1") => &["Event"],
        ("policy", "v1") => &["PodDisruptionBudget", "Eviction"],
        ("authentication.k8s.io", "v1") => &["TokenRequest", "TokenReview", "SelfSubjectReview"],
        ("authorization.k8s.io", "v1") => &[
            "SubjectAccessReview",
            "SelfSubjectAccessReview",
            "LocalSubjectAccessReview",
            "SelfSubjectRulesReview",
        ],
        _ => &[],
    };
    kinds.contains(&kind)
}

/// The 400 message when a body's `apiVersion`/`kind` do not fit the endpoint's
/// `group`/`version`/`kind`, or `None` when they fit (a body without them fits).
///
/// E.g. a Secret posted to configmaps: `Secret in version "v1" cannot be handled as a
/// ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion`.
pub(crate) fn type_meta_mismatch(
    group: &str,
    version: &str,
    kind: &str,
    body: &Value,
) -> Option<String> {
    let body_kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if body_kind.is_empty() && api_version.is_empty() {
        return None;
    }
    let (body_group, body_version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let body_kind = if body_kind.is_empty() {
        kind
    } else {
        body_kind
    };
    let (body_group, body_version) = if api_version.is_empty() {
        (group, version)
    } else {
        (body_group, body_version)
    };
    if body_kind == kind && body_group == group && body_version == version {
        return None;
    }
    let prefix = format!("{body_kind} in version \"{body_version}\" cannot be handled as a {kind}");
    if !registered(body_group, body_version, body_kind) {
        let gv = if body_group.is_empty() {
            body_version.to_owned()
        } else {
            format!("{body_group}/{body_version}")
        };
        return Some(format!(
            "{prefix}: no kind \"{body_kind}\" is registered for version \"{gv}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\""
        ));
    }
    Some(format!(
        "{prefix}: converting ({body_version}.{body_kind}) to ({}.{kind}): unknown conversion",
        internal_package(group)
    ))
}

/// Validates a TokenRequest body (`spec.expirationSeconds` between 10 minutes and 2^32 s).
///
/// # Errors
/// [`Invalid`] as `TokenRequest.authentication.k8s.io "" is invalid: ...`.
pub(crate) fn token_request(body: &Value) -> Result<(), Invalid> {
    let mut errs = Vec::new();
    if let Some(seconds) = body
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
    {
        if seconds < 600 {
            errs.push(FieldError::invalid(
                "spec.expirationSeconds",
                seconds,
                "may not specify a duration less than 10 minutes",
            ));
        } else if seconds > 1 << 32 {
            errs.push(FieldError::invalid(
                "spec.expirationSeconds",
                seconds,
                "may not specify a duration larger than 2^32 seconds",
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Invalid::new(
            "authentication.k8s.io",
            "TokenRequest",
            "",
            errs,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mismatches_use_the_real_messages() {
        let cm = |body: Value| type_meta_mismatch("", "v1", "ConfigMap", &body);
        assert_eq!(cm(json!({"apiVersion": "v1", "kind": "ConfigMap"})), None);
        assert_eq!(cm(json!({"metadata": {}})), None);
        assert_eq!(
            cm(json!({"apiVersion": "v1", "kind": "Secret"})).unwrap(),
            "Secret in version \"v1\" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion"
        );
        assert_eq!(
            cm(json!({"apiVersion": "apps/v1", "kind": "ConfigMap"})).unwrap(),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: no kind \"ConfigMap\" is registered for version \"apps/v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\""
        );
    }
}
