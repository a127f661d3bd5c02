//! The running server: start-up, bootstrap objects, the public [`TestServer`] handle.

mod kubeconfig;
mod listener;
pub(crate) mod sa_env;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::App;
use crate::api::write::{self, WriteOpts};
use crate::auth::cache::TokenCache;
use crate::error::Error;
use crate::faults::{FaultInjector, Faults};
pub use crate::pki::ClientCert;
use crate::registry::{Registry, ResourceType};
use crate::storage::{MemoryStore, Store, revision_of};
pub use sa_env::ServiceAccountEnv;

/// Options for [`TestServer::builder`].
#[derive(Debug, Clone, Default)]
pub struct TestServerBuilder {
    port: u16,
    advertise_address: Option<String>,
    token_success_cache_ttl: Option<Duration>,
    controllers: crate::controllers::Options,
    audit_log_path: Option<PathBuf>,
    audit_memory: Option<usize>,
}

impl TestServerBuilder {
    /// Listens on this port of 127.0.0.1 (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The `host:port` discovery advertises in `serverAddressByClientCIDRs` (default: the
    /// listening address), like kube-apiserver's `--advertise-address`.
    pub fn advertise_address(mut self, address: impl Into<String>) -> Self {
        self.advertise_address = Some(address.into());
        self
    }

    /// How long a bearer token that authenticated is accepted again without being checked
    /// (default ten seconds, kube-apiserver's `TokenSuccessCacheTTL`; zero checks every
    /// request). While it is remembered, a token keeps authenticating as the ServiceAccount
    /// it named even after that ServiceAccount was deleted, as on a real cluster.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::builder()
    ///     .token_success_cache_ttl(std::time::Duration::ZERO)
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn token_success_cache_ttl(mut self, ttl: Duration) -> Self {
        self.token_success_cache_ttl = Some(ttl);
        self
    }

