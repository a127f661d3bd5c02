//! The fields a `status` subresource write resets besides `spec` (so never owns), from each
//! status strategy's `GetResetFields` in kube-apiserver v1.36. The main resource's writes
//! reset `status` for every kind with a status subresource, which the generated table knows.
//!
//! Not modelled: strategies whose `GetResetFields` lacks the served version (the
//! ValidatingAdmissionPolicy status strategy lists only v1alpha1 and v1beta1, so a v1 status
//! write resets nothing there); the test server resets `spec` for them too.

use crate::fields::fieldset::Step;

/// `(group, kind, dot-separated paths)`; kinds not listed reset only `spec`. Every version of
/// a listed kind resets the same paths.
static RESETS: &[(&str, &str, &[&str])] = &[
    // pkg/registry/core/pod/strategy.go podStatusStrategy.GetResetFields
    (
        "",
        "Pod",
        &["metadata.deletionTimestamp", "metadata.ownerReferences"],
    ),
    // pkg/registry/apps/deployment/strategy.go deploymentStatusStrategy.GetResetFields
    ("apps", "Deployment", &["metadata.labels"]),
    // The status strategies that call metav1.ResetObjectMetaForStatus reset all of metadata:
    // pkg/registry/flowcontrol/flowschema/strategy.go flowSchemaStatusStrategy
    ("flowcontrol.apiserver.k8s.io", "FlowSchema", &["metadata"]),
    // pkg/registry/flowcontrol/prioritylevelconfiguration/strategy.go
    (
        "flowcontrol.apiserver.k8s.io",
        "PriorityLevelConfiguration",
        &["metadata"],
    ),
    // kube-aggregator pkg/registry/apiservice/strategy.go apiServerStatusStrategy
    ("apiregistration.k8s.io", "APIService", &["metadata"]),
    // pkg/registry/storage/volumeattachment/strategy.go volumeAttachmentStatusStrategy
    ("storage.k8s.io", "VolumeAttachment", &["metadata"]),
    // pkg/registry/resource/resourceclaim/strategy.go resourceclaimStatusStrategy
    ("resource.k8s.io", "ResourceClaim", &["metadata"]),
    // apiextensions-apiserver pkg/registry/customresourcedefinition/strategy.go statusStrategy
    (
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        &["metadata"],
    ),
];

/// The subresources whose strategy keeps only some paths of a write
/// (`GetResetFieldsFilter` with `fieldpath.NewIncludeMatcherFilter`):
/// `(group, kind, subresource, prefixes)`.
static KEPT: &[(&str, &str, &str, &[&[Step]])] = &[
    // pkg/registry/core/pod/strategy.go EphemeralContainersStrategy
    (
        "",
        "Pod",
        "ephemeralcontainers",
        &[&[Step::Field("spec"), Step::Field("ephemeralContainers")]],
    ),
    // pkg/registry/core/pod/strategy.go ResizeStrategy
    (
        "",
        "Pod",
        "resize",
        &[
            &[
                Step::Field("spec"),
                Step::Field("containers"),
                Step::Any,
                Step::Field("resources"),
            ],
            &[
                Step::Field("spec"),
                Step::Field("containers"),
                Step::Any,
                Step::Field("resizePolicy"),
            ],
        ],
    ),
];

/// The only paths a write to `subresource` of `kind` in `group` may own, when its strategy
/// says so.
pub(crate) fn kept_prefixes(
    group: &str,
    kind: &str,
    subresource: &str,
) -> Option<&'static [&'static [Step]]> {
    KEPT.iter()
        .find(|(g, k, s, _)| *g == group && *k == kind && *s == subresource)
        .map(|(.., prefixes)| *prefixes)
}

/// The further paths a status write of `kind` in `group` resets.
pub(super) fn status_reset_extra(group: &str, kind: &str) -> &'static [&'static str] {
    RESETS
        .iter()
        .find(|(g, k, _)| *g == group && *k == kind)
        .map_or(&[], |(_, _, paths)| paths)
}

#[cfg(test)]
mod tests {
    use crate::fields::schema::lookup;

    #[test]
    fn status_writes_reset_what_the_status_strategies_reset() {
        let schema = lookup("flowcontrol.apiserver.k8s.io/v1", "FlowSchema").unwrap();
        assert_eq!(
            schema.reset_paths(Some("status")),
            vec![vec!["spec"], vec!["metadata"]]
        );
        let job = lookup("batch/v1", "Job").unwrap();
        assert_eq!(job.reset_paths(Some("status")), vec![vec!["spec"]]);
        assert_eq!(job.reset_paths(None), vec![vec!["status"]]);
        let role = lookup("rbac.authorization.k8s.io/v1", "Role").unwrap();
        assert!(role.reset_paths(Some("status")).is_empty());
    }
}
