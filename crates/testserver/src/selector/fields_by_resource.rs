//! The field labels each resource supports in field selectors, and how to read them.

use std::borrow::Cow;

use serde_json::Value;

use super::SelectorError;

/// How to read one selectable field from an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Getter {
    /// A string at this JSON pointer (`""` when missing).
    Str(&'static str),
    /// A boolean at this JSON pointer, as `"true"`/`"false"` (`"false"` when missing).
    Bool(&'static str),
    /// An integer at this JSON pointer, in decimal (`"0"` when missing).
    Int(&'static str),
    /// The pod's first IP (`status.podIPs[0].ip`, else `status.podIP`).
    PodIp,
    /// A label the conversion accepts but the selectable set lacks: always `""`.
    Empty,
    /// A custom resource's selectable field: a string, integer or boolean at this JSON
    /// pointer, as text (`""` when missing).
    Scalar(&'static str),
}

impl Getter {
    /// The field's value in `obj`, as the selectable-fields set of the real registry holds it
    /// (borrowed where possible: matching allocates nothing for string fields).
    pub(crate) fn get(self, obj: &Value) -> Cow<'_, str> {
        match self {
            Getter::Str(p) => Cow::Borrowed(obj.pointer(p).and_then(Value::as_str).unwrap_or("")),
            Getter::Bool(p) => {
                let b = obj.pointer(p).and_then(Value::as_bool).unwrap_or(false);
                Cow::Borrowed(if b { "true" } else { "false" })
            }
            Getter::Int(p) => Cow::Owned(
                obj.pointer(p)
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                    .to_string(),
            ),
            Getter::Empty => Cow::Borrowed(""),
            Getter::Scalar(p) => match obj.pointer(p) {
                Some(Value::String(s)) => Cow::Borrowed(s.as_str()),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => Cow::Owned(v.to_string()),
                _ => Cow::Borrowed(""),
            },
            Getter::PodIp => Cow::Borrowed(
                obj.pointer("/status/podIPs/0/ip")
                    .or_else(|| obj.pointer("/status/podIP"))
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
        }
    }
}

const NAME: Getter = Getter::Str("/metadata/name");
const NAMESPACE: Getter = Getter::Str("/metadata/namespace");

/// The supported field labels of resources with their own conversion function, or `None` for
/// resources with only the generic `metadata.name`/`metadata.namespace`.
fn specific(group: &str, resource: &str, label: &str) -> Option<Option<Getter>> {
    let getter = match (group, resource) {
        ("", "pods") => match label {
            "metadata.name" => NAME,
            "metadata.namespace" => NAMESPACE,
            "spec.nodeName" | "spec.host" => Getter::Str("/spec/nodeName"),
            "spec.restartPolicy" => Getter::Str("/spec/restartPolicy"),
            "spec.schedulerName" => Getter::Str("/spec/schedulerName"),
            "spec.serviceAccountName" => Getter::Str("/spec/serviceAccountName"),
            "spec.hostNetwork" => Getter::Bool("/spec/hostNetwork"),
            "status.phase" => Getter::Str("/status/phase"),
            "status.podIP" => Getter::PodIp,
            // Accepted by the conversion but not in the selectable set: always "".
            "status.podIPs" => Getter::Empty,
            "status.nominatedNodeName" => Getter::Str("/status/nominatedNodeName"),
            _ => return Some(None),
        },
        ("", "nodes") => match label {
            "metadata.name" => NAME,
            "spec.unschedulable" => Getter::Bool("/spec/unschedulable"),
            _ => return Some(None),
        },
        ("", "namespaces") => match label {
            "metadata.name" => NAME,
            "status.phase" => Getter::Str("/status/phase"),
            _ => return Some(None),
        },
        ("", "secrets") => match label {
            "metadata.name" => NAME,
            "metadata.namespace" => NAMESPACE,
            "type" => Getter::Str("/type"),
            _ => return Some(None),
        },
        ("", "events") => match label {
            "metadata.name" => NAME,
            "metadata.namespace" => NAMESPACE,
            "involvedObject.kind" => Getter::Str("/involvedObject/kind"),
            "involvedObject.namespace" => Getter::Str("/involvedObject/namespace"),
            "involvedObject.name" => Getter::Str("/involvedObject/name"),
            "involvedObject.uid" => Getter::Str("/involvedObject/uid"),
            "involvedObject.apiVersion" => Getter::Str("/involvedObject/apiVersion"),
            "involvedObject.resourceVersion" => Getter::Str("/involvedObject/resourceVersion"),
            "involvedObject.fieldPath" => Getter::Str("/involvedObject/fieldPath"),
            "reason" => Getter::Str("/reason"),
            "reportingComponent" => Getter::Str("/reportingComponent"),
            "source" => Getter::Str("/source/component"),
            "type" => Getter::Str("/type"),
            _ => return Some(None),
        },
        ("", "replicationcontrollers") | ("apps", "replicasets") => match label {
            "metadata.name" => NAME,
            "metadata.namespace" => NAMESPACE,
            "status.replicas" => Getter::Int("/status/replicas"),
            _ => return Some(None),
        },
        _ => return None,
    };
    Some(Some(getter))
}

/// Resolves a field label of a custom resource: `metadata.name`, `metadata.namespace` and the
/// CRD version's `selectableFields` (`.spec.color` selects as `spec.color`).
pub(crate) fn resolve_custom(
    selectable: &[String],
    label: &str,
) -> Result<(String, Getter), SelectorError> {
    match label {
        "metadata.name" => return Ok((label.to_owned(), NAME)),
        "metadata.namespace" => return Ok((label.to_owned(), NAMESPACE)),
        _ => {}
    }
    if selectable
        .iter()
        .any(|path| path.strip_prefix('.') == Some(label))
    {
        let pointer = format!("/{}", label.replace('.', "/"));
        return Ok((label.to_owned(), Getter::Scalar(intern(&pointer))));
    }
    Err(SelectorError::new(format!(
        "field label not supported: {label}"
    )))
}

/// A `'static` copy of a custom field's JSON pointer; each distinct pointer is leaked once
/// (they are bounded by the CRDs' selectable fields).
fn intern(pointer: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static POINTERS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = POINTERS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = set.get(pointer) {
        return p;
    }
    let leaked: &'static str = Box::leak(pointer.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// Resolves a field label of `group`/`resource` to its canonical name and getter.
pub(crate) fn resolve(
    group: &str,
    resource: &str,
    label: &str,
) -> Result<(String, Getter), SelectorError> {
    let canonical = if (group, resource, label) == ("", "pods", "spec.host") {
        "spec.nodeName"
    } else {
        label
    };
    match specific(group, resource, label) {
        Some(Some(getter)) => Ok((canonical.to_owned(), getter)),
        Some(None) => Err(SelectorError::new(format!(
            "field label not supported: {label}"
        ))),
        None => match label {
            "metadata.name" => Ok((label.to_owned(), NAME)),
            "metadata.namespace" => Ok((label.to_owned(), NAMESPACE)),
            _ => Err(SelectorError::new(format!(
                "\"{label}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            ))),
        },
    }
}