    /// Runs kube-controller-manager's PersistentVolume binder, syncing every claim and volume
    /// every `sync_period` (the controller's `--pvclaimbinder-sync-period`, 15 seconds on a
    /// cluster; a claim created before its volume binds at the next sync). Claims then bind to
    /// volumes and volumes are released and reclaimed as on a cluster, with the controller's
    /// phases, annotations and Events; a `WaitForFirstConsumer` claim binds once it carries
    /// `volume.kubernetes.io/selected-node` (this binder then also plays kube-scheduler's
    /// volume binder) or a scheduler reserves a volume by writing its `claimRef`.
    ///
    /// Off by default: the kube-apiserver transcripts this server replays were recorded
    /// without it (their volumes stay `Pending`, their claims unbound), and a test of a binder
    /// of its own must not race this one.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::builder()
    ///     .pv_binder(std::time::Duration::from_secs(1))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn pv_binder(mut self, sync_period: Duration) -> Self {
        self.controllers.pv_binder = Some(sync_period);
        self
    }

    /// Runs kube-controller-manager's pvc-protection and pv-protection controllers: a deleted
    /// claim loses its `kubernetes.io/pvc-protection` finalizer (and goes away) once no
    /// scheduled pod that has not finished uses it, a deleted volume loses
    /// `kubernetes.io/pv-protection` once it is not `Bound`. Tests of a provisioner that deletes
    /// released volumes want this and [`TestServerBuilder::pv_binder`].
    ///
    /// Off by default: the transcripts this server replays were recorded without them (their
    /// deleted claims and volumes stay Terminating until the finalizer is removed by hand).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::builder()
    ///     .pv_binder(std::time::Duration::from_secs(1))
    ///     .storage_protection()
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn storage_protection(mut self) -> Self {
        self.controllers.storage_protection = true;
        self
    }

    /// How often kube-apiserver's `priority-and-fairness-config-producer` checks the bootstrap
    /// FlowSchemas and PriorityLevelConfigurations (default one minute, as on a real server):
    /// a deleted one is created again, a mandatory one (`exempt`, `catch-all`) gets its spec
    /// back, a suggested one too unless its `apf.kubernetes.io/autoupdate-spec` annotation is
    /// `"false"`, and other objects annotated `"true"` are deleted.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::builder()
    ///     .flow_control_period(std::time::Duration::from_millis(100))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn flow_control_period(mut self, period: Duration) -> Self {
        self.controllers.flow_control_period = Some(period);
        self
    }

    /// Also appends every audit event to `path` as one JSON line, as kube-apiserver's
    /// `--audit-log-path` with a `level: Metadata` policy does (the file is created if
    /// missing). The events are kept in memory either way ([`TestServer::audit_events`]).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let dir = tempfile::tempdir().expect("temp dir");
    /// let server = kubeset_testserver::TestServer::builder()
    ///     .audit_log_path(dir.path().join("audit.log"))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn audit_log_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.audit_log_path = Some(path.into());
        self
    }

    /// Keeps the newest `capacity` audit events in memory (default
    /// [`CAPACITY`](crate::audit::CAPACITY)); a long run that reads its events from
    /// [`audit_log_path`](Self::audit_log_path) keeps its memory flat with a small one.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::builder()
    ///     .audit_log_path("/tmp/audit.log")
    ///     .audit_memory(1_000)
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn audit_memory(mut self, capacity: usize) -> Self {
        self.audit_memory = Some(capacity);
        self
    }

    /// Starts the server.
    ///
    /// # Errors
    /// Certificate or key generation, TLS configuration or binding the port failed, or the
    /// audit log file cannot be opened.
    pub async fn start(self) -> Result<TestServer, Error> {
        let audit = crate::audit::AuditLog::with_capacity(
            self.audit_log_path.as_deref(),
            self.audit_memory.unwrap_or(crate::audit::CAPACITY),
        )
        .map_err(|source| Error::Write {
            path: self.audit_log_path.clone().unwrap_or_default(),
            source,
        })?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { addr, source })?;
        let pki = crate::pki::Pki::generate()?;
        let tls = pki.server_config()?;
        let admin = pki.client_cert("admin", &["system:masters"])?;
        let signer = tokio::task::spawn_blocking(crate::auth::jwt::Signer::shared)
            .await
            .map_err(|e| Error::SigningKey {
                source: Box::new(e),
            })??;
        let app = Arc::new(App {
            registry: Registry::builtin(),
            store: Arc::new(MemoryStore::default()) as Arc<dyn Store>,
            signer,
            token_cache: TokenCache::new(
                self.token_success_cache_ttl
                    .unwrap_or(crate::auth::cache::SUCCESS_TTL),
            ),
            pki,
            faults: Arc::new(Faults::default()),
            logs: crate::logs::PodLogs::default(),
            address: self.advertise_address.unwrap_or_else(|| addr.to_string()),
            audit: Arc::new(audit),
            node_agent: crate::node_agent::NodeAgent::default(),
        });
        bootstrap(&app);
        let serving = tokio::spawn(listener::serve(listener, tls, app.clone()));
        let controllers = tokio::spawn(crate::controllers::run(app.clone(), self.controllers));
        Ok(TestServer {
            addr,
            app,
            admin,
            tasks: vec![serving, controllers],
        })
    }
}

