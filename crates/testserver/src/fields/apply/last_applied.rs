//! kubectl's client-side apply annotation, as server-side apply treats it.

use serde_json::Value;

use super::fields::config_field_set;
use crate::fields::compare::compare;
use crate::fields::fieldset::FieldSet;
use crate::fields::managed::Write;
use crate::fields::schema::Shape;

/// The client-side apply annotation kubectl keeps.
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `kubectl apply --server-side` (manager `kubectl`) keeps an existing
/// client-side apply annotation up to date with the applied configuration, so
/// that a later client-side apply still works; other managers leave it alone.
pub(super) fn sync_last_applied(
    write: &Write<'_>,
    live: &Value,
    config: &Value,
    merged: &mut Value,
) {
    let annotation = format!(
        "/metadata/annotations/{}",
        LAST_APPLIED_ANNOTATION.replace('/', "~1")
    );
    if write.manager != "kubectl" || live.pointer(&annotation).is_none() {
        return;
    }
    let mut applied = config.clone();
    if let Some(annotations) = applied
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED_ANNOTATION);
    }
    let text = format!("{}\n", crate::fields::gofmt::go_json(&applied));
    if let Some(slot) = merged.pointer_mut(&annotation) {
        *slot = Value::String(text);
    }
}

/// Moving from client-side to server-side apply: kubectl may take the fields
/// its last client-side apply set and nobody changed since, without force.
pub(super) fn allowed_by_last_applied(live: &Value, shape: Shape) -> Option<FieldSet> {
    let annotation = format!(
        "/metadata/annotations/{}",
        LAST_APPLIED_ANNOTATION.replace('/', "~1")
    );
    let text = live
        .pointer(&annotation)?
        .as_str()
        .filter(|t| !t.is_empty())?;
    let last: Value = serde_json::from_str(text).ok()?;
    let modified = compare(&last, live, shape).modified;
    Some(config_field_set(&last, shape).difference(&modified))
}
