//! LIST with selectors, pagination and resourceVersion semantics.

use base64::Engine;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig, general_purpose::URL_SAFE_NO_PAD};
use http::Response;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::api::body::As;
use crate::api::hooks::Filter;
use crate::api::query::{ListOptions, RvMatch};
use crate::api::respond::{self, Body, Item};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx, table};
use crate::faults::Subject;
use crate::registry::ResourceType;
use crate::storage::{Key, Scope, Snapshot, StoreError};

const EXPIRED_LIST: &str = "The resourceVersion for the provided list is too old.";
const EXPIRED_CONTINUE: &str = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

/// The scope a request covers.
pub(crate) fn scope_of(rt: &ResourceType, target: &Target) -> Scope {
    Scope {
        resource: rt.storage_prefix(),
        namespace: if rt.namespaced {
            target.namespace.clone()
        } else {
            None
        },
    }
}

/// What the scoped faults know a request of `rt` in `scope` by.
pub(crate) fn subject_of<'a>(rt: &'a ResourceType, scope: &'a Scope) -> Subject<'a> {
    Subject {
        group: &rt.group,
        plural: &rt.plural,
        namespace: scope.namespace.as_deref(),
    }
}

/// Maps storage errors of a list at a resourceVersion to the real answers (a compacted one is
/// etcd's `ErrCompacted`, which kube-apiserver answers without naming versions).
pub(crate) fn read_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Compacted { .. } => ApiError::expired(EXPIRED_LIST),
        StoreError::TooNew { requested, current } => ApiError::too_large_rv(requested, current),
        other => ApiError::internal(other.to_string()),
    }
}

/// The snapshot a list of `subject` reads, per `resourceVersion` and `resourceVersionMatch`;
/// an older one than the subject's scoped compaction (a fault) is gone as in the store.
pub(crate) fn snapshot_for(
    app: &App,
    subject: &Subject<'_>,
    opts: &ListOptions,
) -> Result<Snapshot, ApiError> {
    let store = &app.store;
    let at = match (opts.revision()?, opts.rv_match) {
        (None | Some(0), _) => None,
        (Some(n), RvMatch::Exact) => Some(n),
        (Some(n), RvMatch::Unset) if opts.limit > 0 => Some(n),
        (Some(n), _) => {
            let current = store.revision();
            if n > current {
                return Err(ApiError::too_large_rv(n, current));
            }
            None
        }
    };
    if let Some(at) = at {
        app.faults.check_snapshot(subject, at).map_err(read_error)?;
    }
    store.snapshot(at).map_err(read_error)
}

/// The snapshot a `continue` token at `revision` reads; any failure means the token expired.
pub(crate) fn continue_snapshot(
    app: &App,
    subject: &Subject<'_>,
    revision: u64,
) -> Result<Snapshot, ApiError> {
    app.faults
        .check_snapshot(subject, revision)
        .and_then(|()| app.store.snapshot(Some(revision)))
        .map_err(|_| ApiError::expired(EXPIRED_CONTINUE))
}

/// Where a list page is read: the snapshot, the key it starts after and how many objects it
/// holds at most (0: all).
pub(crate) struct Page {
    /// The snapshot the page is read from.
    pub(crate) snapshot: Snapshot,
    /// The key the page starts after (from the continue token).
    pub(crate) after: Option<Key>,
    /// The page size; 0 for no limit (also when `resourceVersion=0` lets the server ignore it).
    pub(crate) limit: usize,
}

/// The page a list with `opts` reads (the one reading of the continue token and the limit, for
/// LIST and deletecollection alike).
pub(crate) fn page(
    app: &App,
    rt: &ResourceType,
    scope: &Scope,
    opts: &ListOptions,
) -> Result<Page, ApiError> {
    let subject = subject_of(rt, scope);
    let (snapshot, after) = if opts.continue_token.is_empty() {
        (snapshot_for(app, &subject, opts)?, None)
    } else {
        let (rv, start) = decode_continue(&opts.continue_token)?;
        let snap = continue_snapshot(app, &subject, rv)?;
        let key = start_key(rt, scope, &start);
        (snap, Some(key))
    };
    let limit = if opts.resource_version == "0" && opts.continue_token.is_empty() {
        0
    } else {
        usize::try_from(opts.limit).unwrap_or(0)
    };
    Ok(Page {
        snapshot,
        after,
        limit,
    })
}

#[derive(Serialize)]
struct ListBody<'a, T: Serialize> {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    metadata: Value,
    items: Vec<T>,
}

/// Answers a list.
pub(super) fn list(app: &App, ctx: &Ctx, target: &Target) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let opts = ListOptions::parse(&ctx.query, false)?;
    let filter = Filter::parse(rt, &opts.label_selector, &opts.field_selector)?;
    let scope = scope_of(rt, target);
    let page = page(app, rt, &scope, &opts)?;
    answer(ctx, target, &scope, &filter, &page)
}

