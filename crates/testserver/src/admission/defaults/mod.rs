//! API field defaulting, as kube-apiserver applies it while decoding a request body (before
//! admission, and before `managedFields` are computed: defaulted fields belong to the writer).
//!
//! Besides the `SetDefaults_*` functions of `k8s.io/kubernetes/pkg/apis/*/v1`, this also
//! reproduces what the Go serialisation of a typed object always prints (struct-typed fields
//! without `omitempty`, such as a Node's `status.daemonEndpoints` or an Event's
//! `reportingComponent`), and what the v1 <-> internal conversion normalises (Secret
//! `stringData` folded into `data`, Pod `serviceAccount` mirroring `serviceAccountName`, Node
//! `podCIDRs` from `podCIDR`), so that the stored object is what a real server would store.

/// Event defaults.
pub(crate) mod event;
/// Job and CronJob defaults.
pub(crate) mod jobs;
/// ResourceQuota and LimitRange decoding and defaults.
pub(crate) mod limits;
/// Namespace defaults.
pub(crate) mod namespace;
/// Node defaults.
pub(crate) mod node;
/// Pod and pod-template defaults.
pub(crate) mod pod;
/// Canonical resource quantities.
pub(crate) mod quantities;
/// RBAC defaults.
pub(crate) mod rbac;
/// Secret and ConfigMap decoding.
pub(crate) mod secret;
/// Service and Endpoints defaults.
pub(crate) mod service;
/// PersistentVolume, PersistentVolumeClaim and StorageClass defaults.
pub(crate) mod storage;
/// Workload defaults.
pub(crate) mod workloads;

use std::fmt;

use serde_json::Value;

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

/// A typed decode drops `null`s: a nil pointer, slice or map is omitted when re-serialised
/// (`creationTimestamp: null` from older kubectl disappears, as `omitzero` makes it since v1.33).
/// The fields Go prints as `null` anyway are added back by the per-kind defaults.
pub(crate) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
