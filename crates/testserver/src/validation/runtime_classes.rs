//! node.k8s.io/v1 RuntimeClass validation (`pkg/apis/node/validation`): the handler is a DNS
//! label and immutable (`ValidateRuntimeClass`, `ValidateRuntimeClassUpdate`), the overhead is
//! checked as container limits (`ValidateContainerResourceRequirements`: resource names,
//! quantities, huge pages), and the scheduling constraints as labels and tolerations, each
//! toleration listed once.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::field_error::BadValue;
use super::godump::{self, Field, Struct, Ty};
use super::{FieldError, NameRule, meta, names, object_meta, object_meta_update, pod};
use crate::shared::quantity::Quantity;

/// The internal `core.Toleration`, as `field.Duplicate` prints it.
static TOLERATION: Struct = Struct {
    fields: &[
        Field::new("Key", "key", Ty::Str),
        Field::new("Operator", "operator", Ty::Str),
        Field::new("Value", "value", Ty::Str),
        Field::new("Effect", "effect", Ty::Str),
        Field::new("TolerationSeconds", "tolerationSeconds", Ty::Ptr(&Ty::Int)),
    ],
};

/// `ValidateRuntimeClass` without its `ObjectMeta` part.
fn runtime_class(obj: &Value) -> Vec<FieldError> {
    let handler = obj.get("handler").and_then(Value::as_str).unwrap_or("");
    let mut errs: Vec<FieldError> = names::dns1123_label(handler)
        .into_iter()
        .map(|msg| FieldError::invalid("handler", handler, msg))
        .collect();
    if let Some(overhead) = obj.get("overhead").filter(|v| v.is_object()) {
        let limits = overhead.get("podFixed").and_then(Value::as_object);
        errs.extend(container_limits(limits, "overhead"));
    }
    if let Some(scheduling) = obj.get("scheduling").filter(|v| v.is_object()) {
        if let Some(selector) = scheduling.get("nodeSelector").filter(|v| !v.is_null()) {
            errs.extend(meta::labels(Some(selector), "scheduling.nodeSelector"));
        }
        errs.extend(tolerations(scheduling));
    }
    errs
}

/// `ValidateRuntimeClass` with its `ObjectMeta` part (the strategy's `Validate`).
pub(crate) fn runtime_class_create(obj: &Value) -> Vec<FieldError> {
    let mut errs = object_meta(obj, false, NameRule::Subdomain);
    errs.extend(runtime_class(obj));
    errs
}

/// The strategy's `ValidateUpdate`: `ValidateRuntimeClass` of the new object, then
/// `ValidateRuntimeClassUpdate` (the metadata update, the immutable handler).
pub(crate) fn runtime_class_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = runtime_class_create(new);
    errs.extend(object_meta_update(new, old));
    let handler = |v: &Value| {
        v.get("handler")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if handler(new) != handler(old) {
        errs.push(FieldError::invalid(
            "handler",
            handler(new),
            "field is immutable",
        ));
    }
    errs
}

/// `validateTolerations`: `ValidateTolerations`, then no toleration twice (compared by key,
/// operator, value and effect).
fn tolerations(scheduling: &Value) -> Vec<FieldError> {
    let mut errs = pod::tolerations(scheduling, "scheduling");
    let list = scheduling
        .get("tolerations")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut seen = HashSet::new();
    for (i, t) in list.iter().enumerate() {
        let key: Vec<&str> = ["key", "operator", "value", "effect"]
            .iter()
            .map(|k| t.get(*k).and_then(Value::as_str).unwrap_or(""))
            .collect();
        if !seen.insert(key) {
            let dumped = godump::compact(&godump::dump(&TOLERATION, t));
            errs.push(FieldError::duplicate(
                format!("scheduling.tolerations[{i}]"),
                BadValue::Raw(dumped),
            ));
        }
    }
    errs
}

/// `validateResourceRequirements` of requirements with limits only (what
/// `validateOverhead` builds), names in sorted order (Go walks the map in random order).
fn container_limits(limits: Option<&Map<String, Value>>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (mut cpu_or_memory, mut huge_pages) = (false, false);
    let mut entries: Vec<(&String, &Value)> = limits.into_iter().flatten().collect();
    entries.sort_by_key(|(name, _)| *name);
    for (name, value) in entries {
        let at = format!("{path}.limits[{name}]");
        errs.extend(container_resource_name(name, &at));
        let text = value.as_str().unwrap_or("");
        let Some(quantity) = Quantity::parse(text) else {
            continue;
        };
        let canonical = Quantity::canonical(text).unwrap_or_else(|| text.to_owned());
        if quantity < Quantity::ZERO {
            errs.push(FieldError::invalid(
                at.as_str(),
                canonical.as_str(),
                "must be greater than or equal to 0",
            ));
        }
        if integer_resource(name) && !quantity.is_whole() {
            errs.push(FieldError::invalid(
                at.as_str(),
                canonical.as_str(),
                "must be an integer",
            ));
        }
        if let Some(page) = name.strip_prefix("hugepages-") {
            huge_pages = true;
            let divisible = Quantity::parse(page)
                .map(Quantity::value)
                .filter(|size| *size > 0)
                .is_some_and(|size| quantity.value() % size == 0);
            if !divisible {
                errs.push(FieldError::invalid(
                    at.as_str(),
                    canonical.as_str(),
                    format!("{canonical} is not positive integer multiple of {name}"),
                ));
            }
        }
        cpu_or_memory |= name == "cpu" || name == "memory";
    }
    if huge_pages && !cpu_or_memory {
        errs.push(FieldError::forbidden(
            path,
            "HugePages require cpu or memory",
        ));
    }
    errs
}

