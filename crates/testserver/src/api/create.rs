//! POST: create an object, a TokenRequest, or a self review.

use bytes::Bytes;
use http::Response;
use serde_json::Value;

use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts};
use crate::api::{App, Ctx, pods, token_request};

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
        Some("binding") => return pods::binding::create(app, ctx, target, body),
        Some("eviction") => return pods::eviction::create(app, ctx, target, body),
        Some(_) => return Err(ApiError::method_not_allowed()),
        None if rt.group.is_empty() && rt.plural == "bindings" => {
            return pods::binding::create_legacy(app, ctx, target, body);
        }
        None => {}
    }
    let content_type = ctx.header("content-type");
    if !rt.is_stored() {
        let obj = crate::api::hooks::decode_body(rt, content_type, body)?;
        return review(app, ctx, target, obj);
    }
    let dry = crate::api::strict::write_options(ctx, "CreateOptions")?;
    let mut obj = crate::api::hooks::decode_body(rt, content_type, body)?;
    let warnings = crate::api::strict::decode(rt, ctx, body, &mut obj)?;
    let ns = match (&target.namespace, rt.namespaced) {
        (Some(ns), true) => ns.clone(),
        (None, true) => return Err(ApiError::no_resource()),
        _ => String::new(),
    };
    let manager = ctx.manager();
    let obj = crate::api::convert::to_storage(rt, &obj);
    if let Err(e) = crate::api::hooks::confirm_rbac_write(app, &ctx.user, rt, &ns, "", &obj, None) {
        return crate::api::warnings::refused(e, &warnings);
    }
    let created = write::create(
        app,
        rt,
        &ns,
        obj,
        WriteOpts {
            manager: &manager,
            dry_run: dry,
            subresource: "",
            user: Some(&ctx.user),
        },
    );
    let created = match created {
        Ok(created) => created,
        Err(e) => return crate::api::warnings::refused(e, &warnings),
    };
    let mut answer = respond::value(
        201,
        &respond::shaped(rt, &created, ctx.repr),
        ctx.repr.format,
    );
    let warnings = crate::api::warnings::created(rt, warnings, &created);
    crate::api::respond::add_warnings(&mut answer, &warnings);
    Ok(answer)
}

/// The reviews (SelfSubjectReview, SelfSubjectAccessReview, SelfSubjectRulesReview,
/// SubjectAccessReview, LocalSubjectAccessReview), answered by `crate::rbac::reviews` over
/// the current RBAC objects.
fn review(app: &App, ctx: &Ctx, target: &Target, obj: Value) -> Result<Response<Body>, ApiError> {
    use crate::rbac::objects::PolicySet;
    use crate::rbac::reviews::{self, access, rules, subject};
    use crate::rbac::seam::StoreObjects;

    let kind = target.rt.kind.as_str();
    let now = crate::clock::now();
    if kind == "SelfSubjectReview" {
        let answer = subject::self_subject_review(&ctx.user, &now);
        return Ok(respond::value(201, &answer, ctx.repr.format));
    }
    let stored = StoreObjects::current(app.store.as_ref());
    let empty = PolicySet::default();
    let objects: &dyn crate::rbac::objects::RbacObjects = match &stored {
        Some(s) => s,
        None => &empty,
    };
    let manager = ctx.manager();
    let stamp = access::Stamp {
        manager: &manager,
        now: &now,
    };
    let answer = match kind {
        "SelfSubjectAccessReview" => {
            access::self_subject_access_review(objects, &ctx.user, &obj, &stamp)
        }
        "SelfSubjectRulesReview" => rules::self_subject_rules_review(objects, &ctx.user, &obj),
        "SubjectAccessReview" => access::subject_access_review(objects, &obj, None, &stamp),
        "LocalSubjectAccessReview" => {
            let ns = target.namespace.as_deref().unwrap_or_default();
            let obj = in_request_namespace(obj, ns)?;
            access::subject_access_review(objects, &obj, Some(ns), &stamp)
        }
        _ => return Err(ApiError::method_not_allowed()),
    };
    match answer {
        Ok(v) => Ok(respond::value(201, &v, ctx.repr.format)),
        Err(rejected) => Ok(respond::value(
            rejected.code,
            &reviews::Rejected::to_status(&rejected),
            ctx.repr.format,
        )),
    }
}

/// The object with `metadata.namespace` set to the request's, as the create handler fills
/// it; a different namespace in the body is the real 400.
fn in_request_namespace(mut obj: Value, namespace: &str) -> Result<Value, ApiError> {
    let body_ns = crate::api::meta_str(&obj, "namespace");
    if !body_ns.is_empty() && body_ns != namespace {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    if let Some(map) = obj.as_object_mut() {
        let meta = map
            .entry("metadata")
            .or_insert_with(|| serde_json::json!({}));
        if !meta.is_object() {
            *meta = serde_json::json!({});
        }
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("namespace".into(), namespace.into());
        }
    }
    Ok(obj)
}
