//! `POST pods/NAME/eviction`: policy/v1 (or v1beta1) Eviction, as kube-apiserver's
//! `EvictionREST` decides it.
//!
//! - The URL name must be the Eviction's name (400); the pod must exist (404).
//! - Pending, Succeeded and Failed pods, and pods already terminating, are deleted without
//!   looking at budgets (this is why evicting an unscheduled pod succeeds even when a budget
//!   selects it).
//! - Otherwise the one PodDisruptionBudget selecting the pod decides ([`super::disruption`]);
//!   two or more budgets answer a Status with code 500 inside an HTTP 201, as the real server
//!   does.
//! - The pod gets the `DisruptionTarget` condition, then is deleted through the ordinary DELETE
//!   path with the Eviction's `deleteOptions` (grace period, preconditions, dry run).
//!
//! Deleting through eviction needs no `delete pods` permission: only `create pods/eviction`.

use bytes::Bytes;
use http::{HeaderMap, Response};
use serde_json::{Map, Value, json};

use super::disruption::{self, Allowance};
use super::{check_namespace, created, pods, set_pod_condition, text};
use crate::api::body::decode_object;
use crate::api::query::{Query, dry_run};
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::write::{self, Managed, WriteOpts};
use crate::api::{App, Ctx, delete};
use crate::clock;
use crate::registry::ResourceType;
use crate::storage::revision_of;

/// Answers `POST .../pods/NAME/eviction`.
pub(crate) fn create(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let pods = pods(app)?;
    let query_dry = dry_run(&ctx.query, "CreateOptions")?;
    let eviction = decode(ctx.header("content-type"), body)?;
    let ns = target.namespace.as_deref().unwrap_or("");
    let name = target.name.as_deref().unwrap_or("");
    check_namespace(&eviction, ns)?;
    if text(&eviction, "/metadata/name") != name {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Eviction object",
        ));
    }
    let options = delete_options(&eviction, &ctx.query.all("dryRun"), query_dry)?;
    let dry = options
        .get("dryRun")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let deleter = Deleter {
        app,
        ctx,
        pods: &pods,
        ns,
        name,
    };
    let pod = app
        .store
        .get(&app.key(&pods, ns, name))
        .ok_or_else(|| ApiError::not_found(&pods, name))?;
    if can_ignore_budgets(&pod) {
        let mut options = options;
        if enforce_resource_version(&pod) && !has_rv_precondition(&options) {
            set_rv_precondition(&mut options, text(&pod, "/metadata/resourceVersion"));
        }
        deleter.delete(options, dry)?;
        return Ok(respond::status(201, &created(), ctx.repr.format));
    }
    let budgets = budgets_for(app, ns, &pod)?;
    let budget = match budgets.as_slice() {
        [] => None,
        [one] => Some(one),
        _ => {
            let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "code": 500,
                "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."});
            return Ok(respond::value(201, &status, ctx.repr.format));
        }
    };
    let mut unhealthy = false;
    if let Some(pdb) = budget {
        match spend(app, ns, pdb, &pod, dry)? {
            Allowance::DeleteUnhealthy => unhealthy = true,
            Allowance::Spend(_) | Allowance::DryRun => {}
        }
    }
    let original_rv = has_rv_precondition(&options);
    let mut options = options;
    if unhealthy {
        set_rv_precondition(&mut options, text(&pod, "/metadata/resourceVersion"));
    }
    match deleter.delete(options, dry) {
        Err(e) if e.code == 409 && unhealthy && !original_rv => {
            let pdb_name = budget.map_or("", |b| text(b, "/metadata/name"));
            Err(disruption::too_many_requests(
                &format!(
                    "The disruption budget {pdb_name} is still being processed by the server."
                ),
                10,
            ))
        }
        Err(e) => Err(e),
        Ok(()) => Ok(respond::status(201, &created(), ctx.repr.format)),
    }
}

/// Decodes the body as a policy/v1 Eviction, accepting policy/v1beta1 too.
fn decode(content_type: Option<&str>, body: &Bytes) -> Result<Value, ApiError> {
    match decode_object(&eviction_type("v1"), "Eviction", content_type, body) {
        Err(e) if e.code == 400 => {
            decode_object(&eviction_type("v1beta1"), "Eviction", content_type, body).map_err(|_| e)
        }
        other => other,
    }
}

