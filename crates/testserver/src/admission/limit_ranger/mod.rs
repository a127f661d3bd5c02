//! The LimitRanger plugin (`plugin/pkg/admission/limitranger/admission.go`): the LimitRanges of
//! a pod's namespace default its containers' requests and limits (mutating), and bound them
//! and the pod's totals, and a claim's storage request (validating).
//!
//! Guarantees, as the real `runLimitFunc`:
//! - only pod creates and claim creates and updates are seen (a pod update, any subresource,
//!   and an update of an object already being deleted are let through untouched);
//! - the LimitRanges of the namespace apply one after another (here in name order); each fills
//!   in, per container and init container, the `default` (limits) and `defaultRequest`
//!   (requests) of its `Container` items that the container lacks, and writes what it filled in
//!   to the `kubernetes.io/limit-ranger` annotation;
//! - validation collects every violated `min`, `max` and `maxLimitRequestRatio` of every
//!   LimitRange item into one 403: `<resource> "<name>" is forbidden: <message>`, or
//!   `[<message>, <message>]` for several distinct ones (`utilerrors.NewAggregate`); the first
//!   LimitRange with a violation refuses.

mod constraints;

use serde_json::{Map, Value};

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation};
use constraints::{List, aggregate, pod_limits, pod_requests, resource_list};

/// The annotation that records what the plugin filled in.
const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// `SupportsAttributes`: pods on create, claims on create and update, no subresource; and
/// `runLimitFunc`'s skip of objects already marked for deletion.
fn supports(attrs: &Attributes<'_>, old: Option<&Value>) -> bool {
    let kind_fits = match attrs.operation {
        Operation::Create => attrs.is("", "pods") || attrs.is("", "persistentvolumeclaims"),
        Operation::Update => attrs.is("", "persistentvolumeclaims"),
        Operation::Delete => false,
    };
    let deleting = old
        .and_then(|o| o.pointer("/metadata/deletionTimestamp"))
        .is_some_and(|t| !t.is_null());
    kind_fits && !deleting
}

/// The namespace's LimitRanges, in name order.
fn limit_ranges(attrs: &Attributes<'_>, lookup: &dyn Lookup) -> Vec<Value> {
    let mut ranges = lookup.list("", "limitranges", Some(attrs.namespace));
    ranges.sort_by(|a, b| crate::shared::json::name(a).cmp(crate::shared::json::name(b)));
    ranges
}

/// The items (`spec.limits[]`) of `type_` of a LimitRange.
fn items<'a>(range: &'a Value, type_: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    range
        .pointer("/spec/limits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |item| item.get("type").and_then(Value::as_str) == Some(type_))
}

/// Mutating half (`PodMutateLimitFunc`): fills in the default requests and limits.
pub(super) fn admit(
    attrs: &Attributes<'_>,
    obj: &mut Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) {
    if !supports(attrs, old) || !attrs.is("", "pods") {
        return;
    }
    for range in limit_ranges(attrs, lookup) {
        let (requests, limits) = container_defaults(&range);
        merge_defaults(obj, &requests, &limits);
    }
}

