//! runtime: the watcher, the store and the informer against a live server — stores converge
//! to the server's state through creates, updates, deletes and selector changes; the watcher
//! resumes after a closed connection and lists again after 410 Gone; `list_all` survives an
//! expired continue token.
//!
//! The fault tests run on the shared test server like the others: its watch faults are aimed
//! at the test's own namespace (`WatchScope`), so they disturb no other test. A real cluster
//! (`KUBESET_TEST_KUBECONFIG`) has no fault injector: there the fault part of those tests is
//! skipped with a note. Every wait is bounded (10 s); no test sleeps or measures time.

use std::collections::{BTreeMap, BTreeSet};
use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kubeset::clientset::runtime::{
    Change, Event, Informer, InitialList, ListVersion, Object, Store, WatcherConfig, reflector,
    store, watcher,
};
use kubeset::clientset::{Api, DeleteParams, Error, ListParams, Patch, PatchParams, PostParams};
use kubeset_testserver::{FaultInjector, TestServer, WatchScope};
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::objects::config_map;
use crate::support::{setup, test_server};

const WAIT: Duration = Duration::from_secs(10);

/// `name -> resourceVersion` of the objects of a store.
fn store_state<K: Object>(store: &Store<K>) -> BTreeMap<String, String> {
    store
        .list()
        .iter()
        .map(|k| {
            let name = k.name().unwrap_or_default().to_owned();
            (name, k.resource_version().unwrap_or_default().to_owned())
        })
        .collect()
}

/// `name -> resourceVersion` of the ConfigMaps the server has that match `labels`.
async fn server_state(cms: &Api<ConfigMap>, labels: &str) -> BTreeMap<String, String> {
    let list = cms
        .list(&ListParams::default().labels(labels))
        .await
        .unwrap();
    list.iter()
        .map(|k| {
            let name = k.name().unwrap_or_default().to_owned();
            (name, k.resource_version().unwrap_or_default().to_owned())
        })
        .collect()
}

/// Waits until `store` holds exactly what the server has, each change announced on `changes`.
async fn converge<K: Object>(
    store: &Store<K>,
    cms: &Api<ConfigMap>,
    labels: &str,
    changes: &mut mpsc::UnboundedReceiver<()>,
) {
    let expected = server_state(cms, labels).await;
    while store_state(store) != expected {
        let next = tokio::time::timeout(WAIT, changes.recv()).await;
        assert!(
            matches!(next, Ok(Some(()))),
            "the store did not converge within {WAIT:?}: has {:?}, server has {expected:?}",
            store_state(store)
        );
    }
}

/// Creates, updates, deletes, and moves objects in and out of the selector `rt=1`, waiting
/// after each step for `store` to match the server.
async fn exercise<K: Object>(
    cms: &Api<ConfigMap>,
    store: &Store<K>,
    changes: &mut mpsc::UnboundedReceiver<()>,
) {
    let pp = PostParams::default();
    let labels = "rt=1";
    assert!(
        tokio::time::timeout(WAIT, store.wait_until_ready())
            .await
            .unwrap_or(false),
        "the store never became ready"
    );
    converge(store, cms, labels, changes).await;
    assert_eq!(
        store_state(store).keys().collect::<Vec<_>>(),
        ["a", "b", "c"],
        "the initial state"
    );

    cms.create(&pp, &config_map("d", &[("rt", "1")], &[]))
        .await
        .unwrap();
    let merge = |value| Patch::Merge(value);
    cms.patch(
        "a",
        &PatchParams::default(),
        &merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    cms.delete("b", &DeleteParams::default()).await.unwrap();
    // Into the selector and out of it: the server reports these as ADDED and DELETED.
    cms.patch(
        "x",
        &PatchParams::default(),
        &merge(json!({"metadata": {"labels": {"rt": "1"}}})),
    )
    .await
    .unwrap();
    cms.patch(
        "c",
        &PatchParams::default(),
        &merge(json!({"metadata": {"labels": {"rt": "0"}}})),
    )
    .await
    .unwrap();
    converge(store, cms, labels, changes).await;
    assert_eq!(
        store_state(store).keys().collect::<Vec<_>>(),
        ["a", "d", "x"],
        "after the changes"
    );
    let a = store.get(cms.namespace(), "a").expect("a is in the store");
    assert_eq!(a.name(), Some("a"));
}

/// Three objects selected by `rt=1` and one (`x`) that is not.
async fn seed(cms: &Api<ConfigMap>) {
    let pp = PostParams::default();
    for name in ["a", "b", "c"] {
        cms.create(&pp, &config_map(name, &[("rt", "1")], &[("v", "1")]))
            .await
            .unwrap();
    }
    cms.create(&pp, &config_map("x", &[("rt", "0")], &[]))
        .await
        .unwrap();
}

/// Runs `informer` in the background; each change is announced on the returned channel.
fn spawn<K>(informer: Informer<K>) -> mpsc::UnboundedReceiver<()>
where
    K: Object + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(informer.run(move |_| {
        let _ = tx.send(());
    }));
    rx
}

