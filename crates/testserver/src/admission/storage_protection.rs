//! The StorageObjectInUseProtection plugin: PVs and PVCs get their protection finalizer.

use serde_json::{Value, json};

use super::{Attributes, Operation};
use crate::shared::json::object_at;

/// Adds the protection finalizer to a new PV or PVC.
pub(super) fn admit(attrs: &Attributes<'_>, obj: &mut Value) {
    if attrs.operation != Operation::Create {
        return;
    }
    let finalizer = if attrs.is("", "persistentvolumes") {
        "kubernetes.io/pv-protection"
    } else if attrs.is("", "persistentvolumeclaims") {
        "kubernetes.io/pvc-protection"
    } else {
        return;
    };
    let Some(meta) = object_at(obj, &["metadata"]) else {
        return;
    };
    let finalizers = meta.entry("finalizers").or_insert_with(|| json!([]));
    if !finalizers.is_array() {
        *finalizers = json!([]);
    }
    if let Some(list) = finalizers.as_array_mut()
        && !list.iter().any(|f| f.as_str() == Some(finalizer))
    {
        list.push(json!(finalizer));
    }
}
