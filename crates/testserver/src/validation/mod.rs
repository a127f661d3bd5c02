//! Create and update validation, with the field errors and messages of the real server.
//!
//! [`validate_create`] and [`validate_update`] reproduce the registry's `BeforeCreate` /
//! `BeforeUpdate` validation for the resources the test server serves: the per-resource
//! `Validate*` functions of `k8s.io/kubernetes/pkg/apis/*/validation` plus the generic
//! `ObjectMeta` checks, in the order the real server runs them (so causes line up, duplicates
//! included: on update the metadata checks run twice, as they do upstream).
//!
//! Call after the registry strategy (`admission::strategy`), with `generateName` resolved and,
//! for an update, `metadata.resourceVersion` set (the stored one for an unconditional update).

mod apps;
mod configmap;
mod core_misc;
mod field_error;
/// The Go-struct dump and unified diff of immutability errors.
pub(crate) mod godump;
mod invalid;
mod meta;
/// Name and key syntax checks with the real explanations.
pub(crate) mod names;
mod options;
mod pod;
mod pod_update;
mod request;
mod secret;
mod service;
mod storage;
mod workloads;

use serde_json::Value;

pub(crate) use field_error::{BadValue, ErrorKind, FieldError, go_quote};
pub(crate) use invalid::Invalid;
pub(crate) use meta::NameRule;
pub(crate) use options::{
    ListOptions, PodLogOptions, delete_options, list_options, patch_options, pod_log_options,
    self_subject_access_review, write_options,
};
pub(crate) use request::{token_request, type_meta_mismatch};

/// What validation knows about a resource.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceInfo {
    /// The kind, e.g. `Pod`.
    pub(crate) kind: &'static str,
    /// Whether objects live in a namespace.
    pub(crate) namespaced: bool,
    /// How names are checked.
    pub(crate) name_rule: NameRule,
}

/// The kind, scope and name rule of `group`/`resource`, for the resources validation knows.
pub(crate) fn resource_info(group: &str, resource: &str) -> Option<ResourceInfo> {
    use NameRule::{Dns1035, Label, PathSegment, Subdomain};
    let (kind, namespaced, name_rule) = match (group, resource) {
        ("", "pods") => ("Pod", true, Subdomain),
        ("", "nodes") => ("Node", false, Subdomain),
        ("", "namespaces") => ("Namespace", false, Label),
        ("", "configmaps") => ("ConfigMap", true, Subdomain),
        ("", "secrets") => ("Secret", true, Subdomain),
        ("", "serviceaccounts") => ("ServiceAccount", true, Subdomain),
        ("", "services") => ("Service", true, Dns1035),
        ("", "endpoints") => ("Endpoints", true, Subdomain),
        ("", "events") => ("Event", true, PathSegment),
        ("", "persistentvolumes") => ("PersistentVolume", false, PathSegment),
        ("", "persistentvolumeclaims") => ("PersistentVolumeClaim", true, Subdomain),
        ("storage.k8s.io", "storageclasses") => ("StorageClass", false, Subdomain),
        ("coordination.k8s.io", "leases") => ("Lease", true, Subdomain),
        ("scheduling.k8s.io", "priorityclasses") => ("PriorityClass", false, Subdomain),
        ("rbac.authorization.k8s.io", "roles") => ("Role", true, PathSegment),
        ("rbac.authorization.k8s.io", "clusterroles") => ("ClusterRole", false, PathSegment),
        ("rbac.authorization.k8s.io", "rolebindings") => ("RoleBinding", true, PathSegment),
        ("rbac.authorization.k8s.io", "clusterrolebindings") => {
            ("ClusterRoleBinding", false, PathSegment)
        }
        ("apps", "deployments") => ("Deployment", true, Subdomain),
        ("apps", "replicasets") => ("ReplicaSet", true, Subdomain),
        ("apps", "statefulsets") => ("StatefulSet", true, Label),
        ("apps", "daemonsets") => ("DaemonSet", true, Subdomain),
        // ObjectMeta only (no spec rules yet): the name rules of their ValidateXName
        ("apps", "controllerrevisions") => ("ControllerRevision", true, Subdomain),
        ("", "replicationcontrollers") => ("ReplicationController", true, Subdomain),
        ("", "podtemplates") => ("PodTemplate", true, Subdomain),
        ("", "limitranges") => ("LimitRange", true, Subdomain),
        ("", "resourcequotas") => ("ResourceQuota", true, Subdomain),
        ("batch", "jobs") => ("Job", true, Subdomain),
        ("batch", "cronjobs") => ("CronJob", true, Subdomain),
        ("autoscaling", "horizontalpodautoscalers") => ("HorizontalPodAutoscaler", true, Subdomain),
        ("networking.k8s.io", "ingresses") => ("Ingress", true, Subdomain),
        ("networking.k8s.io", "ingressclasses") => ("IngressClass", false, Subdomain),
        ("networking.k8s.io", "networkpolicies") => ("NetworkPolicy", true, Subdomain),
        ("discovery.k8s.io", "endpointslices") => ("EndpointSlice", true, Subdomain),
        ("node.k8s.io", "runtimeclasses") => ("RuntimeClass", false, Subdomain),
        ("policy", "poddisruptionbudgets") => ("PodDisruptionBudget", true, Subdomain),
        ("events.k8s.io", "events") => ("Event", true, PathSegment),
        _ => return None,
    };
    Some(ResourceInfo {
        kind,
        namespaced,
        name_rule,
    })
}

fn result(
    group: &str,
    info: &ResourceInfo,
    obj: &Value,
    errors: Vec<FieldError>,
) -> Result<(), Invalid> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid::new(
            group,
            info.kind,
            crate::admission::json::name(obj),
            errors,
        ))
    }
}

