//! GET of one object (and of its `status` subresource).

use http::Response;

use crate::api::body::As;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx, table};

/// Answers a get.
pub(super) fn get(app: &App, ctx: &Ctx, target: &Target) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let name = target.name.as_deref().unwrap_or("");
    match target.subresource.as_deref() {
        None | Some("status" | "approval" | "ephemeralcontainers") => {}
        Some("log") => return crate::api::pods::log::get(app, ctx, target),
        Some("scale") => return crate::api::scale::get(app, ctx, target),
        Some(_) => return Err(ApiError::method_not_allowed()),
    }
    let ns = target.namespace.as_deref().unwrap_or("");
    let obj = app
        .store
        .get(&app.key(rt, ns, name))
        .ok_or_else(|| ApiError::not_found(rt, name))?;
    if ctx.repr.shape == As::Table {
        table::check_options(&ctx.query)?;
        let rv = obj
            .pointer("/metadata/resourceVersion")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let t = table::render(rt, std::iter::once(&*obj), rv, &ctx.query);
        return Ok(respond::value(200, &t, ctx.repr.format));
    }
    Ok(respond::value(
        200,
        &respond::shaped(rt, &obj, ctx.repr),
        ctx.repr.format,
    ))
}
