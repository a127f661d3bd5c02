//! Entry points for the fuzz targets in `fuzz/` and their regression tests: not part of the
//! API, no stability promise.
//!
//! Each function runs pure server code on input as a client could send it, with no storage,
//! network or clock: selectors and quantities, the request router and option parsing, the
//! patch handlers against a fixed Pod, protobuf request bodies, and ServiceAccount token
//! verification.

use std::sync::LazyLock;

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::{Value, json};

use crate::api::body::{BodyType, body_type, negotiate};
use crate::api::query::{ListOptions, Query, dry_run};
use crate::api::route::{Route, resolve};
use crate::api::status::ApiError;
use crate::api::{api_verb, check_verb_allowed};
use crate::auth::jwt::Signer;
use crate::auth::{ISSUER, TokenCheck};
use crate::fields::apply::{apply, parse_apply_body};
use crate::fields::managed::{Write, record_update, set_managed_fields};
use crate::fields::schema::{TypeInfo, lookup};
use crate::fields::strategic::strategic_merge_patch;
use crate::registry::Registry;
use crate::selector::{FieldSelector, LabelSelector};
use crate::shared::quantity::Quantity;
use crate::storage::{Key, MemoryStore, Store};

/// Parses a label selector and matches it against `object`: `Ok(matched)` or the server's
/// 400 message.
pub fn label_selector(selector: &str, object: &Value) -> Result<bool, String> {
    let parsed = LabelSelector::parse(selector).map_err(|e| e.message)?;
    Ok(parsed.matches_object(object))
}

/// Parses a field selector for pods (the resource with the most field labels) and matches it
/// against `object`: `Ok(matched)` or the server's 400 message.
pub fn field_selector(selector: &str, object: &Value) -> Result<bool, String> {
    let pods = crate::registry::builtin_strategy("", "pods");
    let parsed =
        FieldSelector::parse(selector, &|label| pods.field_label(label)).map_err(|e| e.message)?;
    Ok(parsed.matches(object))
}

/// Parses a quantity and its canonical form: `None` when it is not a quantity.
pub fn quantity(text: &str) -> Option<String> {
    let parsed = Quantity::parse(text)?;
    let _sum = parsed.add(parsed);
    Quantity::canonical(text)
}

/// An error answer: the HTTP code and the body the server sends (a JSON `Status`, or plain
/// text for the paths the real server answers in text).
pub type Answer = (u16, String);

fn answer(err: &ApiError) -> Answer {
    let body = if err.plain {
        err.message.clone()
    } else {
        err.to_status().to_string()
    };
    (err.code, body)
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::builtin);

