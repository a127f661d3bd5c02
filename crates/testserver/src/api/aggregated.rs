//! Aggregated discovery: `/api` and `/apis` as one `APIGroupDiscoveryList`
//! (`apidiscovery.k8s.io/v2`, or `v2beta1` for older clients), as kube-apiserver serves it.
//!
//! Guarantees, as the real server's `discovery/aggregated` handler gives them:
//! - the aggregated form is chosen by content negotiation only (`Accept` naming
//!   `g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`, first acceptable range wins);
//!   a client asking for plain JSON gets the legacy documents;
//! - each answer carries `ETag` (the SHA-512 of the document, upper-case hex, quoted),
//!   `Vary: Accept` and `Cache-Control: public`; an `If-None-Match` naming the current ETag is
//!   answered `304 Not Modified` with no body;
//! - the documents are computed from the registry on each request, so a CRD's group appears as
//!   soon as it is Established and disappears with it (the ETag changes with them).

use http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use serde_json::{Map, Value, json};

use crate::api::App;
use crate::api::respond::{self, Body};

/// The aggregated discovery version a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aggregated {
    /// `apidiscovery.k8s.io/v2`.
    V2,
    /// `apidiscovery.k8s.io/v2beta1`.
    V2Beta1,
}

impl Aggregated {
    fn version(self) -> &'static str {
        match self {
            Aggregated::V2 => "v2",
            Aggregated::V2Beta1 => "v2beta1",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Aggregated::V2 => {
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
            }
            Aggregated::V2Beta1 => {
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
            }
        }
    }
}

/// Whether `Accept` asks for the aggregated form: the first JSON range the server can serve
/// decides (`None`: the legacy documents).
pub(crate) fn negotiate(accept: Option<&str>) -> Option<Aggregated> {
    for range in accept.unwrap_or("").split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        if !matches!(media.as_str(), "application/json" | "*/*" | "application/*") {
            continue;
        }
        let (mut group, mut version, mut as_) = (None, None, None);
        for p in parts {
            match p.split_once('=') {
                Some(("g", v)) => group = Some(v),
                Some(("v", v)) => version = Some(v),
                Some(("as", v)) => as_ = Some(v),
                _ => {}
            }
        }
        match (group, version, as_) {
            (None, None, None) => return None,
            (Some("apidiscovery.k8s.io"), Some("v2"), Some("APIGroupDiscoveryList")) => {
                return Some(Aggregated::V2);
            }
            (Some("apidiscovery.k8s.io"), Some("v2beta1"), Some("APIGroupDiscoveryList")) => {
                return Some(Aggregated::V2Beta1);
            }
            _ => continue,
        }
    }
    None
}

/// The aggregated `/api`: the core group (named `""`) with its one version.
pub(crate) fn core(app: &App) -> Vec<Value> {
    vec![group_item(
        "",
        &[("v1".to_owned(), app.registry.core_resources().to_vec())],
    )]
}

/// The aggregated `/apis`: every group in discovery order, preferred version first.
pub(crate) fn groups(app: &App) -> Vec<Value> {
    app.registry
        .groups()
        .iter()
        .map(|g| {
            let mut versions = g.versions.clone();
            // versions are listed in order of preference, the preferred one first
            versions.sort_by_key(|(v, _)| *v != g.preferred);
            group_item(&g.name, &versions)
        })
        .collect()
}

/// Answers with `items` as an `APIGroupDiscoveryList` in `version`, or `304` when the client
/// already has it.
pub(crate) fn respond(
    items: Vec<Value>,
    version: Aggregated,
    headers: &HeaderMap,
) -> Response<Body> {
    let doc = json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{}", version.version()),
        "metadata": {},
        "items": items,
    });
    let bytes = serde_json::to_vec(&doc).unwrap_or_default();
    let etag = format!(
        "\"{}\"",
        hex_upper(ring::digest::digest(&ring::digest::SHA512, &bytes).as_ref())
    );
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if not_modified {
        let mut r = Response::new(respond::full(Vec::new()));
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(respond::full(bytes));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(version.content_type()),
        );
        r
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public"));
    response
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn group_item(name: &str, versions: &[(String, Vec<Value>)]) -> Value {
    let mut metadata = Map::new();
    if !name.is_empty() {
        metadata.insert("name".into(), name.into());
    }
    metadata.insert("creationTimestamp".into(), Value::Null);
    json!({
        "metadata": metadata,
        "versions": versions.iter().map(|(v, resources)| {
            let mut version = Map::new();
            version.insert("version".into(), v.as_str().into());
            let resources = resources_of(resources);
            if !resources.is_empty() {
                version.insert("resources".into(), resources.into());
            }
            version.insert("freshness".into(), "Current".into());
            Value::Object(version)
        }).collect::<Vec<_>>(),
    })
}

