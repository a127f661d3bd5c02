//! DELETE: preconditions, finalizers, graceful pod deletion, namespaces going Terminating, and
//! the garbage-collection finalizers a propagation policy asks for.

mod collection;
mod options;
pub(crate) mod propagation;

use bytes::Bytes;
use http::{HeaderValue, Response};
use serde_json::{Map, Value, json};

use crate::api::hooks;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::no_finalizers;
use crate::api::{App, Ctx, meta_mut, meta_str};
use crate::clock;
use crate::registry::{DeleteRules, ResourceType};
use crate::storage::{StoreError, revision_of};
pub(super) use collection::delete_collection;
pub(crate) use options::{DeleteOptions, Propagation};
use propagation::{default_policy, finalizers_after_delete, namespace_finalizers_after_delete};

/// Answers a delete of one object.
pub(super) fn delete(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    if target.subresource.is_some() {
        return Err(ApiError::method_not_allowed());
    }
    let opts = options::parse(ctx, body)?;
    let ns = target.namespace.as_deref().unwrap_or("");
    let name = target.name.as_deref().unwrap_or("");
    let (status, v) = delete_object(app, &target.rt, ns, name, &opts)?;
    let answer = if v.get("kind").and_then(Value::as_str) == Some("Status") {
        respond::status(status, &v, ctx.repr.format)
    } else {
        respond::value(
            status,
            &respond::shaped(&target.rt, &v, ctx.repr),
            ctx.repr.format,
        )
    };
    Ok(with_job_warning(answer, &target.rt, &opts))
}

/// Adds the warning batch/v1 Job deletes without a propagation policy get.
fn with_job_warning(
    mut answer: Response<Body>,
    rt: &ResourceType,
    opts: &DeleteOptions,
) -> Response<Body> {
    if propagation::warns(rt, opts)
        && let Ok(v) = HeaderValue::from_str(&format!("299 - \"{}\"", propagation::JOB_WARNING))
    {
        answer.headers_mut().append(http::header::WARNING, v);
    }
    answer
}

/// The object's `metadata.finalizers`.
fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn set_finalizers(obj: &mut Value, list: Vec<String>) {
    if let Some(m) = meta_mut(obj) {
        if list.is_empty() {
            m.remove("finalizers");
        } else {
            m.insert("finalizers".into(), list.into());
        }
    }
}

/// Checks the preconditions (namespaces word the conflict their own way); the eviction
/// subresource checks them with these words too.
pub(crate) fn check_preconditions(
    rt: &ResourceType,
    name: &str,
    old: &Value,
    opts: &DeleteOptions,
) -> Result<(), ApiError> {
    let is_namespace = rt.strategy.delete_rules() == DeleteRules::Namespace;
    let uid = meta_str(old, "uid");
    let rv = revision_of(old);
    if let Some(want) = &opts.uid
        && want != uid
    {
        return Err(if is_namespace {
            ApiError::conflict_kind(
                "namespaces",
                "",
                name,
                &format!(
                    "Precondition failed: UID in precondition: {want}, UID in object meta: {uid}"
                ),
            )
        } else {
            ApiError::conflict_kind(
                &rt.kind,
                &rt.group,
                name,
                &format!(
                    "the UID in the precondition ({want}) does not match the UID in record ({uid}). The object might have been deleted and then recreated"
                ),
            )
        });
    }
    if let Some(want) = &opts.resource_version
        && *want != rv.to_string()
    {
        return Err(if is_namespace {
            ApiError::conflict_kind(
                "namespaces",
                "",
                name,
                &format!(
                    "Precondition failed: ResourceVersion in precondition: {want}, ResourceVersion in object meta: {rv}"
                ),
            )
        } else {
            ApiError::conflict_kind(
                &rt.kind,
                &rt.group,
                name,
                &format!(
                    "the ResourceVersion in the precondition ({want}) does not match the ResourceVersion in record ({rv}). The object might have been modified"
                ),
            )
        });
    }
    Ok(())
}

/// The finalizers the delete leaves, or `None` when it does not change them.
fn new_finalizers(
    rt: &ResourceType,
    old: &Value,
    opts: &DeleteOptions,
    already: bool,
) -> Option<Vec<String>> {
    let existing = finalizers(old);
    if rt.strategy.delete_rules() == DeleteRules::Namespace {
        return if already {
            None
        } else {
            namespace_finalizers_after_delete(opts, &existing)
        };
    }
    // a pending graceful deletion freezes the finalizers
    let pending_graceful = already
        && old
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .is_some_and(|g| g > 0);
    if pending_graceful {
        return None;
    }
    finalizers_after_delete(default_policy(rt), opts, &existing)
}

