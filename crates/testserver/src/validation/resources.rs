//! Resource names and amounts of a `ResourceList` (`pkg/apis/core/validation`:
//! `validateResourceName`, `validateContainerResourceName`, `ValidateResourceQuotaResourceName`,
//! `ValidateResourceQuantityValue`; `pkg/apis/core/helper`: the standard, integer, native and
//! extended resource names).
//!
//! Guarantee: a name is judged exactly as the helpers of kube-apiserver v1.36 judge it; the
//! values inside messages are printed as `field.Error` prints them (a resource name or a
//! quantity as its Go JSON, a quantity's `String()` as a quoted Go string).

use serde_json::Value;

use super::field_error::BadValue;
use super::{FieldError, godump, names};
use crate::shared::quantity::Quantity;

/// `must be greater than or equal to 0`.
const NEGATIVE: &str = "must be greater than or equal to 0";

/// The object counts the quota system tracks (`integerResources`).
const INTEGER_RESOURCES: [&str; 9] = [
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

/// The compute resources and object counts a quota may name (`standardQuotaResources`).
const STANDARD_QUOTA: [&str; 19] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "persistentvolumeclaims",
    "configmaps",
    "services.nodeports",
    "services.loadbalancers",
];

/// The unprefixed resources a container may request (`standardContainerResources`).
const STANDARD_CONTAINER: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];

/// A resource name as `field.Error` prints a `core.ResourceName` (its Go JSON).
pub(crate) fn name_value(name: &str) -> BadValue {
    BadValue::Raw(godump::go_string(name))
}

/// `IsHugePageResourceName`.
fn is_huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsQuotaHugePageResourceName`.
fn is_quota_huge_pages(name: &str) -> bool {
    is_huge_pages(name) || name.starts_with("requests.hugepages-")
}

/// `IsStandardQuotaResourceName`.
pub(crate) fn is_standard_quota(name: &str) -> bool {
    STANDARD_QUOTA.contains(&name) || is_quota_huge_pages(name)
}

/// `IsStandardResourceName`: the quota names and `storage`.
fn is_standard(name: &str) -> bool {
    is_standard_quota(name) || name == "storage"
}

/// `IsNativeResource`: unprefixed, or in a `kubernetes.io/` namespace.
pub(crate) fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsExtendedResourceName`: prefixed outside `kubernetes.io/`, not a `requests.` quota name,
/// and a qualified name once `requests.` is put in front.
fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && names::qualified_name(&format!("requests.{name}")).is_empty()
}

/// `IsIntegerResourceName`: object counts and extended resources.
fn is_integer(name: &str) -> bool {
    INTEGER_RESOURCES.contains(&name) || is_extended(name)
}

/// `IsOvercommitAllowed`: native resources other than huge pages.
pub(crate) fn is_overcommit_allowed(name: &str) -> bool {
    is_native(name) && !is_huge_pages(name)
}

fn invalid(path: &str, name: &str, msg: impl Into<String>) -> FieldError {
    FieldError::invalid(path, name_value(name), msg)
}

/// `validateResourceName`: a qualified name; unprefixed, a standard resource.
pub(crate) fn resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let errs: Vec<FieldError> = names::qualified_name(name)
        .into_iter()
        .map(|m| invalid(path, name, m))
        .collect();
    if !errs.is_empty() || name.contains('/') || is_standard(name) {
        return errs;
    }
    vec![invalid(
        path,
        name,
        "must be a standard resource type or fully qualified",
    )]
}

/// `validateContainerResourceName`: [`resource_name`], then unprefixed names must be
/// container resources and prefixed ones outside `kubernetes.io/` extended resources.
pub(crate) fn container_resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = resource_name(name, path);
    if !name.contains('/') {
        if !(STANDARD_CONTAINER.contains(&name) || is_huge_pages(name)) {
            errs.push(invalid(
                path,
                name,
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push(invalid(
            path,
            name,
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// `ValidateResourceQuotaResourceName`: [`resource_name`], then unprefixed names must be
/// known to the quota system.
pub(crate) fn quota_resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = resource_name(name, path);
    if !name.contains('/') && !is_standard_quota(name) {
        errs.push(invalid(path, name, "must be a standard resource for quota"));
    }
    errs
}

/// The quantity a `ResourceList` value holds (`None` when it does not parse; decoding
/// refuses those before validation).
pub(crate) fn quantity(v: &Value) -> Option<Quantity> {
    v.as_str().and_then(Quantity::parse)
}

/// A quantity as `field.Error` prints a `resource.Quantity` (its JSON: the canonical text).
pub(crate) fn quantity_value(v: &Value) -> BadValue {
    BadValue::Raw(godump::go_string(v.as_str().unwrap_or("")))
}

/// `ValidateResourceQuantityValue`: not negative; whole for integer resources.
pub(crate) fn amount(name: &str, path: &str, v: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(q) = quantity(v) else {
        return errs;
    };
    if q < Quantity::ZERO {
        errs.push(FieldError::invalid(
            path,
            v.as_str().unwrap_or(""),
            NEGATIVE,
        ));
    }
    if is_integer(name) && !q.is_whole() {
        errs.push(FieldError::invalid(
            path,
            quantity_value(v),
            "must be an integer",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    /// `ValidateResourceQuotaResourceName` with `validateResourceName`.
    #[test]
    fn quota_names() {
        assert!(quota_resource_name("requests.hugepages-2Mi", "p").is_empty());
        assert!(quota_resource_name("example.com/gpu", "p").is_empty());
        assert_eq!(
            texts(quota_resource_name("storage", "p")),
            ["p: Invalid value: \"storage\": must be a standard resource for quota"]
        );
        assert_eq!(
            texts(quota_resource_name("bogus", "p")),
            [
                "p: Invalid value: \"bogus\": must be a standard resource type or fully qualified",
                "p: Invalid value: \"bogus\": must be a standard resource for quota",
            ]
        );
    }

    /// `validateContainerResourceName`: unprefixed names are container resources, prefixed
    /// ones extended resources.
    #[test]
    fn container_names() {
        assert!(container_resource_name("hugepages-2Mi", "p").is_empty());
        assert!(container_resource_name("example.com/gpu", "p").is_empty());
        assert!(container_resource_name("kubernetes.io/x", "p").is_empty());
        assert_eq!(
            texts(container_resource_name("storage", "p")),
            ["p: Invalid value: \"storage\": must be a standard resource for containers"]
        );
    }

    /// `ValidateResourceQuantityValue`: negative amounts, fractions of object counts and of
    /// extended resources.
    #[test]
    fn amounts() {
        assert_eq!(
            texts(amount("pods", "p", &json!("1500m"))),
            ["p: Invalid value: \"1500m\": must be an integer"]
        );
        assert_eq!(
            texts(amount("example.com/gpu", "p", &json!("-500m"))),
            [
                "p: Invalid value: \"-500m\": must be greater than or equal to 0",
                "p: Invalid value: \"-500m\": must be an integer",
            ]
        );
        assert!(amount("cpu", "p", &json!("500m")).is_empty());
        assert!(amount("requests.example.com/gpu", "p", &json!("500m")).is_empty());
    }
}