/// Routes a request as the server does before it reads storage: the path, the verb of the
/// method, `Accept`, the verb's query options (list and watch options with their selectors,
/// `dryRun`) and a patch's `Content-Type`. `Ok` describes what would be served; `Err` is the
/// error answer. Header names or values hyper would not accept are left out, as hyper never
/// delivers them; a method that is not an HTTP token is hyper's 400.
pub fn route(
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<String, Answer> {
    let method =
        Method::from_bytes(method.as_bytes()).map_err(|_| (400, "400 Bad Request".to_owned()))?;
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    route_parsed(&method, path, query, &map).map_err(|e| answer(&e))
}

fn route_parsed(
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<String, ApiError> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let target = match resolve(&REGISTRY, path)? {
        Route::Resource(target) => target,
        other => {
            if *method != Method::GET && *method != Method::HEAD {
                return Err(ApiError::method_not_allowed());
            }
            return Ok(format!("{other:?}"));
        }
    };
    let query = Query::parse(query);
    let verb = api_verb(method, &target, &query)?;
    let repr = negotiate(header(http::header::ACCEPT))?;
    check_verb_allowed(&target, verb)?;
    let rt = &target.rt;
    let options = match verb {
        "list" | "watch" => {
            let opts = ListOptions::parse(&query, verb == "watch")?;
            LabelSelector::parse(&opts.label_selector)
                .map_err(|e| ApiError::bad_request(e.message))?;
            FieldSelector::parse(&opts.field_selector, &|label| {
                rt.strategy.field_label(label)
            })
            .map_err(|e| ApiError::bad_request(e.message))?;
            opts.revision()?;
            format!("{opts:?}")
        }
        "create" => format!("dryRun={}", dry_run(&query, "CreateOptions")?),
        "update" => format!("dryRun={}", dry_run(&query, "UpdateOptions")?),
        "patch" => format!(
            "dryRun={} {:?}",
            dry_run(&query, "PatchOptions")?,
            body_type(header(http::header::CONTENT_TYPE))
        ),
        _ => String::new(),
    };
    Ok(format!(
        "{verb} {}/{} ns={:?} name={:?} sub={:?} {repr:?} {options}",
        rt.group, rt.plural, target.namespace, target.name, target.subresource
    ))
}

/// The live object the patch entry points patch: a Pod as a Deployment makes it, with
/// labels, an owner, two containers (ports, env, resources, volume mounts), volumes,
/// tolerations, a status, and managedFields of its creator and the kubelet.
fn live_pod(info: &TypeInfo) -> Value {
    let created = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "web-7d4b9c-x2x9z", "namespace": "default", "uid": "pod-uid",
            "resourceVersion": "41", "creationTimestamp": "2026-01-01T00:00:00Z",
            "generateName": "web-7d4b9c-",
            "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"},
            "finalizers": ["example.com/keep"],
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": "web-7d4b9c", "uid": "rs-uid", "controller": true,
                "blockOwnerDeletion": true}]
        },
        "spec": {
            "containers": [
                {"name": "app", "image": "nginx:1.27",
                 "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"},
                           {"containerPort": 53, "protocol": "UDP"}],
                 "env": [{"name": "MODE", "value": "prod"},
                         {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                               "limits": {"memory": "128Mi"}},
                 "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}],
                 "args": ["--port=80", "--verbose"]},
                {"name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "3600"]}
            ],
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "volumes": [{"name": "config", "configMap": {"name": "web-config"}},
                        {"name": "cache", "emptyDir": {}}],
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                             "effect": "NoExecute", "tolerationSeconds": 300}],
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30, "nodeName": "node-1"
        },
        "status": {
            "phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}],
            "conditions": [{"type": "Ready", "status": "True"},
                           {"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                                   "image": "nginx:1.27", "imageID": "", "started": true,
                                   "state": {"running": {"startedAt": "2026-01-01T00:00:01Z"}}}]
        }
    });
    let mut spec_only = created.clone();
    if let Some(m) = spec_only.as_object_mut() {
        m.remove("status");
    }
    let at = |manager, subresource| Write {
        info,
        manager,
        subresource,
        time: "2026-01-01T00:00:00Z",
    };
    let mut live = spec_only.clone();
    let managed = record_update(&at("kube-controller-manager", None), None, &spec_only);
    set_managed_fields(&mut live, managed);
    let mut with_status = created;
    if let (Some(m), Some(fields)) = (
        with_status.as_object_mut(),
        live.pointer("/metadata/managedFields").cloned(),
    ) && let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.insert("managedFields".into(), fields);
    }
    let managed = record_update(&at("kubelet", Some("status")), Some(&live), &with_status);
    set_managed_fields(&mut with_status, managed);
    with_status
}

static POD: LazyLock<Option<(&'static TypeInfo, Value)>> =
    LazyLock::new(|| lookup("v1", "Pod").map(|info| (info, live_pod(info))));

/// Patches a fixed, realistic Pod with `body` as the server's PATCH handler does for
/// `content_type` (merge, JSON, strategic merge patch, or server-side apply by `fuzzer`,
/// forced when `force`), then records the managedFields of the write. `Ok` is the new object;
/// `Err` the error answer (400 for a body that does not decode, 415 for another media type).
pub fn patch(content_type: &str, body: &[u8], force: bool) -> Result<Value, Answer> {
    let Some((info, live)) = &*POD else {
        return Err((500, "no Pod type".to_owned()));
    };
    patch_pod(info, live, content_type, body, force).map_err(|e| answer(&e))
}

fn patch_pod(
    info: &TypeInfo,
    live: &Value,
    content_type: &str,
    body: &[u8],
    force: bool,
) -> Result<Value, ApiError> {
    let write = Write {
        info,
        manager: "fuzzer",
        subresource: None,
        time: "2026-01-02T00:00:00Z",
    };
    let kind = body_type(Some(content_type));
    let status = |code, status| ApiError::from_status(code, status);
    if kind == BodyType::ApplyPatch {
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::bad_request("the patch is not valid UTF-8"))?;
        let config = parse_apply_body(text).map_err(|e| status(e.code(), e.to_status()))?;
        let applied = apply(&write, Some(live), &config, force)
            .map_err(|e| status(e.code(), e.to_status()))?;
        return Ok(applied.object);
    }
    let patch: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!(
            "error decoding patch: {}",
            crate::api::body::go_json_error(body, &e)
        ))
    })?;
    let mut doc = live.clone();
    match kind {
        BodyType::MergePatch => json_patch::merge(&mut doc, &patch),
        BodyType::JsonPatch => {
            let ops: json_patch::Patch = serde_json::from_value(patch)
                .map_err(|e| ApiError::bad_request(format!("the JSON patch is invalid: {e}")))?;
            json_patch::patch(&mut doc, &ops).map_err(|_| ApiError::invalid_generic())?;
        }
        BodyType::StrategicMergePatch => {
            doc = strategic_merge_patch(info, &doc, &patch)
                .map_err(|e| status(e.code(), e.to_status()))?;
        }
        _ => return Err(ApiError::unsupported_patch_type()),
    }
    let managed = record_update(&write, Some(live), &doc);
    set_managed_fields(&mut doc, managed);
    Ok(doc)
}

