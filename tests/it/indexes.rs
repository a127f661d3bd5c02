//! indexes: the cache invariant of indexed, shared caches under injected faults.
//!
//! Four caches follow the ConfigMaps of one namespace (a shared informer with a label index
//! and a function index, a shared informer with a label selector, a metadata informer and a
//! dynamic one) while a workload creates, updates, relabels and deletes objects and, after
//! each step, a fault is injected: closed watches, compacted history (410 Gone), 500 and 503
//! answers, 429 with Retry-After, slow answers. Once the workload stops, every store and
//! every index must equal what the server lists: nothing lost, nothing resurrected, no older
//! resourceVersion in place of a newer one. Two subscribers (one from the start, one joining
//! half-way) rebuild the state from their changes and must end equal to the server too,
//! never seeing an object's resourceVersion go back.
//!
//! The 5xx, 429 and latency switches act on a whole server, so the fault test starts a
//! test server of its own instead of disturbing the shared one. Against a real cluster
//! (`KUBESET_TEST_KUBECONFIG`) the workload and the checks run unchanged without faults.
//! Every wait is bounded; nothing sleeps.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kubeset::clientset::runtime::{
    Backoff, Change, Dynamic, Index, InformerFactory, InitialList, Object, Store, Subscription,
    WatcherConfig,
};
use kubeset::clientset::{Api, ApiResource, Client, DeleteParams, Patch, PatchParams, PostParams};
use kubeset::config::Config;
use kubeset::config::kubeconfig::Overrides;
use kubeset_testserver::{FaultInjector, TestServer, WatchScope};
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::objects::config_map;
use crate::support::{Ctx, KUBECONFIG_ENV, no_env, setup};

/// How long the caches get to converge once the server stops changing (the watchers may be
/// backing off from the last faults).
const CONVERGE: Duration = Duration::from_secs(60);
/// Workload steps; each is followed by a fault (nine steps in ten inject one).
const STEPS: u32 = 150;
const NAMES: u64 = 20;

/// Where the test runs: a private test server with its fault injector, or a real cluster.
struct Cluster {
    client: Client,
    ns: String,
    faults: Option<FaultInjector>,
    _server: Option<TestServer>,
    _dir: Option<tempfile::TempDir>,
    _ctx: Option<Ctx>,
}

async fn cluster(test: &str) -> Cluster {
    if std::env::var_os(KUBECONFIG_ENV).is_some_and(|p| !p.is_empty()) {
        eprintln!("{test}: a real cluster has no fault injector; the faults are skipped");
        let ctx = setup(test).await;
        return Cluster {
            client: ctx.client.clone(),
            ns: ctx.ns.clone(),
            faults: None,
            _server: None,
            _dir: None,
            _ctx: Some(ctx),
        };
    }
    let server = TestServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    server.write_kubeconfig(&path).unwrap();
    let config = Config::from_kubeconfig_with(Some(&path), &no_env(), &Overrides::default());
    let client = Client::new(config.unwrap()).unwrap();
    let ns = test.to_owned();
    let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap();
    client
        .namespaces()
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    Cluster {
        client: client.with_default_namespace(ns.clone()),
        ns,
        faults: Some(server.faults()),
        _server: Some(server),
        _dir: Some(dir),
        _ctx: None,
    }
}

