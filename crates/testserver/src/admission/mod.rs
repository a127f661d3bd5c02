//! Admission: what kube-apiserver does to a decoded object between decoding and storage,
//! apart from the type's own strategy (`registry`).
//!
//! The real request pipeline for a write, and where each step lives:
//!
//! 1. decode the body and apply API defaults: the type's `Strategy::default`, built from
//!    [`defaults`];
//! 2. compute `managedFields` (the `fields` module): defaulted fields belong to the writer,
//!    everything below does not;
//! 3. mutating admission plugins: [`admit`] (NamespaceLifecycle, LimitRanger, ServiceAccount,
//!    TaintNodesByCondition, Priority, DefaultTolerationSeconds, DefaultStorageClass,
//!    StorageObjectInUseProtection, RuntimeClass, DefaultIngressClass, then
//!    MutatingAdmissionWebhook, in the real order);
//! 4. the registry strategy (`PrepareForCreate`/`PrepareForUpdate`), `generateName`
//!    ([`names::generate`]), validation and `Canonicalize`;
//! 5. validating admission plugins: [`validate`] (create: LimitRanger, PodSecurity, Priority,
//!    RuntimeClass, CertificateSubjectRestriction, ValidatingAdmissionPolicy,
//!    ValidatingAdmissionWebhook, ResourceQuota) / [`validate_update`] (update: LimitRanger,
//!    PodSecurity, PersistentVolumeClaimResize,
//!    CertificateApproval, CertificateSigning, Priority, ValidatingAdmissionPolicy,
//!    ValidatingAdmissionWebhook, ResourceQuota); a delete's webhooks and policies run with the
//!    stored object from the store's delete path (`api::hooks::admit_delete_stored`);
//! 6. storage.
//!
//! `registry::pipeline` runs steps 3 to 5 in one call.
//!
//! Everything here but [`webhook`] (which calls webhooks over the network, see its bridge) is a
//! pure function over `serde_json::Value` objects in their external JSON form; the server
//! gives read access to its storage, and its authorizer's answers, through [`Lookup`], whose
//! one write ([`Lookup::write_status`]) is ResourceQuota charging a quota. The requesting user
//! is in [`Attributes::user`] (`None` for the server's own
//! writes: its controllers and bootstrap, which no plugin that asks the authorizer refuses).

/// The admission CEL environment: variables, the authorizer library, match conditions.
pub(crate) mod cel;
mod certificates;
mod default_ingress_class;
mod default_storage_class;
mod default_tolerations;
/// API field defaulting.
pub(crate) mod defaults;
mod error;
mod limit_ranger;
/// Which requests an admission webhook or policy selects.
pub(crate) mod matching;
/// Random name suffixes.
pub(crate) mod names;
mod namespace_lifecycle;
mod pod_security;
mod priority;
mod pvc_resize;
/// What validating admission adds to a request (warnings, audit annotations).
pub(crate) mod recorder;
/// ResourceQuota enforcement and the quota evaluators.
pub(crate) mod resource_quota;
mod runtime_class;
mod service_account;
mod storage_protection;
mod taint_nodes;
mod user;
/// The ValidatingAdmissionPolicy plugin.
pub(crate) mod validating_policy;
/// MutatingAdmissionWebhook and ValidatingAdmissionWebhook.
pub(crate) mod webhook;

use serde_json::Value;

pub(crate) use error::AdmissionError;
pub(crate) use user::{AuthzQuestion, UserInfo};

/// Read access to the server's stored objects, for the plugins that look things up
/// (ServiceAccounts, PriorityClasses, Namespaces, StorageClasses, LimitRanges, RuntimeClasses,
/// IngressClasses, ResourceQuotas), to its authorizer, for the plugins that ask it
/// (CertificateApproval, CertificateSigning), and one write: a quota's charged status.
///
/// `group` is the API group (`""` for core), `resource` the plural lower-case resource name,
/// `namespace` `None` for cluster-scoped resources. Objects are returned in external JSON form.
pub(crate) trait Lookup {
    /// The stored object, if it exists.
    fn get(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value>;
    /// Every stored object of the resource (in `namespace`, or all when `None`).
    fn list(&self, group: &str, resource: &str, namespace: Option<&str>) -> Vec<Value>;
    /// Whether the server's authorizer allows `user` what `question` asks.
    fn allows(&self, user: &UserInfo<'_>, question: &AuthzQuestion<'_>) -> bool;
    /// Writes `obj` (an object as [`get`](Lookup::get) or [`list`](Lookup::list) returned it,
    /// with a new `status`) through its `status` subresource, as the server itself, if the
    /// stored object's `metadata.resourceVersion` is still `obj`'s (a compare-and-swap): the one
    /// write admission makes, ResourceQuota charging `status.used`. A dry-run request's lookup
    /// answers `Ok` and writes nothing.
    ///
    /// # Errors
    /// [`StatusConflict`] when the object changed or is gone: read it again and retry.
    fn write_status(&self, group: &str, resource: &str, obj: &Value) -> Result<(), StatusConflict>;
    /// Every served group/version/resource stored with the request's resource, the request's
    /// own among them (`EquivalentResourceMapper.EquivalentResourcesFor`): Events in `v1` and
    /// `events.k8s.io/v1`, each served version of a custom resource. Empty when unknown.
    fn equivalents(&self, attrs: &Attributes<'_>) -> Vec<Equivalent> {
        let _ = attrs;
        Vec::new()
    }
    /// The resource serving `kind` in `group`/`version` and whether it is namespaced
    /// (`RESTMapper.RESTMapping`); `None` when no served resource has that kind.
    fn resource_for(&self, group: &str, version: &str, kind: &str) -> Option<(String, bool)> {
        let _ = (group, version, kind);
        None
    }
}

/// One served version of a stored resource (see [`Lookup::equivalents`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Equivalent {
    /// API group, `""` for core.
    pub(crate) group: String,
    /// API version.
    pub(crate) version: String,
    /// Plural resource name.
    pub(crate) resource: String,
    /// Kind of its objects.
    pub(crate) kind: String,
}

