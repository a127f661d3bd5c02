//! deletecollection: lists like LIST, deletes every listed object like DELETE, and answers the
//! list as it was read, before the deletes (the generic registry's `DeleteCollection`).

use bytes::Bytes;
use http::Response;

use super::{delete_object, options, with_job_warning};
use crate::api::hooks::Filter;
use crate::api::list::{self, Page, scope_of};
use crate::api::query::ListOptions;
use crate::api::respond::Body;
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};
use crate::storage::Scope;

/// Answers a deletecollection.
///
/// The objects deleted are the ones the list answer holds: with `limit`, only that page (the
/// answer carries its `continue` token, and a later call with it goes on from there).
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
    // one read: the answer shows exactly the objects deleted, as listed before the deletes
    // (reading the page checks the list options and answers their errors)
    let scope = scope_of(rt, target);
    let page = list::page(app, rt, &scope, &list_opts)?;
    let answer = list::answer(ctx, target, &scope, &filter, &page)?;
    for (ns, name) in selected(&page, &scope, &filter) {
        match delete_object(app, rt, &ns, &name, &opts) {
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(with_job_warning(answer, rt, &opts))
}

/// The (namespace, name) of the objects a list page holds.
fn selected(page: &Page, scope: &Scope, filter: &Filter) -> Vec<(String, String)> {
    page.snapshot
        .range(scope, page.after.as_ref())
        .filter(|(_, o)| filter.matches(o))
        .take(if page.limit == 0 {
            usize::MAX
        } else {
            page.limit
        })
        .map(|(k, _)| (k.namespace.clone(), k.name.clone()))
        .collect()
}
