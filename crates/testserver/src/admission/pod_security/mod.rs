//! The PodSecurity plugin (validating) with kube-apiserver's default configuration: no
//! exemptions, `privileged:latest` for enforce, audit and warn unless a namespace's
//! `pod-security.kubernetes.io/*` labels say otherwise (`k8s.io/pod-security-admission`
//! v0.36.2, `admission/admission.go`; the plugin wrapper of
//! `plugin/pkg/admission/security/podsecurity`).
//!
//! What it looks at, on creates and updates only:
//! - pods, and the `ephemeralcontainers` and `resize` subresources (not `status`, `binding`,
//!   `eviction` and the connect subresources); an update that changes no container image and
//!   adds no ephemeral container is not evaluated. Enforce refuses with 403
//!   `violates PodSecurity "<level:version>": ...`; audit adds the `audit-violations`
//!   annotation; warn (when enforce allowed) a `would violate PodSecurity ...` warning;
//! - the pod templates of ReplicationControllers, PodTemplates, ReplicaSets, Deployments,
//!   StatefulSets, DaemonSets, Jobs and CronJobs: audit and warn only, never refused;
//! - namespaces: labels that do not parse are refused with 422 (on update only when they
//!   changed), and an update that tightens the enforce level warns about the existing pods
//!   that violate it, one line per distinct reason.
//!
//! Guarantees: a namespace that is privileged in every mode costs no evaluation; each level
//! is evaluated once per request; annotations carry the `pod-security.kubernetes.io/` prefix.
//! Warnings and audit annotations go to the request's [`recorder`] scope, in the order the real
//! plugin adds them; the annotations added before a refusal stay (the server audits them).

mod checks;
mod namespace;
mod policy;

use serde_json::Value;

use self::checks::evaluate;
use self::policy::{Level, LevelVersion, PREFIX, Policy, policy_to_evaluate};
use super::error::AdmissionError;
use super::{Attributes, Lookup, Operation, recorder};
use crate::validation::{FieldError, Invalid};

/// Subresources of pods the plugin never evaluates (`ignoredPodSubresources`).
const IGNORED_POD_SUBRESOURCES: &[&str] = &[
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

/// Runs the plugin on a create (`old` is `None`) or update.
///
/// # Errors
/// 403 when a pod violates its namespace's enforce level; 422 when a namespace's labels do not
/// parse.
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !matches!(attrs.operation, Operation::Create | Operation::Update) {
        return Ok(());
    }
    match (attrs.group, attrs.resource) {
        ("", "namespaces") => namespace::validate(attrs, obj, old, lookup),
        ("", "pods") => pod(attrs, obj, old, lookup),
        _ => match template(attrs.group, attrs.resource, obj) {
            Some(found) if attrs.subresource.is_empty() => {
                controller(attrs, found, lookup);
                Ok(())
            }
            _ => Ok(()),
        },
    }
}

/// The name the plugin reports: the URL's, else the object's (a create's, after
/// `generateName`).
fn object_name<'a>(attrs: &Attributes<'a>, obj: &'a Value) -> &'a str {
    if attrs.name.is_empty() {
        crate::shared::json::name(obj)
    } else {
        attrs.name
    }
}

/// The policy of the request's namespace, with the errors of its labels.
fn namespace_policy(attrs: &Attributes<'_>, lookup: &dyn Lookup) -> (Policy, Vec<FieldError>) {
    // NamespaceLifecycle refused the request already when the namespace does not exist
    let ns = lookup.get("", "namespaces", None, attrs.namespace);
    policy_to_evaluate(ns.as_ref().and_then(|n| n.pointer("/metadata/labels")))
}

/// `ValidatePod`.
fn pod(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if IGNORED_POD_SUBRESOURCES.contains(&attrs.subresource) {
        return Ok(());
    }
    let (policy, errs) = namespace_policy(attrs, lookup);
    if errs.is_empty() && policy.fully_privileged() {
        recorder::annotate(
            format!("{PREFIX}enforce-policy"),
            Policy::DEFAULT.enforce.to_string(),
        );
        return Ok(());
    }
    if attrs.operation == Operation::Update
        && let Some(old) = old
        && !significant_update(obj, old)
    {
        return Ok(());
    }
    let meta = obj.get("metadata").unwrap_or(&Value::Null);
    let spec = obj.get("spec").unwrap_or(&Value::Null);
    let name = object_name(attrs, obj);
    evaluate_pod(attrs, (policy, &errs), (meta, spec), Some(name))
}