/// Objects every fresh cluster has; the watch history starts after them.
fn bootstrap(app: &App) {
    let opts = WriteOpts::by_server("kube-apiserver");
    if let Some(rt) = app.registry.find("", "v1", "namespaces") {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let _ = write::create(app, &rt, "", json!({"metadata": {"name": ns}}), opts);
        }
    }
    if let Some(rt) = app
        .registry
        .find("scheduling.k8s.io", "v1", "priorityclasses")
    {
        for (name, value) in [
            ("system-node-critical", 2_000_001_000),
            ("system-cluster-critical", 2_000_000_000),
        ] {
            let pc = json!({
                "metadata": {"name": name},
                "value": value,
                "description": "Used for system critical pods that must not be moved from their current node.",
            });
            let _ = write::create(app, &rt, "", pc, opts);
        }
    }
    // the bootstrap RBAC policy: roles first, then the bindings naming them; the namespaced
    // ones (kube-system, kube-public) after the namespaces above exist
    let policy = crate::rbac::bootstrap::objects()
        .into_iter()
        .chain(crate::rbac::bootstrap::namespaced_objects());
    for obj in policy {
        let resource = match obj.get("kind").and_then(serde_json::Value::as_str) {
            Some("ClusterRole") => "clusterroles",
            Some("ClusterRoleBinding") => "clusterrolebindings",
            Some("Role") => "roles",
            Some("RoleBinding") => "rolebindings",
            _ => continue,
        };
        if let Some(rt) = app
            .registry
            .find("rbac.authorization.k8s.io", "v1", resource)
        {
            let ns = crate::api::meta_str(&obj, "namespace").to_owned();
            let _ = write::create(app, &rt, &ns, obj, opts);
        }
    }
    kubernetes_service(app, opts);
    crate::bootstrap::create(app);
    app.store.compact(app.store.revision());
}

/// The `kubernetes` Service in `default` and its Endpoints and EndpointSlice, which
/// kube-apiserver keeps pointing at itself (its advertise address and secure port): what
/// `KUBERNETES_SERVICE_HOST`/`PORT` name in a pod, and what kube-proxy routes the Service to.
fn kubernetes_service(app: &App, opts: WriteOpts<'_>) {
    let (ip, port) = match app.address.rsplit_once(':') {
        Some((ip, port)) => (ip.trim_matches(['[', ']']), port.parse().unwrap_or(6443)),
        None => (app.address.as_str(), 6443),
    };
    let port: u16 = port;
    let family = if ip.contains(':') { "IPv6" } else { "IPv4" };
    let objects = [
        (
            ("", "v1", "services"),
            json!({
                "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"],
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": port}],
                    "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                    "internalTrafficPolicy": "Cluster"},
                "status": {"loadBalancer": {}},
            }),
        ),
        (
            ("", "v1", "endpoints"),
            json!({
                "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
                "subsets": [{"addresses": [{"ip": ip}],
                    "ports": [{"name": "https", "port": port, "protocol": "TCP"}]}],
            }),
        ),
        (
            ("discovery.k8s.io", "v1", "endpointslices"),
            json!({
                "metadata": {"name": "kubernetes", "labels": {"kubernetes.io/service-name": "kubernetes"}},
                "addressType": family,
                "endpoints": [{"addresses": [ip], "conditions": {"ready": true}}],
                "ports": [{"name": "https", "port": port, "protocol": "TCP"}],
            }),
        ),
    ];
    for ((group, version, resource), obj) in objects {
        if let Some(rt) = app.registry.find(group, version, resource) {
            if resource == "endpointslices" {
                reconciled_slice(app, &rt, obj, ip, opts);
            } else {
                let _ = write::create(app, &rt, "default", obj, opts);
            }
        }
    }
}

/// Creates the `kubernetes` EndpointSlice. Its address is this server's, a loopback one that
/// `ValidateEndpointIP` refuses (a cluster's reconciler never writes one), so the slice goes
/// through the write path with a documentation address and is then pointed at the server in
/// storage.
fn reconciled_slice(
    app: &App,
    rt: &ResourceType,
    mut obj: serde_json::Value,
    ip: &str,
    opts: WriteOpts<'_>,
) {
    let placeholder = if ip.contains(':') {
        "2001:db8::1"
    } else {
        "192.0.2.1"
    };
    obj["endpoints"][0]["addresses"] = json!([placeholder]);
    let Ok(created) = write::create(app, rt, "default", obj, opts) else {
        return;
    };
    let mut stored = (*created).clone();
    stored["endpoints"][0]["addresses"] = json!([ip]);
    let key = app.key(rt, "default", "kubernetes");
    let _ = app.store.update(&key, revision_of(&created), stored);
}

