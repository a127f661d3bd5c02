//! The Priority plugin: a pod's `priority` and `preemptionPolicy` come from its PriorityClass
//! (or the global default class), never from the user; only one class may be the global default.

use serde_json::{Value, json};

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation};
use crate::shared::api::{DEFAULT_PREEMPTION, builtin_priority_classes};
use crate::shared::json::{object_at, str_at};

const GROUP: &str = "scheduling.k8s.io";
const RESOURCE: &str = "priorityclasses";
fn find_class(lookup: &dyn Lookup, name: &str) -> Option<Value> {
    lookup.get(GROUP, RESOURCE, None, name).or_else(|| {
        // The built-ins are always there on a real server, even before the server stored them.
        builtin_priority_classes()
            .into_iter()
            .find(|c| str_at(c, &["metadata", "name"]) == Some(name))
    })
}

/// The global default class: the one with the highest value among those marked `globalDefault`.
fn default_class(lookup: &dyn Lookup) -> Option<Value> {
    lookup
        .list(GROUP, RESOURCE, None)
        .into_iter()
        .filter(|c| c.get("globalDefault").and_then(Value::as_bool) == Some(true))
        .max_by_key(|c| c.get("value").and_then(Value::as_i64).unwrap_or(0))
}

/// Mutating half: resolves a pod's priority on create, keeps it on update.
pub(super) fn admit(
    attrs: &Attributes<'_>,
    pod: &mut Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !attrs.is("", "pods") {
        return Ok(());
    }
    match attrs.operation {
        Operation::Update => {
            // The plugin set these on create; an update that drops them keeps the old values.
            let Some(old_spec) = old.and_then(|o| o.get("spec")) else {
                return Ok(());
            };
            let Some(spec) = object_at(pod, &["spec"]) else {
                return Ok(());
            };
            for key in ["priority", "preemptionPolicy"] {
                if spec.get(key).is_none_or(Value::is_null)
                    && let Some(v) = old_spec.get(key).filter(|v| !v.is_null())
                {
                    spec.insert(key.into(), v.clone());
                }
            }
            Ok(())
        }
        Operation::Create => admit_create(attrs, pod, lookup),
        Operation::Delete => Ok(()),
    }
}

fn admit_create(
    attrs: &Attributes<'_>,
    pod: &mut Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    let snapshot = pod.clone();
    let Some(spec) = object_at(pod, &["spec"]) else {
        return Ok(());
    };
    let class_name = spec
        .get("priorityClassName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let (priority, preemption) = if class_name.is_empty() {
        match default_class(lookup) {
            Some(class) => {
                let name = str_at(&class, &["metadata", "name"])
                    .unwrap_or("")
                    .to_owned();
                spec.insert("priorityClassName".into(), Value::String(name));
                class_values(&class)
            }
            None => (0, DEFAULT_PREEMPTION.to_owned()),
        }
    } else {
        match find_class(lookup, &class_name) {
            Some(class) => class_values(&class),
            None => {
                return Err(forbidden(
                    attrs,
                    Some(&snapshot),
                    format!("no PriorityClass with name {class_name} was found"),
                ));
            }
        }
    };
    if let Some(given) = spec.get("priority").and_then(Value::as_i64)
        && given != priority
    {
        return Err(forbidden(
            attrs,
            Some(&snapshot),
            format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name"
            ),
        ));
    }
    spec.insert("priority".into(), json!(priority));
    if let Some(given) = spec.get("preemptionPolicy").and_then(Value::as_str)
        && given != preemption
    {
        return Err(forbidden(
            attrs,
            Some(&snapshot),
            format!(
                "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {preemption} from the given PriorityClass name"
            ),
        ));
    }
    spec.insert("preemptionPolicy".into(), json!(preemption));
    Ok(())
}

fn class_values(class: &Value) -> (i64, String) {
    let value = class.get("value").and_then(Value::as_i64).unwrap_or(0);
    let preemption = str_at(class, &["preemptionPolicy"])
        .unwrap_or(DEFAULT_PREEMPTION)
        .to_owned();
    (value, preemption)
}

/// Validating half: only one PriorityClass may be the global default.
pub(super) fn validate(
    attrs: &Attributes<'_>,
    class: &Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !attrs.is(GROUP, RESOURCE)
        || !matches!(attrs.operation, Operation::Create | Operation::Update)
        || class.get("globalDefault").and_then(Value::as_bool) != Some(true)
    {
        return Ok(());
    }
    let Some(existing) = default_class(lookup) else {
        return Ok(());
    };
    let existing_name = str_at(&existing, &["metadata", "name"]).unwrap_or("");
    let name = str_at(class, &["metadata", "name"]).unwrap_or("");
    if attrs.operation == Operation::Create || existing_name != name {
        return Err(forbidden(
            attrs,
            Some(class),
            format!(
                "PriorityClass {existing_name} is already marked as default. Only one default can exist"
            ),
        ));
    }
    Ok(())
}
