//! Authorization: `system:masters` may do anything; everyone else is decided by RBAC over the
//! stored Roles, ClusterRoles and bindings, plus the built-in discovery and public-info rules.
//!
//! Issue 5 grows this into the full bootstrap policy; the seam is [`authorize`].

use serde_json::{Value, json};

use super::User;
use crate::api::status::ApiError;
use crate::storage::{Scope, Store};

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

const DISCOVERY: &[&str] = &[
    "/api",
    "/api/*",
    "/apis",
    "/apis/*",
    "/healthz",
    "/livez",
    "/readyz",
    "/openapi",
    "/openapi/*",
    "/version",
    "/version/",
];
const PUBLIC_INFO: &[&str] = &["/healthz", "/livez", "/readyz", "/version", "/version/"];

/// Allows the request or returns the real 403.
pub(crate) fn authorize(user: &User, req: &Request<'_>, store: &dyn Store) -> Result<(), ApiError> {
    if user.in_group("system:masters") || allowed(user, req, store) {
        return Ok(());
    }
    Err(forbidden(user, req))
}

fn allowed(user: &User, req: &Request<'_>, store: &dyn Store) -> bool {
    match req {
        Request::Path { verb, path } => {
            if *verb == "get" {
                let builtin = if user.in_group("system:authenticated") {
                    DISCOVERY
                } else {
                    PUBLIC_INFO
                };
                if builtin.iter().any(|p| path_matches(p, path)) {
                    return true;
                }
            }
        }
        Request::Resource {
            verb,
            group,
            resource,
            ..
        } => {
            // system:basic-user: self reviews for every authenticated user
            if user.in_group("system:authenticated")
                && *verb == "create"
                && matches!(
                    (*group, *resource),
                    (
                        "authorization.k8s.io",
                        "selfsubjectaccessreviews" | "selfsubjectrulesreviews"
                    ) | ("authentication.k8s.io", "selfsubjectreviews")
                )
            {
                return true;
            }
        }
    }
    rules_for(user, req, store)
        .iter()
        .any(|rule| rule_allows(rule, req))
}

fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

fn strs(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn subject_matches(user: &User, s: &Value, binding_ns: &str) -> bool {
    let name = s.get("name").and_then(Value::as_str).unwrap_or_default();
    match s.get("kind").and_then(Value::as_str).unwrap_or_default() {
        "User" => user.name == name,
        "Group" => user.in_group(name),
        "ServiceAccount" => {
            let ns = s
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or(binding_ns);
            user.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

fn rules_for(user: &User, req: &Request<'_>, store: &dyn Store) -> Vec<Value> {
    let Ok(snap) = store.snapshot(None) else {
        return Vec::new();
    };
    let namespace = match req {
        Request::Resource { namespace, .. } => *namespace,
        Request::Path { .. } => "",
    };
    let role = |resource: &str, ns: &str, name: &str| {
        snap.get(&crate::storage::Key::new(resource, ns, name))
            .cloned()
    };
    let mut rules = Vec::new();
    let mut collect = |binding: &Value, ns: &str| {
        let subjects = binding
            .get("subjects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if !subjects.iter().any(|s| subject_matches(user, s, ns)) {
            return;
        }
        let kind = binding
            .pointer("/roleRef/kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = binding
            .pointer("/roleRef/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let found = match kind {
            "ClusterRole" => role("rbac.authorization.k8s.io/clusterroles", "", name),
            "Role" => role("rbac.authorization.k8s.io/roles", ns, name),
            _ => None,
        };
        if let Some(r) = found.and_then(|r| r.get("rules").and_then(Value::as_array).cloned()) {
            rules.extend(r);
        }
    };
    let crbs = Scope {
        resource: "rbac.authorization.k8s.io/clusterrolebindings".into(),
        namespace: None,
    };
    for (_, b) in snap.range(&crbs, None) {
        collect(b, "");
    }
    if !namespace.is_empty() {
        let rbs = Scope {
            resource: "rbac.authorization.k8s.io/rolebindings".into(),
            namespace: Some(namespace.to_owned()),
        };
        for (_, b) in snap.range(&rbs, None) {
            collect(b, namespace);
        }
    }
    rules
}

fn has(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

fn rule_allows(rule: &Value, req: &Request<'_>) -> bool {
    let verbs = strs(rule, "verbs");
    match req {
        Request::Path { verb, path } => {
            has(&verbs, verb)
                && strs(rule, "nonResourceURLs")
                    .iter()
                    .any(|p| p == "*" || path_matches(p, path))
        }
        Request::Resource {
            verb,
            group,
            resource,
            subresource,
            name,
            ..
        } => {
            let full = if subresource.is_empty() {
                (*resource).to_owned()
            } else {
                format!("{resource}/{subresource}")
            };
            let resources = strs(rule, "resources");
            let names = strs(rule, "resourceNames");
            has(&verbs, verb)
                && has(&strs(rule, "apiGroups"), group)
                && resources.iter().any(|r| {
                    r == "*"
                        || *r == full
                        || (!subresource.is_empty() && *r == format!("*/{subresource}"))
                })
                && (names.is_empty() || names.iter().any(|n| n == name))
        }
    }
}

fn forbidden(user: &User, req: &Request<'_>) -> ApiError {
    match req {
        Request::Path { verb, path } => ApiError::forbidden(
            format!(
                "forbidden: User \"{}\" cannot {verb} path \"{path}\"",
                user.name
            ),
            json!({}),
        ),
        Request::Resource {
            verb,
            group,
            resource,
            subresource,
            namespace,
            name,
        } => {
            let qualified = if group.is_empty() {
                (*resource).to_owned()
            } else {
                format!("{resource}.{group}")
            };
            let what = if name.is_empty() {
                qualified
            } else {
                format!("{qualified} \"{name}\"")
            };
            let full = if subresource.is_empty() {
                (*resource).to_owned()
            } else {
                format!("{resource}/{subresource}")
            };
            let scope = if namespace.is_empty() {
                "at the cluster scope".to_owned()
            } else {
                format!("in the namespace \"{namespace}\"")
            };
            let mut details = serde_json::Map::new();
            if !name.is_empty() {
                details.insert("name".into(), (*name).into());
            }
            if !group.is_empty() {
                details.insert("group".into(), (*group).into());
            }
            details.insert("kind".into(), (*resource).into());
            ApiError::forbidden(
                format!(
                    "{what} is forbidden: User \"{}\" cannot {verb} resource \"{full}\" in API group \"{group}\" {scope}",
                    user.name
                ),
                Value::Object(details),
            )
        }
    }
}
