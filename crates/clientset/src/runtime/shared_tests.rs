//! The shared informer: late subscribers, identical sequences, the slow-subscriber policy.
//! Events come from a channel the test feeds, so nothing here touches a network.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{StreamExt, stream};
use k8s_openapi::api::core::v1::ConfigMap;
use tokio::sync::mpsc;

use super::{Change, Event, InformerFactory, Object, SharedInformer, Store, Subscription};
use crate::Error;
use kubeset_transport::{BoxError, RequestBody};

const WAIT: Duration = Duration::from_secs(10);

fn cm(name: &str, rv: u32) -> ConfigMap {
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(name.into());
    cm.metadata.namespace = Some("ns".into());
    cm.metadata.resource_version = Some(rv.to_string());
    cm
}

/// A shared informer fed by the returned sender.
fn informer(
    buffer: usize,
) -> (
    SharedInformer<ConfigMap>,
    mpsc::UnboundedSender<Event<ConfigMap>>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let events = stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok::<_, Error>(e), rx))
    });
    (SharedInformer::from_events(events, buffer), tx)
}

/// `name -> resourceVersion`, as a subscriber rebuilds it from its changes; fails on any
/// change that does not fit the state before it (an object added twice, an update or a
/// deletion of an object it does not have, an update from a state it never had).
#[derive(Default, Debug)]
struct Replica(BTreeMap<String, String>);

impl Replica {
    #[track_caller]
    fn apply(&mut self, change: Change<ConfigMap>) {
        let id = |k: &ConfigMap| {
            (
                k.name().unwrap_or_default().to_owned(),
                k.resource_version().unwrap_or_default().to_owned(),
            )
        };
        match change {
            Change::Added(new) => {
                let (name, rv) = id(&new);
                assert!(
                    self.0.insert(name.clone(), rv).is_none(),
                    "{name} added twice"
                );
            }
            Change::Updated { old, new } => {
                let (name, rv) = id(&new);
                let (_, old_rv) = id(&old);
                assert_eq!(
                    self.0.insert(name.clone(), rv),
                    Some(old_rv),
                    "update of {name}"
                );
            }
            Change::Deleted(old) => {
                let (name, _) = id(&old);
                assert!(self.0.remove(&name).is_some(), "{name} deleted unseen");
            }
        }
    }
}

fn state(store: &Store<ConfigMap>) -> BTreeMap<String, String> {
    let mut r = Replica::default();
    store
        .list()
        .into_iter()
        .for_each(|k| r.apply(Change::Added(k)));
    r.0
}

/// Reads `sub` until its replica equals `store`'s state; returns the changes read.
async fn follow(
    sub: &mut Subscription<ConfigMap>,
    replica: &mut Replica,
    store: &Store<ConfigMap>,
    want: &BTreeMap<String, String>,
) -> usize {
    let mut read = 0;
    while &replica.0 != want {
        match tokio::time::timeout(WAIT, sub.next()).await {
            Ok(Some(change)) => {
                replica.apply(change);
                read += 1;
            }
            Ok(None) => panic!("the subscription ended"),
            Err(_) => panic!(
                "no change within {WAIT:?}: replica {replica:?}, store {:?}",
                state(store)
            ),
        }
    }
    read
}

/// Waits until the store holds `want`.
async fn until_store(store: &Store<ConfigMap>, want: &BTreeMap<String, String>) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while &state(store) != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the store never reached {want:?}"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_late_subscriber_gets_the_state_then_the_same_changes_as_an_early_one() {
    let (informer, tx) = informer(1024);
    let store = informer.store();
    let mut early = informer.subscribe();
    for event in [
        Event::Init,
        Event::InitApply(cm("a", 1)),
        Event::InitApply(cm("b", 2)),
        Event::InitDone,
    ] {
        tx.send(event).unwrap();
    }
    let mut early_replica = Replica::default();
    let want: BTreeMap<_, _> = [("a", "1"), ("b", "2")]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .into();
    follow(&mut early, &mut early_replica, &store, &want).await;

    let mut late = informer.subscribe();
    let mut late_replica = Replica::default();
    follow(&mut late, &mut late_replica, &store, &want).await;

    // Then both see the same live changes, in the same order.
    for event in [
        Event::Apply(cm("c", 3)),
        Event::Apply(cm("a", 4)),
        Event::Delete(cm("b", 5)),
    ] {
        tx.send(event).unwrap();
    }
    let mut seen = [Vec::new(), Vec::new()];
    for (sub, seen) in [&mut early, &mut late].into_iter().zip(&mut seen) {
        for _ in 0..3 {
            let change = tokio::time::timeout(WAIT, sub.next())
                .await
                .unwrap()
                .unwrap();
            seen.push(format!("{change:?}"));
        }
    }
    assert_eq!(seen[0], seen[1]);
    assert!(
        seen[0][0].starts_with("Added")
            && seen[0][1].starts_with("Updated")
            && seen[0][2].starts_with("Deleted"),
        "{:?}",
        seen[0]
    );
    assert_eq!((early.resyncs(), late.resyncs()), (0, 0));
}