/// A legacy `APIResourceList`'s entries in the aggregated shape: subresources (`pods/log`) move
/// under their parent; a subresource without a listed parent gets a parent with an empty kind,
/// as the real server's conversion does.
pub(crate) fn resources_of(list: &[Value]) -> Vec<Value> {
    let text = |r: &Value, k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let kind_of = |r: &Value| json!({"group": text(r, "group"), "version": text(r, "version"), "kind": text(r, "kind")});
    let scope = |r: &Value| {
        if r.get("namespaced")
            .and_then(Value::as_bool)
            .unwrap_or(false)
        {
            "Namespaced"
        } else {
            "Cluster"
        }
    };
    let mut out: Vec<Map<String, Value>> = Vec::new();
    for r in list.iter().filter(|r| !text(r, "name").contains('/')) {
        let mut m = Map::new();
        m.insert("resource".into(), text(r, "name").into());
        m.insert("responseKind".into(), kind_of(r));
        m.insert("scope".into(), scope(r).into());
        m.insert("singularResource".into(), text(r, "singularName").into());
        m.insert("verbs".into(), r.get("verbs").cloned().unwrap_or(json!([])));
        for key in ["shortNames", "categories"] {
            if let Some(v) = r
                .get(key)
                .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
            {
                m.insert(key.into(), v.clone());
            }
        }
        out.push(m);
    }
    for r in list {
        let name = text(r, "name");
        let Some((parent, sub)) = name.split_once('/') else {
            continue;
        };
        let index = match out.iter().position(|m| m["resource"] == parent) {
            Some(i) => i,
            None => {
                let mut m = Map::new();
                m.insert("resource".into(), parent.into());
                m.insert(
                    "responseKind".into(),
                    json!({"group": "", "version": "", "kind": ""}),
                );
                m.insert("scope".into(), scope(r).into());
                m.insert("singularResource".into(), "".into());
                m.insert("verbs".into(), json!([]));
                out.push(m);
                out.len() - 1
            }
        };
        let subresource = json!({
            "subresource": sub,
            "responseKind": kind_of(r),
            "verbs": r.get("verbs").cloned().unwrap_or(json!([])),
        });
        let subs = out[index]
            .entry("subresources")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = subs {
            a.push(subresource);
        }
    }
    out.into_iter().map(Value::Object).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(accept: Option<&str>, expected: Option<Aggregated>) {
        assert_eq!(negotiate(accept), expected, "Accept: {accept:?}");
    }

    #[test]
    fn negotiation_takes_the_first_servable_range() {
        let client_go = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
        check(Some(client_go), Some(Aggregated::V2));
        check(
            Some(
                "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
            ),
            Some(Aggregated::V2Beta1),
        );
        check(
            Some(
                "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
            ),
            Some(Aggregated::V2),
        );
        check(Some("application/json"), None);
        check(None, None);
        check(
            Some("application/json;g=apidiscovery.k8s.io;v=v9;as=APIGroupDiscoveryList"),
            None,
        );
        check(
            Some(
                "application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
            ),
            None,
        );
    }

    #[test]
    fn subresources_move_under_their_parent() {
        let list = vec![
            json!({"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
                   "verbs": ["get", "list"], "shortNames": ["deploy"], "categories": ["all"]}),
            json!({"name": "deployments/scale", "singularName": "", "namespaced": true, "group": "autoscaling",
                   "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}),
            json!({"name": "deployments/status", "singularName": "", "namespaced": true, "kind": "Deployment",
                   "verbs": ["get"]}),
            json!({"name": "orphans/status", "singularName": "", "namespaced": false, "kind": "Orphan", "verbs": ["get"]}),
        ];
        let got = resources_of(&list);
        assert_eq!(
            got[0],
            json!({"resource": "deployments", "responseKind": {"group": "", "version": "", "kind": "Deployment"},
                   "scope": "Namespaced", "singularResource": "deployment", "verbs": ["get", "list"],
                   "shortNames": ["deploy"], "categories": ["all"], "subresources": [
                       {"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"},
                        "verbs": ["get", "patch", "update"]},
                       {"subresource": "status", "responseKind": {"group": "", "version": "", "kind": "Deployment"},
                        "verbs": ["get"]}]})
        );
        assert_eq!(got[1]["resource"], "orphans");
        assert_eq!(got[1]["scope"], "Cluster");
        assert_eq!(got[1]["responseKind"]["kind"], "");
        assert_eq!(got[1]["subresources"][0]["subresource"], "status");
    }
}
