//! core/v1 Event: no `SetDefaults_Event`, but Go always serialises some of its fields.

use serde_json::{Value, json};

use crate::shared::json::default_field;

/// Adds the fields a typed core/v1 Event always prints: `eventTime`, `firstTimestamp` and
/// `lastTimestamp` (`null` when unset), `reportingComponent`/`reportingInstance` (`""`), and the
/// `involvedObject`/`source` structs.
pub(crate) fn core_event(obj: &mut Value) {
    let Some(event) = obj.as_object_mut() else {
        return;
    };
    default_field(event, "involvedObject", json!({}));
    default_field(event, "source", json!({}));
    for key in ["firstTimestamp", "lastTimestamp", "eventTime"] {
        event.entry(key).or_insert(Value::Null);
    }
    for key in ["reportingComponent", "reportingInstance"] {
        default_field(event, key, json!(""));
    }
}
