//! The fields a `status` subresource write resets besides `spec` (so never owns), from each
//! status strategy's `GetResetFields` in kube-apiserver v1.36 (`pkg/registry/...`). The main
//! resource's writes reset `status` for every kind with a status subresource, which the
//! generated table knows.

/// `(apiVersion, kind, dot-separated paths)`; kinds not listed reset only `spec`.
static RESETS: &[(&str, &str, &[&str])] = &[
    // pkg/registry/core/pod/strategy.go podStatusStrategy.GetResetFields
    (
        "v1",
        "Pod",
        &["metadata.deletionTimestamp", "metadata.ownerReferences"],
    ),
    // pkg/registry/apps/deployment/strategy.go deploymentStatusStrategy.GetResetFields
    ("apps/v1", "Deployment", &["metadata.labels"]),
];

/// The further paths a status write of `kind` in `api_version` resets.
pub(super) fn status_reset_extra(api_version: &str, kind: &str) -> &'static [&'static str] {
    RESETS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map_or(&[], |(_, _, paths)| paths)
}
