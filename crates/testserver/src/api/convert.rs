//! Conversion between a resource's stored form and the version a request addresses.
//!
//! A resource served in another resource's version (events.k8s.io/v1 Events are stored as
//! core/v1 Events, as kube-apiserver stores them) converts with its strategy's
//! [`StoredAs`](crate::registry::strategy::StoredAs); a custom resource with its CRD's
//! conversion; every other resource is served as stored.

use serde_json::Value;

use crate::fields::versions::Versions;
use crate::registry::{Registry, ResourceType};

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

/// The versions the field manager converts `rt`'s objects between: every built-in resource
/// of the same kind stored under the same prefix, converted through the stored form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StoredVersions<'a> {
    /// Where the other versions are found.
    pub(crate) registry: &'a Registry,
    /// The resource written.
    pub(crate) rt: &'a ResourceType,
}

impl StoredVersions<'_> {
    fn served(&self, api_version: &str) -> Option<&ResourceType> {
        self.registry.types().find(|t| {
            t.custom.is_none()
                && t.api_version() == api_version
                && t.kind == self.rt.kind
                && t.storage_prefix() == self.rt.storage_prefix()
        })
    }
}

impl Versions for StoredVersions<'_> {
    fn convert(&self, object: &Value, from: &str, to: &str) -> Option<Value> {
        if from == to {
            return Some(object.clone());
        }
        let (from, to) = (self.served(from)?, self.served(to)?);
        Some(to_external(to, &to_storage(from, object)))
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

        let versions = StoredVersions {
            registry: &r,
            rt: &core_rt,
        };
        assert_eq!(versions.convert(&core, "v1", "events.k8s.io/v1"), Some(ext));
        assert_eq!(versions.convert(&core, "v1", "v1"), Some(core.clone()));
        assert_eq!(versions.convert(&core, "v1", "events.k8s.io/v1beta1"), None);
    }
}