/// The Eviction kind at `policy/VERSION`, to check a body's `apiVersion`/`kind` against.
fn eviction_type(version: &str) -> ResourceType {
    ResourceType {
        group: "policy".to_owned(),
        version: version.to_owned(),
        plural: "evictions".to_owned(),
        kind: "Eviction".to_owned(),
        namespaced: true,
        verbs: Vec::new(),
        subresources: Default::default(),
        custom: None,
        strategy: crate::registry::StrategyRef::Static(&crate::registry::strategy::Plain),
    }
}

/// `propagateDryRun`: the Eviction's `deleteOptions` with the request's `dryRun` when it has
/// none; conflicting lists are a plain (500) error.
fn delete_options(
    eviction: &Value,
    query_values: &[&str],
    query_dry: bool,
) -> Result<Map<String, Value>, ApiError> {
    let mut options = eviction
        .get("deleteOptions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let body_dry: Vec<String> = options
        .get("dryRun")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    if body_dry.is_empty() {
        if query_dry {
            options.insert("dryRun".into(), json!(query_values));
        }
    } else if !query_values.is_empty() && body_dry != query_values {
        return Err(ApiError::internal(format!(
            "Non-matching dry-run options in request and content: [{}] and [{}]",
            query_values.join(" "),
            body_dry.join(" ")
        )));
    }
    Ok(options)
}

/// `canIgnorePDB`: terminal, pending and terminating pods are not guarded by budgets.
fn can_ignore_budgets(pod: &Value) -> bool {
    matches!(
        text(pod, "/status/phase"),
        "Succeeded" | "Failed" | "Pending"
    ) || write::is_deleting(pod)
}

/// `shouldEnforceResourceVersion`: only live pods race with becoming ready.
fn enforce_resource_version(pod: &Value) -> bool {
    !matches!(text(pod, "/status/phase"), "Succeeded" | "Failed") && !write::is_deleting(pod)
}

fn has_rv_precondition(options: &Map<String, Value>) -> bool {
    options
        .get("preconditions")
        .and_then(|p| p.get("resourceVersion"))
        .is_some_and(|v| !v.is_null())
}

fn set_rv_precondition(options: &mut Map<String, Value>, rv: &str) {
    let pre = options
        .entry("preconditions")
        .or_insert_with(|| Value::Object(Map::new()));
    if !pre.is_object() {
        *pre = Value::Object(Map::new());
    }
    pre["resourceVersion"] = rv.into();
}

/// The budgets in the pod's namespace that select it.
fn budgets_for(app: &App, ns: &str, pod: &Value) -> Result<Vec<Value>, ApiError> {
    let Some(rt) = app.registry.find("policy", "v1", "poddisruptionbudgets") else {
        return Ok(Vec::new());
    };
    let snapshot = app
        .store
        .snapshot(None)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let scope = crate::storage::Scope {
        resource: rt.storage_prefix(),
        namespace: Some(ns.to_owned()),
    };
    let all: Vec<Value> = snapshot
        .range(&scope, None)
        .map(|(_, v)| (**v).clone())
        .collect();
    Ok(disruption::matching(&all, pod)
        .into_iter()
        .cloned()
        .collect())
}

/// Checks the budget and, when a disruption is spent, records it in the budget's status (as
/// the server's loopback client does: an Update of `kube-apiserver` on `status`). A budget that
/// changed meanwhile is judged again.
fn spend(app: &App, ns: &str, pdb: &Value, pod: &Value, dry: bool) -> Result<Allowance, ApiError> {
    let first = disruption::allowance(pdb, pod, dry, &clock::now())?;
    if !matches!(first, Allowance::Spend(_)) {
        return Ok(first);
    }
    let Some(rt) = app.registry.find("policy", "v1", "poddisruptionbudgets") else {
        return Ok(first);
    };
    let name = text(pdb, "/metadata/name");
    let opts = WriteOpts {
        subresource: "status",
        ..WriteOpts::by_server("kube-apiserver")
    };
    let mut outcome = first;
    write::update(app, &rt, ns, name, opts, &mut |current: &Value| {
        outcome = disruption::allowance(current, pod, dry, &clock::now())?;
        match &outcome {
            Allowance::Spend(spent) => Ok(spent.clone()),
            _ => Ok(current.clone()),
        }
    })?;
    Ok(outcome)
}

/// Deletes the evicted pod through the DELETE path.
struct Deleter<'a> {
    app: &'a App,
    ctx: &'a Ctx,
    pods: &'a std::sync::Arc<ResourceType>,
    ns: &'a str,
    name: &'a str,
}

