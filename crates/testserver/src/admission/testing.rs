//! An in-memory [`Lookup`] for tests.

use std::cell::RefCell;

use serde_json::Value;

use super::{Attributes, AuthzQuestion, Equivalent, Lookup, StatusConflict, UserInfo};

/// A stored object: (group, resource, namespace, object).
type Entry = (String, String, Option<String>, Value);

/// Objects keyed by (group, resource, namespace, name), and what users may do (nothing unless
/// [`MemLookup::allow`]ed). Status writes replace the object's `status` and count its
/// `metadata.resourceVersion` up (from `0` when it has none).
#[derive(Debug, Default)]
pub(crate) struct MemLookup {
    objects: RefCell<Vec<Entry>>,
    /// (user, verb, resource, name) allowed.
    allowed: Vec<(String, String, String, String)>,
    /// The served versions of one stored resource ([`Lookup::equivalents`]).
    equivalents: Vec<Equivalent>,
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
        self.objects.get_mut().push((
            group.into(),
            resource.into(),
            namespace.map(str::to_owned),
            obj,
        ));
        self
    }

    /// Allows `user` `verb` on `resource` named `name` (any group).
    pub(crate) fn allow(mut self, user: &str, verb: &str, resource: &str, name: &str) -> Self {
        self.allowed
            .push((user.into(), verb.into(), resource.into(), name.into()));
        self
    }

    /// Serves `group/version/resource` (kind `kind`) from the same storage as every other
    /// resource given this way.
    pub(crate) fn equivalent(
        mut self,
        group: &str,
        version: &str,
        resource: &str,
        kind: &str,
    ) -> Self {
        self.equivalents.push(Equivalent {
            group: group.into(),
            version: version.into(),
            resource: resource.into(),
            kind: kind.into(),
        });
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
            .borrow()
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
            .borrow()
            .iter()
            .filter(|(g, r, ns, _)| {
                g == group && r == resource && (namespace.is_none() || ns.as_deref() == namespace)
            })
            .map(|(.., o)| o.clone())
            .collect()
    }

    fn allows(&self, user: &UserInfo<'_>, q: &AuthzQuestion<'_>) -> bool {
        self.allowed.iter().any(|(u, v, r, n)| {
            (u.as_str(), v.as_str(), r.as_str(), n.as_str())
                == (user.name, q.verb, q.resource, q.name)
        })
    }

    fn write_status(&self, group: &str, resource: &str, new: &Value) -> Result<(), StatusConflict> {
        let version = |o: &Value| {
            o.pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("0")
                .to_owned()
        };
        let mut objects = self.objects.borrow_mut();
        let (.., obj) = objects
            .iter_mut()
            .find(|(g, r, _, o)| {
                g == group
                    && r == resource
                    && o.pointer("/metadata/namespace") == new.pointer("/metadata/namespace")
                    && crate::shared::json::name(o) == crate::shared::json::name(new)
            })
            .ok_or(StatusConflict)?;
        let stored = version(obj);
        if stored != version(new) {
            return Err(StatusConflict);
        }
        let next = stored.parse::<u64>().unwrap_or(0) + 1;
        obj["metadata"]["resourceVersion"] = Value::String(next.to_string());
        obj["status"] = new.get("status").cloned().unwrap_or(Value::Null);
        Ok(())
    }

    fn equivalents(&self, attrs: &Attributes<'_>) -> Vec<Equivalent> {
        let own = |e: &Equivalent| {
            (e.group.as_str(), e.version.as_str(), e.resource.as_str())
                == (attrs.group, attrs.version, attrs.resource)
        };
        if self.equivalents.iter().any(own) {
            self.equivalents.clone()
        } else {
            Vec::new()
        }
    }
}
