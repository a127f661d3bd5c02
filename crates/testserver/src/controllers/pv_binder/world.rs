//! What the binder reads: one consistent snapshot of volumes, claims, classes, nodes and pods
//! (the real controller's informer caches).

use std::sync::Arc;

use serde_json::Value;

use crate::storage::{Key, Scope, Snapshot};

pub(super) const VOLUMES: &str = "/persistentvolumes";
pub(super) const CLAIMS: &str = "/persistentvolumeclaims";
pub(super) const CLASSES: &str = "storage.k8s.io/storageclasses";
pub(super) const NODES: &str = "/nodes";
pub(super) const PODS: &str = "/pods";

/// A read-only view of the store at one revision.
#[derive(Debug)]
pub(super) struct World {
    snap: Snapshot,
}

impl World {
    pub(super) fn new(snap: Snapshot) -> Self {
        World { snap }
    }

    fn all(&self, resource: &str, ns: Option<&str>) -> Vec<Arc<Value>> {
        let scope = Scope {
            resource: resource.into(),
            namespace: ns.map(str::to_owned),
        };
        self.snap
            .range(&scope, None)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Every volume, by name.
    pub(super) fn volumes(&self) -> Vec<Arc<Value>> {
        self.all(VOLUMES, None)
    }

    /// Every claim, by namespace and name.
    pub(super) fn claims(&self) -> Vec<Arc<Value>> {
        self.all(CLAIMS, None)
    }

    /// Every StorageClass.
    pub(super) fn classes(&self) -> Vec<Arc<Value>> {
        self.all(CLASSES, None)
    }

    /// Pods of one namespace.
    pub(super) fn pods(&self, ns: &str) -> Vec<Arc<Value>> {
        self.all(PODS, Some(ns))
    }

    pub(super) fn volume(&self, name: &str) -> Option<&Arc<Value>> {
        self.snap.get(&Key::new(VOLUMES, "", name))
    }

    pub(super) fn claim(&self, ns: &str, name: &str) -> Option<&Arc<Value>> {
        self.snap.get(&Key::new(CLAIMS, ns, name))
    }

    pub(super) fn class(&self, name: &str) -> Option<&Arc<Value>> {
        self.snap.get(&Key::new(CLASSES, "", name))
    }

    pub(super) fn node(&self, name: &str) -> Option<&Arc<Value>> {
        self.snap.get(&Key::new(NODES, "", name))
    }
}
