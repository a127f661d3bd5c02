//! Where RBAC finds its objects: a narrow read-only view of stored Roles, ClusterRoles and
//! bindings, so the evaluation is pure and testable without a server.

use std::sync::Arc;

use serde_json::Value;

/// Read access to the RBAC objects the authorizer consults, as stored JSON objects.
///
/// Lists come back in a stable order (by name); kube-apiserver walks its informer caches,
/// whose order is unspecified, so only the first allowing binding named in a reason can
/// differ when several allow a request.
pub(crate) trait RbacObjects {
    /// Every ClusterRoleBinding.
    fn cluster_role_bindings(&self) -> Vec<Arc<Value>>;
    /// The RoleBindings of one namespace.
    fn role_bindings(&self, namespace: &str) -> Vec<Arc<Value>>;
    /// One ClusterRole by name.
    fn cluster_role(&self, name: &str) -> Option<Arc<Value>>;
    /// One Role by namespace and name.
    fn role(&self, namespace: &str, name: &str) -> Option<Arc<Value>>;
}

/// An in-memory set of RBAC objects, e.g. the bootstrap policy plus a test's own objects.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicySet {
    objects: Vec<Arc<Value>>,
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `metadata.name` of an object (empty when absent).
pub(crate) fn name_of(v: &Value) -> &str {
    str_at(v, "/metadata/name")
}

/// `metadata.namespace` of an object (empty when absent).
pub(crate) fn namespace_of(v: &Value) -> &str {
    str_at(v, "/metadata/namespace")
}

impl PolicySet {
    #[cfg(test)]
    /// A set holding `objects` (any mix of the four RBAC kinds; others are ignored).
    pub(crate) fn new(objects: impl IntoIterator<Item = Value>) -> Self {
        let mut set = PolicySet::default();
        for object in objects {
            set.put(object);
        }
        set
    }

    #[cfg(test)]
    /// Adds or replaces (same kind, namespace and name) an object.
    pub(crate) fn put(&mut self, object: Value) {
        let same = |o: &Arc<Value>| {
            str_at(o, "/kind") == str_at(&object, "/kind")
                && namespace_of(o) == namespace_of(&object)
                && name_of(o) == name_of(&object)
        };
        self.objects.retain(|o| !same(o));
        self.objects.push(Arc::new(object));
        self.objects
            .sort_by(|a, b| (namespace_of(a), name_of(a)).cmp(&(namespace_of(b), name_of(b))));
    }

    #[cfg(test)]
    /// Removes an object by kind, namespace and name.
    pub(crate) fn remove(&mut self, kind: &str, namespace: &str, name: &str) {
        self.objects.retain(|o| {
            !(str_at(o, "/kind") == kind && namespace_of(o) == namespace && name_of(o) == name)
        });
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Arc<Value>> + 'a {
        self.objects
            .iter()
            .filter(move |o| str_at(o, "/kind") == kind)
    }
}

impl RbacObjects for PolicySet {
    fn cluster_role_bindings(&self) -> Vec<Arc<Value>> {
        self.of_kind("ClusterRoleBinding").cloned().collect()
    }

    fn role_bindings(&self, namespace: &str) -> Vec<Arc<Value>> {
        self.of_kind("RoleBinding")
            .filter(|o| namespace_of(o) == namespace)
            .cloned()
            .collect()
    }

    fn cluster_role(&self, name: &str) -> Option<Arc<Value>> {
        self.of_kind("ClusterRole")
            .find(|o| name_of(o) == name)
            .cloned()
    }

    fn role(&self, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.of_kind("Role")
            .find(|o| namespace_of(o) == namespace && name_of(o) == name)
            .cloned()
    }
}
