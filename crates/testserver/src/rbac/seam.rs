//! Adapters between RBAC and the rest of the server: the store as [`RbacObjects`] and the
//! authorization seam `api::authz` delegates to.

use std::sync::Arc;

use serde_json::Value;

use super::attributes::Attributes;
use super::evaluate::{Decision, authorize};
use super::forbidden::Forbidden;
use super::objects::RbacObjects;
use crate::auth::User;
use crate::storage::{Key, Scope, Snapshot, Store};

const ROLES: &str = "rbac.authorization.k8s.io/roles";
const CLUSTER_ROLES: &str = "rbac.authorization.k8s.io/clusterroles";
const ROLE_BINDINGS: &str = "rbac.authorization.k8s.io/rolebindings";
const CLUSTER_ROLE_BINDINGS: &str = "rbac.authorization.k8s.io/clusterrolebindings";

/// The RBAC objects of one consistent store snapshot.
#[derive(Debug, Clone)]
pub(crate) struct StoreObjects {
    snapshot: Snapshot,
}

impl StoreObjects {
    /// A view of the store's current state (`None` if the store cannot give a snapshot).
    pub(crate) fn current(store: &dyn Store) -> Option<Self> {
        store
            .snapshot(None)
            .ok()
            .map(|snapshot| StoreObjects { snapshot })
    }

    fn list(&self, resource: &str, namespace: Option<&str>) -> Vec<Arc<Value>> {
        let scope = Scope {
            resource: resource.to_owned(),
            namespace: namespace.map(str::to_owned),
        };
        self.snapshot
            .range(&scope, None)
            .map(|(_, v)| Arc::clone(v))
            .collect()
    }
}

impl RbacObjects for StoreObjects {
    fn cluster_role_bindings(&self) -> Vec<Arc<Value>> {
        self.list(CLUSTER_ROLE_BINDINGS, None)
    }

    fn role_bindings(&self, namespace: &str) -> Vec<Arc<Value>> {
        self.list(ROLE_BINDINGS, Some(namespace))
    }

    fn cluster_role(&self, name: &str) -> Option<Arc<Value>> {
        self.snapshot
            .get(&Key::new(CLUSTER_ROLES, "", name))
            .cloned()
    }

    fn role(&self, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.snapshot
            .get(&Key::new(ROLES, namespace, name))
            .cloned()
    }
}

/// The user a request runs as after its `Impersonate-*` headers (the authenticated user
/// when there are none), or why the real server refuses (a 403 or 500). Call it right after
/// authentication, before anything is authorized.
pub(crate) fn impersonate(
    user: User,
    headers: &http::HeaderMap,
    store: &dyn Store,
) -> Result<User, super::impersonation::Refused> {
    use super::impersonation::impersonate;

    if !headers
        .keys()
        .any(|k| k.as_str().starts_with("impersonate-"))
    {
        return Ok(user);
    }
    let stored = StoreObjects::current(store);
    let empty = super::objects::PolicySet::default();
    let objects: &dyn RbacObjects = match &stored {
        Some(s) => s,
        None => &empty,
    };
    impersonate(objects, &user, headers)
}

/// What a request wants to do.
#[derive(Debug, Clone)]
pub(crate) enum Request<'a> {
    /// A request for a non-resource URL such as `/api` or `/healthz`.
    Path {
        /// Lowercase HTTP verb (`get`, `post`).
        verb: &'a str,
        /// The URL path.
        path: &'a str,
    },
    /// A request on a resource.
    Resource {
        /// API verb (`get`, `list`, `watch`, `create`, ...).
        verb: &'a str,
        /// API group.
        group: &'a str,
        /// Resource (plural).
        resource: &'a str,
        /// Subresource, empty if none.
        subresource: &'a str,
        /// Namespace, empty for cluster scope.
        namespace: &'a str,
        /// Object name, empty for collections.
        name: &'a str,
    },
}

/// The attributes of a [`Request`].
pub(crate) fn attributes_of(req: &Request<'_>) -> Attributes {
    match req {
        Request::Path { verb, path } => Attributes::non_resource(verb, path),
        Request::Resource {
            verb,
            group,
            resource,
            subresource,
            namespace,
            name,
        } => {
            // a Namespace object is authorized in its own namespace, as RequestInfo has it
            let namespace = if group.is_empty() && *resource == "namespaces" && namespace.is_empty()
            {
                name
            } else {
                namespace
            };
            Attributes::resource(verb, group, resource)
                .in_namespace(namespace)
                .named(name)
                .with_subresource(subresource)
        }
    }
}

#[cfg(test)]
/// Allows the request or returns the real 403, deciding by RBAC over the stored objects
/// (what `api::authz::authorize` calls).
pub(crate) fn authorize_request(
    user: &User,
    req: &Request<'_>,
    store: &dyn Store,
) -> Result<(), Forbidden> {
    authorize_attributes(user, &attributes_of(req), store)
}

#[cfg(test)]
/// Allows a request described by its attributes (e.g. [`Attributes::from_request`], which
/// also covers URLs the router does not know) or returns the real 403.
pub(crate) fn authorize_attributes(
    user: &User,
    attrs: &Attributes,
    store: &dyn Store,
) -> Result<(), Forbidden> {
    answer(user, attrs, &decide(user, attrs, store))
}

/// The decision on a request, by RBAC over the stored objects.
pub(crate) fn decide(user: &User, attrs: &Attributes, store: &dyn Store) -> Decision {
    match StoreObjects::current(store) {
        Some(objects) => authorize(&objects, user, attrs),
        None => authorize(&super::objects::PolicySet::default(), user, attrs),
    }
}

/// Nothing when `decision` allows the request, else the real 403.
pub(crate) fn answer(
    user: &User,
    attrs: &Attributes,
    decision: &Decision,
) -> Result<(), Forbidden> {
    if decision.allowed {
        return Ok(());
    }
    Err(Forbidden::new(&user.name, attrs, &decision.reason))
}