impl Deleter<'_> {
    /// `addConditionAndDeletePod`: checks the preconditions, marks the pod with the
    /// `DisruptionTarget` condition (unless dry run) and deletes it with `options`.
    fn delete(&self, mut options: Map<String, Value>, dry: bool) -> Result<(), ApiError> {
        if !dry {
            self.add_condition(&mut options)?;
        }
        let body = serde_json::to_vec(&Value::Object(options))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        let ctx = Ctx {
            user: self.ctx.user.clone(),
            query: Query::default(),
            headers: HeaderMap::new(),
            repr: self.ctx.repr,
        };
        let target = Target {
            rt: self.pods.clone(),
            namespace: Some(self.ns.to_owned()),
            name: Some(self.name.to_owned()),
            subresource: None,
        };
        delete::delete(self.app, &ctx, &target, &Bytes::from(body)).map(drop)
    }

    /// Adds the `DisruptionTarget` condition through the pods/status write path (status
    /// strategy and validation, `managedFields` untouched: the registry does this, not a
    /// request), checking the delete preconditions against the latest pod first.
    fn add_condition(&self, options: &mut Map<String, Value>) -> Result<(), ApiError> {
        let precondition = |field: &str| {
            options
                .get("preconditions")
                .and_then(|p| p.get(field))
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let (want_uid, want_rv) = (precondition("uid"), precondition("resourceVersion"));
        let opts = WriteOpts {
            subresource: "status",
            ..WriteOpts::by_server("")
        };
        let stored = write::update_with(
            self.app,
            self.pods,
            self.ns,
            self.name,
            opts,
            Managed::Keep,
            &mut |old: &Value| {
                let preconditions = delete::DeleteOptions {
                    uid: want_uid.clone(),
                    resource_version: want_rv.clone(),
                    ..delete::DeleteOptions::default()
                };
                delete::check_preconditions(self.pods, self.name, old, &preconditions)?;
                let mut marked = old.clone();
                set_pod_condition(
                    &mut marked,
                    json!({"type": "DisruptionTarget", "status": "True", "lastProbeTime": null,
                           "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting"}),
                    &clock::now(),
                );
                // no resourceVersion: a concurrent write re-runs this against the newer pod
                if let Some(m) = marked.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("resourceVersion");
                }
                Ok(marked)
            },
        )?;
        if want_rv.is_some() {
            // the precondition now names the version this write produced
            set_rv_precondition(options, &revision_of(&stored).to_string());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_comes_from_the_request_when_the_eviction_has_none() {
        let ev = json!({"deleteOptions": {"gracePeriodSeconds": 0}});
        let opts = delete_options(&ev, &["All"], true).unwrap();
        assert_eq!(
            Value::Object(opts),
            json!({"gracePeriodSeconds": 0, "dryRun": ["All"]})
        );
        let ev = json!({"deleteOptions": {"dryRun": ["All"]}});
        assert!(delete_options(&ev, &[], false).is_ok());
        assert!(delete_options(&ev, &["All"], true).is_ok());
        let ev = json!({"deleteOptions": {"dryRun": ["All", "All"]}});
        assert_eq!(
            delete_options(&ev, &["All"], true).unwrap_err().message,
            "Non-matching dry-run options in request and content: [All] and [All All]"
        );
        assert_eq!(delete_options(&json!({}), &[], false).unwrap(), Map::new());
    }

    #[test]
    fn budgets_guard_only_live_pods() {
        for (phase, deleting, ignore, enforce) in [
            ("Pending", false, true, true),
            ("Running", false, false, true),
            ("Running", true, true, false),
            ("Succeeded", false, true, false),
            ("Failed", false, true, false),
            ("Unknown", false, false, true),
        ] {
            let mut pod = json!({"metadata": {}, "status": {"phase": phase}});
            if deleting {
                pod["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z".into();
            }
            assert_eq!(can_ignore_budgets(&pod), ignore, "{phase} {deleting}");
            assert_eq!(
                enforce_resource_version(&pod),
                enforce,
                "{phase} {deleting}"
            );
        }
    }
}