/// `IsStandardResourceName` (names without a `/`).
fn standard_resource(name: &str) -> bool {
    const STANDARD: [&str; 20] = [
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "persistentvolumeclaims",
        "storage",
        "requests.storage",
        "services.nodeports",
        "services.loadbalancers",
        "configmaps",
    ];
    STANDARD.contains(&name) || name.starts_with("hugepages-")
}

/// `IsNativeResource`: no domain, or a `kubernetes.io` one.
fn native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsExtendedResourceName`.
fn extended(name: &str) -> bool {
    !native(name)
        && !name.starts_with("requests.")
        && names::qualified_name(&format!("requests.{name}")).is_empty()
}

/// `IsIntegerResourceName`: the object counts and extended resources.
fn integer_resource(name: &str) -> bool {
    const INTEGER: [&str; 9] = [
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
    INTEGER.contains(&name) || extended(name)
}

/// `validateContainerResourceName` (after `validateResourceName`).
fn container_resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = names::qualified_name(name)
        .into_iter()
        .map(|msg| FieldError::invalid(path, name, msg))
        .collect();
    if errs.is_empty() && !name.contains('/') && !standard_resource(name) {
        errs.push(FieldError::invalid(
            path,
            name,
            "must be a standard resource type or fully qualified",
        ));
    }
    if !name.contains('/') {
        let container = matches!(name, "cpu" | "memory" | "ephemeral-storage")
            || name.starts_with("hugepages-");
        if !container {
            errs.push(FieldError::invalid(
                path,
                name,
                "must be a standard resource for containers",
            ));
        }
    } else if !native(name) && !extended(name) {
        errs.push(FieldError::invalid(
            path,
            name,
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(errs: Vec<FieldError>, expected: &[&str]) {
        let texts: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(texts, expected);
    }

    /// `ValidateRuntimeClass`: the handler is a DNS label.
    #[test]
    fn handler() {
        check(runtime_class(&json!({"handler": "runc"})), &[]);
        check(
            runtime_class(&json!({"handler": "Run_C"})),
            &[
                "handler: Invalid value: \"Run_C\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ],
        );
        let old = json!({"metadata": {"name": "rc", "resourceVersion": "1"}, "handler": "runc"});
        let new = json!({"metadata": {"name": "rc", "resourceVersion": "1"}, "handler": "kata"});
        check(
            runtime_class_update(&new, &old),
            &["handler: Invalid value: \"kata\": field is immutable"],
        );
    }

    /// `validateOverhead` through `validateResourceRequirements`.
    #[test]
    fn overhead() {
        check(
            runtime_class(&json!({"handler": "runc",
                "overhead": {"podFixed": {"cpu": "250m", "memory": "120Mi"}}})),
            &[],
        );
        check(
            runtime_class(&json!({"handler": "runc", "overhead": {"podFixed": {
                "memory": "-1Mi", "pods": "1", "foo": "1", "example.com/gpu": "500m",
                "hugepages-2Mi": "3Mi"}}})),
            &[
                "overhead.limits[example.com/gpu]: Invalid value: \"500m\": must be an integer",
                "overhead.limits[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified",
                "overhead.limits[foo]: Invalid value: \"foo\": must be a standard resource for containers",
                "overhead.limits[hugepages-2Mi]: Invalid value: \"3Mi\": 3Mi is not positive integer multiple of hugepages-2Mi",
                "overhead.limits[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0",
                "overhead.limits[pods]: Invalid value: \"pods\": must be a standard resource for containers",
            ],
        );
        check(
            runtime_class(&json!({"handler": "runc",
                "overhead": {"podFixed": {"hugepages-2Mi": "4Mi"}}})),
            &["overhead: Forbidden: HugePages require cpu or memory"],
        );
    }

    /// `validateScheduling`: node selector labels, `ValidateTolerations`, no duplicates.
    #[test]
    fn scheduling() {
        let rc = json!({"handler": "runc", "scheduling": {
            "nodeSelector": {"-bad": "x"},
            "tolerations": [
                {"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"},
                {"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule",
                    "tolerationSeconds": 5},
                {"operator": "Equal"}]}});
        check(
            runtime_class(&rc),
            &[
                "scheduling.nodeSelector: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "scheduling.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
                "scheduling.tolerations[2].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
                "scheduling.tolerations[1]: Duplicate value: {\"Key\":\"k\",\"Operator\":\"Equal\",\"Value\":\"v\",\"Effect\":\"NoSchedule\",\"TolerationSeconds\":5}",
            ],
        );
    }
}