#[tokio::test]
async fn an_informer_store_converges_to_the_server_state() {
    let configs = [
        ("list", WatcherConfig::default()),
        (
            "pages",
            WatcherConfig::default()
                .page_size(1)
                .list_version(ListVersion::MostRecent),
        ),
        (
            "stream",
            WatcherConfig::default().initial_list(InitialList::Streaming),
        ),
    ];
    for (name, config) in configs {
        let ctx = setup(&format!("rt-store-{name}")).await;
        let cms = ctx.client.config_maps(&ctx.ns);
        seed(&cms).await;
        let informer = Informer::new(cms.clone(), config.labels("rt=1"));
        let store = informer.store();
        let mut changes = spawn(informer);
        exercise(&cms, &store, &mut changes).await;
    }
}

#[tokio::test]
async fn a_metadata_store_converges_to_the_server_state() {
    let ctx = setup("rt-meta").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    seed(&cms).await;
    let informer = Informer::metadata(cms.clone(), WatcherConfig::default().labels("rt=1"));
    let store = informer.store();
    let mut changes = spawn(informer);
    exercise(&cms, &store, &mut changes).await;
}

/// `v` of a ConfigMap's data.
fn v(cm: &ConfigMap) -> &str {
    cm.data
        .as_ref()
        .and_then(|d| d.get("v"))
        .map_or("", String::as_str)
}

type Changes = Pin<Box<dyn Stream<Item = Result<Change<ConfigMap>, Error>> + Send>>;

/// The next change, within [`WAIT`].
async fn next_change(changes: &mut Changes) -> Change<ConfigMap> {
    match tokio::time::timeout(WAIT, changes.try_next()).await {
        Ok(Ok(Some(change))) => change,
        Ok(Ok(None)) => panic!("the informer ended"),
        Ok(Err(err)) => panic!("informer error: {err}"),
        Err(_) => panic!("no change within {WAIT:?}"),
    }
}

#[tokio::test]
async fn an_informer_reports_added_updated_deleted_with_old_and_new_states() {
    let ctx = setup("rt-changes").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let pp = PostParams::default();
    cms.create(&pp, &config_map("a", &[("rt", "1")], &[("v", "1")]))
        .await
        .unwrap();
    let informer = Informer::new(cms.clone(), WatcherConfig::default().labels("rt=1"));
    let store = informer.store();
    let mut changes: Changes = Box::pin(informer.changes());

    let Change::Added(added) = next_change(&mut changes).await else {
        panic!("expected the listed object as Added");
    };
    assert_eq!((added.name(), v(&added)), (Some("a"), "1"));
    assert!(store.is_ready());

    cms.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    let Change::Updated { old, new } = next_change(&mut changes).await else {
        panic!("expected Updated");
    };
    assert_eq!((v(&old), v(&new)), ("1", "2"));
    let held = store.get(cms.namespace(), "a").unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&held, &new),
        "the store and the change share the object"
    );

    cms.delete("a", &DeleteParams::default()).await.unwrap();
    let Change::Deleted(gone) = next_change(&mut changes).await else {
        panic!("expected Deleted");
    };
    assert_eq!((gone.name(), v(&gone)), (Some("a"), "2"));
    assert!(store.is_empty());
}

/// The fault injector of the shared in-process test server, scoped to one test's namespace by
/// the callers; `None` against a real cluster (`KUBESET_TEST_KUBECONFIG`), which has none:
/// the test then notes that its fault part is skipped.
fn faults(test: &str) -> Option<FaultInjector> {
    let server = test_server();
    if server.is_none() {
        eprintln!(
            "{test}: a real cluster has no fault injector; the fault part of the test is skipped"
        );
    }
    server.map(TestServer::faults)
}

type Events = Pin<Box<dyn Stream<Item = Result<Event<std::sync::Arc<ConfigMap>>, Error>> + Send>>;

/// Reads `events` until `InitDone`; returns how many `Init` it saw on the way.
async fn until_init_done(events: &mut Events) -> usize {
    let mut inits = 0;
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Ok(Event::Init))) => inits += 1,
            Ok(Some(Ok(Event::InitDone))) => return inits,
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(err))) => panic!("watcher error: {err}"),
            Ok(None) => panic!("the watcher ended"),
            Err(_) => panic!("no InitDone within {WAIT:?}"),
        }
    }
}

