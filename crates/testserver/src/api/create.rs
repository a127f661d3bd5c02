//! POST: create an object, a TokenRequest, or a self review.

use bytes::Bytes;
use http::Response;
use serde_json::{Value, json};

use crate::api::body::decode_object;
use crate::api::query::dry_run;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts};
use crate::api::{App, Ctx, token_request};

/// Answers a create.
pub(super) fn create(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    match target.subresource.as_deref() {
        Some("token") => return token_request::create(app, ctx, target, body),
        Some(_) => return Err(ApiError::method_not_allowed()),
        None => {}
    }
    let content_type = ctx.header("content-type");
    if !rt.is_stored() {
        let obj = decode_object(rt, &rt.kind, content_type, body)?;
        return review(ctx, rt.kind.as_str(), obj);
    }
    let dry = dry_run(&ctx.query, "CreateOptions")?;
    let obj = decode_object(rt, &rt.kind, content_type, body)?;
    let ns = match (&target.namespace, rt.namespaced) {
        (Some(ns), true) => ns.clone(),
        (None, true) => return Err(ApiError::no_resource()),
        _ => String::new(),
    };
    let manager = ctx.manager();
    let wrt = crate::api::storage_type(app, rt);
    let obj = crate::api::convert::to_storage(rt, &obj);
    let created = write::create(
        app,
        &wrt,
        &ns,
        obj,
        WriteOpts {
            manager: &manager,
            dry_run: dry,
            subresource: "",
        },
    )?;
    Ok(respond::value(
        201,
        &respond::shaped(rt, &created, ctx.repr),
        ctx.repr.format,
    ))
}

/// SelfSubjectReview: who the server thinks the caller is.
fn review(ctx: &Ctx, kind: &str, mut obj: Value) -> Result<Response<Body>, ApiError> {
    if kind != "SelfSubjectReview" {
        return Err(ApiError::method_not_allowed());
    }
    let u = &ctx.user;
    let mut info = json!({"username": u.name, "groups": u.groups});
    if !u.uid.is_empty() {
        info["uid"] = u.uid.clone().into();
    }
    if !u.extra.is_empty() {
        info["extra"] = json!(u.extra);
    }
    obj["kind"] = "SelfSubjectReview".into();
    obj["apiVersion"] = "authentication.k8s.io/v1".into();
    obj["metadata"] = json!({"creationTimestamp": null});
    obj["status"] = json!({"userInfo": info});
    Ok(respond::value(201, &obj, ctx.repr.format))
}
