//! The DefaultStorageClass plugin: a claim without `storageClassName` gets the default class.

use serde_json::Value;

use super::{Attributes, Lookup, Operation};
use crate::shared::json::{object_at, str_at};

const DEFAULT_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";

/// Sets `storageClassName` of a new claim that names none to the newest default class.
pub(super) fn admit(attrs: &Attributes<'_>, claim: &mut Value, lookup: &dyn Lookup) {
    if !attrs.is("", "persistentvolumeclaims") || attrs.operation != Operation::Create {
        return;
    }
    // Only a claim that does not mention a class at all gets one ("" means "no class").
    if claim
        .pointer("/spec/storageClassName")
        .is_some_and(|v| !v.is_null())
        || claim
            .pointer("/metadata/annotations/volume.beta.kubernetes.io~1storage-class")
            .is_some()
    {
        return;
    }
    let is_default = |class: &Value| {
        [DEFAULT_ANNOTATION, BETA_DEFAULT_ANNOTATION]
            .iter()
            .any(|a| {
                class
                    .get("metadata")
                    .and_then(|m| m.get("annotations"))
                    .and_then(|m| m.get(*a))
                    .and_then(Value::as_str)
                    == Some("true")
            })
    };
    // The newest default class wins (then the name), as the plugin sorts them.
    let mut defaults: Vec<Value> = lookup
        .list("storage.k8s.io", "storageclasses", None)
        .into_iter()
        .filter(is_default)
        .collect();
    defaults.sort_by(|a, b| {
        let created = |c: &Value| {
            str_at(c, &["metadata", "creationTimestamp"])
                .unwrap_or("")
                .to_owned()
        };
        let name = |c: &Value| crate::shared::json::name(c).to_owned();
        created(b)
            .cmp(&created(a))
            .then_with(|| name(a).cmp(&name(b)))
    });
    let Some(class) = defaults.first() else {
        return;
    };
    let name = crate::shared::json::name(class).to_owned();
    if let Some(spec) = object_at(claim, &["spec"]) {
        spec.insert("storageClassName".into(), Value::String(name));
    }
}
