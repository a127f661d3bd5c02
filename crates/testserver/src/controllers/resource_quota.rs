//! kube-controller-manager's `resourcequota` controller: a quota's `status.hard` is its
//! `spec.hard`, and `status.used` what the objects of its namespace (those its scopes select)
//! use of each name it limits, counted by the admission plugin's evaluators
//! ([`crate::admission::resource_quota::usage`]).
//!
//! Guarantees: after any change in a namespace (a quota, or anything it may count), every quota
//! of that namespace is recomputed and its status written (through the `status` subresource,
//! as `kube-controller-manager`) only when it differs. Names no evaluator knows are left out
//! of `status.used`, as the real controller leaves them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::MANAGER;
use crate::admission::resource_quota::{matches_scopes, quantities, usage};
use crate::api::App;
use crate::api::write::{self, WriteOpts};
use crate::storage::{Scope, Snapshot};

const QUOTAS: &str = "/resourcequotas";

/// Namespaces whose quotas need recomputing.
#[derive(Debug)]
pub(super) struct Tracker {
    dirty: BTreeSet<String>,
    all: bool,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            dirty: BTreeSet::new(),
            all: true,
        }
    }
}

impl Tracker {
    /// A change of an object of store resource `resource` in namespace `ns`.
    pub(super) fn observe(&mut self, ns: &str) {
        if !ns.is_empty() {
            self.dirty.insert(ns.to_owned());
        }
    }

    /// Everything may have changed (the event history was lost).
    pub(super) fn resync(&mut self) {
        self.all = true;
    }

    /// Recomputes the quotas of the namespaces that changed.
    pub(super) fn run(&mut self, app: &App) {
        if !self.all && self.dirty.is_empty() {
            return;
        }
        let Ok(snap) = app.store.snapshot(None) else {
            return;
        };
        let namespaces: Option<BTreeSet<String>> =
            (!std::mem::take(&mut self.all)).then(|| std::mem::take(&mut self.dirty));
        self.dirty.clear();
        let scope = Scope {
            resource: QUOTAS.into(),
            namespace: None,
        };
        let stale: Vec<(String, String, Value)> = snap
            .range(&scope, None)
            .filter(|(k, _)| namespaces.as_ref().is_none_or(|n| n.contains(&k.namespace)))
            .filter_map(|(k, q)| {
                let status = status(&snap, &k.namespace, q);
                (q.get("status") != Some(&status))
                    .then(|| (k.namespace.clone(), k.name.clone(), status))
            })
            .collect();
        for (ns, name, status) in stale {
            write_status(app, &ns, &name, status);
        }
    }
}

/// The status the controller computes for `quota` (`syncResourceQuota`).
pub(super) fn status(snap: &Snapshot, ns: &str, quota: &Value) -> Value {
    let hard = quota
        .pointer("/spec/hard")
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    let mut by_kind: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for (name, _) in quantities(quota, "/spec/hard") {
        if let Some(kind) = usage::target(name) {
            by_kind.entry(kind).or_default().push(name);
        }
    }
    let mut used = Map::new();
    for ((group, resource), names) in by_kind {
        let scope = Scope {
            resource: format!("{group}/{resource}"),
            namespace: Some(ns.to_owned()),
        };
        let objects = snap
            .range(&scope, None)
            .map(|(_, o)| &**o)
            .filter(|o| matches_scopes(quota, &group, &resource, o));
        for (name, amount) in usage::namespace_usage(&group, &resource, objects, &names) {
            used.insert(name, Value::String(amount.text()));
        }
    }
    serde_json::json!({"hard": hard, "used": used})
}

fn write_status(app: &App, ns: &str, name: &str, status: Value) {
    let Some(rt) = app.registry.find("", "v1", "resourcequotas") else {
        return;
    };
    let opts = WriteOpts {
        subresource: "status",
        ..WriteOpts::by_server(MANAGER)
    };
    let _ = write::update(app, &rt, ns, name, opts, &mut |old| {
        let mut new = old.clone();
        if let Some(map) = new.as_object_mut() {
            if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("resourceVersion");
            }
            map.insert("status".into(), status.clone());
        }
        Ok(new)
    });
}
