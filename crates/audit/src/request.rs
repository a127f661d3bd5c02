//! A request as RBAC sees it (the authorizer's attributes), read from an audit event.

use std::fmt;

use crate::event::Event;

/// What one request asked to do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Request {
    /// A request on an API resource.
    Resource(ResourceRequest),
    /// A request for a non-resource URL (`/healthz`, `/version`, `/api`).
    NonResource {
        /// Lowercase HTTP method (`get`, `post`).
        verb: String,
        /// The URL path without the query.
        path: String,
    },
}

/// The attributes of a request on an API resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct ResourceRequest {
    /// API group, empty for core.
    pub api_group: String,
    /// Resource (plural).
    pub resource: String,
    /// Subresource, empty if none.
    pub subresource: String,
    /// Namespace, empty at the cluster scope (or across all namespaces).
    pub namespace: String,
    /// Object name, empty for collections.
    pub name: String,
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, ...
    pub verb: String,
}

impl ResourceRequest {
    /// `resource` or `resource/subresource`, as rules name it.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }
}

impl Request {
    /// The request an audit event records.
    ///
    /// ```
    /// let line = r#"{"stage":"ResponseComplete","verb":"create","objectRef":{"resource":"pods","namespace":"a","name":"p","apiVersion":"v1","subresource":"binding"}}"#;
    /// let event = &kubeset_audit::parse_log(line)?[0];
    /// let request = kubeset_audit::Request::of(event);
    /// assert_eq!(request.to_string(), "create pods/binding \"p\" in namespace a");
    /// # Ok::<_, kubeset_audit::Error>(())
    /// ```
    pub fn of(event: &Event) -> Request {
        match &event.object_ref {
            Some(r) => Request::Resource(ResourceRequest {
                api_group: r.api_group.clone(),
                resource: r.resource.clone(),
                subresource: r.subresource.clone(),
                namespace: r.namespace.clone(),
                name: r.name.clone(),
                verb: event.verb.clone(),
            }),
            None => Request::NonResource {
                verb: event.verb.clone(),
                path: event
                    .request_uri
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            },
        }
    }

    /// The verb.
    pub fn verb(&self) -> &str {
        match self {
            Request::Resource(r) => &r.verb,
            Request::NonResource { verb, .. } => verb,
        }
    }

    /// The same request without the object name (what rules without `resourceNames` see).
    pub(crate) fn without_name(&self) -> Request {
        match self {
            Request::Resource(r) => Request::Resource(ResourceRequest {
                name: String::new(),
                ..r.clone()
            }),
            other => other.clone(),
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::NonResource { verb, path } => write!(f, "{verb} {path}"),
            Request::Resource(r) => {
                write!(f, "{} {}", r.verb, r.combined_resource())?;
                if !r.api_group.is_empty() {
                    write!(f, ".{}", r.api_group)?;
                }
                if !r.name.is_empty() {
                    write!(f, " {:?}", r.name)?;
                }
                if r.namespace.is_empty() {
                    Ok(())
                } else {
                    write!(f, " in namespace {}", r.namespace)
                }
            }
        }
    }
}
