//! deletecollection: lists like LIST, deletes every listed object like DELETE, and answers the
//! list as it was read, before the deletes (the generic registry's `DeleteCollection`).

use base64::Engine;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;
use http::Response;
use serde_json::Value;

use super::{delete_object, options, with_job_warning};
use crate::api::hooks::Filter;
use crate::api::list::{self, continue_snapshot, scope_of, snapshot_for, subject_of};
use crate::api::query::ListOptions;
use crate::api::respond::Body;
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};
use crate::registry::ResourceType;
use crate::storage::{Key, Scope, Snapshot};

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
    // the answer shows the objects as listed, before they were deleted; it also checks the
    // list options (continue token, resourceVersion) and answers their errors
    let answer = list::list(app, ctx, target)?;
    let scope = scope_of(rt, target);
    let subject = subject_of(rt, &scope);
    let (snapshot, after) = match continue_point(rt, &scope, &list_opts.continue_token) {
        Some((rv, key)) => (continue_snapshot(app, &subject, rv).ok(), Some(key)),
        None => (snapshot_for(app, &subject, &list_opts).ok(), None),
    };
    let Some(snapshot) = snapshot else {
        return Ok(with_job_warning(answer, rt, &opts));
    };
    let limit = usize::try_from(list_opts.limit).unwrap_or(0);
    for (ns, name) in selected(&snapshot, &scope, after.as_ref(), &filter, limit) {
        match delete_object(app, rt, &ns, &name, &opts) {
            Ok(_) => {}
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(with_job_warning(answer, rt, &opts))
}

/// The (namespace, name) of the objects a list page holds.
fn selected(
    snapshot: &Snapshot,
    scope: &Scope,
    after: Option<&Key>,
    filter: &Filter,
    limit: usize,
) -> Vec<(String, String)> {
    snapshot
        .range(scope, after)
        .filter(|(_, o)| filter.matches(o))
        .take(if limit == 0 { usize::MAX } else { limit })
        .map(|(k, _)| (k.namespace.clone(), k.name.clone()))
        .collect()
}

/// The revision and last key a continue token names (already validated by the list).
fn continue_point(rt: &ResourceType, scope: &Scope, token: &str) -> Option<(u64, Key)> {
    if token.is_empty() {
        return None;
    }
    let lenient = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = lenient.decode(token).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let rv = v.get("rv").and_then(Value::as_u64)?;
    let start = v
        .get("start")
        .and_then(Value::as_str)?
        .trim_end_matches('\u{0}');
    let (ns, name) = if rt.namespaced {
        start.split_once('/').unwrap_or(("", start))
    } else {
        ("", start)
    };
    Some((rv, Key::new(&scope.resource, ns, name)))
}
