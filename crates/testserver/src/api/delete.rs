//! DELETE: preconditions, finalizers, graceful pod deletion, namespaces going Terminating.

use bytes::Bytes;
use http::Response;
use serde_json::{Map, Value, json};

use crate::api::body::decode_delete_options;
use crate::api::hooks;
use crate::api::hooks::Filter;
use crate::api::list::scope_of;
use crate::api::query::dry_run;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::{ApiError, Cause};
use crate::api::write::no_finalizers;
use crate::api::{App, Ctx, meta_mut, meta_str};
use crate::clock;
use crate::registry::ResourceType;
use crate::storage::{StoreError, revision_of};

/// Parsed DeleteOptions (query parameters override the body).
#[derive(Debug, Default)]
pub(crate) struct DeleteOptions {
    grace: Option<i64>,
    uid: Option<String>,
    resource_version: Option<String>,
    dry_run: bool,
}

fn options(ctx: &Ctx, body: &Bytes) -> Result<DeleteOptions, ApiError> {
    let b = decode_delete_options(body)?;
    let policy = ctx
        .query
        .get("propagationPolicy")
        .map(str::to_owned)
        .or_else(|| {
            b.get("propagationPolicy")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    if let Some(p) =
        policy.filter(|p| !matches!(p.as_str(), "Foreground" | "Background" | "Orphan"))
    {
        return Err(ApiError::invalid_options(
            "DeleteOptions",
            vec![Cause::new(
                "FieldValueNotSupported",
                "propagationPolicy",
                format!(
                    "Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                ),
            )],
        ));
    }
    let grace = match ctx.query.int("gracePeriodSeconds")? {
        Some(g) => Some(g),
        None => b.get("gracePeriodSeconds").and_then(Value::as_i64),
    };
    let text = |p: &str| b.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let dry = dry_run(&ctx.query, "DeleteOptions")?
        || b.get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
    Ok(DeleteOptions {
        grace,
        uid: text("/preconditions/uid"),
        resource_version: text("/preconditions/resourceVersion"),
        dry_run: dry,
    })
}

/// Answers a delete of one object.
pub(super) fn delete(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    if target.subresource.is_some() {
        return Err(ApiError::method_not_allowed());
    }
    let opts = options(ctx, body)?;
    let ns = target.namespace.as_deref().unwrap_or("");
    let name = target.name.as_deref().unwrap_or("");
    let (status, v) = delete_object(app, &target.rt, ns, name, &opts)?;
    Ok(respond::value(
        status,
        &respond::shaped(&target.rt, &v, ctx.repr),
        ctx.repr.format,
    ))
}

/// Deletes one object; returns the status code and the answer body (object or Status).
pub(crate) fn delete_object(
    app: &App,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> Result<(u16, Value), ApiError> {
    let key = app.key(rt, ns, name);
    hooks::admit_delete(app, rt, ns, name)?;
    for _ in 0..16 {
        let old = app
            .store
            .get(&key)
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        let uid = meta_str(&old, "uid").to_owned();
        if let Some(want) = &opts.uid
            && *want != uid
        {
            return Err(ApiError::conflict_kind(
                &rt.kind,
                &rt.group,
                name,
                &format!(
                    "the UID in the precondition ({want}) does not match the UID in record ({uid}). The object might have been deleted and then recreated"
                ),
            ));
        }
        let rv = revision_of(&old);
        if let Some(want) = &opts.resource_version
            && *want != rv.to_string()
        {
            return Err(ApiError::conflict_kind(
                &rt.kind,
                &rt.group,
                name,
                &format!(
                    "the ResourceVersion in the precondition ({want}) does not match the ResourceVersion in record ({rv}). The object might have been modified"
                ),
            ));
        }
        let already = old
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null());
        let is_pod = rt.group.is_empty() && rt.plural == "pods";
        let is_namespace = rt.group.is_empty() && rt.plural == "namespaces";
        let grace = if is_pod {
            let scheduled = old
                .pointer("/spec/nodeName")
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty());
            let default = old
                .pointer("/spec/terminationGracePeriodSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(30);
            if scheduled {
                opts.grace.unwrap_or(default).max(0)
            } else {
                0
            }
        } else {
            0
        };
        let mut marked = (*old).clone();
        if !already || (is_pod && grace == 0) {
            mark_deleting(&mut marked, grace);
        }
        if is_namespace {
            if let Some(o) = marked.as_object_mut() {
                let status = o.entry("status").or_insert_with(|| json!({}));
                if !status.is_object() {
                    *status = json!({});
                }
                status["phase"] = "Terminating".into();
            }
            if let Some(m) = meta_mut(&mut marked) {
                m.remove("deletionGracePeriodSeconds");
            }
        }
        let keep = is_namespace || !no_finalizers(&old) || grace > 0;
        if keep {
            if already && !is_pod {
                return Ok((200, (*old).clone()));
            }
            if opts.dry_run {
                return Ok((200, marked));
            }
            match app.store.update(&key, rv, marked) {
                Ok(stored) => return Ok((200, (*stored).clone())),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(ApiError::internal(e.to_string())),
            }
        }
        let last = if is_pod { Some(marked) } else { None };
        if opts.dry_run {
            return Ok((200, last.unwrap_or_else(|| success(rt, name, &uid))));
        }
        match app.store.delete(&key, rv, last) {
            Ok(stored) if rt.returns_deleted_object() => return Ok((200, (*stored).clone())),
            Ok(_) => return Ok((200, success(rt, name, &uid))),
            Err(StoreError::Conflict { .. }) => continue,
            Err(StoreError::NotFound) => return Err(ApiError::not_found(rt, name)),
            Err(e) => return Err(ApiError::internal(e.to_string())),
        }
    }
    Err(ApiError::stale(rt, name))
}

/// Sets deletionTimestamp / deletionGracePeriodSeconds and bumps the generation.
fn mark_deleting(obj: &mut Value, grace: i64) {
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    if let Some(m) = meta_mut(obj) {
        m.insert(
            "deletionTimestamp".into(),
            clock::rfc3339(clock::unix_now() + grace).into(),
        );
        m.insert("deletionGracePeriodSeconds".into(), grace.into());
        if let Some(g) = generation {
            m.insert("generation".into(), (g + 1).into());
        }
    }
}

fn success(rt: &ResourceType, name: &str, uid: &str) -> Value {
    let mut d = Map::new();
    d.insert("name".into(), name.into());
    if !rt.group.is_empty() {
        d.insert("group".into(), rt.group.clone().into());
    }
    d.insert("kind".into(), rt.plural.clone().into());
    d.insert("uid".into(), uid.into());
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": d})
}

/// Answers a deletecollection: deletes every selected object in scope.
pub(super) fn delete_collection(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let opts = options(ctx, body)?;
    let filter = Filter::parse(
        rt,
        ctx.query.get("labelSelector").unwrap_or(""),
        ctx.query.get("fieldSelector").unwrap_or(""),
    )?;
    let snapshot = app
        .store
        .snapshot(None)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let scope = scope_of(rt, target);
    let names: Vec<(String, String)> = snapshot
        .range(&scope, None)
        .filter(|(_, o)| filter.matches(o))
        .map(|(k, _)| (k.namespace.clone(), k.name.clone()))
        .collect();
    let mut items = Vec::new();
    for (ns, name) in names {
        match delete_object(app, rt, &ns, &name, &opts) {
            Ok((_, v)) if v.get("kind").and_then(Value::as_str) != Some("Status") => items.push(v),
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let list = json!({
        "kind": format!("{}List", rt.kind),
        "apiVersion": rt.api_version(),
        "metadata": {"resourceVersion": app.store.revision().to_string()},
        "items": items,
    });
    Ok(respond::value(200, &list, ctx.repr.format))
}