/// The list answer for one page already read (LIST, and deletecollection, which deletes
/// exactly the objects of the page it answers with).
pub(crate) fn answer(
    ctx: &Ctx,
    target: &Target,
    scope: &Scope,
    filter: &Filter,
    page: &Page,
) -> Result<Response<Body>, ApiError> {
    let rt = &target.rt;
    let Page {
        snapshot,
        after,
        limit,
    } = page;
    let limit = *limit;
    let mut items = Vec::new();
    let mut last: Option<&Key> = None;
    let mut rest = 0usize;
    let mut more = false;
    for (k, obj) in snapshot.range(scope, after.as_ref()) {
        if !filter.matches(obj) {
            continue;
        }
        if limit > 0 && items.len() == limit {
            more = true;
            if !filter.is_empty() {
                break;
            }
            rest += 1;
            continue;
        }
        last = Some(k);
        items.push(obj);
    }
    let mut meta = Map::new();
    meta.insert(
        "resourceVersion".into(),
        snapshot.revision.to_string().into(),
    );
    if more {
        if let Some(k) = last {
            meta.insert(
                "continue".into(),
                encode_continue(snapshot.revision, k).into(),
            );
        }
        if filter.is_empty() {
            meta.insert("remainingItemCount".into(), rest.into());
        }
    }
    let meta = Value::Object(meta);
    let format = ctx.repr.format;
    match ctx.repr.shape {
        As::Table => {
            table::check_options(&ctx.query)?;
            let rv = snapshot.revision.to_string();
            let mut t = table::render(rt, items.iter().map(|o| &***o), &rv, &ctx.query);
            t["metadata"] = meta;
            Ok(respond::value(200, &t, format))
        }
        As::Metadata => {
            let items: Vec<Value> = items.iter().map(|o| respond::partial_metadata(o)).collect();
            let body = ListBody {
                kind: "PartialObjectMetadataList".into(),
                api_version: "meta.k8s.io/v1",
                metadata: meta,
                items,
            };
            Ok(respond::value(200, &body, format))
        }
        As::Object => {
            if let Some(custom) = &rt.custom {
                // custom resources keep kind and apiVersion in list items
                let items: Vec<Value> = items
                    .iter()
                    .map(|o| crate::api::convert::to_external(rt, o))
                    .collect();
                let mut meta = meta;
                if meta.get("continue").is_none() {
                    meta["continue"] = "".into();
                }
                let body = json!({
                    "kind": custom.list_kind(),
                    "apiVersion": rt.api_version(),
                    "metadata": meta,
                    "items": items,
                });
                return Ok(respond::value(200, &body, format));
            }
            let converted: Vec<Value> = if crate::api::convert::is_converted(rt) {
                items
                    .iter()
                    .map(|o| crate::api::convert::to_external(rt, o))
                    .collect()
            } else {
                Vec::new()
            };
            let api_version = rt.api_version();
            let body = ListBody {
                kind: format!("{}List", rt.kind),
                api_version: &api_version,
                metadata: meta,
                items: if converted.is_empty() {
                    items.iter().map(|o| Item(o)).collect()
                } else {
                    converted.iter().map(Item).collect()
                },
            };
            Ok(respond::value(200, &body, format))
        }
    }
}

fn encode_continue(rv: u64, last: &Key) -> String {
    let start = if last.namespace.is_empty() {
        format!("{}\u{0}", last.name)
    } else {
        format!("{}/{}\u{0}", last.namespace, last.name)
    };
    URL_SAFE_NO_PAD.encode(json!({"v": "meta.k8s.io/v1", "rv": rv, "start": start}).to_string())
}

fn start_key(rt: &ResourceType, scope: &Scope, start: &str) -> Key {
    let start = start.trim_end_matches('\u{0}');
    let (ns, name) = if rt.namespaced {
        start.split_once('/').unwrap_or(("", start))
    } else {
        ("", start)
    };
    Key::new(&scope.resource, ns, name)
}

fn bad_token(why: String) -> ApiError {
    ApiError::bad_request(format!(
        "invalid continue token: continue key is not valid: {why}"
    ))
}

fn decode_continue(token: &str) -> Result<(u64, String), ApiError> {
    let lenient = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = lenient
        .decode(token)
        .map_err(|e| bad_token(format!("illegal base64 data: {e}")))?;
    if let Some(&b) = bytes.iter().find(|b| !b.is_ascii_whitespace())
        && b != b'{'
    {
        let c = char::from(b);
        let quoted = if c.is_ascii_graphic() {
            format!("'{c}'")
        } else {
            format!("'\\u{:04x}'", b)
        };
        return Err(bad_token(format!(
            "invalid character {quoted} looking for beginning of value"
        )));
    }
    let v: Value = serde_json::from_slice(&bytes)
        .map_err(|e| bad_token(crate::api::body::go_json_error(&bytes, &e)))?;
    if v.get("v").and_then(Value::as_str) != Some("meta.k8s.io/v1") {
        return Err(bad_token(
            "incorrect encoded start resourceVersion (version meta.k8s.io/v1)".into(),
        ));
    }
    let rv = v.get("rv").and_then(Value::as_u64).unwrap_or(0);
    let start = v
        .get("start")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    Ok((rv, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens() {
        let k = Key::new("/configmaps", "ns", "c3");
        let t = encode_continue(42, &k);
        assert_eq!(decode_continue(&t).unwrap(), (42, "ns/c3\u{0}".to_owned()));
        assert_eq!(
            decode_continue("garbage").unwrap_err().message,
            "invalid continue token: continue key is not valid: invalid character '\\u0081' looking for beginning of value"
        );
    }
}
