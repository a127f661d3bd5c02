//! The validation rules of the real server, with its field errors and messages: the generic
//! `ObjectMeta` checks ([`object_meta`], [`object_meta_update`]) and each type's own checks
//! (`pod::validate`, `service::validate_update`, ...), the per-type `Validate*` functions of
//! `k8s.io/kubernetes/pkg/apis/*/validation`.
//!
//! Which checks a type runs, and in which order, is its strategy's business (`registry`);
//! nothing here is keyed by resource name.

/// ValidatingAdmissionPolicy and binding checks.
pub(crate) mod admission_policy;
/// Rules and match conditions of admissionregistration.k8s.io types.
mod admission_rules;
/// APIService checks.
pub(crate) mod api_service;
/// ReplicaSet and DaemonSet checks, and what StatefulSets share with them.
pub(crate) mod apps;
/// Status checks of the replicated workloads.
pub(crate) mod apps_status;
/// HorizontalPodAutoscaler checks.
pub(crate) mod autoscaling;
/// PersistentVolumeClaim spec checks (claims and claim templates).
pub(crate) mod claim_spec;
/// The pieces status checks are built from (counters, conditions, IPs).
pub(crate) mod common_status;
/// ConfigMap checks.
pub(crate) mod configmap;
/// ControllerRevision checks.
pub(crate) mod controller_revision;
/// Namespace, Node, Lease, PriorityClass and RBAC checks.
pub(crate) mod core_misc;
/// Status checks of core and networking types.
pub(crate) mod core_status;
/// CronJob schedules as robfig/cron parses them.
mod cron;
/// CronJob checks.
pub(crate) mod cron_jobs;
/// CSIDriver, CSINode and CSIStorageCapacity checks.
pub(crate) mod csi;
/// CertificateSigningRequest checks.
pub(crate) mod csr;
mod csr_diff;
/// PEM and PKCS#10 as Go reads them.
pub(crate) mod csr_pem;
/// CertificateSigningRequest status and approval checks.
pub(crate) mod csr_status;
/// EndpointSlice checks.
pub(crate) mod endpoint_slices;
/// Endpoints checks.
pub(crate) mod endpoints;
/// Event checks, in both API versions.
pub(crate) mod event;
mod field_error;
/// FlowSchema and PriorityLevelConfiguration checks.
pub(crate) mod flow_control;
/// Go's `net/url.Parse`, as webhook URLs are checked with it.
pub(crate) mod go_url;
/// The Go-struct dump and unified diff of immutability errors.
pub(crate) mod godump;
mod int_or_percent;
mod invalid;
/// IPAddress and ServiceCIDR checks.
pub(crate) mod ip_addresses;
/// The Job spec's policies and formats.
mod job_policies;
/// Job status checks.
pub(crate) mod job_status;
/// Job checks.
pub(crate) mod jobs;
/// LimitRange checks.
pub(crate) mod limit_range;
mod meta;
/// Name and key syntax checks with the real explanations.
pub(crate) mod names;
/// Ports, CIDRs and wildcard hosts.
pub(crate) mod net;
/// NetworkPolicy, Ingress and IngressClass checks.
pub(crate) mod networking;
mod options;
/// Pod checks.
pub(crate) mod pod;
/// Pod status update checks.
pub(crate) mod pod_status;
/// Pod template checks.
pub(crate) mod pod_template;
/// Pod update checks.
pub(crate) mod pod_update;
/// PodDisruptionBudget checks.
pub(crate) mod policy;
/// PodDisruptionBudget, HorizontalPodAutoscaler and flow-control status checks.
pub(crate) mod policy_status;
/// ReplicationController checks.
pub(crate) mod replication_controller;
mod request;
/// resource.k8s.io (dynamic resource allocation) checks and defaults.
pub(crate) mod resource;
/// ResourceClaim and ResourceClaimTemplate update checks.
pub(crate) mod resource_claim;
/// ResourceClaim status checks.
pub(crate) mod resource_claim_status;
/// ResourceQuota checks.
pub(crate) mod resource_quota;
/// Resource names and amounts of resource lists.
pub(crate) mod resources;
/// RuntimeClass checks.
pub(crate) mod runtime_classes;
/// Secret checks.
pub(crate) mod secret;
/// Label selectors: their rules and matching.
pub(crate) mod selector;
/// Service checks.
pub(crate) mod service;
/// StatefulSet checks.
pub(crate) mod stateful_set;
/// PersistentVolume, PersistentVolumeClaim and StorageClass checks.
pub(crate) mod storage;
/// VolumeAttachment and VolumeAttributesClass checks.
pub(crate) mod volume_attachments;
/// Webhook configuration checks.
pub(crate) mod webhooks;
/// Deployment checks.
pub(crate) mod workloads;

use serde_json::Value;

#[cfg(test)]
pub(crate) use field_error::texts;
pub(crate) use field_error::{BadValue, ErrorKind, FieldError, go_quote};
pub(crate) use invalid::Invalid;
pub(crate) use meta::NameRule;
pub(crate) use options::{
    ListOptions, PodLogOptions, delete_options, list_options, patch_options, pod_log_options,
    write_options,
};
pub(crate) use request::{token_request, type_meta_mismatch};

/// `ValidateObjectMeta` of a new object.
pub(crate) fn object_meta(obj: &Value, namespaced: bool, rule: NameRule) -> Vec<FieldError> {
    meta::validate(obj, namespaced, rule)
}

/// `ValidateObjectMetaUpdate`.
pub(crate) fn object_meta_update(new: &Value, old: &Value) -> Vec<FieldError> {
    meta::validate_update(new, old)
}

/// `ValidateObjectMetaAccessor` of a custom resource or CRD (lowercase RFC 1123 subdomain
/// names; finalizers need only be qualified names, the core types' rule is not applied),
/// plus `ValidateObjectMetaUpdate` when `old` is the stored object of an update.
pub(crate) fn custom_object_meta(
    obj: &Value,
    namespaced: bool,
    old: Option<&Value>,
) -> Vec<FieldError> {
    let mut errs = meta::validate_with(obj, namespaced, NameRule::Subdomain, false);
    if let Some(old) = old {
        errs.extend(meta::validate_update(obj, old));
    }
    errs
}