/// A fixed pseudo-random sequence (the workload is the same on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// One create (of a name not there), update, relabel or delete (of a name there); `true` if
/// the server applied it. `present` is what the workload believes exists.
async fn step(cms: &Api<ConfigMap>, rng: &mut Lcg, present: &mut BTreeSet<String>) -> bool {
    let name = format!("o{}", rng.below(NAMES));
    let app = ["web", "db"][rng.below(2) as usize];
    let node = format!("node-{}", rng.below(3));
    let pp = PatchParams::default();
    let op = if present.contains(&name) {
        1 + rng.below(5)
    } else {
        0
    };
    let result = match op {
        0 => cms
            .create(
                &PostParams::default(),
                &config_map(&name, &[("app", app)], &[("node", &node)]),
            )
            .await
            .map(drop),
        1 | 2 => cms
            .patch(&name, &pp, &Patch::Merge(json!({"data": {"node": node}})))
            .await
            .map(drop),
        3 | 4 => {
            // Relabel: to another app, or out of every app.
            let app = if rng.below(3) == 0 {
                json!(null)
            } else {
                json!(app)
            };
            let patch = json!({"metadata": {"labels": {"app": app}}});
            cms.patch(&name, &pp, &Patch::Merge(patch)).await.map(drop)
        }
        _ => cms.delete(&name, &DeleteParams::default()).await.map(drop),
    };
    match &result {
        Ok(()) if op == 5 => drop(present.remove(&name)),
        Ok(()) => drop(present.insert(name)),
        Err(err) if err.is_not_found() => drop(present.remove(&name)),
        Err(_) if op == 0 => drop(present.insert(name)),
        Err(_) => {}
    }
    result.is_ok()
}

/// The fault after step `i`; `false` for the step that only switches latency off again.
fn inject(faults: &FaultInjector, scope: &WatchScope, i: u32) -> bool {
    match i % 10 {
        0 | 3 | 7 => faults.close_watches_in(scope),
        1 | 5 => faults.expire_watches_in(scope),
        2 => faults.fail_next(1, 500),
        4 => faults.fail_next(2, 503),
        6 => faults.set_latency(Duration::from_millis(30)),
        // Retry-After is at least a second: one 429 in twenty steps keeps the test short.
        8 if (i / 10).is_multiple_of(2) => faults.throttle_next(1, 1),
        8 => faults.close_watches_in(scope),
        _ => {
            faults.set_latency(Duration::ZERO);
            return false;
        }
    }
    true
}

/// `value -> names`, as an index answers.
fn index_contents<K: Object>(index: &Index<K>) -> BTreeMap<String, BTreeSet<String>> {
    index
        .values()
        .into_iter()
        .map(|value| {
            let names = index
                .get(&value)
                .iter()
                .map(|k| k.name().unwrap_or_default().to_owned())
                .collect();
            (value, names)
        })
        .collect()
}

/// `value -> names` computed from the server's objects.
fn expected_index(
    server: &[&ConfigMap],
    value: impl Fn(&ConfigMap) -> Option<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for cm in server {
        if let Some(v) = value(cm) {
            out.entry(v)
                .or_default()
                .insert(cm.name().unwrap_or_default().to_owned());
        }
    }
    out
}

fn app(cm: &ConfigMap) -> Option<String> {
    cm.label("app").map(str::to_owned)
}

fn node(cm: &ConfigMap) -> Option<String> {
    cm.data.as_ref()?.get("node").cloned()
}

/// `name -> resourceVersion`.
fn versions<'a, K: Object + 'a>(
    objects: impl IntoIterator<Item = &'a K>,
) -> BTreeMap<String, String> {
    objects
        .into_iter()
        .map(|k| {
            let name = k.name().unwrap_or_default().to_owned();
            (name, k.resource_version().unwrap_or_default().to_owned())
        })
        .collect()
}

/// A cache under test: its store, its indexes, and which server objects it should hold.
struct Cache<K> {
    name: &'static str,
    store: Store<K>,
    by_app: Index<K>,
    by_node: Option<Index<K>>,
    only_web: bool,
}

type Check = Box<dyn Fn(&[ConfigMap]) -> Result<(), String> + Send>;

