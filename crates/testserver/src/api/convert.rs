//! Conversion between a resource's stored form and the version a request addresses.
//!
//! A resource served in another resource's version (events.k8s.io/v1 Events are stored as
//! core/v1 Events, as kube-apiserver stores them) converts with its strategy's
//! [`StoredAs`](crate::registry::strategy::StoredAs); a custom resource with its CRD's
//! conversion; every other resource is served as stored.

use serde_json::Value;

use crate::registry::ResourceType;

/// Whether objects of `rt` are stored in another resource's form.
pub(crate) fn is_converted(rt: &ResourceType) -> bool {
    rt.strategy.stored_as().is_some()
}

/// The stored object as `rt` presents it.
pub(crate) fn to_external(rt: &ResourceType, stored: &Value) -> Value {
    if let Some(custom) = &rt.custom {
        return custom.to_external(stored);
    }
    match rt.strategy.stored_as() {
        Some(stored_as) => (stored_as.from_stored)(stored),
        None => stored.clone(),
    }
}

/// An object of `rt` in its stored form.
pub(crate) fn to_storage(rt: &ResourceType, external: &Value) -> Value {
    match rt.strategy.stored_as() {
        Some(stored_as) => (stored_as.to_stored)(external),
        None => external.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::registry::Registry;

    #[test]
    fn events_convert_through_their_strategy_and_others_stay() {
        let r = Registry::builtin();
        let rt = r.find("events.k8s.io", "v1", "events").unwrap();
        let core = json!({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e"},
            "involvedObject": {"kind": "Pod"}, "message": "hi", "count": 2, "source": {},
            "firstTimestamp": null, "lastTimestamp": null, "eventTime": null,
            "reportingComponent": "", "reportingInstance": ""});
        let ext = to_external(&rt, &core);
        assert_eq!(ext["apiVersion"], "events.k8s.io/v1");
        assert_eq!(ext["note"], "hi");
        assert_eq!(to_storage(&rt, &ext), core);
        let core_rt = r.find("", "v1", "events").unwrap();
        assert!(!is_converted(&core_rt));
        assert_eq!(to_external(&core_rt, &core), core);
    }
}
