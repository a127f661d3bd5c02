//! Carrying out the collector's decisions through the API's write and delete paths, as the
//! real collector does through the API server.

use serde_json::Value;

use super::MANAGER;
use super::ORPHAN;
use super::decide::Action;
use super::graph::{Graph, Node};
use crate::api::delete::{self, DeleteOptions, Propagation};
use crate::api::status::ApiError;
use crate::api::write::{self, WriteOpts, is_deleting, no_finalizers};
use crate::api::{App, meta_mut, meta_str};
use crate::storage::revision_of;

fn opts() -> WriteOpts<'static> {
    WriteOpts::by_server(MANAGER)
}

/// Carries out one action; `Err` means "try again later" (a conflict or another failure).
pub(super) fn run(app: &App, graph: &Graph<'_>, action: &Action) -> Result<(), ApiError> {
    match action {
        Action::Delete { node, policy } => delete(app, &graph.nodes[*node], *policy),
        Action::DropOwners { node, uids } => drop_owners(app, &graph.nodes[*node], uids),
        Action::UnblockAndDelete { node } => {
            let n = &graph.nodes[*node];
            edit(app, n, &mut |obj| {
                for r in owner_refs_mut(obj) {
                    if r.get("blockOwnerDeletion").and_then(Value::as_bool) == Some(true) {
                        r["blockOwnerDeletion"] = false.into();
                    }
                }
            })?;
            let mut o = DeleteOptions::for_controller(Propagation::Foreground, &n.uid);
            o.resource_version = None;
            ignore_gone(delete::delete_object(app, n.rt, &n.namespace, &n.name, &o).map(drop))
        }
        Action::RemoveFinalizer { node, finalizer } => {
            remove_finalizer(app, &graph.nodes[*node], finalizer)
        }
        Action::Orphan { owner } => {
            let o = &graph.nodes[*owner];
            for (d, _) in graph.dependents_of(&o.uid) {
                drop_owners(app, &graph.nodes[*d], std::slice::from_ref(&o.uid))?;
            }
            remove_finalizer(app, o, ORPHAN)
        }
    }
}

/// A vanished object needs nothing more.
fn ignore_gone(r: Result<(), ApiError>) -> Result<(), ApiError> {
    match r {
        Err(e) if e.code == 404 => Ok(()),
        other => other,
    }
}

fn delete(app: &App, n: &Node<'_>, policy: Propagation) -> Result<(), ApiError> {
    // the UID and resourceVersion seen: a changed object is looked at again
    let mut o = DeleteOptions::for_controller(policy, &n.uid);
    o.resource_version = Some(n.revision.to_string());
    ignore_gone(delete::delete_object(app, n.rt, &n.namespace, &n.name, &o).map(drop))
}

fn owner_refs_mut(obj: &mut Value) -> impl Iterator<Item = &mut Value> {
    obj.pointer_mut("/metadata/ownerReferences")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

fn drop_owners(app: &App, n: &Node<'_>, uids: &[String]) -> Result<(), ApiError> {
    edit(app, n, &mut |obj| {
        let Some(m) = meta_mut(obj) else { return };
        let Some(Value::Array(refs)) = m.get_mut("ownerReferences") else {
            return;
        };
        refs.retain(|r| {
            let uid = r.get("uid").and_then(Value::as_str).unwrap_or("");
            !uids.iter().any(|u| u == uid)
        });
        if refs.is_empty() {
            m.remove("ownerReferences");
        }
    })
}

fn remove_finalizer(app: &App, n: &Node<'_>, finalizer: &str) -> Result<(), ApiError> {
    let strip = |obj: &mut Value| {
        let Some(m) = meta_mut(obj) else { return };
        let Some(Value::Array(list)) = m.get_mut("finalizers") else {
            return;
        };
        list.retain(|f| f.as_str() != Some(finalizer));
        if list.is_empty() {
            m.remove("finalizers");
        }
    };
    let is_namespace = n.rt.strategy.delete_rules() == crate::registry::DeleteRules::Namespace;
    if !is_namespace {
        return edit(app, n, &mut |obj| strip(obj));
    }
    // a namespace also waits for its spec finalizers: the namespace controller removes it
    let key = app.key(n.rt, "", &n.name);
    let Some(old) = app.store.get(&key) else {
        return Ok(());
    };
    if meta_str(&old, "uid") != n.uid {
        return Ok(());
    }
    let mut new = (*old).clone();
    strip(&mut new);
    if new == *old {
        return Ok(());
    }
    let spec_empty = new
        .pointer("/spec/finalizers")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    let done = is_deleting(&new) && no_finalizers(&new) && spec_empty;
    match app.store.update(&key, revision_of(&old), new) {
        Ok(stored) if done => {
            let _ = app.store.delete(&key, revision_of(&stored), None);
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => Err(ApiError::internal(e.to_string())),
    }
}

/// Updates the node's object with `change` through the write pipeline (as the manager
/// `kube-controller-manager`), if it is still the same object.
fn edit(app: &App, n: &Node<'_>, change: &mut dyn FnMut(&mut Value)) -> Result<(), ApiError> {
    let uid = n.uid.clone();
    let r = write::update(app, n.rt, &n.namespace, &n.name, opts(), &mut |old| {
        if meta_str(old, "uid") != uid {
            // recreated under the same name: the object we looked at is gone
            return Err(ApiError::not_found(n.rt, &n.name));
        }
        let mut new = old.clone();
        change(&mut new);
        if let Some(m) = meta_mut(&mut new) {
            m.remove("resourceVersion");
        }
        Ok(new)
    });
    ignore_gone(r.map(drop))
}
