//! The soak's cluster: a test server with an audit log file, the namespace, and one
//! ServiceAccount per daemon (files rotated as the kubelet does) with the client it uses.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeset_clientset::{Api, Client, PostParams};
use kubeset_config::kubeconfig::Overrides;
use kubeset_config::{Config, Material};
use kubeset_testserver::{ServiceAccountEnv, TestServer};

use crate::error::Error;

/// The namespace everything happens in.
pub(crate) const NAMESPACE: &str = "soak";

/// The ServiceAccount of the writer, as the audit log names it.
pub(crate) const WRITER_USER: &str = "system:serviceaccount:soak:writer";

/// The server and the daemons' identities.
pub(crate) struct Cluster {
    /// Runs on a runtime of its own ([`crate::heap::server_runtime`]), so its allocations are
    /// counted apart from the daemons'.
    pub(crate) server: TestServer,
    /// Reads for the final comparison (admin, with the transport's default retries).
    pub(crate) admin: Client,
    pub(crate) writer: Daemon,
    pub(crate) mirror: Daemon,
    pub(crate) audit_log: PathBuf,
    _dir: tempfile::TempDir,
    /// Last, so the server is dropped before its runtime stops.
    _runtime: ServerRuntime,
}

/// The server's runtime, stopped without waiting when the cluster is dropped (a runtime may
/// not be dropped, blocking, inside the daemons' one).
struct ServerRuntime(Option<tokio::runtime::Runtime>);

impl Drop for ServerRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// A daemon's ServiceAccount files and the client that reads them.
pub(crate) struct Daemon {
    pub(crate) env: ServiceAccountEnv,
    pub(crate) client: Client,
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { what, source }
}

fn api(what: &'static str) -> impl FnOnce(kubeset_clientset::Error) -> Error {
    move |source| Error::Api { what, source }
}

/// Starts the server and sets up the namespace, the ServiceAccounts and their rights.
pub(crate) async fn start() -> Result<Cluster, Error> {
    let dir = tempfile::tempdir().map_err(io("create a temporary directory"))?;
    let audit_log = dir.path().join("audit.log");
    let runtime = crate::heap::server_runtime().map_err(io("start the server's runtime"))?;
    let builder = TestServer::builder()
        .audit_log_path(&audit_log)
        // the checks read the file; the server's memory stays flat
        .audit_memory(1_000);
    // started on its runtime, every task it spawns (listener, connections, watches,
    // controllers) runs there
    let starting = runtime.spawn(async move { builder.start().await });
    let runtime = ServerRuntime(Some(runtime));
    let server = starting
        .await
        .map_err(|e| Error::Io {
            what: "start the server",
            source: std::io::Error::other(e),
        })?
        .map_err(|source| Error::Server { source })?;
    let kubeconfig = dir.path().join("kubeconfig");
    server
        .write_kubeconfig(&kubeconfig)
        .map_err(|source| Error::Server { source })?;
    let config = Config::from_kubeconfig_with(
        Some(&kubeconfig),
        &BTreeMap::<&str, &str>::new(),
        &Overrides::default(),
    )
    .map_err(|source| Error::Kubeconfig { source })?;
    let admin = Client::new(config.clone()).map_err(api("build the admin client"))?;
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(NAMESPACE.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    let pp = PostParams::default();
    admin
        .namespaces()
        .create(&pp, &namespace)
        .await
        .map_err(api("create the namespace"))?;
    grant(&admin).await?;
    let writer = daemon(&server, &admin, "writer").await?;
    let mirror = daemon(&server, &admin, "mirror").await?;
    // from now on the admin trusts the CA file the CA rotations rewrite, as the daemons do
    let mut config = config;
    config.tls.root_certs = Some(Material::File(writer.env.dir().join("ca.crt")));
    let admin = Client::new(config).map_err(api("build the admin client"))?;
    Ok(Cluster {
        server,
        admin,
        writer,
        mirror,
        audit_log,
        _dir: dir,
        _runtime: runtime,
    })
}

/// A Role over ConfigMaps and Secrets of the namespace, bound to both daemons.
async fn grant(admin: &Client) -> Result<(), Error> {
    let meta = || ObjectMeta {
        name: Some("soak".into()),
        namespace: Some(NAMESPACE.into()),
        ..ObjectMeta::default()
    };
    let role = Role {
        metadata: meta(),
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["configmaps".into(), "secrets".into()]),
            verbs: [
                "get", "list", "watch", "create", "update", "patch", "delete",
            ]
            .map(String::from)
            .to_vec(),
            ..PolicyRule::default()
        }]),
    };
    let subjects = ["writer", "mirror"]
        .map(|name| Subject {
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: Some(NAMESPACE.into()),
            ..Subject::default()
        })
        .to_vec();
    let binding = RoleBinding {
        metadata: meta(),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Role".into(),
            name: "soak".into(),
        },
        subjects: Some(subjects),
    };
    let pp = PostParams::default();
    Api::<Role>::namespaced(admin.clone(), NAMESPACE)
        .create(&pp, &role)
        .await
        .map_err(api("create the Role"))?;
    Api::<RoleBinding>::namespaced(admin.clone(), NAMESPACE)
        .create(&pp, &binding)
        .await
        .map_err(api("create the RoleBinding"))?;
    Ok(())
}

/// Creates ServiceAccount `name`, its pod files and an in-cluster client reading them.
async fn daemon(server: &TestServer, admin: &Client, name: &str) -> Result<Daemon, Error> {
    let account = ServiceAccount {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..ServiceAccount::default()
    };
    Api::<ServiceAccount>::namespaced(admin.clone(), NAMESPACE)
        .create(&PostParams::default(), &account)
        .await
        .map_err(api("create a ServiceAccount"))?;
    let env = server
        .service_account_env(NAMESPACE, name)
        .await
        .map_err(|source| Error::Server { source })?;
    let vars = BTreeMap::from([
        ("KUBERNETES_SERVICE_HOST", env.service_host().to_owned()),
        ("KUBERNETES_SERVICE_PORT", env.service_port().to_owned()),
    ]);
    let config = kubeset_config::incluster::load_from(&vars, env.dir())
        .map_err(|source| Error::InCluster { source })?;
    let client = Client::new(config).map_err(api("build a daemon's client"))?;
    Ok(Daemon { env, client })
}

/// Polls `check` until it holds or `within` passed; gives whether it held.
pub(crate) async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
