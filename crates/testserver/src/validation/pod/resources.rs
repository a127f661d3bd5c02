//! A container's `resources` (`ValidateContainerResourceRequirements`) beyond the
//! request-within-limit rule `pod.rs` already applies: resource names
//! (`validateContainerResourceName`), amounts (`ValidateResourceQuantityValue`), a limit for
//! every non-overcommitable request, huge page amounts as whole pages, and huge pages only
//! beside cpu or memory. `resources.claims` is not checked (the pod's claim names are not
//! passed in). Go walks the maps in random order; here limits come before requests, each by
//! resource name. `spec.overhead` is checked by the same rules.

use serde_json::{Map, Value};

use crate::shared::quantity::Quantity;
use crate::validation::{FieldError, resources};

/// `HugePageSizeFromResourceName` and `IsHugePageResourceValueDivisible`.
fn huge_page_error(name: &str, text: &str) -> Option<String> {
    let size = name.strip_prefix("hugepages-")?;
    let quantity = Quantity::parse(text)?;
    let divisible = Quantity::parse(size).is_some_and(|page| {
        page > Quantity::ZERO && page.is_whole() && quantity.value() % page.value() == 0
    });
    (!divisible).then(|| {
        let shown = Quantity::canonical(text).unwrap_or_else(|| text.to_owned());
        format!("{shown} is not positive integer multiple of {name}")
    })
}

fn list<'a>(r: &'a Value, key: &str) -> Option<&'a Map<String, Value>> {
    r.get(key).and_then(Value::as_object)
}

/// `ValidateContainerResourceRequirements` of the container's `resources`.
pub(crate) fn container_resources(c: &Value, path: &str) -> Vec<FieldError> {
    requirements(
        c.get("resources").unwrap_or(&Value::Null),
        &format!("{path}.resources"),
        resources::container_resource_name,
    )
}

/// `validatePodResourceName`: a valid resource name that pod-level resources support.
fn pod_resource_name(name: &str, path: &str) -> Vec<FieldError> {
    const SUPPORTED: [&str; 2] = ["cpu", "memory"];
    let errs = resources::resource_name(name, path);
    if errs.is_empty() && !SUPPORTED.contains(&name) {
        return vec![FieldError::not_supported(path, name, &SUPPORTED)];
    }
    errs
}

/// `validatePodResources` (`PodLevelResources`, on by default) of `spec.resources` without
/// `validatePodResourceConsistency`: no claims, then the requirements with pod resource names.
pub(crate) fn pod_resources(spec: &Value, path: &str) -> Vec<FieldError> {
    let Some(r) = spec.get("resources").filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    let at = format!("{path}.resources");
    let mut errs = Vec::new();
    if r.get("claims").is_some_and(|v| !v.is_null()) {
        errs.push(FieldError::forbidden(
            format!("{at}.claims"),
            "claims cannot be set for Resources at pod-level",
        ));
    }
    errs.extend(requirements(r, &at, pod_resource_name));
    errs
}

/// `validateOverhead`: the container rules over `spec.overhead` as limits.
pub(crate) fn overhead(spec: &Value, path: &str) -> Vec<FieldError> {
    match spec.get("overhead").filter(|v| !v.is_null()) {
        Some(o) => requirements(
            &serde_json::json!({ "limits": o }),
            &format!("{path}.overhead"),
            resources::container_resource_name,
        ),
        None => Vec::new(),
    }
}

