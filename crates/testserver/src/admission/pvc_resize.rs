//! The PersistentVolumeClaimResize plugin: a claim may grow only when bound and when its
//! StorageClass has `allowVolumeExpansion: true`.

use serde_json::Value;

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation};
use crate::shared::quantity::Quantity;

fn storage(claim: &Value) -> Option<Quantity> {
    claim
        .pointer("/spec/resources/requests/storage")
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
}

/// Refuses growing an unbound claim, or one whose class does not allow expansion.
pub(super) fn validate(
    attrs: &Attributes<'_>,
    claim: &Value,
    old: &Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !attrs.is("", "persistentvolumeclaims") || attrs.operation != Operation::Update {
        return Ok(());
    }
    let (Some(new_size), Some(old_size)) = (storage(claim), storage(old)) else {
        return Ok(());
    };
    if new_size <= old_size {
        return Ok(());
    }
    if old.pointer("/status/phase").and_then(Value::as_str) != Some("Bound") {
        return Err(forbidden(
            attrs,
            Some(claim),
            "Only bound persistent volume claims can be expanded".into(),
        ));
    }
    let class_name = claim
        .pointer("/spec/storageClassName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let expandable = !class_name.is_empty()
        && lookup
            .get("storage.k8s.io", "storageclasses", None, class_name)
            .and_then(|c| c.get("allowVolumeExpansion").and_then(Value::as_bool))
            == Some(true);
    if !expandable {
        return Err(forbidden(
            attrs,
            Some(claim),
            "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize".into(),
        ));
    }
    Ok(())
}