impl<K: Object + Send + Sync + 'static> Cache<K> {
    fn check(self) -> Check {
        Box::new(move |server| {
            let server: Vec<&ConfigMap> = server
                .iter()
                .filter(|cm| !self.only_web || cm.label("app") == Some("web"))
                .collect();
            let (name, want) = (self.name, versions(server.iter().copied()));
            let have = versions(self.store.list().iter().map(|k| &**k));
            if have != want {
                return Err(format!("{name} store {have:?}, server {want:?}"));
            }
            let (have, want) = (index_contents(&self.by_app), expected_index(&server, app));
            if have != want {
                return Err(format!("{name} app index {have:?}, server {want:?}"));
            }
            if let Some(by_node) = &self.by_node {
                let (have, want) = (index_contents(by_node), expected_index(&server, node));
                if have != want {
                    return Err(format!("{name} node index {have:?}, server {want:?}"));
                }
            }
            Ok(())
        })
    }
}

/// A subscriber's own copy of the state, rebuilt from its changes.
#[derive(Default)]
struct Replica {
    objects: BTreeMap<String, String>,
    /// The highest resourceVersion seen of each name.
    newest: BTreeMap<String, u64>,
    violations: Vec<String>,
}

impl Replica {
    fn apply(&mut self, change: Change<ConfigMap>) {
        let (object, present) = match &change {
            Change::Added(k) | Change::Updated { new: k, .. } => (k, true),
            Change::Deleted(k) => (k, false),
            _ => unreachable!("a new kind of change"),
        };
        let name = object.name().unwrap_or_default().to_owned();
        let rv = object.resource_version().unwrap_or_default().to_owned();
        // resourceVersions are opaque to clients; where they are numbers (etcd's, the test
        // server's), an object's never goes back.
        if let Ok(n) = rv.parse::<u64>() {
            let newest = self.newest.entry(name.clone()).or_default();
            if n < *newest {
                self.violations
                    .push(format!("{name}: resourceVersion {n} after {newest}"));
            }
            *newest = n.max(*newest);
        }
        let before = self.objects.get(&name).cloned();
        let fits = match &change {
            Change::Added(_) => before.is_none(),
            Change::Updated { old, .. } => before.as_deref() == old.resource_version(),
            _ => before.is_some(),
        };
        if !fits {
            self.violations
                .push(format!("{change:?} does not follow {before:?}"));
        }
        if present {
            self.objects.insert(name, rv);
        } else {
            self.objects.remove(&name);
        }
    }
}

/// Folds `sub`'s changes into a replica, announcing each on `tx`.
fn follow(mut sub: Subscription<ConfigMap>, tx: mpsc::UnboundedSender<()>) -> Arc<Mutex<Replica>> {
    let replica = Arc::new(Mutex::new(Replica::default()));
    let writer = Arc::clone(&replica);
    tokio::spawn(async move {
        while let Some(change) = sub.next().await {
            writer.lock().unwrap().apply(change);
            let _ = tx.send(());
        }
    });
    replica
}

