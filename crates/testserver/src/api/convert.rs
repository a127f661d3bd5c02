//! Conversion between a resource's stored form and the version a request addresses.
//!
//! events.k8s.io/v1 Events are stored as core/v1 Events (as kube-apiserver does), so both APIs
//! see the same objects.

use serde_json::{Map, Value};

use crate::registry::ResourceType;

/// core/v1 Event field → events.k8s.io/v1 Event field.
const EVENT_FIELDS: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("related", "related"),
    ("message", "note"),
    ("reason", "reason"),
    ("type", "type"),
    ("action", "action"),
    ("eventTime", "eventTime"),
    ("series", "series"),
    ("reportingComponent", "reportingController"),
    ("reportingInstance", "reportingInstance"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
];

/// Whether objects of `rt` are stored in another version's form.
pub(crate) fn is_converted(rt: &ResourceType) -> bool {
    rt.strategy.stored_as().is_some()
}

fn empty(v: &Value) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_i64() == Some(0),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn remap(
    obj: &Value,
    api_version: &str,
    pairs: impl Iterator<Item = (&'static str, &'static str)>,
) -> Value {
    let Some(src) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    out.insert("kind".into(), "Event".into());
    out.insert("apiVersion".into(), api_version.into());
    if let Some(m) = src.get("metadata") {
        out.insert("metadata".into(), m.clone());
    }
    for (from, to) in pairs {
        match src.get(from) {
            Some(v) if from == "eventTime" => {
                out.insert(to.into(), v.clone());
            }
            Some(v) if !v.is_null() && !empty(v) => {
                out.insert(to.into(), v.clone());
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// The stored (core/v1) object as `rt` presents it.
pub(crate) fn to_external(rt: &ResourceType, stored: &Value) -> Value {
    if let Some(custom) = &rt.custom {
        return custom.to_external(stored);
    }
    if !is_converted(rt) {
        return stored.clone();
    }
    let mut v = remap(stored, "events.k8s.io/v1", EVENT_FIELDS.iter().copied());
    if v.get("eventTime").is_none() {
        v["eventTime"] = Value::Null;
    }
    v
}

/// An object of `rt` in its stored (core/v1) form.
pub(crate) fn to_storage(rt: &ResourceType, external: &Value) -> Value {
    if !is_converted(rt) {
        return external.clone();
    }
    remap(external, "v1", EVENT_FIELDS.iter().map(|(a, b)| (*b, *a)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::registry::Registry;

    #[test]
    fn events_round_trip() {
        let r = Registry::builtin();
        let rt = r.find("events.k8s.io", "v1", "events").unwrap();
        let core = json!({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod"}, "message": "hi", "count": 2, "reportingComponent": "", "eventTime": null});
        let ext = to_external(&rt, &core);
        assert_eq!(
            ext,
            json!({"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": {"name": "e"},
            "regarding": {"kind": "Pod"}, "note": "hi", "deprecatedCount": 2, "eventTime": null})
        );
        assert_eq!(to_storage(&rt, &ext)["message"], "hi");
    }
}
