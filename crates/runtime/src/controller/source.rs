//! What turns a watch into keys: a store kept by the events, and a mapping of each change
//! to the keys it concerns.

use std::sync::Arc;

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kubeset_clientset::runtime::{Change, Event, Object, Writer};

use super::ObjectRef;

/// Keys from one watch, and whether its cache has synced.
pub(super) struct Source {
    /// The keys of each event (errors are the watcher's, retried on its own).
    pub(super) keys: BoxStream<'static, Result<Vec<ObjectRef>, SourceError>>,
    /// Whether the first full list is in.
    pub(super) ready: Box<dyn Fn() -> bool + Send + Sync>,
}

/// A watch error and the collection it concerns.
pub(super) struct SourceError {
    pub(super) resource: Arc<str>,
    pub(super) error: kubeset_clientset::Error,
}

/// A source over `events`, applied to `writer`; each change becomes the keys `map` adds.
pub(super) fn source<X, S, F>(
    resource: Arc<str>,
    events: S,
    mut writer: Writer<X>,
    mut map: F,
) -> Source
where
    X: Object + Send + Sync + 'static,
    S: Stream<Item = Result<Event<X>, kubeset_clientset::Error>> + Send + 'static,
    F: FnMut(&Change<X>, &mut Vec<ObjectRef>) + Send + 'static,
{
    let reader = writer.reader();
    let keys = events.map(move |event| match event {
        Ok(event) => {
            let mut keys = Vec::new();
            // the store reports what a re-list changed too, so a key is queued for
            // objects changed or deleted while the watch was down, and not for the others
            writer.apply_with(&event.map(Arc::new), |change| map(&change, &mut keys));
            Ok(keys)
        }
        Err(error) => Err(SourceError {
            resource: Arc::clone(&resource),
            error,
        }),
    });
    Source {
        keys: keys.boxed(),
        ready: Box::new(move || reader.is_ready()),
    }
}

/// A source of keys that needs no sync.
pub(super) fn triggers(keys: impl Stream<Item = ObjectRef> + Send + 'static) -> Source {
    Source {
        keys: keys.map(|key| Ok(vec![key])).boxed(),
        ready: Box::new(|| true),
    }
}

/// A predicate of [`Controller::reconcile_when`](super::Controller::reconcile_when).
pub(super) type PredicateFn<K> = dyn Fn(&K) -> Option<u64> + Send + Sync;

/// The primary objects: a key for each one added, or changed as `predicate` sees it (a
/// deleted object has nothing left to reconcile).
pub(super) fn own_key<K: Object>(
    change: &Change<K>,
    predicate: Option<&PredicateFn<K>>,
    keys: &mut Vec<ObjectRef>,
) {
    match change {
        Change::Added(k) => keys.extend(ObjectRef::from_object(&**k)),
        Change::Updated { old, new } => {
            let changed = predicate.is_none_or(|p| match (p(old), p(new)) {
                (Some(a), Some(b)) => a != b,
                _ => true,
            });
            if changed {
                keys.extend(ObjectRef::from_object(&**new));
            }
        }
        _ => {}
    }
}

/// Every object of a change: both states of an update, so a mapping that changed reaches
/// the old target and the new one.
pub(super) fn objects<X>(change: &Change<X>) -> impl Iterator<Item = &Arc<X>> {
    let (a, b) = match change {
        Change::Added(k) | Change::Deleted(k) => (Some(k), None),
        Change::Updated { old, new } => (Some(old), Some(new)),
        _ => (None, None),
    };
    a.into_iter().chain(b)
}

/// The owner of kind `kind` (`apiVersion` `api_version`) that controls `owners`, with the
/// namespace it lives in (`None` for a cluster-scoped owner).
pub(super) fn controller_of(
    owners: Option<&[OwnerReference]>,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
) -> Option<ObjectRef> {
    let owner = owners?
        .iter()
        .find(|o| o.controller == Some(true) && o.kind == kind && o.api_version == api_version)?;
    Some(ObjectRef {
        namespace: namespace.map(str::to_owned),
        name: owner.name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::ConfigMap;

    use super::*;

    fn owner(kind: &str, api_version: &str, controller: Option<bool>) -> OwnerReference {
        OwnerReference {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            name: format!("{kind}-owner"),
            uid: "u".to_owned(),
            controller,
            ..OwnerReference::default()
        }
    }

    #[track_caller]
    fn check(owners: &[OwnerReference], expected: Option<&str>) {
        let got = controller_of(Some(owners), "apps/v1", "Deployment", Some("ns"));
        assert_eq!(got.as_ref().map(ObjectRef::to_string).as_deref(), expected);
    }

    #[test]
    fn only_the_controlling_owner_of_the_primary_kind_is_mapped() {
        check(
            &[owner("Deployment", "apps/v1", Some(true))],
            Some("ns/Deployment-owner"),
        );
        check(&[owner("Deployment", "apps/v1", Some(false))], None);
        check(&[owner("Deployment", "apps/v1", None)], None);
        check(&[owner("Deployment", "apps/v1beta1", Some(true))], None);
        check(&[owner("StatefulSet", "apps/v1", Some(true))], None);
        check(
            &[
                owner("StatefulSet", "apps/v1", Some(true)),
                owner("Deployment", "apps/v1", Some(true)),
            ],
            Some("ns/Deployment-owner"),
        );
        assert_eq!(controller_of(None, "apps/v1", "Deployment", None), None);
    }

    #[test]
    fn a_predicate_filters_updates_but_not_additions() {
        let cm = |label: &str, rv: &str| {
            let mut cm = ConfigMap::default();
            cm.metadata.name = Some("c".into());
            cm.metadata.resource_version = Some(rv.into());
            cm.metadata.labels = Some([("l".to_owned(), label.to_owned())].into());
            Arc::new(cm)
        };
        let labels = |k: &ConfigMap| crate::predicates::labels(k);
        let keys = |change: Change<ConfigMap>| {
            let mut keys = Vec::new();
            own_key(&change, Some(&labels), &mut keys);
            keys.len()
        };
        assert_eq!(keys(Change::Added(cm("a", "1"))), 1);
        assert_eq!(
            keys(Change::Updated {
                old: cm("a", "1"),
                new: cm("a", "2")
            }),
            0
        );
        assert_eq!(
            keys(Change::Updated {
                old: cm("a", "1"),
                new: cm("b", "2")
            }),
            1
        );
        assert_eq!(keys(Change::Deleted(cm("a", "1"))), 0);
        let mut unfiltered = Vec::new();
        own_key(
            &Change::Updated {
                old: cm("a", "1"),
                new: cm("a", "2"),
            },
            None,
            &mut unfiltered,
        );
        assert_eq!(unfiltered.len(), 1);
    }
}
