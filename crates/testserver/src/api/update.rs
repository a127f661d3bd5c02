//! PUT: replace an object (or its status) with optimistic concurrency.

use bytes::Bytes;
use http::Response;

use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts};
use crate::api::{App, Ctx};

/// Answers an update.
pub(super) fn update(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let sub = match target.subresource.as_deref() {
        None => "",
        Some("status") => "status",
        Some("approval") => "approval",
        Some("ephemeralcontainers") => "ephemeralcontainers",
        Some("scale") => return crate::api::scale::write(app, ctx, target, body, false),
        Some(_) => return Err(ApiError::method_not_allowed()),
    };
    let dry = crate::api::strict::write_options(ctx, "UpdateOptions")?;
    let mut obj = crate::api::hooks::decode_body(rt, ctx.header("content-type"), body)?;
    let warnings = crate::api::strict::decode(rt, ctx, body, &mut obj)?;
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let body_name = crate::api::meta_str(&obj, "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let manager = ctx.manager();
    let obj = crate::api::convert::to_storage(rt, &obj);
    if sub.is_empty() && rt.strategy.allow_create_on_update() {
        let key = app.key(rt, &ns, &name);
        if app.store.get(&key).is_none() {
            return create_on_update(app, ctx, target, (obj, warnings), dry);
        }
    }
    let mut replaced = None;
    let updated = write::update(
        app,
        rt,
        &ns,
        &name,
        WriteOpts {
            manager: &manager,
            dry_run: dry,
            subresource: sub,
            user: Some(&ctx.user),
        },
        &mut |old| {
            crate::api::hooks::confirm_rbac_write(app, &ctx.user, rt, &ns, &name, &obj, Some(old))?;
            replaced = Some(old.clone());
            Ok(obj.clone())
        },
    );
    let updated = match updated {
        Ok(updated) => updated,
        Err(e) => return crate::api::warnings::refused(e, &warnings),
    };
    let mut answer = respond::value(
        200,
        &respond::shaped(rt, &updated, ctx.repr),
        ctx.repr.format,
    );
    let warnings = crate::api::warnings::updated(rt, sub, warnings, (&updated, replaced.as_ref()));
    crate::api::respond::add_warnings(&mut answer, &warnings);
    Ok(answer)
}

/// A PUT of a missing object of a type whose strategy allows create on update (the RBAC
/// types): created as by a POST, answered with 201 and the decoder's `warnings`, then the
/// create's.
fn create_on_update(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    (mut obj, warnings): (serde_json::Value, Vec<String>),
    dry_run: bool,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    crate::api::hooks::confirm_rbac_write(app, &ctx.user, rt, &ns, &name, &obj, None)?;
    if let Some(m) = crate::api::meta_mut(&mut obj) {
        m.insert("name".into(), name.into());
        m.remove("resourceVersion");
    }
    let manager = ctx.manager();
    let opts = WriteOpts {
        manager: &manager,
        dry_run,
        subresource: "",
        user: Some(&ctx.user),
    };
    let created = write::create(app, rt, &ns, obj, opts)?;
    let mut answer = respond::value(
        201,
        &respond::shaped(rt, &created, ctx.repr),
        ctx.repr.format,
    );
    let warnings = crate::api::warnings::created(rt, warnings, &created);
    crate::api::respond::add_warnings(&mut answer, &warnings);
    Ok(answer)
}
