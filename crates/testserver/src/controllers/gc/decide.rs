//! What the garbage collector does with each object of the graph (pure: the owner lookups are
//! passed in). Mirrors kube-controller-manager's `attemptToDeleteItem`,
//! `processDeletingDependentsItem` and `attemptToOrphanWorker`.

use super::graph::{Graph, Node, OwnerRef};
use super::{FOREGROUND, ORPHAN};
use crate::api::delete::Propagation;

/// The state of one referenced owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lookup {
    /// The reference cannot be resolved (an unserved kind, or a cluster-scoped object naming a
    /// namespaced owner): the real collector never acts on such an object.
    Unresolvable,
    /// No object of that kind and name, or one with another UID.
    Absent,
    /// The owner exists.
    Present {
        /// Whether it is being deleted in the foreground (waits for its dependents).
        waiting: bool,
    },
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Action {
    /// Delete the node with a propagation policy.
    Delete {
        /// The node.
        node: usize,
        /// The policy.
        policy: Propagation,
    },
    /// Remove the references to these owner UIDs from the node.
    DropOwners {
        /// The node.
        node: usize,
        /// The owner UIDs.
        uids: Vec<String>,
    },
    /// Clear `blockOwnerDeletion` on the node's references, then delete it in the foreground
    /// (breaks a foreground-deletion cycle).
    UnblockAndDelete {
        /// The node.
        node: usize,
    },
    /// Remove a finalizer from the node.
    RemoveFinalizer {
        /// The node.
        node: usize,
        /// The finalizer.
        finalizer: &'static str,
    },
    /// Remove the node from its dependents' owners, then its `orphan` finalizer.
    Orphan {
        /// The owner node.
        owner: usize,
    },
}

/// Decides the actions for every node of the graph.
pub(super) fn decide(
    graph: &Graph<'_>,
    lookup: &dyn Fn(&Node<'_>, &OwnerRef) -> Lookup,
) -> Vec<Action> {
    let mut actions = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        if node.deleting {
            if node.has_finalizer(ORPHAN) {
                actions.push(Action::Orphan { owner: i });
            } else if node.has_finalizer(FOREGROUND) {
                let blocked = graph
                    .dependents_of(&node.uid)
                    .iter()
                    .any(|(_, block)| *block);
                if !blocked {
                    actions.push(Action::RemoveFinalizer {
                        node: i,
                        finalizer: FOREGROUND,
                    });
                }
            }
            // any other object being deleted is a one-way trip: nothing to do
            continue;
        }
        if let Some(a) = decide_dependent(graph, i, node, lookup) {
            actions.push(a);
        }
    }
    actions
}

fn decide_dependent(
    graph: &Graph<'_>,
    i: usize,
    node: &Node<'_>,
    lookup: &dyn Fn(&Node<'_>, &OwnerRef) -> Lookup,
) -> Option<Action> {
    if node.owners.is_empty() {
        return None;
    }
    let (mut solid, mut gone, mut waiting) = (0usize, Vec::new(), Vec::new());
    for r in &node.owners {
        match lookup(node, r) {
            Lookup::Unresolvable => return None,
            Lookup::Absent => gone.push(r.uid.clone()),
            Lookup::Present { waiting: true } => waiting.push(r.uid.clone()),
            Lookup::Present { waiting: false } => solid += 1,
        }
    }
    if solid > 0 {
        if gone.is_empty() && waiting.is_empty() {
            return None;
        }
        let mut uids = gone;
        uids.extend(waiting);
        return Some(Action::DropOwners { node: i, uids });
    }
    let deps = graph.dependents_of(&node.uid);
    if !waiting.is_empty() && !deps.is_empty() {
        let cycle = deps.iter().any(|(d, _)| {
            let d = &graph.nodes[*d];
            d.deleting && d.has_finalizer(FOREGROUND)
        });
        return Some(if cycle {
            Action::UnblockAndDelete { node: i }
        } else {
            Action::Delete {
                node: i,
                policy: Propagation::Foreground,
            }
        });
    }
    let policy = if node.has_finalizer(ORPHAN) {
        Propagation::Orphan
    } else if node.has_finalizer(FOREGROUND) {
        Propagation::Foreground
    } else {
        Propagation::Background
    };
    Some(Action::Delete { node: i, policy })
}
