//! Namespace defaults: the immutable `kubernetes.io/metadata.name` label and the status phase.

use serde_json::Value;

use crate::shared::json::{default_str, object_at};

/// The label every namespace carries, always equal to its name (the server overwrites attempts
/// to change it).
pub(crate) const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// `SetDefaults_Namespace` and `SetDefaults_NamespaceStatus`.
pub(crate) fn namespace(obj: &mut Value) {
    let name = crate::shared::json::name(obj).to_owned();
    if !name.is_empty()
        && let Some(labels) = object_at(obj, &["metadata", "labels"])
    {
        labels.insert(NAME_LABEL.into(), Value::String(name));
    }
    object_at(obj, &["spec"]);
    if let Some(status) = object_at(obj, &["status"]) {
        default_str(status, "phase", "Active");
    }
}