/// Deletes one object; returns the status code and the answer body (object or Status).
pub(crate) fn delete_object(
    app: &App,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> Result<(u16, Value), ApiError> {
    let key = app.key(rt, ns, name);
    hooks::admit_delete(app, rt, ns, name)?;
    for _ in 0..16 {
        let old = app
            .store
            .get(&key)
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        check_preconditions(rt, name, &old, opts)?;
        hooks::validate_delete(app, rt, (ns, name), &old)?;
        let uid = meta_str(&old, "uid").to_owned();
        let rv = revision_of(&old);
        let already = old
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null());
        let graceful = rt.strategy.graceful_delete(&old, opts.grace);
        let is_namespace = rt.strategy.delete_rules() == DeleteRules::Namespace;
        let grace = graceful.unwrap_or(0);
        let mut marked = (*old).clone();
        let changed = new_finalizers(rt, &old, opts, already);
        if let Some(list) = changed.clone() {
            set_finalizers(&mut marked, list);
        }
        if !already || graceful == Some(0) {
            mark_deleting(&mut marked, grace);
        }
        rt.strategy
            .before_delete(&mut marked, &old, already, &crate::clock::now());
        let keep = is_namespace || !no_finalizers(&marked) || grace > 0;
        if keep {
            // not deleted yet: the legacy `orphanDependents: false` earns a 202
            let code = if opts.orphan_dependents == Some(false) {
                202
            } else {
                200
            };
            if already && graceful.is_none() && changed.is_none() {
                return Ok((code, (*old).clone()));
            }
            if opts.dry_run {
                return Ok((code, marked));
            }
            match app.store.update(&key, rv, marked) {
                Ok(stored) => return Ok((code, (*stored).clone())),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(ApiError::internal(e.to_string())),
            }
        }
        // a graceful type's last state (the DELETED event) is the marked object
        let last = graceful.is_some().then_some(marked);
        if opts.dry_run {
            return Ok((200, last.unwrap_or_else(|| success(rt, name, &uid))));
        }
        match app.store.delete(&key, rv, last) {
            Ok(stored) if rt.strategy.returns_deleted_object() => {
                return Ok((200, (*stored).clone()));
            }
            Ok(_) => return Ok((200, success(rt, name, &uid))),
            Err(StoreError::Conflict { .. }) => continue,
            Err(StoreError::NotFound) => return Err(ApiError::not_found(rt, name)),
            Err(e) => return Err(ApiError::internal(e.to_string())),
        }
    }
    Err(ApiError::stale(rt, name))
}

/// The last second RFC 3339 can write (9999-12-31T23:59:59Z).
const LATEST_TIME: i64 = 253_402_300_799;

/// Sets deletionTimestamp / deletionGracePeriodSeconds and bumps the generation.
///
/// `grace` comes from the client (`gracePeriodSeconds`, or the pod's
/// `terminationGracePeriodSeconds`): a huge one ends at the latest writable time instead of
/// overflowing.
fn mark_deleting(obj: &mut Value, grace: i64) {
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    if let Some(m) = meta_mut(obj) {
        let deadline = clock::unix_now().saturating_add(grace).min(LATEST_TIME);
        m.insert("deletionTimestamp".into(), clock::rfc3339(deadline).into());
        m.insert("deletionGracePeriodSeconds".into(), grace.into());
        if let Some(g) = generation {
            m.insert("generation".into(), g.saturating_add(1).into());
        }
    }
}

fn success(rt: &ResourceType, name: &str, uid: &str) -> Value {
    let mut d = Map::new();
    d.insert("name".into(), name.into());
    if !rt.group.is_empty() {
        d.insert("group".into(), rt.group.clone().into());
    }
    d.insert("kind".into(), rt.plural.clone().into());
    d.insert("uid".into(), uid.into());
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": d})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_grace_period_or_generation_does_not_overflow() {
        let mut pod = json!({"metadata": {"name": "p", "generation": i64::MAX}});
        mark_deleting(&mut pod, i64::MAX);
        assert_eq!(
            pod["metadata"],
            json!({"name": "p", "generation": i64::MAX,
                   "deletionTimestamp": "9999-12-31T23:59:59Z",
                   "deletionGracePeriodSeconds": i64::MAX})
        );
    }
}
