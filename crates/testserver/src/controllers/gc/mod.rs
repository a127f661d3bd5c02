//! The garbage collector (kube-controller-manager's `garbage-collector-controller`).
//!
//! Objects name their owners in `metadata.ownerReferences` (by UID, with the owner's
//! apiVersion, kind and name; a namespaced owner lives in its dependent's namespace). The
//! collector
//! - deletes (in the background) dependents whose owners are all gone, including references to
//!   UIDs that never existed;
//! - for an owner deleted in the foreground (`foregroundDeletion` finalizer) deletes its
//!   dependents, and removes the finalizer once no dependent with `blockOwnerDeletion: true`
//!   is left, which lets the owner go;
//! - for an owner deleted with the `orphan` finalizer removes the reference from every
//!   dependent, then the finalizer;
//! - drops references to gone or foreground-deleting owners from dependents that still have
//!   another owner.
//!
//! Architecture invariant: the collector decides from one snapshot ([`graph`], [`decide`], both
//! pure) and acts through the API's delete and write paths ([`act`]), never on storage
//! directly (except for a namespace's finalizer, which the namespace controller completes).
//! It looks at the store only when a change concerns garbage collection; a failed action is
//! retried on the next tick.

mod act;
mod decide;
mod graph;

use std::collections::HashSet;

use serde_json::Value;

use super::MANAGER;
use crate::api::App;
use crate::api::delete::propagation::{FOREGROUND, ORPHAN};
use crate::storage::EventType;
use decide::Lookup;
use graph::{Graph, Node, OwnerRef};

/// The collector's memory between runs: whether anything needs a look, and which UIDs are
/// somebody's owner (their deletion needs one).
#[derive(Debug)]
pub(super) struct Collector {
    dirty: bool,
    owners: HashSet<String>,
}

impl Default for Collector {
    fn default() -> Self {
        // the first run looks at whatever the store already holds
        Collector {
            dirty: true,
            owners: HashSet::new(),
        }
    }
}

impl Collector {
    /// Notes one change.
    pub(super) fn observe(&mut self, kind: EventType, obj: &Value) {
        if graph::concerns_gc(obj) {
            self.dirty = true;
            return;
        }
        if kind == EventType::Deleted {
            let uid = obj
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or("");
            if self.owners.contains(uid) {
                self.dirty = true;
            }
        }
    }

    /// Asks for a full look (after the event history was lost).
    pub(super) fn resync(&mut self) {
        self.dirty = true;
    }

    /// Collects garbage if something changed since the last run.
    pub(super) fn run(&mut self, app: &App) {
        if !self.dirty {
            return;
        }
        self.dirty = !sweep(app, &mut self.owners);
    }
}

/// One pass over a snapshot; returns whether every action went through.
fn sweep(app: &App, owners: &mut HashSet<String>) -> bool {
    let Ok(snapshot) = app.store.snapshot(None) else {
        return false;
    };
    let graph = Graph::build(&app.registry, &snapshot);
    *owners = graph.owner_uids().cloned().collect();
    let lookup = |node: &Node<'_>, r: &OwnerRef| lookup(app, &snapshot, node, r);
    let mut ok = true;
    for action in decide::decide(&graph, &lookup) {
        if act::run(app, &graph, &action).is_err() {
            ok = false;
        }
    }
    ok
}

/// Finds a referenced owner as the collector does: by apiVersion and kind, in the dependent's
/// namespace when the owner kind is namespaced; a different UID means the owner is gone.
fn lookup(app: &App, snapshot: &crate::storage::Snapshot, node: &Node<'_>, r: &OwnerRef) -> Lookup {
    let (group, version) = r
        .api_version
        .rsplit_once('/')
        .unwrap_or(("", &r.api_version));
    let Some(rt) = app
        .registry
        .types()
        .find(|t| t.group == group && t.version == version && t.kind == r.kind && t.is_stored())
    else {
        return Lookup::Unresolvable;
    };
    if node.namespace.is_empty() && rt.namespaced {
        return Lookup::Unresolvable;
    }
    match snapshot.get(&app.key(rt, &node.namespace, &r.name)) {
        Some(owner) if owner.pointer("/metadata/uid").and_then(Value::as_str) == Some(&r.uid) => {
            let meta = owner.get("metadata");
            let deleting = meta
                .and_then(|m| m.get("deletionTimestamp"))
                .is_some_and(|v| !v.is_null());
            let foreground = meta
                .and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|f| f.as_str() == Some(FOREGROUND)));
            Lookup::Present {
                waiting: deleting && foreground,
            }
        }
        _ => Lookup::Absent,
    }
}
