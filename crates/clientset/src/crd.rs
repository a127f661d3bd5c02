//! CustomResourceDefinitions of several versions merged into one: [`merge_crds`].
//!
//! `#[derive(CustomResource)]` makes one CRD per version of a kind (`v1alpha1::Foo::crd()`,
//! `v1::Foo::crd()`); the API server wants one CRD holding every version, exactly one of them
//! the storage version, and the group, names and scope shared. [`merge_crds`] checks that
//! and says which CRD, version or field is at fault when it does not hold.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// Why [`merge_crds`] refused.
///
/// ```
/// use kubeset_clientset::crd::MergeError;
///
/// let err = MergeError::NoStorageVersion { crd: "foos.example.com".into(), version: "v2".into() };
/// assert_eq!(err.to_string(), "no version of foos.example.com is v2, the storage version asked for");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// No CRDs were given.
    #[error("no CustomResourceDefinitions to merge")]
    Empty,
    /// Two CRDs are of different kinds (their names, `<plural>.<group>`, differ).
    #[error("{other} is not of the kind of {first}")]
    DifferentKinds {
        /// The first CRD's name.
        first: String,
        /// The name of the one that differs.
        other: String,
    },
    /// Two CRDs of one kind disagree on a field the versions share (`spec.scope`,
    /// `spec.names`): the version given later says otherwise.
    #[error("version {version} of {crd} has another {field} than the versions before it")]
    Mismatch {
        /// The CRD's name.
        crd: String,
        /// The version whose CRD differs.
        version: String,
        /// The field, e.g. `spec.scope`.
        field: &'static str,
    },
    /// A version is in two of the CRDs.
    #[error("version {version} of {crd} is given twice")]
    DuplicateVersion {
        /// The CRD's name.
        crd: String,
        /// The version.
        version: String,
    },
    /// No CRD holds the storage version asked for.
    #[error("no version of {crd} is {version}, the storage version asked for")]
    NoStorageVersion {
        /// The CRD's name.
        crd: String,
        /// The storage version asked for.
        version: String,
    },
}

/// One CustomResourceDefinition from the CRDs of several versions of one kind: every version
/// served, `storage_version` the only storage version; group, names and scope from the CRDs
/// (which must agree on them).
///
/// ```
/// use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
/// use kubeset_clientset::crd::{MergeError, merge_crds};
///
/// fn crd(version: &str) -> CustomResourceDefinition {
///     serde_json::from_value(serde_json::json!({
///         "metadata": {"name": "gadgets.example.com"},
///         "spec": {"group": "example.com", "scope": "Namespaced",
///             "names": {"plural": "gadgets", "kind": "Gadget"},
///             "versions": [{"name": version, "served": true, "storage": true}]},
///     }))
///     .unwrap()
/// }
///
/// let merged = merge_crds(vec![crd("v1alpha1"), crd("v1")], "v1")?;
/// let stored: Vec<_> = merged.spec.versions.iter().filter(|v| v.storage).map(|v| &v.name).collect();
/// assert_eq!(stored, ["v1"]);
///
/// let twice = merge_crds(vec![crd("v1"), crd("v1")], "v1").unwrap_err();
/// assert!(matches!(twice, MergeError::DuplicateVersion { version, .. } if version == "v1"));
/// # Ok::<(), MergeError>(())
/// ```
///
/// With the derive, one type per version (one module each):
/// `merge_crds(vec![v1alpha1::Gadget::crd(), v1::Gadget::crd()], "v1")`.
pub fn merge_crds(
    crds: Vec<CustomResourceDefinition>,
    storage_version: &str,
) -> Result<CustomResourceDefinition, MergeError> {
    let mut crds = crds.into_iter();
    let Some(mut merged) = crds.next() else {
        return Err(MergeError::Empty);
    };
    let name = merged.metadata.name.clone().unwrap_or_default();
    for crd in crds {
        let other = crd.metadata.name.clone().unwrap_or_default();
        if other != name {
            return Err(MergeError::DifferentKinds { first: name, other });
        }
        let version = crd
            .spec
            .versions
            .first()
            .map(|v| v.name.clone())
            .unwrap_or_default();
        let mismatch = |field| MergeError::Mismatch {
            crd: name.clone(),
            version: version.clone(),
            field,
        };
        if crd.spec.scope != merged.spec.scope {
            return Err(mismatch("spec.scope"));
        }
        if crd.spec.names != merged.spec.names {
            return Err(mismatch("spec.names"));
        }
        for v in crd.spec.versions {
            if merged.spec.versions.iter().any(|m| m.name == v.name) {
                return Err(MergeError::DuplicateVersion {
                    crd: name,
                    version: v.name,
                });
            }
            merged.spec.versions.push(v);
        }
    }
    if !merged
        .spec
        .versions
        .iter()
        .any(|v| v.name == storage_version)
    {
        return Err(MergeError::NoStorageVersion {
            crd: name,
            version: storage_version.to_owned(),
        });
    }
    for v in &mut merged.spec.versions {
        v.served = true;
        v.storage = v.name == storage_version;
    }
    Ok(merged)
}
