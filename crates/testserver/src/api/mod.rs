//! The Kubernetes API: routing, verbs, errors and representations.
//!
//! Architecture invariant: handlers are plain functions from a parsed request to a response;
//! every write goes through [`write`], so admission, defaulting and `managedFields` have one call
//! site each (in [`hooks`]).

mod aggregated;
/// Authorization of a request (RBAC, audit annotations).
mod authz;
pub(crate) mod body;
mod convert;
/// The API server's own CRD controllers (names, Established, instance cleanup).
pub(crate) mod crd_controller;
mod create;
pub(crate) mod delete;
mod deprecation;
pub(crate) mod discovery;
mod get;
mod health;
pub(crate) mod hooks;
mod list;
mod patch;
mod pods;
mod protobuf;
pub(crate) mod query;
pub(crate) mod respond;
pub(crate) mod route;
mod scale;
pub(crate) use crate::answer::status;
mod store_lookup;
mod strict;
pub(crate) mod table;
mod token_request;
mod update;
mod warnings;
mod watch;
mod webhook_bridge;
pub(crate) mod write;
mod yaml;

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Response};
use serde_json::Value;

use crate::auth::User;
use crate::faults::Faults;
use crate::rbac::seam::Request as AuthzRequest;
use crate::registry::Registry;
use crate::storage::{Key, Store};
use body::Representation;
use query::Query;
use respond::Body;
use route::{Route, Target};
use status::ApiError;

/// Everything a request handler needs: the registry, storage, keys and fault switches.
#[derive(Debug)]
pub(crate) struct App {
    /// Every served type.
    pub(crate) registry: Registry,
    /// The object store.
    pub(crate) store: Arc<dyn Store>,
    /// ServiceAccount token signer.
    pub(crate) signer: crate::auth::jwt::Signer,
    /// Successful token authentications, remembered as kube-apiserver does.
    pub(crate) token_cache: crate::auth::cache::TokenCache,
    /// CA and certificates.
    pub(crate) pki: crate::pki::Pki,
    /// Fault injection switches (shared with the [`FaultInjector`](crate::FaultInjector)s).
    pub(crate) faults: Arc<Faults>,
    /// The scripted container logs `pods/log` answers from.
    pub(crate) logs: crate::logs::PodLogs,
    /// `host:port` the server listens on (discovery's `serverAddressByClientCIDRs`).
    pub(crate) address: String,
    /// The audit log every request is recorded in.
    pub(crate) audit: Arc<crate::audit::AuditLog>,
    /// The scripted kubelet behind `pods/exec`, `pods/attach` and `pods/portforward`.
    pub(crate) node_agent: crate::node_agent::NodeAgent,
}

impl App {
    /// The storage key of an object of type `rt`.
    pub(crate) fn key(
        &self,
        rt: &crate::registry::ResourceType,
        namespace: &str,
        name: &str,
    ) -> Key {
        Key::new(
            &rt.storage_prefix(),
            if rt.namespaced { namespace } else { "" },
            name,
        )
    }
}

/// A parsed request, shared by the verb handlers.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Who sent it.
    pub(crate) user: User,
    /// The query string.
    pub(crate) query: Query,
    /// Request headers.
    pub(crate) headers: HeaderMap,
    /// The negotiated response representation.
    pub(crate) repr: Representation,
}

impl Ctx {
    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The field manager: `fieldManager`, else the User-Agent up to the first `/`.
    pub(crate) fn manager(&self) -> String {
        if let Some(m) = self.query.get("fieldManager").filter(|m| !m.is_empty()) {
            return m.to_owned();
        }
        let ua = self.header("user-agent").unwrap_or("unknown");
        ua.split('/').next().unwrap_or(ua).to_owned()
    }
}

/// Answers one authenticated request; `upgrade` is the connection's upgrade when the request
/// asked for one.
#[allow(clippy::too_many_arguments, reason = "the parts of one request")]
pub(crate) async fn handle(
    app: Arc<App>,
    user: User,
    method: Method,
    path: String,
    raw_query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    upgrade: Option<hyper::upgrade::OnUpgrade>,
) -> Response<Body> {
    match dispatch(
        &app, user, &method, &path, raw_query, headers, body, upgrade,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => respond::error(&e),
    }
}