/// The resource-specific checks of a new object (without `ObjectMeta`).
fn spec_errors(group: &str, resource: &str, obj: &Value) -> Vec<FieldError> {
    match (group, resource) {
        ("", "pods") => pod::validate(obj),
        ("", "configmaps") => configmap::validate(obj),
        ("", "services") => service::validate(obj),
        ("apps", "deployments") => workloads::deployment(obj),
        ("apps", "replicasets") => apps::replica_set(obj),
        ("apps", "statefulsets") => apps::stateful_set(obj),
        ("apps", "daemonsets") => apps::daemon_set(obj),
        ("", "secrets") => secret::validate(obj),
        ("", "namespaces") => core_misc::namespace(obj),
        ("", "nodes") => core_misc::node(obj),
        ("", "events") => core_misc::event(obj),
        ("events.k8s.io", "events") => core_misc::events_v1(obj),
        ("", "persistentvolumes") => storage::persistent_volume(obj),
        ("", "persistentvolumeclaims") => storage::persistent_volume_claim(obj),
        ("storage.k8s.io", "storageclasses") => storage::storage_class(obj),
        ("coordination.k8s.io", "leases") => core_misc::lease(obj),
        ("scheduling.k8s.io", "priorityclasses") => core_misc::priority_class(obj),
        ("rbac.authorization.k8s.io", "roles" | "clusterroles") => core_misc::role(obj),
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => {
            core_misc::role_binding(obj, resource == "rolebindings")
        }
        _ => Vec::new(),
    }
}

/// The full validation of a new object: `ObjectMeta` then the resource checks (events run their
/// own checks first and the generic metadata checks only when those pass, as upstream).
fn object_errors(group: &str, resource: &str, info: &ResourceInfo, obj: &Value) -> Vec<FieldError> {
    if resource == "events" {
        let errs = spec_errors(group, resource, obj);
        if !errs.is_empty() {
            return errs;
        }
        return meta::validate(obj, info.namespaced, info.name_rule);
    }
    let mut errs = meta::validate(obj, info.namespaced, info.name_rule);
    errs.extend(spec_errors(group, resource, obj));
    errs
}

/// Validates a new object of `group`/`resource` (plural) before it is stored.
///
/// Resources validation does not know pass.
///
/// # Errors
/// [`Invalid`] with every field error, rendered by the server as a 422 Status.
pub(crate) fn validate_create(group: &str, resource: &str, obj: &Value) -> Result<(), Invalid> {
    let Some(info) = resource_info(group, resource) else {
        return Ok(());
    };
    result(
        group,
        &info,
        obj,
        object_errors(group, resource, &info, obj),
    )
}

/// Validates an update of `old` to `new` (`subresource` `""` or `status`).
///
/// # Errors
/// [`Invalid`] with every field error.
pub(crate) fn validate_update(
    group: &str,
    resource: &str,
    subresource: &str,
    new: &Value,
    old: &Value,
) -> Result<(), Invalid> {
    let Some(info) = resource_info(group, resource) else {
        return Ok(());
    };
    // validateCommonFields: the new metadata, then the metadata update rules.
    let mut errs = meta::validate(new, info.namespaced, info.name_rule);
    errs.extend(meta::validate_update(new, old));
    // The strategy's ValidateUpdate, which starts with the metadata update rules again.
    errs.extend(meta::validate_update(new, old));
    if subresource.is_empty() {
        errs.extend(update_errors(group, resource, &info, new, old));
    }
    result(group, &info, new, errs)
}

fn update_errors(
    group: &str,
    resource: &str,
    info: &ResourceInfo,
    new: &Value,
    old: &Value,
) -> Vec<FieldError> {
    match (group, resource) {
        ("", "pods") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(pod_update::validate(new, old));
            errs
        }
        ("", "configmaps") => {
            let mut errs = configmap::validate_update(new, old);
            errs.extend(object_errors(group, resource, info, new));
            errs
        }
        ("", "secrets") => {
            let mut errs = secret::validate_update(new, old);
            errs.extend(object_errors(group, resource, info, new));
            errs
        }
        ("", "persistentvolumeclaims") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(storage::persistent_volume_claim_update(new, old));
            errs
        }
        ("", "persistentvolumes") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(storage::persistent_volume_update(new, old));
            errs
        }
        ("storage.k8s.io", "storageclasses") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(storage::storage_class_update(new, old));
            errs
        }
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(core_misc::role_binding_update(new, old));
            errs
        }
        ("scheduling.k8s.io", "priorityclasses") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(core_misc::priority_class_update(new, old));
            errs
        }
        ("", "services") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(service::validate_update(new, old));
            errs
        }
        ("apps", "deployments") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(workloads::deployment_update(new, old));
            errs
        }
        ("apps", "statefulsets") => {
            let mut errs = object_errors(group, resource, info, new);
            errs.extend(apps::stateful_set_update(new, old));
            errs
        }
        _ => object_errors(group, resource, info, new),
    }
}

/// `ValidateObjectMetaAccessor` of a custom resource or CRD (lowercase RFC 1123 subdomain
/// names), plus `ValidateObjectMetaUpdate` when `old` is the stored object of an update.
pub(crate) fn custom_object_meta(
    obj: &Value,
    namespaced: bool,
    old: Option<&Value>,
) -> Vec<FieldError> {
    let mut errs = meta::validate(obj, namespaced, NameRule::Subdomain);
    if let Some(old) = old {
        errs.extend(meta::validate_update(obj, old));
    }
    errs
}

#[cfg(test)]
mod tests;