/// `ValidatePodController`: audit and warn on the pod template of a workload.
fn controller(attrs: &Attributes<'_>, (meta, spec): (&Value, &Value), lookup: &dyn Lookup) {
    let (policy, errs) = namespace_policy(attrs, lookup);
    if errs.is_empty()
        && policy.warn.level == Level::Privileged
        && policy.audit.level == Level::Privileged
    {
        return;
    }
    // without enforcement nothing is refused
    let _ = evaluate_pod(attrs, (policy, &errs), (meta, spec), None);
}

/// `DefaultPodSpecExtractor.ExtractPodSpec` of a workload: its pod template's metadata and
/// spec; `None` for other resources and a ReplicationController without a template.
fn template<'a>(group: &str, resource: &str, obj: &'a Value) -> Option<(&'a Value, &'a Value)> {
    let path = match (group, resource) {
        ("", "replicationcontrollers") => "/spec/template",
        ("", "podtemplates") => "/template",
        ("apps", "replicasets" | "deployments" | "statefulsets" | "daemonsets")
        | ("batch", "jobs") => "/spec/template",
        ("batch", "cronjobs") => "/spec/jobTemplate/spec/template",
        _ => return None,
    };
    let template = obj.pointer(path).filter(|t| !t.is_null());
    if template.is_none() && resource == "replicationcontrollers" {
        return None;
    }
    let part = |key: &str| template.and_then(|t| t.get(key)).unwrap_or(&Value::Null);
    Some((part("metadata"), part("spec")))
}

/// `EvaluatePod`: enforce (when `enforce_name` names the pod), audit, then warn.
fn evaluate_pod(
    attrs: &Attributes<'_>,
    (policy, errs): (Policy, &[FieldError]),
    (meta, spec): (&Value, &Value),
    enforce_name: Option<&str>,
) -> Result<(), AdmissionError> {
    if !errs.is_empty() {
        let aggregate = Invalid::new("", "Namespace", "", errs.to_vec()).aggregate();
        recorder::annotate(
            format!("{PREFIX}error"),
            format!("Failed to parse policy: {aggregate}"),
        );
    }
    let mut cached: Vec<(LevelVersion, checks::Aggregate)> = Vec::new();
    let mut result = |lv: LevelVersion| match cached.iter().find(|(k, _)| *k == lv) {
        Some((_, r)) => r.clone(),
        None => {
            let r = evaluate(lv, meta, spec);
            cached.push((lv, r.clone()));
            r
        }
    };
    let mut refusal = None;
    if let Some(name) = enforce_name {
        recorder::annotate(
            format!("{PREFIX}enforce-policy"),
            policy.enforce.to_string(),
        );
        let r = result(policy.enforce);
        if !r.allowed() {
            refusal = Some(AdmissionError::Forbidden {
                group: attrs.group.to_owned(),
                resource: attrs.resource.to_owned(),
                name: name.to_owned(),
                message: format!(
                    "violates PodSecurity \"{}\": {}",
                    policy.enforce,
                    r.detail()
                ),
                causes: Vec::new(),
            });
        }
    }
    let audit = result(policy.audit);
    if !audit.allowed() {
        recorder::annotate(
            format!("{PREFIX}audit-violations"),
            format!(
                "would violate PodSecurity \"{}\": {}",
                policy.audit,
                audit.detail()
            ),
        );
    }
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    let warn = result(policy.warn);
    if !warn.allowed() {
        recorder::warn(format!(
            "would violate PodSecurity \"{}\": {}",
            policy.warn,
            warn.detail()
        ));
    }
    Ok(())
}

/// `isSignificantPodUpdate`: a container or init container count or image changed, or an
/// ephemeral container was added or changed its image.
fn significant_update(pod: &Value, old: &Value) -> bool {
    let list = |v: &Value, key: &str| -> Vec<Value> {
        v.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let image = |c: &Value| {
        c.get("image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    for key in ["containers", "initContainers"] {
        if list(pod, key).len() != list(old, key).len() {
            return true;
        }
    }
    for key in ["containers", "initContainers"] {
        let changed = list(pod, key)
            .iter()
            .zip(list(old, key).iter())
            .any(|(a, b)| image(a) != image(b));
        if changed {
            return true;
        }
    }
    let name = |c: &Value| {
        c.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let old_ephemeral = list(old, "ephemeralContainers");
    list(pod, "ephemeralContainers").iter().any(|c| {
        match old_ephemeral.iter().find(|o| name(o) == name(c)) {
            None => true,
            Some(o) => image(o) != image(c),
        }
    })
}

#[cfg(test)]
mod tests;
