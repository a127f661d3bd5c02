//! An in-memory [`Lookup`] for tests.

use serde_json::Value;

use super::Lookup;

/// Objects keyed by (group, resource, namespace, name).
#[derive(Debug, Default)]
pub(crate) struct MemLookup {
    objects: Vec<(String, String, Option<String>, Value)>,
}

impl MemLookup {
    /// Adds an object.
    pub(crate) fn with(
        mut self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        obj: Value,
    ) -> Self {
        self.objects.push((
            group.into(),
            resource.into(),
            namespace.map(str::to_owned),
            obj,
        ));
        self
    }

    /// A lookup with namespace `ns` (Active) and its `default` ServiceAccount.
    pub(crate) fn namespace(ns: &str) -> Self {
        MemLookup::default()
            .with(
                "",
                "namespaces",
                None,
                serde_json::json!({"metadata": {"name": ns}, "status": {"phase": "Active"}}),
            )
            .with(
                "",
                "serviceaccounts",
                Some(ns),
                serde_json::json!({"metadata": {"name": "default", "namespace": ns}}),
            )
    }
}

impl Lookup for MemLookup {
    fn get(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        self.objects
            .iter()
            .find(|(g, r, ns, o)| {
                g == group
                    && r == resource
                    && ns.as_deref() == namespace
                    && crate::shared::json::name(o) == name
            })
            .map(|(.., o)| o.clone())
    }

    fn list(&self, group: &str, resource: &str, namespace: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|(g, r, ns, _)| {
                g == group && r == resource && (namespace.is_none() || ns.as_deref() == namespace)
            })
            .map(|(.., o)| o.clone())
            .collect()
    }
}
