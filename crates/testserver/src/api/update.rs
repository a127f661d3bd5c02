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
    let manager = ctx.manager();
    let updated = write::update(
        app,
        rt,
        &ns,
        &name,
        WriteOpts {
            manager: &manager,
            dry_run: dry,
            subresource: sub,
        },
        &mut |_old| Ok(obj.clone()),
    )?;
    Ok(respond::value(
        200,
        &respond::shaped(&updated, ctx.repr),
        ctx.repr.format,
    ))
}
