//! The dependency graph the garbage collector works on: every stored object with its
//! ownerReferences, finalizers and deletion state, indexed by UID, from one snapshot.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::registry::{Registry, ResourceType};
use crate::storage::{Key, Scope, Snapshot, revision_of};

/// One `metadata.ownerReferences` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OwnerRef {
    /// `apiVersion` of the owner.
    pub(super) api_version: String,
    /// `kind` of the owner.
    pub(super) kind: String,
    /// `name` of the owner.
    pub(super) name: String,
    /// `uid` of the owner.
    pub(super) uid: String,
    /// `blockOwnerDeletion`.
    pub(super) block: bool,
}

/// One object of the graph.
#[derive(Debug)]
pub(super) struct Node<'a> {
    /// The type the object is stored as.
    pub(super) rt: &'a ResourceType,
    /// Namespace, empty when cluster scoped.
    pub(super) namespace: String,
    /// Name.
    pub(super) name: String,
    /// UID.
    pub(super) uid: String,
    /// The stored resourceVersion.
    pub(super) revision: u64,
    /// Its owners.
    pub(super) owners: Vec<OwnerRef>,
    /// `metadata.finalizers`.
    pub(super) finalizers: Vec<String>,
    /// Whether it has a deletionTimestamp.
    pub(super) deleting: bool,
}

impl Node<'_> {
    /// Whether the finalizer is set.
    pub(super) fn has_finalizer(&self, f: &str) -> bool {
        self.finalizers.iter().any(|x| x == f)
    }
}

/// The graph: nodes, and for each owner UID the nodes that name it.
#[derive(Debug, Default)]
pub(super) struct Graph<'a> {
    /// Every object taking part in garbage collection.
    pub(super) nodes: Vec<Node<'a>>,
    /// Owner UID -> (dependent node, `blockOwnerDeletion`).
    pub(super) dependents: HashMap<String, Vec<(usize, bool)>>,
}

impl<'a> Graph<'a> {
    /// Builds the graph of every stored type but events, which the garbage collector ignores.
    pub(super) fn build(registry: &'a Registry, snapshot: &Snapshot) -> Self {
        let mut graph = Graph::default();
        let mut seen = BTreeSet::new();
        for rt in registry.types() {
            let prefix = rt.storage_prefix();
            if !rt.is_stored() || prefix == "/events" || !seen.insert(prefix.clone()) {
                continue;
            }
            let scope = Scope {
                resource: prefix.clone(),
                namespace: None,
            };
            for (key, obj) in snapshot.range(&scope, None) {
                let rt = stored_type(registry, &prefix, obj).unwrap_or(rt);
                graph.add(node(rt, key, obj));
            }
        }
        graph
    }

    fn add(&mut self, node: Node<'a>) {
        let i = self.nodes.len();
        for o in &node.owners {
            self.dependents
                .entry(o.uid.clone())
                .or_default()
                .push((i, o.block));
        }
        self.nodes.push(node);
    }

    /// The dependents of an owner UID with their `blockOwnerDeletion`.
    pub(super) fn dependents_of(&self, uid: &str) -> &[(usize, bool)] {
        self.dependents.get(uid).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every UID some object names as its owner.
    pub(super) fn owner_uids(&self) -> impl Iterator<Item = &String> {
        self.dependents.keys()
    }
}

/// The served type matching the object's own `apiVersion` (HPAs are served in two versions).
fn stored_type<'a>(registry: &'a Registry, prefix: &str, obj: &Value) -> Option<&'a ResourceType> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str)?;
    registry
        .types()
        .find(|t| t.storage_prefix() == prefix && t.api_version() == api_version)
}

fn node<'a>(rt: &'a ResourceType, key: &Key, obj: &Value) -> Node<'a> {
    let meta = obj.get("metadata");
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let owners = meta
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .map(|refs| refs.iter().map(|r| owner_ref(r, &text)).collect())
        .unwrap_or_default();
    Node {
        rt,
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        uid: meta.map(|m| text(m, "uid")).unwrap_or_default(),
        revision: revision_of(obj),
        owners,
        finalizers: meta
            .and_then(|m| m.get("finalizers"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        deleting: meta
            .and_then(|m| m.get("deletionTimestamp"))
            .is_some_and(|v| !v.is_null()),
    }
}

fn owner_ref(r: &Value, text: &dyn Fn(&Value, &str) -> String) -> OwnerRef {
    OwnerRef {
        api_version: text(r, "apiVersion"),
        kind: text(r, "kind"),
        name: text(r, "name"),
        uid: text(r, "uid"),
        block: r
            .get("blockOwnerDeletion")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }
}

/// Whether an object names owners or carries a garbage-collection finalizer while deleting:
/// the changes the collector must look at.
pub(super) fn concerns_gc(obj: &Value) -> bool {
    let meta = obj.get("metadata");
    let has_owners = meta
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let deleting = meta
        .and_then(|m| m.get("deletionTimestamp"))
        .is_some_and(|v| !v.is_null());
    let gc_finalizer = meta
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter().any(|f| {
                f.as_str()
                    .is_some_and(|f| f == super::ORPHAN || f == super::FOREGROUND)
            })
        });
    has_owners || (deleting && gc_finalizer)
}