#[allow(clippy::too_many_arguments, reason = "the parts of one request")]
async fn dispatch(
    app: &Arc<App>,
    user: User,
    method: &Method,
    path: &str,
    raw_query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    upgrade: Option<hyper::upgrade::OnUpgrade>,
) -> Result<Response<Body>, ApiError> {
    let route = match route::resolve(&app.registry, path) {
        Ok(r) => r,
        Err(e) => {
            // the real server authorizes before routing: anonymous users get 403, not 404
            authz::authorize(
                &user,
                &AuthzRequest::Path {
                    verb: &verb_of_path(method),
                    path,
                },
                &*app.store,
            )?;
            return Err(e);
        }
    };
    let query = Query::parse(raw_query.as_deref());
    let target = match route {
        Route::Resource(t) => t,
        other => {
            authz::authorize(
                &user,
                &AuthzRequest::Path {
                    verb: &verb_of_path(method),
                    path,
                },
                &*app.store,
            )?;
            if matches!(other, Route::Health) {
                return health::answer(path, &query);
            }
            if *method != Method::GET && *method != Method::HEAD {
                return Err(ApiError::method_not_allowed());
            }
            return discovery::answer(app, &other, &headers);
        }
    };
    let verb = api_verb(method, &target, &query)?;
    authz::authorize(
        &user,
        &AuthzRequest::Resource {
            verb,
            group: &target.rt.group,
            resource: &target.rt.plural,
            subresource: target.subresource.as_deref().unwrap_or(""),
            namespace: target.namespace.as_deref().unwrap_or(""),
            name: target.name.as_deref().unwrap_or(""),
        },
        &*app.store,
    )?;
    let repr = body::negotiate(
        headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
    )?;
    let ctx = Ctx {
        user,
        query,
        headers,
        repr,
    };
    check_verb_allowed(&target, verb)?;
    if let Some(sub) = connect_subresource(&target) {
        // AuthorizePodWebsocketUpgradeCreatePermission (on by default since 1.35): the GET of a
        // WebSocket upgrade must also be allowed to `create` the subresource
        if verb != "create" {
            authz::authorize(
                &ctx.user,
                &AuthzRequest::Resource {
                    verb: "create",
                    group: "",
                    resource: "pods",
                    subresource: sub,
                    namespace: target.namespace.as_deref().unwrap_or(""),
                    name: target.name.as_deref().unwrap_or(""),
                },
                &*app.store,
            )?;
        }
        return pods::connect::connect(app, &ctx, &target, sub, upgrade);
    }
    let writes = matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    );
    let info = hooks::admission_request_info(&ctx, verb, &body);
    if writes && hooks::webhooks_configured(app) {
        // a webhook may be called: answer on the blocking pool (`webhook_bridge`)
        let (rt, request_body) = (target.rt.clone(), body.clone());
        let handler = move |app: &Arc<App>, ctx: &Ctx, info| {
            answer_recorded(app, ctx, (verb, &target, &request_body), info)
        };
        let answered =
            webhook_bridge::answer_with_webhooks(app, ctx, (verb, &body), &rt, info, handler).await;
        return deprecation::with_deprecation(&rt, answered);
    }
    let (answered, added) = answer_recorded(app, &ctx, (verb, &target, &body), info);
    deprecation::with_deprecation(&target.rt, hooks::with_added(answered, added))
}

/// The verb's handler, in the admission recorder's scope for the request (opened on the thread
/// that runs the handler), with what admission added, warnings and audit annotations, for the
/// answer (`hooks::with_added`, on the runtime, where the audit event is).
fn answer_recorded(
    app: &Arc<App>,
    ctx: &Ctx,
    (verb, target, body): (&str, &Target, &Bytes),
    info: crate::admission::recorder::RequestInfo,
) -> (
    Result<Response<Body>, ApiError>,
    crate::admission::recorder::Added,
) {
    crate::admission::recorder::record(info, || match verb {
        "get" => get::get(app, ctx, target),
        "list" => list::list(app, ctx, target),
        "watch" => watch::watch(app, ctx, target),
        "create" => create::create(app, ctx, target, body),
        "update" => update::update(app, ctx, target, body),
        "patch" => patch::patch(app, ctx, target, body),
        "delete" => delete::delete(app, ctx, target, body),
        "deletecollection" => delete::delete_collection(app, ctx, target, body),
        _ => Err(ApiError::method_not_allowed()),
    })
}

/// `exec`, `attach` or `portforward` of a core pod: the subresources that reach the kubelet.
fn connect_subresource(target: &Target) -> Option<&'static str> {
    if !target.rt.group.is_empty() || target.rt.plural != "pods" {
        return None;
    }
    ["exec", "attach", "portforward"]
        .into_iter()
        .find(|s| target.subresource.as_deref() == Some(*s))
}

fn verb_of_path(method: &Method) -> String {
    method.as_str().to_ascii_lowercase()
}

/// The API verb of a request (`list` vs `get`, `watch`, `deletecollection`).
pub(crate) fn api_verb(
    method: &Method,
    target: &Target,
    query: &Query,
) -> Result<&'static str, ApiError> {
    let named = target.name.is_some();
    Ok(match (method.as_str(), named) {
        ("GET" | "HEAD", false) => {
            if query.bool("watch")? {
                "watch"
            } else {
                "list"
            }
        }
        ("GET" | "HEAD", true) => "get",
        ("POST", false) => "create",
        ("POST", true) if target.subresource.is_some() => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => return Err(ApiError::method_not_allowed()),
    })
}

pub(crate) fn check_verb_allowed(target: &Target, verb: &str) -> Result<(), ApiError> {
    let allowed = match &target.subresource {
        Some(sub) => target
            .rt
            .subresources
            .get(sub)
            .is_some_and(|s| s.verbs.iter().any(|v| v == verb)),
        None => target.rt.allows(verb),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::method_not_allowed())
    }
}

/// Deletes an object in the background, as the namespace controller does when it empties a
/// terminating namespace (so a Job's pods go too, instead of getting the `orphan` finalizer).
pub(crate) fn delete_for_controller(
    app: &App,
    rt: &crate::registry::ResourceType,
    namespace: &str,
    name: &str,
) -> Result<Value, ApiError> {
    let options = delete::DeleteOptions {
        propagation: Some(delete::Propagation::Background),
        ..delete::DeleteOptions::default()
    };
    delete::delete_object(app, rt, namespace, name, &options).map(|(_, v)| v)
}

/// The object's `metadata.<field>` as text.
pub(crate) fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Mutable `metadata` of an object (created if missing); `None` if the value is no object.
pub(crate) fn meta_mut(obj: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    let m = obj
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| Value::Object(Default::default()));
    if !m.is_object() {
        *m = Value::Object(Default::default());
    }
    m.as_object_mut()
}