#[tokio::test]
async fn a_late_subscribers_snapshot_does_not_count_against_its_buffer() {
    let (informer, tx) = informer(2);
    let store = informer.store();
    tx.send(Event::Init).unwrap();
    for i in 0..10 {
        tx.send(Event::InitApply(cm(&format!("o{i}"), i))).unwrap();
    }
    tx.send(Event::InitDone).unwrap();
    let mut want: BTreeMap<_, _> = (0..10).map(|i| (format!("o{i}"), i.to_string())).collect();
    until_store(&store, &want).await;
    let mut late = informer.subscribe();
    tx.send(Event::Apply(cm("o0", 20))).unwrap();
    want.insert("o0".to_owned(), "20".to_owned());
    until_store(&store, &want).await;
    let mut replica = Replica::default();
    let read = follow(&mut late, &mut replica, &store, &want).await;
    assert_eq!(
        (read, late.resyncs()),
        (11, 0),
        "ten Added, then the Updated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_joining_while_changes_flow_miss_nothing_and_see_nothing_twice() {
    let (informer, tx) = informer(1 << 20);
    let store = informer.store();
    tx.send(Event::Init).unwrap();
    tx.send(Event::InitDone).unwrap();
    let producer = tokio::spawn(async move {
        for i in 0..2000u32 {
            let name = format!("o{}", i % 37);
            let event = if i % 5 == 4 {
                Event::Delete(cm(&name, i))
            } else {
                Event::Apply(cm(&name, i))
            };
            tx.send(event).unwrap();
            if i % 50 == 0 {
                tokio::task::yield_now().await;
            }
        }
        tx
    });
    let mut subs = Vec::new();
    while !producer.is_finished() && subs.len() < 200 {
        subs.push((informer.subscribe(), Replica::default()));
        tokio::task::yield_now().await;
    }
    let _tx = producer.await.unwrap();
    let mut final_state = Replica::default();
    for i in 0..2000u32 {
        let name = format!("o{}", i % 37);
        if i % 5 == 4 {
            final_state.0.remove(&name);
        } else {
            final_state.0.insert(name, i.to_string());
        }
    }
    until_store(&store, &final_state.0).await;
    assert!(subs.len() > 1, "subscribers joined while changes flowed");
    for (sub, replica) in &mut subs {
        follow(sub, replica, &store, &final_state.0).await;
    }
}

#[tokio::test]
async fn a_slow_subscriber_is_resynced_without_holding_back_the_others() {
    let (informer, tx) = informer(4);
    let store = informer.store();
    let mut slow = informer.subscribe();
    let mut fast = informer.subscribe();
    tx.send(Event::Init).unwrap();
    tx.send(Event::InitApply(cm("keep", 1))).unwrap();
    tx.send(Event::InitApply(cm("gone", 2))).unwrap();
    tx.send(Event::InitDone).unwrap();
    let mut fast_replica = Replica::default();
    let mut want = BTreeMap::from([
        ("keep".to_owned(), "1".to_owned()),
        ("gone".to_owned(), "2".to_owned()),
    ]);
    follow(&mut fast, &mut fast_replica, &store, &want).await;

    // 81 changes while the slow subscriber reads nothing: the fast one reads each change
    // as it comes, so the slow one never holds it back.
    let mut rv = 10;
    let mut events = Vec::new();
    for round in 0..20 {
        for name in ["a", "b", "keep"] {
            rv += 1;
            events.push(Event::Apply(cm(name, rv)));
        }
        rv += 1;
        events.push(Event::Delete(cm("b", rv)));
        if round == 0 {
            events.push(Event::Delete(cm("gone", rv)));
        }
    }
    assert_eq!(events.len(), 81);
    for event in events {
        match &event {
            Event::Apply(k) => want.insert(
                k.name().unwrap().to_owned(),
                k.resource_version().unwrap().to_owned(),
            ),
            Event::Delete(k) => want.remove(k.name().unwrap()),
            _ => unreachable!(),
        };
        tx.send(event).unwrap();
        let read = follow(&mut fast, &mut fast_replica, &store, &want).await;
        assert_eq!(read, 1, "the fast subscriber sees each change");
    }
    assert_eq!(fast.resyncs(), 0);
    assert_eq!(slow.resyncs(), 1, "the slow subscriber overflowed once");

    // The slow one catches up with one change per object it is behind on.
    let mut slow_replica = Replica::default();
    let read = follow(&mut slow, &mut slow_replica, &store, &want).await;
    assert!(read <= 4 + 3, "coalesced: {read} changes");
    assert_eq!(slow_replica.0, fast_replica.0);

    // And then follows live changes again.
    tx.send(Event::Apply(cm("z", 999))).unwrap();
    want.insert("z".to_owned(), "999".to_owned());
    follow(&mut slow, &mut slow_replica, &store, &want).await;
    follow(&mut fast, &mut fast_replica, &store, &want).await;
}

#[tokio::test]
async fn a_handler_gets_the_changes_of_its_own_subscription() {
    let (informer, tx) = informer(16);
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let handler = informer.add_handler(move |change| {
        let kind = match change {
            Change::Added(_) => "Added",
            Change::Updated { .. } => "Updated",
            Change::Deleted(_) => "Deleted",
        };
        let _ = seen_tx.send(kind);
    });
    for event in [
        Event::Init,
        Event::InitApply(cm("a", 1)),
        Event::InitDone,
        Event::Delete(cm("a", 2)),
    ] {
        tx.send(event).unwrap();
    }
    for want in ["Added", "Deleted"] {
        let got = tokio::time::timeout(WAIT, seen.recv()).await.unwrap();
        assert_eq!(got, Some(want));
    }
    handler.abort();
    assert!(handler.await.unwrap_err().is_cancelled());
}

#[tokio::test]
async fn subscriptions_end_with_the_watch_and_keep_the_informer_alive() {
    let (informer, tx) = informer(16);
    let mut sub = informer.subscribe();
    let store = sub.store();
    drop(informer);
    tx.send(Event::Init).unwrap();
    tx.send(Event::InitApply(cm("a", 1))).unwrap();
    tx.send(Event::InitDone).unwrap();
    let change = tokio::time::timeout(WAIT, sub.next()).await.unwrap();
    assert!(matches!(change, Some(Change::Added(_))));
    assert!(store.is_ready());
    drop(tx);
    assert!(
        tokio::time::timeout(WAIT, sub.next())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_factory_shares_one_informer_per_resource_and_selectors() {
    type Body = http_body_util::combinators::UnsyncBoxBody<bytes::Bytes, BoxError>;
    let client = crate::Client::from_service(tower::service_fn(
        |_req: http::Request<RequestBody>| async {
            Err::<http::Response<Body>, BoxError>("no server in this test".into())
        },
    ));
    let factory = InformerFactory::default();
    let config = super::WatcherConfig::default;
    let a = factory.informer(client.config_maps("x"), config());
    let b = factory.informer(client.config_maps("x"), config());
    assert_eq!(factory.len(), 1);
    assert!(Arc::ptr_eq(&a.inner, &b.inner), "the same informer");
    factory.informer(client.config_maps("y"), config());
    factory.informer(client.config_maps("x"), config().labels("app=web"));
    factory.metadata_informer(client.config_maps("x"), config());
    factory.informer(client.secrets("x"), config());
    assert_eq!(factory.len(), 5);
}
