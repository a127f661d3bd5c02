//! Mapping a URL path to what it addresses.

use std::sync::Arc;

use crate::api::status::ApiError;
use crate::registry::{Registry, ResourceType};

/// What a URL path addresses.
#[derive(Debug)]
pub(crate) enum Route {
    /// `/api`.
    CoreVersions,
    /// `/apis`.
    Groups,
    /// `/apis/GROUP`.
    Group(String),
    /// `/api/v1` or `/apis/GROUP/VERSION`.
    Resources {
        /// Group, empty for core.
        group: String,
        /// Version.
        version: String,
    },
    /// `/version`.
    Version,
    /// `/healthz`, `/livez`, `/readyz` (and their sub-checks).
    Health,
    /// `/openapi/v2`.
    OpenApiV2,
    /// `/openapi/v3`.
    OpenApiV3,
    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/GROUP/VERSION`.
    OpenApiV3Doc {
        /// Group, empty for core.
        group: String,
        /// Version.
        version: String,
    },
    /// A resource, collection or subresource.
    Resource(Target),
}

/// A resource request target.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The resource type.
    pub(crate) rt: Arc<ResourceType>,
    /// Namespace from the URL (`None` for cluster scope or all namespaces).
    pub(crate) namespace: Option<String>,
    /// Object name (`None` for the collection).
    pub(crate) name: Option<String>,
    /// Subresource, if any.
    pub(crate) subresource: Option<String>,
}

/// Resolves a path, or the 404 the real server gives for it.
pub(crate) fn resolve(registry: &Registry, path: &str) -> Result<Route, ApiError> {
    let trimmed = path.trim_end_matches('/');
    match trimmed {
        "/api" => return Ok(Route::CoreVersions),
        "/apis" => return Ok(Route::Groups),
        "/version" => return Ok(Route::Version),
        "/openapi/v2" => return Ok(Route::OpenApiV2),
        "/openapi/v3" => return Ok(Route::OpenApiV3),
        _ => {}
    }
    if let Some(rest) = trimmed.strip_prefix("/openapi/v3/") {
        let (group, version) = match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["api", "v1"] => (String::new(), "v1".to_owned()),
            ["apis", g, v] if registry.has_group_version(g, v) => {
                ((*g).to_owned(), (*v).to_owned())
            }
            _ => return Err(ApiError::page_not_found()),
        };
        return Ok(Route::OpenApiV3Doc { group, version });
    }
    for health in ["/healthz", "/livez", "/readyz"] {
        if trimmed == health || trimmed.starts_with(&format!("{health}/")) {
            return Ok(Route::Health);
        }
    }
    let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group] => {
            return registry
                .group(group)
                .map(|g| Route::Group(g.name.clone()))
                .ok_or_else(ApiError::page_not_found);
        }
        ["apis", group, version, rest @ ..] => {
            if registry.group(group).is_none() {
                return Err(ApiError::page_not_found());
            }
            if !registry.has_group_version(group, version) {
                return Err(ApiError::no_resource());
            }
            (*group, *version, rest)
        }
        _ => return Err(ApiError::page_not_found()),
    };
    if rest.is_empty() {
        return Ok(Route::Resources {
            group: group.to_owned(),
            version: version.to_owned(),
        });
    }
    if rest.iter().any(|s| s.is_empty()) {
        return Err(ApiError::no_resource());
    }
    let find = |plural: &str| registry.find(group, version, plural);
    let target =
        |rt: Arc<ResourceType>, ns: Option<&str>, name: Option<&str>, sub: Option<&str>| {
            Route::Resource(Target {
                rt,
                namespace: ns.map(str::to_owned),
                name: name.map(str::to_owned),
                subresource: sub.map(str::to_owned),
            })
        };
    let route = match rest {
        ["namespaces", ns, plural, tail @ ..] if find(plural).is_some_and(|t| t.namespaced) => {
            let rt = find(plural).ok_or_else(ApiError::no_resource)?;
            match tail {
                [] => target(rt, Some(ns), None, None),
                [name] => target(rt, Some(ns), Some(name), None),
                [name, sub] if rt.subresources.contains_key(*sub) => {
                    target(rt, Some(ns), Some(name), Some(sub))
                }
                _ => return Err(ApiError::no_resource()),
            }
        }
        [plural, tail @ ..] => {
            let rt = find(plural).ok_or_else(ApiError::no_resource)?;
            match tail {
                [] => target(rt, None, None, None),
                [name] if !rt.namespaced => target(rt, None, Some(name), None),
                [name, sub] if !rt.namespaced && rt.subresources.contains_key(*sub) => {
                    target(rt, None, Some(name), Some(sub))
                }
                _ => return Err(ApiError::no_resource()),
            }
        }
        [] => return Err(ApiError::no_resource()),
    };
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(path: &str, expected: &str) {
        let r = Registry::builtin();
        let got = match resolve(&r, path) {
            Ok(Route::Resource(t)) => format!(
                "{}/{} ns={:?} name={:?} sub={:?}",
                t.rt.group, t.rt.plural, t.namespace, t.name, t.subresource
            ),
            Ok(other) => format!("{other:?}"),
            Err(e) if e.plain => "plain404".to_owned(),
            Err(e) => format!("{} {}", e.code, e.message),
        };
        assert_eq!(got, expected, "{path}");
    }

    #[test]
    fn paths() {
        check(
            "/api/v1/namespaces/a/pods/p/status",
            "/pods ns=Some(\"a\") name=Some(\"p\") sub=Some(\"status\")",
        );
        check(
            "/api/v1/namespaces/a",
            "/namespaces ns=None name=Some(\"a\") sub=None",
        );
        check(
            "/api/v1/namespaces/a/status",
            "/namespaces ns=None name=Some(\"a\") sub=Some(\"status\")",
        );
        check("/api/v1/pods", "/pods ns=None name=None sub=None");
        check(
            "/apis/storage.k8s.io/v1/storageclasses/x",
            "storage.k8s.io/storageclasses ns=None name=Some(\"x\") sub=None",
        );
        check(
            "/api/v1/namespaces/a/foos",
            "404 the server could not find the requested resource",
        );
        check(
            "/api/v1/namespaces/a/configmaps/x/status",
            "404 the server could not find the requested resource",
        );
        check("/apis/nope.example.com/v1/foos", "plain404");
        check(
            "/apis/storage.k8s.io/v9/storageclasses",
            "404 the server could not find the requested resource",
        );
        check("/nope", "plain404");
        check("/apis/apps", "Group(\"apps\")");
    }
}