/// `validateResourceRequirements` of `r` at `at` with the resource name rule `name_rule`,
/// without the request-within-limit comparison.
fn requirements(
    r: &Value,
    at: &str,
    name_rule: fn(&str, &str) -> Vec<FieldError>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let at = at.to_owned();
    let limits = list(r, "limits");
    let mut cpu_or_memory = false;
    let mut huge_pages = false;
    for (key, entries) in [("limits", limits), ("requests", list(r, "requests"))] {
        for (name, value) in entries.into_iter().flatten() {
            let here = format!("{at}.{key}[{name}]");
            errs.extend(name_rule(name, &here));
            errs.extend(resources::amount(name, &here, value));
            if key == "requests"
                && !limits.is_some_and(|l| l.contains_key(name))
                && !resources::is_overcommit_allowed(name)
            {
                errs.push(FieldError::required(
                    format!("{at}.limits"),
                    "Limit must be set for non overcommitable resources",
                ));
            }
            if name.starts_with("hugepages-") {
                huge_pages = true;
                let text = value.as_str().unwrap_or("");
                if let Some(msg) = huge_page_error(name, text) {
                    let shown = Quantity::canonical(text).unwrap_or_else(|| text.to_owned());
                    errs.push(FieldError::invalid(here, shown, msg));
                }
            }
            if matches!(name.as_str(), "cpu" | "memory") {
                cpu_or_memory = true;
            }
        }
    }
    if huge_pages && !cpu_or_memory {
        errs.push(FieldError::forbidden(at, "HugePages require cpu or memory"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::validation::texts;

    const AT: &str = "spec.containers[0]";

    /// validateResourceRequirements: usual requests/limits and whole huge pages pass.
    #[test]
    fn valid_requirements() {
        let c = json!({"resources": {
            "limits": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "4Mi", "example.com/gpu": "1"},
            "requests": {"cpu": "500m", "memory": "512Mi", "hugepages-2Mi": "4Mi", "example.com/gpu": "1"}}});
        assert!(
            container_resources(&c, AT).is_empty(),
            "{:?}",
            texts(container_resources(&c, AT))
        );
    }

    /// validateContainerResourceName, ValidateResourceQuantityValue, a limit for
    /// non-overcommitable requests, IsHugePageResourceValueDivisible, huge pages need cpu/memory.
    #[test]
    fn invalid_requirements() {
        let c = json!({"resources": {
            "limits": {"pods": "1", "hugepages-2Mi": "3Mi"},
            "requests": {"memory": "-1", "example.com/gpu": "500m"}}});
        let r = "spec.containers[0].resources";
        assert_eq!(
            texts(container_resources(&c, AT)),
            [
                format!(
                    "{r}.limits[hugepages-2Mi]: Invalid value: \"3Mi\": 3Mi is not positive integer multiple of hugepages-2Mi"
                ),
                format!(
                    "{r}.limits[pods]: Invalid value: \"pods\": must be a standard resource for containers"
                ),
                format!(
                    "{r}.requests[example.com/gpu]: Invalid value: \"500m\": must be an integer"
                ),
                format!(
                    "{r}.limits: Required value: Limit must be set for non overcommitable resources"
                ),
                format!(
                    "{r}.requests[memory]: Invalid value: \"-1\": must be greater than or equal to 0"
                ),
            ]
        );
        let only_pages = json!({"resources": {"limits": {"hugepages-1Gi": "1Gi"}}});
        assert_eq!(
            texts(container_resources(&only_pages, AT)),
            [format!("{r}: Forbidden: HugePages require cpu or memory")]
        );
    }

    /// `validateOverhead`: `ValidateContainerResourceRequirements` of the overhead as limits.
    #[test]
    fn pod_overhead() {
        let spec = json!({"overhead": {"cpu": "-100m", "example.com/x": "500m", "memory": "64Mi"}});
        assert_eq!(
            texts(overhead(&spec, "spec")),
            [
                "spec.overhead.limits[cpu]: Invalid value: \"-100m\": must be greater than or equal to 0",
                "spec.overhead.limits[example.com/x]: Invalid value: \"500m\": must be an integer",
            ]
        );
        assert!(overhead(&json!({}), "spec").is_empty());
    }

    /// `validatePodResources`: no claims, `validatePodResourceName` (cpu and memory only).
    #[test]
    fn pod_level_resources() {
        let spec = json!({"resources": {"claims": [{"name": "gpu"}],
            "limits": {"cpu": "1", "example.com/gpu": "1"}, "requests": {"pods": "1"}}});
        assert_eq!(
            texts(pod_resources(&spec, "spec")),
            [
                "spec.resources.claims: Forbidden: claims cannot be set for Resources at pod-level",
                "spec.resources.limits[example.com/gpu]: Unsupported value: \"example.com/gpu\": supported values: \"cpu\", \"memory\"",
                "spec.resources.requests[pods]: Unsupported value: \"pods\": supported values: \"cpu\", \"memory\"",
            ]
        );
        assert!(
            pod_resources(
                &json!({"resources": {"limits": {"cpu": "2", "memory": "1Gi"}}}),
                "spec"
            )
            .is_empty()
        );
    }
}