fn replica_check(name: &'static str, replica: Arc<Mutex<Replica>>) -> Check {
    Box::new(move |server| {
        let replica = replica.lock().unwrap();
        assert!(
            replica.violations.is_empty(),
            "{name}: {:#?}",
            replica.violations
        );
        let want = versions(server);
        if replica.objects != want {
            return Err(format!(
                "{name} replica {:?}, server {want:?}",
                replica.objects
            ));
        }
        Ok(())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_store_and_index_equals_the_server_after_faults() {
    let cluster = cluster("idx-faults").await;
    let cms = cluster.client.config_maps(&cluster.ns);
    let config =
        || WatcherConfig::default().backoff(Backoff::default().max(Duration::from_secs(2)));
    let (tx, mut changes) = mpsc::unbounded_channel();
    let mut checks: Vec<Check> = Vec::new();

    let factory = InformerFactory::default();
    let shared = factory.informer(cms.clone(), config().initial_list(InitialList::Streaming));
    let store = shared.store();
    checks.push(
        Cache {
            name: "shared",
            by_app: store.index_label("app"),
            by_node: Some(store.index("node", node)),
            store,
            only_web: false,
        }
        .check(),
    );
    let early = follow(shared.subscribe(), tx.clone());
    checks.push(replica_check("early subscriber", early));

    let web = factory.informer(cms.clone(), config().labels("app=web").page_size(3));
    let store = web.store();
    checks.push(
        Cache {
            name: "app=web",
            by_app: store.index_label("app"),
            by_node: Some(store.index("node", node)),
            store,
            only_web: true,
        }
        .check(),
    );
    let mut web_changes = web.subscribe();
    let web_tx = tx.clone();
    tokio::spawn(async move {
        while web_changes.next().await.is_some() {
            let _ = web_tx.send(());
        }
    });

    let meta = factory.metadata_informer(cms.clone(), config());
    let store = meta.store();
    checks.push(
        Cache {
            name: "metadata",
            by_app: store.index_label("app"),
            by_node: None,
            store,
            only_web: false,
        }
        .check(),
    );
    let mut meta_changes = meta.subscribe();
    let meta_tx = tx.clone();
    tokio::spawn(async move {
        while meta_changes.next().await.is_some() {
            let _ = meta_tx.send(());
        }
    });

    let resource = ApiResource::namespaced_of::<ConfigMap>();
    let dynamic_api =
        Api::dynamic_namespaced(cluster.client.clone(), &resource, &cluster.ns).unwrap();
    let dynamic = factory.dynamic_informer(dynamic_api, config());
    let store = dynamic.store();
    let by_node = store.index("node", |d: &Dynamic| {
        d["data"]["node"].as_str().map(str::to_owned)
    });
    checks.push(
        Cache {
            name: "dynamic",
            by_app: store.index_label("app"),
            by_node: Some(by_node),
            store,
            only_web: false,
        }
        .check(),
    );
    let mut dynamic_changes = dynamic.subscribe();
    let dynamic_tx = tx.clone();
    tokio::spawn(async move {
        while dynamic_changes.next().await.is_some() {
            let _ = dynamic_tx.send(());
        }
    });
    assert_eq!(factory.len(), 4);
    assert!(
        tokio::time::timeout(CONVERGE, factory.wait_until_ready())
            .await
            .unwrap(),
        "every cache synced"
    );

    let scope = WatchScope::namespace(&cluster.ns);
    let (mut rng, mut applied, mut faults) = (Lcg(10), 0, 0);
    let mut present = BTreeSet::new();
    let mut late = None;
    for i in 0..STEPS {
        applied += u32::from(step(&cms, &mut rng, &mut present).await);
        if let Some(injector) = &cluster.faults {
            faults += u32::from(inject(injector, &scope, i));
        }
        if i == STEPS / 2 {
            late = Some(follow(shared.subscribe(), tx.clone()));
        }
    }
    if let Some(injector) = &cluster.faults {
        injector.set_latency(Duration::ZERO);
        injector.fail_next(0, 500);
        assert!(faults >= 100, "{faults} faults injected");
    }
    assert!(
        applied >= STEPS / 2,
        "only {applied} of {STEPS} steps changed the server"
    );
    eprintln!("{applied} of {STEPS} steps changed the server; {faults} faults injected");
    checks.push(replica_check("late subscriber", late.unwrap()));

    // The server no longer changes: every cache must come to hold exactly its state.
    let server = cms.list(&Default::default()).await.unwrap().items;
    let deadline = tokio::time::Instant::now() + CONVERGE;
    loop {
        let failures: Vec<String> = checks
            .iter()
            .filter_map(|check| check(&server).err())
            .collect();
        if failures.is_empty() {
            break;
        }
        match tokio::time::timeout_at(deadline, changes.recv()).await {
            Ok(Some(())) => while changes.try_recv().is_ok() {},
            Ok(None) => panic!("every cache stopped"),
            Err(_) => panic!("no convergence within {CONVERGE:?} ({faults} faults): {failures:#?}"),
        }
    }
}
