//! The controller against the test server: what triggers a reconcile, what a reconcile sees,
//! retries, shutdown, and watch faults.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, NamespaceResourceScope, Resource};
use kubeset_clientset::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kubeset_runtime::controller::{Action, Controller, ControllerConfig, Error, ObjectRef};
use kubeset_runtime::queue::RateLimiter;
use kubeset_runtime::{Backoff, WatcherConfig};
use kubeset_testserver::WatchScope;
use serde_json::json;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::support::{VALUE, cluster, eventually, meta, owned_config_map, secret, value};

const WAIT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
#[error("a planned failure")]
struct Planned;

/// What the reconciles saw.
#[derive(Default)]
struct Seen {
    /// (name, value annotation, primary objects in the cache) per reconcile, in order.
    log: Mutex<Vec<(String, String, usize)>>,
    /// Reconciles running now, per key; `overlaps` counts a second one at once.
    running: Mutex<HashMap<String, u32>>,
    overlaps: AtomicU32,
    /// Keys whose reconciles fail this many more times.
    failures: Mutex<HashMap<String, u32>>,
    store_len: Mutex<Option<kubeset_runtime::Store<Secret>>>,
    /// Where reconciles read the child `<name>-child` of a secret, when set.
    children: Mutex<Option<Api<ConfigMap>>>,
    /// The resourceVersion of the child each secret's latest reconcile read (`None`: absent).
    child_seen: Mutex<HashMap<String, Option<String>>>,
}

impl Seen {
    fn count(&self, name: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(n, ..)| n == name)
            .count()
    }
    fn saw(&self, name: &str, v: &str) -> bool {
        self.log
            .lock()
            .unwrap()
            .iter()
            .any(|(n, x, _)| n == name && x == v)
    }
    fn last_value(&self, name: &str) -> Option<String> {
        let log = self.log.lock().unwrap();
        log.iter()
            .rev()
            .find(|(n, ..)| n == name)
            .map(|(_, v, _)| v.clone())
    }
}

async fn reconcile(secret: Arc<Secret>, seen: Arc<Seen>) -> Result<Action, Planned> {
    let name = secret.metadata.name.clone().unwrap();
    {
        let mut running = seen.running.lock().unwrap();
        let n = running.entry(name.clone()).or_default();
        if *n > 0 {
            seen.overlaps.fetch_add(1, Ordering::SeqCst);
        }
        *n += 1;
    }
    // give a second reconcile of the same key every chance to overlap
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(2)).await;
    let children = seen.children.lock().unwrap().clone();
    if let Some(children) = children {
        let child = children.get_opt(&format!("{name}-child")).await.unwrap();
        let version = child.and_then(|c| c.metadata.resource_version);
        seen.child_seen
            .lock()
            .unwrap()
            .insert(name.clone(), version);
    }
    let cached = seen
        .store_len
        .lock()
        .unwrap()
        .as_ref()
        .map_or(0, |s| s.len());
    seen.log
        .lock()
        .unwrap()
        .push((name.clone(), value(&secret.metadata), cached));
    *seen.running.lock().unwrap().get_mut(&name).unwrap() -= 1;
    let mut failures = seen.failures.lock().unwrap();
    match failures.get_mut(&name) {
        Some(n) if *n > 0 => {
            *n -= 1;
            Err(Planned)
        }
        _ => Ok(Action::await_change()),
    }
}

type Results = mpsc::UnboundedReceiver<Result<(ObjectRef, Action), Error<Planned>>>;

/// Runs `controller` with [`reconcile`] and a backoff error policy; its results arrive on
/// the returned channel.
fn start(controller: Controller<Secret>, seen: &Arc<Seen>) -> Results {
    *seen.store_len.lock().unwrap() = Some(controller.store());
    let (tx, rx) = mpsc::unbounded_channel();
    let results = controller.run(reconcile, |_, _, _| Action::backoff(), Arc::clone(seen));
    tokio::spawn(async move {
        let mut results = std::pin::pin!(results);
        while let Some(result) = results.next().await {
            let _ = tx.send(result);
        }
    });
    rx
}

fn quick() -> WatcherConfig {
    WatcherConfig::default().backoff(
        Backoff::default()
            .min(Duration::from_millis(10))
            .max(Duration::from_millis(100)),
    )
}