/// The stored object changed (or went away) since it was read: a [`Lookup::write_status`]
/// wrote nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatusConflict;

/// The kind of request, as admission plugins see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// POST, or a PATCH/PUT that creates.
    Create,
    /// PUT or PATCH of an existing object.
    Update,
    /// DELETE.
    Delete,
}

impl Operation {
    /// The name in admission rules and AdmissionReviews: `CREATE`, `UPDATE`, `DELETE`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
        }
    }
}

/// What is being done to which object: the admission "attributes" of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attributes<'a> {
    /// API group, `""` for core.
    pub(crate) group: &'a str,
    /// API version of the request's URL, e.g. `v1`.
    pub(crate) version: &'a str,
    /// Plural resource name, e.g. `pods`.
    pub(crate) resource: &'a str,
    /// Subresource, e.g. `status`, or `""`.
    pub(crate) subresource: &'a str,
    /// Kind of the resource, in `group`/`version` (the main resource's kind for a subresource
    /// too: `pods/status` is a `Pod`).
    pub(crate) kind: &'a str,
    /// The namespace of the request URL, `""` for cluster-scoped resources.
    pub(crate) namespace: &'a str,
    /// The name from the URL; `""` for a create (the name then comes from the object, before
    /// `generateName` is resolved).
    pub(crate) name: &'a str,
    /// The operation.
    pub(crate) operation: Operation,
    /// Who asks; `None` for the server's own writes.
    pub(crate) user: Option<UserInfo<'a>>,
}

impl Attributes<'_> {
    fn is(&self, group: &str, resource: &str) -> bool {
        self.group == group && self.resource == resource && self.subresource.is_empty()
    }
}

/// Runs the mutating admission plugins, in kube-apiserver's default order, on `obj` (the new
/// object; `None` for a delete or connect). `old` is the stored object for an update.
///
/// Call it after defaulting and `managedFields`, before the strategy and validation, with
/// `metadata.namespace` already set from the URL and *before* resolving `generateName`.
///
/// # Errors
/// The first plugin error, as the real server reports it (see [`AdmissionError`]).
pub(crate) fn admit(
    attrs: &Attributes<'_>,
    obj: Option<&mut Value>,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    namespace_lifecycle::admit(attrs, obj.as_deref(), lookup)?;
    let Some(obj) = obj else {
        return Ok(());
    };
    limit_ranger::admit(attrs, obj, old, lookup);
    service_account::admit(attrs, obj, lookup)?;
    taint_nodes::admit(attrs, obj);
    priority::admit(attrs, obj, old, lookup)?;
    default_tolerations::admit(attrs, obj);
    default_storage_class::admit(attrs, obj, lookup);
    storage_protection::admit(attrs, obj);
    runtime_class::admit(attrs, obj, lookup)?;
    default_ingress_class::admit(attrs, obj, lookup);
    webhook::admit(attrs, Some(obj), old, lookup)
}

/// Runs the validating admission plugins of an update, which may compare with the stored object
/// (PodSecurity, PersistentVolumeClaimResize), then those of [`validate`].
///
/// # Errors
/// The first plugin error (e.g. growing a claim whose class does not allow expansion).
pub(crate) fn validate_update(
    attrs: &Attributes<'_>,
    new: &Value,
    old: &Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    limit_ranger::validate(attrs, new, Some(old), lookup)?;
    pod_security::validate(attrs, new, Some(old), lookup)?;
    pvc_resize::validate(attrs, new, old, lookup)?;
    certificates::validate_update(attrs, new, old, lookup)?;
    validate(attrs, Some(new), lookup)?;
    validating_policy::validate(attrs, Some(new), Some(old), lookup)?;
    webhook::validate(attrs, Some(new), Some(old), lookup)?;
    resource_quota::validate(attrs, new, Some(old), lookup)
}

/// Runs the validating admission plugins (after the strategy's validation passed).
///
/// # Errors
/// The first plugin error (e.g. a second `globalDefault` PriorityClass).
pub(crate) fn validate(
    attrs: &Attributes<'_>,
    obj: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if let Some(obj) = obj {
        if attrs.operation == Operation::Create {
            limit_ranger::validate(attrs, obj, None, lookup)?;
            // an update's ran in `validate_update`, with the stored object
            pod_security::validate(attrs, obj, None, lookup)?;
        }
        priority::validate(attrs, obj, lookup)?;
        if attrs.operation == Operation::Create {
            runtime_class::validate(attrs, obj, lookup)?;
            certificates::validate_create(attrs, obj)?;
            validating_policy::validate(attrs, Some(obj), None, lookup)?;
            webhook::validate(attrs, Some(obj), None, lookup)?;
            resource_quota::validate(attrs, obj, None, lookup)?;
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests;
