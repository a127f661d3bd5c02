//! PUT: replace an object (or its status) with optimistic concurrency.

use bytes::Bytes;
use http::Response;

use crate::api::body::decode_object;
use crate::api::query::dry_run;
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
        Some(_) => return Err(ApiError::method_not_allowed()),
    };
    let dry = dry_run(&ctx.query, "UpdateOptions")?;
    let obj = decode_object(rt, &rt.kind, ctx.header("content-type"), body)?;
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let body_name = crate::api::meta_str(&obj, "name");
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let manager = ctx.manager();
    let wrt = crate::api::storage_type(app, rt);
    let obj = crate::api::convert::to_storage(rt, &obj);
    let updated = write::update(
        app,
        &wrt,
        &ns,
        &name,
        WriteOpts {
            manager: &manager,
            dry_run: dry,
            subresource: sub,
        },
        &mut |old| {
            crate::api::hooks::confirm_rbac_write(app, &ctx.user, rt, &ns, &name, &obj, Some(old))?;
            Ok(obj.clone())
        },
    )?;
    Ok(respond::value(
        200,
        &respond::shaped(rt, &updated, ctx.repr),
        ctx.repr.format,
    ))
}
