//! API field defaulting, as kube-apiserver applies it while decoding a request body (before
//! admission, and before `managedFields` are computed: defaulted fields belong to the writer).
//!
//! Besides the `SetDefaults_*` functions of `k8s.io/kubernetes/pkg/apis/*/v1`, this also
//! reproduces what the Go serialisation of a typed object always prints (struct-typed fields
//! without `omitempty`, such as a Node's `status.daemonEndpoints` or an Event's
//! `reportingComponent`), and what the v1 <-> internal conversion normalises (Secret
//! `stringData` folded into `data`, Pod `serviceAccount` mirroring `serviceAccountName`, Node
//! `podCIDRs` from `podCIDR`), so that the stored object is what a real server would store.

mod event;
mod namespace;
mod node;
/// Pod and pod-template defaults.
pub(crate) mod pod;
mod quantities;
mod rbac;
mod secret;
mod service;
mod storage;
mod workloads;

use std::fmt;

use serde_json::Value;

use crate::admission::json::object_at;

/// The label every namespace carries with its own name.
pub(crate) use namespace::NAME_LABEL as NAMESPACE_NAME_LABEL;

/// A request body that decoded as JSON but that the real server's typed decoder rejects.
///
/// The server answers `400 BadRequest` with [`DecodeError::status_message`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum DecodeError {
    /// A `[]byte` field (Secret `data`, ConfigMap `binaryData`) holds a value that is not
    /// standard base64.
    IllegalBase64 {
        /// The object kind, e.g. `Secret`.
        kind: String,
        /// The JSON field, e.g. `data[a]` (not part of the real message; for logs).
        field: String,
        /// The byte offset of the first illegal character in the value.
        offset: usize,
    },
    /// A resource quantity (`cpu: 1x`) that `resource.ParseQuantity` rejects.
    InvalidQuantity {
        /// The object kind, e.g. `Pod`.
        kind: String,
        /// The offending text (not part of the real message; for logs).
        value: String,
    },
}

/// The pattern Kubernetes quotes when a quantity does not parse.
const QUANTITY_PATTERN: &str = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";

impl DecodeError {
    /// The `message` of the 400 Status, exactly as kube-apiserver words it.
    pub(crate) fn status_message(&self) -> String {
        match self {
            DecodeError::IllegalBase64 { kind, offset, .. } => format!(
                "{kind} in version \"v1\" cannot be handled as a {kind}: illegal base64 data at input byte {offset}"
            ),
            DecodeError::InvalidQuantity { kind, .. } => format!(
                "{kind} in version \"v1\" cannot be handled as a {kind}: quantities must match the regular expression '{QUANTITY_PATTERN}'"
            ),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::IllegalBase64 {
                kind,
                field,
                offset,
            } => {
                write!(
                    f,
                    "{kind} {field}: illegal base64 data at input byte {offset}"
                )
            }
            DecodeError::InvalidQuantity { kind, value } => {
                write!(f, "{kind}: {value:?} is not a quantity")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Whether objects of `group` are typed Go structs (not custom resources).
fn is_builtin(group: &str) -> bool {
    group.is_empty()
        || group.ends_with(".k8s.io")
        || matches!(group, "apps" | "batch" | "policy" | "autoscaling")
}

/// A typed decode drops `null`s: a nil pointer, slice or map is omitted when re-serialised
/// (`creationTimestamp: null` from older kubectl disappears, as `omitzero` makes it since v1.33).
/// The fields Go prints as `null` anyway are added back by the per-kind defaults.
fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Applies the defaults of `group`/`resource` (plural, lower-case, as in the URL) to `obj`, an
/// object in its external JSON form.
///
/// Unknown resources are left alone. Call this for every decoded body: create, update (PUT) and
/// the result of a patch, as the real server decodes each of them.
///
/// # Errors
/// [`DecodeError`] when the body would not decode into the typed object.
pub(crate) fn apply(group: &str, resource: &str, obj: &mut Value) -> Result<(), DecodeError> {
    if !obj.is_object() {
        return Ok(());
    }
    if is_builtin(group) {
        strip_nulls(obj);
    }
    quantities::canonicalize(group, resource, obj)?;
    match (group, resource) {
        ("", "pods") => pod::pod(obj),
        ("", "podtemplates") => {
            if let Some(spec) = object_at(obj, &["template", "spec"]) {
                pod::pod_spec(spec);
            }
        }
        ("", "replicationcontrollers") => workloads::replication_controller(obj),
        ("", "namespaces") => namespace::namespace(obj),
        ("", "nodes") => node::node(obj),
        ("", "persistentvolumes") => storage::persistent_volume(obj),
        ("", "persistentvolumeclaims") => storage::persistent_volume_claim(obj),
        ("", "secrets") => secret::secret(obj)?,
        ("", "configmaps") => secret::config_map(obj)?,
        ("", "services") => service::service(obj),
        ("", "endpoints") => service::endpoints(obj),
        ("", "events") => event::core_event(obj),
        ("storage.k8s.io", "storageclasses") => storage::storage_class(obj),
        ("scheduling.k8s.io", "priorityclasses") => {
            if let Some(map) = obj.as_object_mut() {
                crate::admission::json::default_str(
                    map,
                    "preemptionPolicy",
                    "PreemptLowerPriority",
                );
                map.entry("value").or_insert(Value::from(0));
            }
        }
        ("rbac.authorization.k8s.io", "roles" | "clusterroles") => rbac::role(obj),
        ("rbac.authorization.k8s.io", "rolebindings" | "clusterrolebindings") => rbac::binding(obj),
        ("apps", "deployments") => workloads::deployment(obj),
        ("apps", "replicasets") => workloads::replica_set(obj),
        ("apps", "statefulsets") => workloads::stateful_set(obj),
        ("apps", "daemonsets") => workloads::daemon_set(obj),
        ("policy", "poddisruptionbudgets") => workloads::pod_disruption_budget(obj),
        _ => {}
    }
    Ok(())
}
