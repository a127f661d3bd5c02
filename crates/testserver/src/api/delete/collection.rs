//! deletecollection: lists like LIST, deletes every listed object like DELETE, and answers the
//! list as it was read, before the deletes (the generic registry's `DeleteCollection`).

use bytes::Bytes;
use http::Response;

use super::{delete_object, options, with_job_warning};
use crate::api::hooks::Filter;
use crate::api::list::{self, scope_of, snapshot_for};
use crate::api::query::ListOptions;
use crate::api::respond::Body;
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};

/// Answers a deletecollection.
///
/// With `limit`, only that first page is deleted, and the answer carries its `continue` token,
/// as the real server does. A `continue` token is honoured for the answer; the objects deleted
/// are then still counted from the start of the collection (a known gap, see the report).
pub(in crate::api) fn delete_collection(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let list_opts = ListOptions::parse(&ctx.query, false)?;
    let filter = Filter::parse(rt, &list_opts.label_selector, &list_opts.field_selector)?;
    let opts = options::parse(ctx, body)?;
    let snapshot = snapshot_for(app, &list_opts)?;
    let scope = scope_of(rt, target);
    let limit = usize::try_from(list_opts.limit).unwrap_or(0);
    let names: Vec<(String, String)> = snapshot
        .range(&scope, None)
        .filter(|(_, o)| filter.matches(o))
        .take(if limit == 0 { usize::MAX } else { limit })
        .map(|(k, _)| (k.namespace.clone(), k.name.clone()))
        .collect();
    // the answer shows the objects as listed, before they were deleted
    let answer = list::list(app, ctx, target)?;
    for (ns, name) in names {
        match delete_object(app, rt, &ns, &name, &opts) {
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(with_job_warning(answer, rt, &opts))
}