/// `defaultContainerResourceRequirements`: the `defaultRequest` and `default` lists of the
/// `Container` items (a later item's amount replacing an earlier one's).
fn container_defaults(range: &Value) -> (Map<String, Value>, Map<String, Value>) {
    let mut requests = Map::new();
    let mut limits = Map::new();
    for item in items(range, "Container") {
        for (field, into) in [("defaultRequest", &mut requests), ("default", &mut limits)] {
            if let Some(list) = item.get(field).and_then(Value::as_object) {
                into.extend(list.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
    }
    (requests, limits)
}

/// `mergePodResourceRequirements`: fills in every container's missing defaults and records
/// what it set in the annotation (left alone when nothing was set).
fn merge_defaults(pod: &mut Value, requests: &Map<String, Value>, limits: &Map<String, Value>) {
    if requests.is_empty() && limits.is_empty() {
        return;
    }
    let mut notes = Vec::new();
    for (field, prefix) in [
        ("containers", "container"),
        ("initContainers", "init container"),
    ] {
        let Some(list) = pod.pointer_mut(&format!("/spec/{field}")) else {
            continue;
        };
        for container in list.as_array_mut().into_iter().flatten() {
            let name = crate::shared::json::str_at(container, &["name"])
                .unwrap_or("")
                .to_owned();
            let set_limits = fill(container, "limits", limits);
            let set_requests = fill(container, "requests", requests);
            if !set_requests.is_empty() {
                notes.push(format!(
                    "{} request for {prefix} {name}",
                    set_requests.join(", ")
                ));
            }
            if !set_limits.is_empty() {
                notes.push(format!(
                    "{} limit for {prefix} {name}",
                    set_limits.join(", ")
                ));
            }
        }
    }
    if notes.is_empty() {
        return;
    }
    if let Some(annotations) = crate::shared::json::object_at(pod, &["metadata", "annotations"]) {
        annotations.insert(
            ANNOTATION.into(),
            Value::String(format!("LimitRanger plugin set: {}", notes.join("; "))),
        );
    }
}

/// Sets the `defaults` a container's `resources.<field>` lacks; returns their names, sorted.
fn fill(container: &mut Value, field: &str, defaults: &Map<String, Value>) -> Vec<String> {
    let present = |c: &Value, k: &str| {
        c.pointer(&format!("/resources/{field}/{k}"))
            .is_some_and(|v| !v.is_null())
    };
    let mut missing: Vec<&String> = defaults.keys().filter(|k| !present(container, k)).collect();
    if missing.is_empty() {
        return Vec::new();
    }
    missing.sort_unstable();
    let Some(list) = crate::shared::json::object_at(container, &["resources", field]) else {
        return Vec::new();
    };
    for k in &missing {
        if let Some(v) = defaults.get(*k) {
            list.insert((*k).clone(), v.clone());
        }
    }
    missing.into_iter().cloned().collect()
}

/// Validating half (`PodValidateLimitFunc`, `PersistentVolumeClaimValidateLimitFunc`).
///
/// # Errors
/// The 403 of the first LimitRange (by name) the object violates.
pub(super) fn validate(
    attrs: &Attributes<'_>,
    obj: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !supports(attrs, old) {
        return Ok(());
    }
    for range in limit_ranges(attrs, lookup) {
        let errors = if attrs.resource == "pods" {
            pod_errors(&range, obj)
        } else {
            claim_errors(&range, obj)
        };
        if let Some(message) = aggregate(&errors) {
            return Err(forbidden(attrs, Some(obj), message));
        }
    }
    Ok(())
}

/// `PodValidateLimitFunc`: `Container` items bound each container and init container, `Pod`
/// items the pod's totals.
fn pod_errors(range: &Value, pod: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let containers: Vec<&Value> = ["/spec/containers", "/spec/initContainers"]
        .into_iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
        .collect();
    for item in items(range, "Container") {
        for c in &containers {
            let requests = resource_list(c.pointer("/resources/requests"));
            let limits = resource_list(c.pointer("/resources/limits"));
            constraints::check_item(item, "Container", &requests, &limits, &mut errors);
        }
    }
    for item in items(range, "Pod") {
        let (requests, limits) = (pod_requests(pod), pod_limits(pod));
        constraints::check_item(item, "Pod", &requests, &limits, &mut errors);
    }
    errors
}

/// `PersistentVolumeClaimValidateLimitFunc`: `min` and `max` of `PersistentVolumeClaim` items
/// bound the claim's requests (its limits are not user input).
fn claim_errors(range: &Value, claim: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let requests = resource_list(claim.pointer("/spec/resources/requests"));
    for item in items(range, "PersistentVolumeClaim") {
        constraints::check_claim_item(item, &requests, &List::new(), &mut errors);
    }
    errors
}

#[cfg(test)]
mod tests;
