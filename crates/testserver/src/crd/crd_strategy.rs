//! The CustomResourceDefinition type's own strategy (apiextensions-apiserver's
//! `registry/customresourcedefinition/strategy.go` and its `Delete`): defaults, the status a
//! new CRD starts with, generation, status isolation, and the Terminating condition with the
//! cleanup finalizer on delete.

use serde_json::{Value, json};

use crate::crd::CLEANUP_FINALIZER;
use crate::crd::meta_mut;

fn storage_version(crd: &Value) -> Option<String> {
    crd.pointer("/spec/versions")
        .and_then(Value::as_array)?
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .and_then(|v| v.get("name").and_then(Value::as_str))
        .map(str::to_owned)
}

/// `SetDefaults_CustomResourceDefinition`: singular and listKind from the kind, conversion
/// strategy `None`.
pub(crate) fn default(crd: &mut Value) {
    let Some(spec) = crd.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(names) = spec.get_mut("names").and_then(Value::as_object_mut) {
        let kind = names
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let empty = |v: Option<&Value>| v.and_then(Value::as_str).is_none_or(str::is_empty);
        if empty(names.get("singular")) && !kind.is_empty() {
            names.insert("singular".into(), kind.to_lowercase().into());
        }
        if empty(names.get("listKind")) && !kind.is_empty() {
            names.insert("listKind".into(), format!("{kind}List").into());
        }
    }
    let conversion = spec.entry("conversion").or_insert_with(|| json!({}));
    if let Some(c) = conversion.as_object_mut()
        && c.get("strategy")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        c.insert("strategy".into(), "None".into());
    }
}

/// `PrepareForCreate`: generation 1, the status a CRD starts with (no conditions, no accepted
/// names, the storage version stored).
pub(crate) fn prepare_for_create(crd: &mut Value) {
    let stored: Vec<String> = storage_version(crd).into_iter().collect();
    if let Some(m) = crd.as_object_mut() {
        m.insert(
            "status".into(),
            json!({"conditions": null, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": stored}),
        );
    }
    if let Some(m) = meta_mut(crd) {
        m.insert("generation".into(), 1.into());
    }
}

/// `PrepareForUpdate` (main resource or `status`).
pub(crate) fn prepare_for_update(subresource: &str, new: &mut Value, old: &Value) {
    let Some(map) = new.as_object_mut() else {
        return;
    };
    let keep = if subresource == "status" {
        "spec"
    } else {
        "status"
    };
    match old.get(keep) {
        Some(v) => map.insert(keep.into(), v.clone()),
        None => map.remove(keep),
    };
    if subresource == "status" {
        return;
    }
    let generation = old
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let bumped = if new.get("spec") == old.get("spec") {
        generation
    } else {
        generation + 1
    };
    let storage = storage_version(new);
    if let Some(m) = meta_mut(new) {
        m.insert("generation".into(), bumped.into());
    }
    if let (Some(storage), Some(stored)) = (
        storage,
        new.pointer_mut("/status/storedVersions")
            .and_then(Value::as_array_mut),
    ) && !stored.iter().any(|v| v.as_str() == Some(storage.as_str()))
    {
        stored.push(storage.into());
    }
}

/// What the CRD registry's `Delete` does before storing the deletion: the cleanup finalizer
/// and the `Terminating` condition (no grace period, and unlike `rest.BeforeDelete` the
/// generation stays `old`'s).
pub(crate) fn mark_for_deletion(crd: &mut Value, old: &Value, now: &str) {
    let generation = old.pointer("/metadata/generation").cloned();
    if let Some(m) = meta_mut(crd) {
        m.remove("deletionGracePeriodSeconds");
        if let Some(g) = generation {
            m.insert("generation".into(), g);
        }
        let finalizers = m.entry("finalizers").or_insert_with(|| json!([]));
        if let Some(list) = finalizers.as_array_mut()
            && !list.iter().any(|f| f.as_str() == Some(CLEANUP_FINALIZER))
        {
            list.push(CLEANUP_FINALIZER.into());
        }
    }
    let terminating = json!({
        "type": "Terminating", "status": "True", "lastTransitionTime": now,
        "reason": "InstanceDeletionPending",
        "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    });
    set_condition(crd, terminating);
}

/// Sets (adds or replaces, keeping the transition time when the status is unchanged) the
/// condition of its type.
pub(crate) fn set_condition(crd: &mut Value, condition: Value) {
    let Some(map) = crd.as_object_mut() else {
        return;
    };
    let status = map.entry("status").or_insert_with(|| json!({}));
    if !status.is_object() {
        *status = json!({});
    }
    let conditions = &mut status["conditions"];
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    let Some(list) = conditions.as_array_mut() else {
        return;
    };
    let ty = condition.get("type").cloned();
    match list.iter_mut().find(|c| c.get("type") == ty.as_ref()) {
        Some(existing) => {
            let mut condition = condition;
            if existing.get("status") == condition.get("status")
                && let Some(t) = existing.get("lastTransitionTime")
            {
                condition["lastTransitionTime"] = t.clone();
            }
            *existing = condition;
        }
        None => list.push(condition),
    }
}

/// Whether the CRD has a condition of `ty` with status `True`.
pub(crate) fn has_condition(crd: &Value, ty: &str) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("type").and_then(Value::as_str) == Some(ty)
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_names_and_conversion() {
        let mut crd = json!({"spec": {"names": {"plural": "widgets", "kind": "Widget"}}});
        default(&mut crd);
        assert_eq!(
            crd,
            json!({"spec": {"names": {"plural": "widgets", "kind": "Widget", "singular": "widget",
                "listKind": "WidgetList"}, "conversion": {"strategy": "None"}}})
        );
    }

    #[test]
    fn main_updates_keep_status_and_bump_generation_on_spec_changes_only() {
        let old = json!({"metadata": {"generation": 1}, "spec": {"a": 1, "versions": [{"name": "v1", "storage": true}]},
            "status": {"storedVersions": ["v1"]}});
        let mut same = json!({"metadata": {"generation": 1, "labels": {"x": "y"}}, "spec": old["spec"], "status": {}});
        prepare_for_update("", &mut same, &old);
        assert_eq!(same["metadata"]["generation"], 1);
        assert_eq!(same["status"], old["status"]);
        let mut changed = json!({"metadata": {}, "spec": {"a": 2, "versions": [{"name": "v2", "storage": true}]}});
        prepare_for_update("", &mut changed, &old);
        assert_eq!(changed["metadata"]["generation"], 2);
        assert_eq!(changed["status"]["storedVersions"], json!(["v1", "v2"]));
    }
}