/// An in-process Kubernetes API server on 127.0.0.1 with TLS, for tests.
///
/// ```no_run
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = kubeset_testserver::TestServer::start().await?;
/// let kubeconfig = server.kubeconfig();
/// assert!(kubeconfig.contains(&server.url()));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    app: Arc<App>,
    admin: ClientCert,
    tasks: Vec<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// See [`TestServerBuilder::start`].
    pub async fn start() -> Result<TestServer, Error> {
        TestServerBuilder::default().start().await
    }

    /// Options for starting a server.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The CA certificate (PEM) that verifies the serving certificate.
    pub fn ca_pem(&self) -> &str {
        &self.app.pki.ca_pem
    }

    /// The admin client certificate (`CN=admin, O=system:masters`).
    pub fn admin_cert(&self) -> &ClientCert {
        &self.admin
    }

    /// Issues a client certificate for another user (`CN=user, O=groups...`).
    ///
    /// # Errors
    /// Certificate generation failed.
    pub fn client_cert(&self, user: &str, groups: &[&str]) -> Result<ClientCert, Error> {
        self.app.pki.client_cert(user, groups)
    }

    /// The admin kubeconfig with embedded CA, certificate and key.
    pub fn kubeconfig(&self) -> String {
        kubeconfig::render(&self.url(), &self.app.pki.ca_pem, &self.admin, "admin")
    }

    /// Writes the admin kubeconfig to `path`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.kubeconfig()).map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// The audit events of the requests answered so far, oldest first (the newest
    /// [`crate::audit::CAPACITY`]): one per authenticated request, a watch's once it ended.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// let denied = server
    ///     .audit_events()
    ///     .into_iter()
    ///     .filter(|e| e.code() == 403)
    ///     .count();
    /// # Ok(()) }
    /// ```
    pub fn audit_events(&self) -> Vec<crate::audit::Event> {
        self.app.audit.events()
    }

    /// The audit events of requests authorized as `username` (the impersonated user when a
    /// request impersonated one), oldest first.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// let events = server.audit_events_of("system:serviceaccount:default:default");
    /// # Ok(()) }
    /// ```
    pub fn audit_events_of(&self, username: &str) -> Vec<crate::audit::Event> {
        let mut events = self.app.audit.events();
        events.retain(|e| e.effective_user().username == username);
        events
    }

    /// The scripted container logs `pods/log` answers from: append lines, restart or finish
    /// a container, cut the follow streams.
    pub fn logs(&self) -> crate::PodLogs {
        self.app.logs.clone()
    }

    /// The scripted kubelet: handlers for `pods/exec` and `pods/attach` sessions and targets
    /// for `pods/portforward` (see [`node_agent`](crate::node_agent)).
    ///
    /// ```no_run
    /// use kubeset_testserver::node_agent::{PortTarget, Pods};
    ///
    /// # async fn demo() -> Result<(), kubeset_testserver::Error> {
    /// let server = kubeset_testserver::TestServer::start().await?;
    /// server.node_agent().on_port_forward(Pods::Any, 8080, PortTarget::Echo);
    /// # Ok(()) }
    /// ```
    pub fn node_agent(&self) -> crate::node_agent::NodeAgent {
        self.app.node_agent.clone()
    }

    /// Switches faults on this server.
    pub fn faults(&self) -> FaultInjector {
        FaultInjector::new(
            self.app.faults.clone(),
            self.app.store.clone(),
            self.app.pki.ca_pem.clone(),
            self.app.pki.ca_der().clone(),
        )
    }

    /// A ServiceAccount environment for in-cluster tests: a directory with `token`, `ca.crt` and
    /// `namespace`, plus `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT` values. The
    /// ServiceAccount must exist (every namespace gets `default` within moments).
    ///
    /// # Errors
    /// The ServiceAccount does not appear within five seconds, or the files cannot be written.
    pub async fn service_account_env(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<ServiceAccountEnv, Error> {
        sa_env::create(&self.app, self.addr, namespace, name).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // open watches end with the server
        self.faults().close_watches();
        for t in &self.tasks {
            t.abort();
        }
    }
}
