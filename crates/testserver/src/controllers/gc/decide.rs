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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::registry::Registry;

    /// A node for the tests: `uid`, its owners as `(uid, block)`, finalizers, deleting.
    struct Spec {
        uid: &'static str,
        owners: &'static [(&'static str, bool)],
        finalizers: &'static [&'static str],
        deleting: bool,
    }

    const fn obj(uid: &'static str, owners: &'static [(&'static str, bool)]) -> Spec {
        Spec {
            uid,
            owners,
            finalizers: &[],
            deleting: false,
        }
    }

    const fn deleting(uid: &'static str, finalizers: &'static [&'static str]) -> Spec {
        Spec {
            uid,
            owners: &[],
            finalizers,
            deleting: true,
        }
    }

    /// Decides over `nodes`; owners are looked up among the nodes by UID (an owner UID that
    /// is no node is gone; `"?"` cannot be resolved).
    #[track_caller]
    fn check(nodes: &[Spec], expected: &[Action]) {
        let registry = Registry::builtin();
        let rt = registry.types().find(|t| t.kind == "ConfigMap").unwrap();
        let mut graph = Graph::default();
        for s in nodes {
            graph.push_for_test(Node {
                rt,
                namespace: "ns".into(),
                name: s.uid.into(),
                uid: s.uid.into(),
                revision: 1,
                owners: s
                    .owners
                    .iter()
                    .map(|(uid, block)| OwnerRef {
                        api_version: "v1".into(),
                        kind: "ConfigMap".into(),
                        name: (*uid).into(),
                        uid: (*uid).into(),
                        block: *block,
                    })
                    .collect(),
                finalizers: s.finalizers.iter().map(|f| (*f).to_owned()).collect(),
                deleting: s.deleting,
            });
        }
        let state: HashMap<&str, bool> = nodes
            .iter()
            .map(|s| (s.uid, s.deleting && s.finalizers.contains(&FOREGROUND)))
            .collect();
        let lookup = |_: &Node<'_>, r: &OwnerRef| match state.get(r.uid.as_str()) {
            _ if r.uid == "?" => Lookup::Unresolvable,
            Some(waiting) => Lookup::Present { waiting: *waiting },
            None => Lookup::Absent,
        };
        assert_eq!(decide(&graph, &lookup), expected);
    }

    fn delete(node: usize, policy: Propagation) -> Action {
        Action::Delete { node, policy }
    }

    #[test]
    fn dependents_of_gone_owners_are_deleted_in_the_background() {
        check(
            &[obj("a", &[("gone", false)])],
            &[delete(0, Propagation::Background)],
        );
        // all owners gone
        check(
            &[obj("a", &[("x", false), ("y", true)])],
            &[delete(0, Propagation::Background)],
        );
        // an owner that is there keeps it; nothing to do
        check(&[obj("o", &[]), obj("a", &[("o", false)])], &[]);
        // an unresolvable reference: left alone, whatever else it names
        check(&[obj("a", &[("gone", false), ("?", false)])], &[]);
    }

    #[test]
    fn a_live_owner_keeps_the_dependent_but_dead_references_go() {
        check(
            &[obj("o", &[]), obj("a", &[("o", false), ("gone", false)])],
            &[Action::DropOwners {
                node: 1,
                uids: vec!["gone".into()],
            }],
        );
        // a reference to a foreground-deleting owner goes too
        check(
            &[
                obj("o", &[]),
                deleting("w", &["foregroundDeletion"]),
                obj("a", &[("o", false), ("w", true)]),
            ],
            &[Action::DropOwners {
                node: 2,
                uids: vec!["w".into()],
            }],
        );
    }

    #[test]
    fn foreground_owners_wait_for_blocking_dependents() {
        // the dependent is deleted; the owner keeps its finalizer meanwhile
        check(
            &[
                deleting("w", &["foregroundDeletion"]),
                obj("a", &[("w", true)]),
            ],
            &[delete(1, Propagation::Background)],
        );
        // a non-blocking dependent does not hold the owner
        check(
            &[
                deleting("w", &["foregroundDeletion"]),
                obj("a", &[("w", false)]),
            ],
            &[
                Action::RemoveFinalizer {
                    node: 0,
                    finalizer: FOREGROUND,
                },
                delete(1, Propagation::Background),
            ],
        );
        // a dependent with dependents of its own goes in the foreground too
        check(
            &[
                deleting("w", &["foregroundDeletion"]),
                obj("a", &[("w", true)]),
                obj("b", &[("a", true)]),
            ],
            &[delete(1, Propagation::Foreground)],
        );
        // ... and when one of those is itself deleting in the foreground (a cycle), it is
        // unblocked first
        check(
            &[
                Spec {
                    uid: "w",
                    owners: &[("a", true)],
                    finalizers: &["foregroundDeletion"],
                    deleting: true,
                },
                obj("a", &[("w", true)]),
            ],
            &[Action::UnblockAndDelete { node: 1 }],
        );
        // a blocking dependent that is itself being deleted still holds the owner
        check(
            &[
                deleting("w", &["foregroundDeletion"]),
                Spec {
                    uid: "a",
                    owners: &[("w", true)],
                    finalizers: &["example.com/x"],
                    deleting: true,
                },
            ],
            &[],
        );
    }

    #[test]
    fn orphaning_and_existing_finalizers() {
        check(
            &[deleting("o", &["orphan"]), obj("a", &[("o", false)])],
            // the owner is still there (being deleted): the dependent waits to be orphaned
            &[Action::Orphan { owner: 0 }],
        );
        // a collected object's own GC finalizer picks the policy
        check(
            &[Spec {
                uid: "a",
                owners: &[("gone", false)],
                finalizers: &["orphan"],
                deleting: false,
            }],
            &[delete(0, Propagation::Orphan)],
        );
        // an object being deleted otherwise is left to its finalizers
        check(&[deleting("a", &["example.com/x"])], &[]);
    }
}
