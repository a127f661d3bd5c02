//! The replay's view of storage for admission: the objects the recorded responses show.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::admission::{AuthzQuestion, Lookup, UserInfo};

pub(super) type Key = (String, String, Option<String>, String);

/// The stored objects, as the recorded responses show them.
#[derive(Default)]
pub(super) struct Store {
    pub(super) objects: HashMap<Key, Value>,
}

impl Lookup for Store {
    fn get(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let key = (
            group.to_owned(),
            resource.to_owned(),
            namespace.map(str::to_owned),
            name.to_owned(),
        );
        if let Some(v) = self.objects.get(&key) {
            return Some(v.clone());
        }
        // The serviceaccount controller made `default` in every namespace.
        let ns_exists = |ns: &str| {
            self.objects
                .contains_key(&(String::new(), "namespaces".into(), None, ns.to_owned()))
        };
        if (group, resource, name) == ("", "serviceaccounts", "default")
            && namespace.is_some_and(ns_exists)
        {
            return Some(json!({"metadata": {"name": "default", "namespace": namespace}}));
        }
        None
    }

    fn list(&self, group: &str, resource: &str, namespace: Option<&str>) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|((g, r, ns, _), _)| {
                g == group && r == resource && (namespace.is_none() || ns.as_deref() == namespace)
            })
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The transcripts never write through a plugin that asks the authorizer.
    fn allows(&self, _user: &UserInfo<'_>, _question: &AuthzQuestion<'_>) -> bool {
        false
    }

    /// The transcripts hold no ResourceQuota to charge.
    fn write_status(
        &self,
        _group: &str,
        _resource: &str,
        _obj: &Value,
    ) -> Result<(), crate::admission::StatusConflict> {
        Err(crate::admission::StatusConflict)
    }
}
