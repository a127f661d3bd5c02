//! Scoped watch faults: which requests a fault hits, and the per-scope compaction floors.
//!
//! The store's compaction is global; a test on a shared server must not disturb its
//! neighbours, so "too old" is also kept per scope here, as the lowest resourceVersion still
//! served there. The watch and list paths consult it next to the store and answer with the
//! same `StoreError::Compacted` a compacted store gives.

use std::sync::Mutex;

use crate::storage::StoreError;

/// Which watches and lists a scoped fault of the [`FaultInjector`](crate::FaultInjector) hits.
///
/// A namespace scope covers the requests made *in* that namespace
/// (`/api/v1/namespaces/{ns}/configmaps?watch=1`, for every resource type); requests across
/// all namespaces (`/api/v1/configmaps?watch=1`) are outside it, so tests that share a server
/// never see each other's faults. A resource scope covers every watch and list of one
/// resource type, which is how cluster-scoped types (nodes, namespaces, storage classes) are
/// aimed at.
///
/// ```no_run
/// use kubeset_testserver::{TestServer, WatchScope};
///
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = TestServer::start().await?;
/// server.faults().close_watches_in(&WatchScope::namespace("team-a"));
/// server
///     .faults()
///     .expire_watches_in(&WatchScope::resource("storage.k8s.io", "storageclasses"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WatchScope(Aim);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Aim {
    Namespace(String),
    Resource { group: String, plural: String },
}

impl WatchScope {
    /// Watches and lists of any resource type inside the namespace `namespace`.
    pub fn namespace(namespace: &str) -> Self {
        WatchScope(Aim::Namespace(namespace.to_owned()))
    }

    /// Watches and lists of one resource type: API group (`""` for the core group) and plural
    /// name, e.g. `("", "nodes")`. For a namespaced type this covers all its namespaces.
    pub fn resource(group: &str, plural: &str) -> Self {
        WatchScope(Aim::Resource {
            group: group.to_owned(),
            plural: plural.to_owned(),
        })
    }

    /// Whether a request for `subject` is inside this scope.
    pub(crate) fn covers(&self, subject: &Subject<'_>) -> bool {
        match &self.0 {
            Aim::Namespace(ns) => subject.namespace == Some(ns.as_str()),
            Aim::Resource { group, plural } => subject.group == group && subject.plural == plural,
        }
    }
}

/// What a watch or list request reads: resource type and namespace (`None` across all
/// namespaces and for cluster-scoped types).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    /// API group, `""` for core.
    pub(crate) group: &'a str,
    /// Plural resource name.
    pub(crate) plural: &'a str,
    /// The namespace of the request path, for namespaced types.
    pub(crate) namespace: Option<&'a str>,
}

/// A request to end open watches.
#[derive(Debug, Clone)]
pub(crate) struct Ending {
    /// The watches to end; `None` for all.
    pub(crate) scope: Option<WatchScope>,
    /// `Some(floor)`: send a `410 Expired` ERROR event first, as after compaction at `floor`.
    pub(crate) expired_at: Option<u64>,
}

impl Ending {
    /// Whether the watch of `subject` is to end.
    pub(crate) fn hits(&self, subject: &Subject<'_>) -> bool {
        self.scope.as_ref().is_none_or(|s| s.covers(subject))
    }
}

/// Per-scope compaction floors: below its floor a scope's history and snapshots are gone.
#[derive(Debug, Default)]
pub(crate) struct Floors {
    floors: Mutex<Vec<(WatchScope, u64)>>,
}

impl Floors {
    /// Compacts `scope` at `revision` (a floor never goes down); returns the floor now in force.
    pub(crate) fn raise(&self, scope: &WatchScope, revision: u64) -> u64 {
        let mut floors = self.floors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, floor)) = floors.iter_mut().find(|(s, _)| s == scope) {
            *floor = (*floor).max(revision);
            return *floor;
        }
        floors.push((scope.clone(), revision));
        revision
    }

    /// The highest floor of the scopes covering `subject` (0 when none does).
    fn floor(&self, subject: &Subject<'_>) -> u64 {
        let floors = self.floors.lock().unwrap_or_else(|e| e.into_inner());
        floors
            .iter()
            .filter(|(s, _)| s.covers(subject))
            .map(|(_, f)| *f)
            .max()
            .unwrap_or(0)
    }

    /// Whether the events after `after` are still there for `subject`; the same error the
    /// store's `events_after` gives when compacted.
    pub(crate) fn check_history(
        &self,
        subject: &Subject<'_>,
        after: u64,
    ) -> Result<(), StoreError> {
        let floor = self.floor(subject);
        if after < floor {
            return Err(history_compacted(after, floor));
        }
        Ok(())
    }

    /// Whether the view at `at` is still there for `subject`; the same error the store's
    /// `snapshot` gives when compacted.
    pub(crate) fn check_snapshot(&self, subject: &Subject<'_>, at: u64) -> Result<(), StoreError> {
        let floor = self.floor(subject);
        if at < floor {
            return Err(StoreError::Compacted {
                requested: at,
                oldest: floor,
            });
        }
        Ok(())
    }
}