/// Reads `events` until `store` holds `ns/name`; fails on a re-list (`Init`) on the way.
async fn until_applied(events: &mut Events, store: &Store<ConfigMap>, ns: &str, name: &str) {
    while store.get(Some(ns), name).is_none() {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Ok(Event::Init))) => panic!("the watcher listed again instead of resuming"),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(err))) => panic!("watcher error: {err}"),
            Ok(None) => panic!("the watcher ended"),
            Err(_) => panic!("{name} did not arrive within {WAIT:?}"),
        }
    }
}

#[tokio::test]
async fn the_watcher_resumes_after_a_closed_watch_and_lists_again_after_410() {
    let ctx = setup("rt-faults").await;
    let ns = ctx.ns.as_str();
    let cms = ctx.client.config_maps(ns);
    let pp = PostParams::default();
    for name in ["a", "b"] {
        cms.create(&pp, &config_map(name, &[("t", "1")], &[]))
            .await
            .unwrap();
    }
    let (store, writer) = store::<ConfigMap>();
    let mut events: Events = reflector(
        writer,
        watcher(cms.clone(), WatcherConfig::default().labels("t=1")),
    )
    .boxed();
    assert_eq!(until_init_done(&mut events).await, 1);
    assert_eq!(store_state(&store), server_state(&cms, "t=1").await);
    let Some(faults) = faults("the_watcher_resumes_after_a_closed_watch_and_lists_again_after_410")
    else {
        return;
    };
    let scope = WatchScope::namespace(ns);

    // A closed watch resumes from the last version: no re-list, nothing missed.
    faults.close_watches_in(&scope);
    cms.create(&pp, &config_map("c", &[("t", "1")], &[]))
        .await
        .unwrap();
    until_applied(&mut events, &store, ns, "c").await;

    // The gap: the watch (open: `c` came through it) is closed and, the stream not being
    // polled, not yet resumed while objects change; then the namespace's history is compacted
    // past every version the watcher saw.
    faults.close_watches_in(&scope);
    cms.delete("a", &DeleteParams::default()).await.unwrap();
    cms.create(&pp, &config_map("d", &[("t", "1")], &[]))
        .await
        .unwrap();
    cms.patch(
        "b",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    faults.expire_watches_in(&scope);

    // Resuming gets 410 Gone: the watcher lists again and the store matches the server,
    // including the deletion it may never have seen as an event.
    assert_eq!(until_init_done(&mut events).await, 1, "one re-list");
    assert_eq!(store_state(&store), server_state(&cms, "t=1").await);
    let names: BTreeSet<_> = store_state(&store).into_keys().collect();
    assert_eq!(names, BTreeSet::from(["b".into(), "c".into(), "d".into()]));

    // And it watches again.
    cms.create(&pp, &config_map("e", &[("t", "1")], &[]))
        .await
        .unwrap();
    until_applied(&mut events, &store, ns, "e").await;

    // A 410 ERROR event on the open watch (`e` came through it) also makes it list again,
    // even with nothing changed since: resuming would work, but the server said Gone.
    faults.expire_watches_in(&scope);
    assert_eq!(until_init_done(&mut events).await, 1, "one re-list");
    let names: BTreeSet<_> = store_state(&store).into_keys().collect();
    assert_eq!(
        names,
        BTreeSet::from(["b", "c", "d", "e"].map(String::from))
    );
    cms.create(&pp, &config_map("f", &[("t", "1")], &[]))
        .await
        .unwrap();
    until_applied(&mut events, &store, ns, "f").await;
}

#[tokio::test]
async fn list_all_survives_an_expired_continue_token() {
    let ctx = setup("rt-continue").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let pp = PostParams::default();
    for name in ["a", "b", "c", "d", "e"] {
        cms.create(&pp, &config_map(name, &[("t", "1")], &[]))
            .await
            .unwrap();
    }
    let mut all = cms.list_all(&ListParams::default().labels("t=1").limit(2));
    let mut names = Vec::new();
    for _ in 0..2 {
        let cm = all.try_next().await.unwrap().unwrap();
        names.push(cm.name().unwrap_or_default().to_owned());
    }
    // The snapshot of the first page is compacted away before the second page is read.
    cms.delete("a", &DeleteParams::default()).await.unwrap();
    cms.create(&pp, &config_map("f", &[("t", "1")], &[]))
        .await
        .unwrap();
    let expected = match faults("list_all_survives_an_expired_continue_token") {
        Some(faults) => {
            faults.expire_watches_in(&WatchScope::namespace(&ctx.ns));
            // The first page from the old snapshot, the rest from the new one, nothing twice.
            ["a", "b", "c", "d", "e", "f"].as_slice()
        }
        // Without compaction every page reads the first page's snapshot.
        None => ["a", "b", "c", "d", "e"].as_slice(),
    };
    while let Some(cm) = all.try_next().await.unwrap() {
        names.push(cm.name().unwrap_or_default().to_owned());
    }
    assert_eq!(names, expected);
}