/// Decodes a create or update body sent as `application/vnd.kubernetes.protobuf` for the
/// built-in type served at `group/version/plural`, as the server's handlers do (RBAC objects
/// and self reviews by their own reader, everything else by `kubeset-protobuf`, then the
/// `apiVersion`/`kind` check). `Ok` is the object's JSON form; `Err` the error answer (for a
/// type that is not served, the plain-text 404 of an unknown path).
pub fn protobuf_body(
    group: &str,
    version: &str,
    plural: &str,
    body: &[u8],
) -> Result<Value, Answer> {
    let rt = REGISTRY
        .find(group, version, plural)
        .ok_or_else(|| (404, "404 page not found".to_owned()))?;
    crate::api::hooks::decode_body(&rt, Some(kubeset_protobuf::CONTENT_TYPE), body)
        .map_err(|e| answer(&e))
}

/// The token checks' fixed "now" (Unix seconds): 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;

/// The store token checks look objects up in: the `default` ServiceAccount of `default`, a
/// pod and a Secret, each with its UID.
static TOKEN_STORE: LazyLock<MemoryStore> = LazyLock::new(|| {
    let store = MemoryStore::default();
    for (resource, name, uid) in [
        ("/serviceaccounts", "default", "sa-uid"),
        ("/pods", "web", "pod-uid"),
        ("/secrets", "token", "secret-uid"),
    ] {
        let object = json!({"metadata": {"name": name, "namespace": "default", "uid": uid}});
        let _created = store.create(&Key::new(resource, "default", name), object);
    }
    store
});

/// Authenticates `token` as a ServiceAccount bearer token against the shared signing key (at
/// a fixed time, in a store holding the `default` ServiceAccount, pod `web` and Secret `token`
/// of namespace `default`): the user name, or `None` for the server's 401.
pub fn authenticate_token(token: &str) -> Option<String> {
    let signer = Signer::shared().ok()?;
    authenticate_with(&signer, token)
}

/// Signs `claims` with the shared key, then authenticates the token as
/// [`authenticate_token`] does: what a token with these claims, minted by this server, is
/// accepted as.
pub fn authenticate_claims(claims: &Value) -> Option<String> {
    let signer = Signer::shared().ok()?;
    authenticate_with(&signer, &signer.sign(claims))
}

/// Claims this server's TokenRequest mints for the `default` ServiceAccount: a starting point
/// for [`authenticate_claims`].
pub fn minted_claims() -> Value {
    json!({
        "aud": [ISSUER], "exp": NOW + 3600, "iat": NOW, "nbf": NOW, "iss": ISSUER,
        "jti": "fuzz", "sub": "system:serviceaccount:default:default",
        "kubernetes.io": {"namespace": "default",
            "serviceaccount": {"name": "default", "uid": "sa-uid"},
            "pod": {"name": "web", "uid": "pod-uid"}}
    })
}

fn authenticate_with(signer: &Signer, token: &str) -> Option<String> {
    let cache = crate::auth::cache::TokenCache::default();
    let check = TokenCheck {
        signer,
        store: &*TOKEN_STORE,
        now: NOW,
        not_before: 0,
        cache: &cache,
    };
    let user = crate::auth::token_user(token, &check)?;
    Some(user.name)
}

#[cfg(test)]
mod tests;