/// Events after `requested` are gone since compaction at `floor` (the oldest kept is the next).
pub(crate) fn history_compacted(requested: u64, floor: u64) -> StoreError {
    StoreError::Compacted {
        requested,
        oldest: floor + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CM_A: Subject<'static> = Subject {
        group: "",
        plural: "configmaps",
        namespace: Some("a"),
    };
    const CM_ALL: Subject<'static> = Subject {
        group: "",
        plural: "configmaps",
        namespace: None,
    };
    const NODES: Subject<'static> = Subject {
        group: "",
        plural: "nodes",
        namespace: None,
    };
    const SC: Subject<'static> = Subject {
        group: "storage.k8s.io",
        plural: "storageclasses",
        namespace: None,
    };

    #[track_caller]
    fn check(scope: &WatchScope, subject: Subject<'_>, covered: bool) {
        assert_eq!(
            scope.covers(&subject),
            covered,
            "{scope:?} covers {subject:?}"
        );
    }

    #[test]
    fn scopes_cover_their_namespace_or_resource_only() {
        let ns = WatchScope::namespace("a");
        check(&ns, CM_A, true);
        check(&ns, CM_ALL, false);
        check(&ns, NODES, false);
        let ns_b = WatchScope::namespace("b");
        check(&ns_b, CM_A, false);
        let nodes = WatchScope::resource("", "nodes");
        check(&nodes, NODES, true);
        check(&nodes, SC, false);
        check(&nodes, CM_A, false);
        let sc = WatchScope::resource("storage.k8s.io", "storageclasses");
        check(&sc, SC, true);
        check(&WatchScope::resource("", "storageclasses"), SC, false);
        let cms = WatchScope::resource("", "configmaps");
        check(&cms, CM_A, true);
        check(&cms, CM_ALL, true);
    }

    #[test]
    fn floors_answer_like_a_compacted_store_and_never_go_down() {
        let floors = Floors::default();
        let ns = WatchScope::namespace("a");
        assert_eq!(floors.check_history(&CM_A, 1), Ok(()));
        assert_eq!(floors.raise(&ns, 10), 10);
        assert_eq!(floors.raise(&ns, 7), 10);
        assert_eq!(
            floors.check_history(&CM_A, 9),
            Err(StoreError::Compacted {
                requested: 9,
                oldest: 11
            })
        );
        assert_eq!(floors.check_history(&CM_A, 10), Ok(()));
        assert_eq!(
            floors.check_snapshot(&CM_A, 9),
            Err(StoreError::Compacted {
                requested: 9,
                oldest: 10
            })
        );
        assert_eq!(floors.check_snapshot(&CM_A, 10), Ok(()));
        // other namespaces, all namespaces and cluster-scoped types are untouched
        assert_eq!(floors.check_history(&CM_ALL, 1), Ok(()));
        assert_eq!(floors.check_snapshot(&NODES, 1), Ok(()));
        // the highest covering floor wins
        floors.raise(&WatchScope::resource("", "configmaps"), 20);
        assert!(floors.check_history(&CM_A, 15).is_err());
        assert!(floors.check_history(&CM_ALL, 15).is_err());
        assert_eq!(floors.check_history(&CM_ALL, 20), Ok(()));
    }

    #[test]
    fn endings_hit_their_scope_or_everything() {
        let all = Ending {
            scope: None,
            expired_at: None,
        };
        assert!(all.hits(&CM_A) && all.hits(&NODES));
        let ns = Ending {
            scope: Some(WatchScope::namespace("a")),
            expired_at: Some(3),
        };
        assert!(ns.hits(&CM_A));
        assert!(!ns.hits(&CM_ALL) && !ns.hits(&NODES));
    }
}
