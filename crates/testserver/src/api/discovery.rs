//! Discovery documents, `/version`, health checks and the OpenAPI stubs kubectl needs.

use http::{HeaderMap, Response};
use serde_json::{Value, json};

use crate::api::App;
use crate::api::aggregated;
use crate::api::body::Format;
use crate::api::respond::{self, Body};
use crate::api::route::Route;
use crate::api::status::ApiError;
use crate::registry::GroupInfo;

/// The Kubernetes version the server emulates.
pub(crate) const GIT_VERSION: &str = "v1.36.2+98b3519";

fn group_doc(g: &GroupInfo) -> Value {
    let gv = |v: &str| json!({"groupVersion": format!("{}/{v}", g.name), "version": v});
    json!({
        "name": g.name,
        "versions": g.versions.iter().map(|(v, _)| gv(v)).collect::<Vec<_>>(),
        "preferredVersion": gv(&g.preferred),
    })
}

/// Answers a non-resource route.
pub(crate) fn answer(
    app: &App,
    route: &Route,
    headers: &HeaderMap,
) -> Result<Response<Body>, ApiError> {
    let json = |v: Value| Ok(respond::value(200, &v, Format::Json));
    let aggregated = aggregated::negotiate(
        headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    );
    match (route, aggregated) {
        (Route::CoreVersions, Some(version)) => {
            return Ok(aggregated::respond(aggregated::core(app), version, headers));
        }
        (Route::Groups, Some(version)) => {
            return Ok(aggregated::respond(
                aggregated::groups(app),
                version,
                headers,
            ));
        }
        _ => {}
    }
    match route {
        Route::CoreVersions => json(json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": app.address}],
        })),
        Route::Groups => json(json!({
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": app.registry.groups().iter().map(group_doc).collect::<Vec<_>>(),
        })),
        Route::Group(name) => {
            let g = app
                .registry
                .group(name)
                .ok_or_else(ApiError::page_not_found)?;
            let mut doc = group_doc(&g);
            doc["kind"] = "APIGroup".into();
            doc["apiVersion"] = "v1".into();
            json(doc)
        }
        Route::Resources { group, version } if group.is_empty() => json(json!({
            "kind": "APIResourceList",
            "groupVersion": version,
            "resources": app.registry.core_resources(),
        })),
        Route::Resources { group, version } => {
            let g = app
                .registry
                .group(group)
                .ok_or_else(ApiError::page_not_found)?;
            let resources = g
                .versions
                .iter()
                .find(|(v, _)| v == version)
                .map(|(_, r)| r.clone())
                .ok_or_else(ApiError::no_resource)?;
            json(json!({
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": format!("{group}/{version}"),
                "resources": resources,
            }))
        }
        Route::Version => json(json!({
            "major": "1",
            "minor": "36",
            "emulationMajor": "1",
            "emulationMinor": "36",
            "minCompatibilityMajor": "1",
            "minCompatibilityMinor": "35",
            "gitVersion": GIT_VERSION,
            "gitCommit": "98b35196e4e63b7e0d9f0a1f8a1b5a2f0c3d4e5f",
            "gitTreeState": "clean",
            "buildDate": "2026-06-10T00:00:00Z",
            "goVersion": "go1.26.4",
            "compiler": "gc",
            "platform": "linux/amd64",
        })),
        Route::Health => Ok(respond::text(200, "ok")),
        Route::OpenApiV2 => json(json!({
            "swagger": "2.0",
            "info": {"title": "Kubernetes", "version": GIT_VERSION},
            "paths": {},
            "definitions": {},
        })),
        Route::OpenApiV3 => {
            let mut paths = serde_json::Map::new();
            paths.insert(
                "api/v1".into(),
                json!({"serverRelativeURL": "/openapi/v3/api/v1"}),
            );
            for g in app.registry.groups() {
                for (v, _) in &g.versions {
                    let p = format!("apis/{}/{v}", g.name);
                    paths.insert(
                        p.clone(),
                        json!({"serverRelativeURL": format!("/openapi/v3/{p}")}),
                    );
                }
            }
            json(json!({"paths": paths}))
        }
        Route::OpenApiV3Doc { group, version } => json(openapi_v3(app, group, version)),
        Route::Resource(_) => Err(ApiError::method_not_allowed()),
    }
}

/// A minimal OpenAPI v3 document for a group version: the operations kubectl inspects to learn
/// that the server validates fields itself (`fieldValidation`), so it skips client-side schema
/// validation.
fn openapi_v3(app: &App, group: &str, version: &str) -> Value {
    let mut paths = serde_json::Map::new();
    let prefix = if group.is_empty() {
        "/api/v1".to_owned()
    } else {
        format!("/apis/{group}/{version}")
    };
    for rt in app
        .registry
        .types()
        .filter(|t| t.group == group && t.version == version && t.is_stored())
    {
        let gvk = json!({"group": group, "version": version, "kind": rt.kind});
        let params = json!([
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
        ]);
        let op = |action: &str| {
            json!({"parameters": params, "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk,
                "responses": {"200": {"description": "OK"}}})
        };
        let base = if rt.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}", rt.plural)
        } else {
            format!("{prefix}/{}", rt.plural)
        };
        paths.insert(base.clone(), json!({"post": op("post")}));
        paths.insert(
            format!("{base}/{{name}}"),
            json!({"put": op("put"), "patch": op("patch")}),
        );
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": GIT_VERSION},
        "paths": paths,
        "components": {"schemas": {}},
    })
}