async fn set_value(api: &Api<Secret>, name: &str, v: &str) {
    let patch = Patch::Merge(json!({"metadata": {"annotations": {VALUE: v}}}));
    api.patch(name, &PatchParams::default(), &patch)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciles_on_create_and_update_after_every_cache_synced() {
    let c = cluster("ctl-basic").await;
    let secrets = c.client.secrets(&c.ns);
    for name in ["a", "b"] {
        secrets
            .create(&PostParams::default(), &secret(name, "1"))
            .await
            .unwrap();
    }
    let seen = Arc::new(Seen::default());
    let controller =
        Controller::new(secrets.clone(), quick()).owns(c.client.config_maps(&c.ns), quick());
    let _results = start(controller, &seen);
    eventually(WAIT, "both secrets reconciled", || async {
        (seen.saw("a", "1") && seen.saw("b", "1")).then_some(())
    })
    .await;
    // the first reconcile already saw the whole cache
    assert_eq!(
        seen.log.lock().unwrap()[0].2,
        2,
        "reconciled before the cache synced"
    );
    set_value(&secrets, "a", "2").await;
    eventually(WAIT, "the update reconciled", || async {
        seen.saw("a", "2").then_some(())
    })
    .await;
    secrets
        .create(&PostParams::default(), &secret("c", "1"))
        .await
        .unwrap();
    eventually(WAIT, "the new secret reconciled", || async {
        seen.saw("c", "1").then_some(())
    })
    .await;
    assert_eq!(seen.count("b"), 1, "an unchanged secret is reconciled once");
}

/// A namespaced kind the server does not serve: its watch never syncs.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
struct Widget {
    metadata: ObjectMeta,
}

impl Resource for Widget {
    const API_VERSION: &'static str = "example.com/v1";
    const GROUP: &'static str = "example.com";
    const KIND: &'static str = "Widget";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "widgets";
    type Scope = NamespaceResourceScope;
}

impl Metadata for Widget {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_reconcile_until_every_cache_synced() {
    let c = cluster("ctl-sync").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("a", "1"))
        .await
        .unwrap();
    let seen = Arc::new(Seen::default());
    let widgets = Api::<Widget>::namespaced(c.client.clone(), &c.ns);
    let controller = Controller::new(secrets, quick()).watches(widgets, quick(), |_| None);
    let store = controller.store();
    let mut results = start(controller, &seen);
    // the widget watch fails again and again (the clock of this test); meanwhile the
    // secrets' cache is complete, yet nothing is reconciled
    let mut failures = 0;
    while failures < 5 {
        match results.recv().await.unwrap() {
            Err(Error::Watch { resource, .. }) => {
                assert!(resource.ends_with("/widgets"), "{resource}");
                failures += 1;
            }
            other => panic!("reconciled before every cache synced: {other:?}"),
        }
    }
    assert!(store.is_ready() && store.len() == 1);
    assert_eq!(seen.count("a"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owned_and_watched_objects_reconcile_their_owner() {
    let c = cluster("ctl-owns").await;
    let secrets = c.client.secrets(&c.ns);
    let cms = c.client.config_maps(&c.ns);
    let owner = secrets
        .create(&PostParams::default(), &secret("owner", "1"))
        .await
        .unwrap();
    secrets
        .create(&PostParams::default(), &secret("related", "1"))
        .await
        .unwrap();
    let seen = Arc::new(Seen::default());
    let ns = c.ns.clone();
    let controller = Controller::new(secrets.clone(), quick())
        .owns(cms.clone(), quick())
        .watches(cms.clone(), quick(), move |cm: &ConfigMap| {
            let target = cm.metadata.labels.as_ref().and_then(|l| l.get("secret"));
            target.map(|name| ObjectRef::new(name).within(&ns))
        });
    let _results = start(controller, &seen);
    eventually(WAIT, "first reconciles", || async {
        (seen.count("owner") == 1 && seen.count("related") == 1).then_some(())
    })
    .await;

    // an object the owner controls: created, then deleted
    cms.create(
        &PostParams::default(),
        &owned_config_map("child", &owner, true),
    )
    .await
    .unwrap();
    eventually(WAIT, "the owner reconciled for its new child", || async {
        (seen.count("owner") >= 2).then_some(())
    })
    .await;
    let before = seen.count("owner");
    cms.delete("child", &DeleteParams::default()).await.unwrap();
    eventually(
        WAIT,
        "the owner reconciled for its deleted child",
        || async { (seen.count("owner") > before).then_some(()) },
    )
    .await;

    // a related object, by the mapper
    let mut cm = ConfigMap {
        metadata: meta("pointer"),
        ..ConfigMap::default()
    };
    cm.metadata.labels = Some([("secret".to_owned(), "related".to_owned())].into());
    cms.create(&PostParams::default(), &cm).await.unwrap();
    eventually(WAIT, "the related secret reconciled", || async {
        (seen.count("related") >= 2).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_policy_requeues_with_backoff_until_success() {
    let c = cluster("ctl-errors").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("flaky", "1"))
        .await
        .unwrap();
    let seen = Arc::new(Seen::default());
    seen.failures.lock().unwrap().insert("flaky".to_owned(), 3);
    let limiter = RateLimiter::default().per_key(Duration::from_millis(20), Duration::from_secs(1));
    let controller = Controller::new(secrets, quick())
        .with_config(ControllerConfig::default().rate_limiter(limiter));
    let mut results = start(controller, &seen);
    let mut outcomes = Vec::new();
    let start = Instant::now();
    while outcomes.len() < 4 {
        let result = tokio::time::timeout(WAIT, results.recv())
            .await
            .unwrap()
            .unwrap();
        outcomes.push(match result {
            Ok((object, action)) => format!("ok {object} {action:?}"),
            Err(Error::Reconcile { object, .. }) => format!("failed {object}"),
            Err(other) => panic!("{other}"),
        });
    }
    let key = "ctl-errors/flaky";
    assert_eq!(
        outcomes,
        [
            format!("failed {key}"),
            format!("failed {key}"),
            format!("failed {key}"),
            format!("ok {key} {:?}", Action::await_change())
        ]
    );
    // three backoffs of 20, 40 and 80 ms at least
    assert!(
        start.elapsed() >= Duration::from_millis(140),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(seen.count("flaky"), 4, "retried without any change");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requeue_after_reconciles_again_without_a_change() {
    let c = cluster("ctl-requeue").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("periodic", "1"))
        .await
        .unwrap();
    let count = Arc::new(AtomicU32::new(0));
    let results = Controller::new(secrets, quick()).run(
        |_s: Arc<Secret>, count: Arc<AtomicU32>| async move {
            count.fetch_add(1, Ordering::SeqCst);
            Ok::<_, Planned>(Action::requeue(Duration::from_millis(50)))
        },
        |_, _, _| Action::backoff(),
        Arc::clone(&count),
    );
    tokio::spawn(results.for_each(|_| async {}));
    eventually(WAIT, "three periodic reconciles", || async {
        (count.load(Ordering::SeqCst) >= 3).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_lets_running_reconciles_finish() {
    let c = cluster("ctl-shutdown").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("slow", "1"))
        .await
        .unwrap();
    let (started_tx, mut started) = mpsc::unbounded_channel::<String>();
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let (stop_tx, stop) = tokio::sync::oneshot::channel::<()>();
    let controller = Controller::new(secrets.clone(), quick()).graceful_shutdown_on(async move {
        let _ = stop.await;
    });
    let context = (started_tx, Arc::clone(&release));
    let results =
        controller.run(
            |s: Arc<Secret>,
             ctx: Arc<(mpsc::UnboundedSender<String>, Arc<tokio::sync::Semaphore>)>| async move {
                let _ = ctx.0.send(s.metadata.name.clone().unwrap());
                let _permit = ctx.1.acquire().await.unwrap();
                Ok::<_, Planned>(Action::await_change())
            },
            |_, _, _| Action::backoff(),
            Arc::new(context),
        );
    let collected = tokio::spawn(results.collect::<Vec<_>>());
    assert_eq!(started.recv().await.unwrap(), "slow");
    stop_tx.send(()).unwrap();
    // a change after the signal is not reconciled any more
    secrets
        .create(&PostParams::default(), &secret("late", "1"))
        .await
        .unwrap();
    release.add_permits(10);
    let results = tokio::time::timeout(WAIT, collected)
        .await
        .unwrap()
        .unwrap();
    let done: Vec<_> = results
        .into_iter()
        .map(|r| r.map(|(o, _)| o.name).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        done,
        [Ok("slow".to_owned())],
        "the running reconcile finished, nothing else ran"
    );
    assert!(started.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_cancels_reconciles_after_the_timeout() {
    let c = cluster("ctl-stuck").await;
    let secrets = c.client.secrets(&c.ns);
    secrets
        .create(&PostParams::default(), &secret("stuck", "1"))
        .await
        .unwrap();
    let (started_tx, mut started) = mpsc::unbounded_channel::<()>();
    let (stop_tx, stop) = tokio::sync::oneshot::channel::<()>();
    let controller = Controller::new(secrets, quick())
        .with_config(ControllerConfig::default().shutdown_timeout(Duration::from_millis(200)))
        .graceful_shutdown_on(async move {
            let _ = stop.await;
        });
    let results = controller.run(
        |_s: Arc<Secret>, tx: Arc<mpsc::UnboundedSender<()>>| async move {
            let _ = tx.send(());
            std::future::pending::<()>().await;
            Ok::<_, Planned>(Action::await_change())
        },
        |_, _, _| Action::backoff(),
        Arc::new(started_tx),
    );
    let collected = tokio::spawn(results.collect::<Vec<_>>());
    started.recv().await.unwrap();
    stop_tx.send(()).unwrap();
    let results = tokio::time::timeout(WAIT, collected)
        .await
        .unwrap()
        .unwrap();
    assert!(results.is_empty(), "{} results", results.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_is_reconciled_through_closed_and_expired_watches() {
    let c = cluster("ctl-faults").await;
    let secrets = c.client.secrets(&c.ns);
    let cms = c.client.config_maps(&c.ns);
    let names: Vec<String> = (0..8).map(|i| format!("s{i}")).collect();
    let mut owners = Vec::new();
    for name in &names {
        owners.push(
            secrets
                .create(&PostParams::default(), &secret(name, "0"))
                .await
                .unwrap(),
        );
    }
    let seen = Arc::new(Seen::default());
    *seen.children.lock().unwrap() = Some(cms.clone());
    let controller = Controller::new(secrets.clone(), quick())
        .owns(cms.clone(), quick())
        .with_config(ControllerConfig::default().concurrency(4));
    let _results = start(controller, &seen);
    eventually(WAIT, "the first reconciles", || async {
        names.iter().all(|n| seen.count(n) > 0).then_some(())
    })
    .await;

    let faults = c.server.faults();
    let scope = WatchScope::namespace(&c.ns);
    let mut rng = fastrand::Rng::with_seed(7);
    let mut last_value = HashMap::new();
    let mut owned_changed = std::collections::HashSet::new();
    let mut injected = 0;
    for step in 1..=160u32 {
        let i = rng.usize(0..names.len());
        let name = &names[i];
        if rng.u8(..) < 64 {
            let cm_name = format!("{name}-child");
            if cms.get_opt(&cm_name).await.unwrap().is_some() {
                cms.delete(&cm_name, &DeleteParams::default())
                    .await
                    .unwrap();
            } else {
                let cm = owned_config_map(&cm_name, &owners[i], true);
                cms.create(&PostParams::default(), &cm).await.unwrap();
            }
            owned_changed.insert(name.clone());
        } else {
            set_value(&secrets, name, &step.to_string()).await;
            last_value.insert(name.clone(), step.to_string());
        }
        if step % 8 == 0 {
            if rng.bool() {
                faults.close_watches_in(&scope);
            } else {
                faults.expire_watches_in(&scope);
            }
            injected += 1;
        }
    }
    assert!(injected >= 20);
    for (name, v) in &last_value {
        eventually(WAIT, &format!("{name} reconciled at {v}"), || async {
            (seen.last_value(name).as_deref() == Some(v.as_str())).then_some(())
        })
        .await;
    }
    // the child's last state was read by a reconcile (a child created and deleted within
    // one watch gap leaves nothing to see, as with client-go's informers)
    for name in &owned_changed {
        let child = cms.get_opt(&format!("{name}-child")).await.unwrap();
        let last = child.and_then(|c| c.metadata.resource_version);
        eventually(
            WAIT,
            &format!("{name} reconciled at its child's last state"),
            || async {
                let seen = seen.child_seen.lock().unwrap().get(name).cloned();
                (seen.as_ref() == Some(&last)).then_some(())
            },
        )
        .await;
    }
    assert_eq!(
        seen.overlaps.load(Ordering::SeqCst),
        0,
        "a key reconciled twice at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_all_on_reconciles_every_cached_object() {
    let c = cluster("ctl-all").await;
    let secrets = c.client.secrets(&c.ns);
    let names = ["x", "y", "z"];
    for name in names {
        secrets
            .create(&PostParams::default(), &secret(name, "1"))
            .await
            .unwrap();
    }
    let seen = Arc::new(Seen::default());
    let (tx, rx) = mpsc::unbounded_channel::<()>();
    let trigger =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|()| ((), rx)) },
        );
    let controller = Controller::new(secrets, quick()).reconcile_all_on(trigger);
    let _results = start(controller, &seen);
    eventually(WAIT, "first reconciles", || async {
        names.iter().all(|n| seen.count(n) == 1).then_some(())
    })
    .await;
    tx.send(()).unwrap();
    eventually(WAIT, "every secret reconciled again", || async {
        names.iter().all(|n| seen.count(n) == 2).then_some(())
    })
    .await;
}
