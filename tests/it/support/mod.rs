//! The cluster the end-to-end tests run against, and a fresh namespace per test.
//!
//! By default one in-process [`TestServer`] is started lazily and shared by every test of the
//! binary (it lives on its own runtime, so it outlives each test's runtime). When
//! `KUBESET_TEST_KUBECONFIG` names a kubeconfig, its current context is used instead, and the
//! same tests run unchanged against that cluster.
//!
//! Each test calls [`setup`] and gets a [`Ctx`]: a `Client` and a namespace of its own,
//! created at the start and deleted when the `Ctx` is dropped (also when the test panics).

pub(crate) mod deploy;
pub(crate) mod examples;
pub(crate) mod invalid;
pub(crate) mod least_privilege;
pub(crate) mod objects;
mod sa;
pub(crate) mod watch_events;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeset::clientset::{Client, DeleteParams, PostParams};
use kubeset::config::Config;
use kubeset::config::kubeconfig::Overrides;
use kubeset_testserver::TestServer;

pub(crate) use sa::ServiceAccountFiles;

/// Names the kubeconfig of a real cluster to test against instead of the test server.
pub(crate) const KUBECONFIG_ENV: &str = "KUBESET_TEST_KUBECONFIG";

/// The cluster of this test binary.
pub(crate) struct Cluster {
    /// The admin kubeconfig file.
    pub(crate) kubeconfig: PathBuf,
    /// The in-process server, when no external cluster was given.
    pub(crate) server: Option<TestServer>,
    /// Keeps the in-process server's tasks running between tests.
    _runtime: Option<tokio::runtime::Runtime>,
    /// Holds the written kubeconfig.
    _dir: Option<tempfile::TempDir>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

/// The shared cluster, started on first use.
pub(crate) fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        if let Some(path) = std::env::var_os(KUBECONFIG_ENV).filter(|p| !p.is_empty()) {
            return Cluster {
                kubeconfig: PathBuf::from(path),
                server: None,
                _runtime: None,
                _dir: None,
            };
        }
        // Started on a thread of its own: a test's runtime cannot block on another runtime.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let server = runtime.block_on(TestServer::start()).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let kubeconfig = dir.path().join("config");
            server.write_kubeconfig(&kubeconfig).unwrap();
            Cluster {
                kubeconfig,
                server: Some(server),
                _runtime: Some(runtime),
                _dir: Some(dir),
            }
        })
        .join()
        .unwrap()
    })
}

/// An empty environment: no test reads or depends on the process's `KUBECONFIG` or `HOME`.
pub(crate) fn no_env() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::new()
}

/// The admin configuration of the cluster, resolved from its kubeconfig as kubectl would.
pub(crate) fn admin_config() -> Config {
    Config::from_kubeconfig_with(
        Some(&cluster().kubeconfig),
        &no_env(),
        &Overrides::default(),
    )
    .unwrap()
}

/// The admin kubeconfig file.
pub(crate) fn kubeconfig_path() -> &'static Path {
    &cluster().kubeconfig
}

/// The in-process test server, or `None` against an external cluster.
pub(crate) fn test_server() -> Option<&'static TestServer> {
    cluster().server.as_ref()
}

/// One test's view of the cluster: an admin client and a namespace of its own.
pub(crate) struct Ctx {
    /// The admin client; its default namespace is [`Ctx::ns`].
    pub(crate) client: Client,
    /// The namespace created for this test.
    pub(crate) ns: String,
}

static SEQUENCE: AtomicU32 = AtomicU32::new(0);

/// A client and a fresh namespace `it-<name>-<n>-<random>` for one test.
pub(crate) async fn setup(name: &str) -> Ctx {
    let client = Client::new(admin_config()).unwrap();
    let ns = format!(
        "it-{name}-{}-{:x}",
        SEQUENCE.fetch_add(1, Ordering::Relaxed),
        fastrand_u16()
    );
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(ns.clone()),
            labels: Some(BTreeMap::from([(
                "kubeset.test/e2e".to_owned(),
                "true".to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    client
        .namespaces()
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap_or_else(|err| panic!("creating namespace {ns}: {err}"));
    // Pods need the namespace's `default` ServiceAccount (ServiceAccount admission refuses them
    // until the controller made it), as on a cluster: wait for it, as Kubernetes' own e2e
    // framework does.
    let accounts = client.service_accounts(&ns);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while accounts.get_opt("default").await.ok().flatten().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "namespace {ns} got no default ServiceAccount within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ctx {
        client: client.with_default_namespace(ns.clone()),
        ns,
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // Deleting needs a runtime; the test's own may be shutting down (a panic), so use a
        // fresh one on another thread with a fresh client.
        let ns = self.ns.clone();
        clean_up(
            admin_config(),
            "the namespace clean-up",
            |client| async move {
                let namespaces = client.namespaces();
                let dp = DeleteParams::default();
                let deleting = namespaces.delete(&ns, &dp);
                match tokio::time::timeout(Duration::from_secs(10), deleting).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(err)) if err.is_not_found() => {}
                    Ok(Err(err)) => eprintln!("could not delete namespace {ns}: {err}"),
                    Err(_) => eprintln!("deleting namespace {ns} timed out"),
                }
            },
        );
    }
}

/// Runs `work` with a client for `admin` on a runtime and a thread of its own, and waits for
/// it: a guard's `Drop` may run while the test's runtime is shutting down (a panic), and the
/// clean-up must happen anyway. `what` names the clean-up if it panics.
pub(crate) fn clean_up<F, Fut>(admin: Config, what: &str, work: F)
where
    F: FnOnce(Client) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let joined = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move { work(Client::new(admin).unwrap()).await });
    })
    .join();
    if joined.is_err() {
        eprintln!("{what} panicked");
    }
}

/// A few random bits for names, so reruns against a real cluster never collide.
fn fastrand_u16() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    (hasher.finish() & 0xffff) as u16
}
