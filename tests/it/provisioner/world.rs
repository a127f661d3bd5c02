//! The private cluster, the running daemon and the probes the provisioner tests share.

use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::events::v1::Event;
use kubeset::clientset::{Api, Client, DynamicObject, ListParams, PostParams};
use kubeset::config::Config;
use kubeset::config::kubeconfig::Overrides;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::examples::example_bin;
use crate::support::{ServiceAccountFiles, no_env};

pub(super) const NODE: &str = "node-1";
/// The node's `kubernetes.io/hostname` label differs from its name: PVs must use the label.
pub(super) const HOSTNAME: &str = "node-1.example";
pub(super) const NS: &str = "local-storage";
pub(super) const SA: &str = "local-storage-admin";
pub(super) const CLASS: &str = "local-storage";
pub(super) const DEADLINE: Duration = Duration::from_secs(30);

/// A private cluster with the provisioner's manifests applied, and its discovery directory.
pub(super) struct World {
    pub(super) server: TestServer,
    pub(super) admin: Client,
    pub(super) discovery: tempfile::TempDir,
    config: tempfile::TempDir,
    _kubeconfig: tempfile::TempDir,
}

impl World {
    /// Creates namespace `apps` and claim `apps/data` of our class, annotated for our node as the
    /// scheduler does under WaitForFirstConsumer; returns the namespace's claims handle.
    pub(super) async fn claim_on_node(&self) -> Api<PersistentVolumeClaim> {
        self.admin
            .namespaces()
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": "apps"}})).unwrap(),
            )
            .await
            .unwrap();
        let claim: PersistentVolumeClaim = serde_json::from_value(json!({
            "metadata": {"name": "data", "annotations": {"volume.kubernetes.io/selected-node": NODE}},
            "spec": {"storageClassName": CLASS, "accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Mi"}}},
        }))
        .unwrap();
        let claims = self.admin.persistent_volume_claims("apps");
        claims.create(&PostParams::default(), &claim).await.unwrap();
        claims
    }

    pub(super) async fn new(skip: &[&str]) -> Self {
        let server = TestServer::builder()
            .pv_binder(Duration::from_millis(100))
            .storage_protection()
            .token_success_cache_ttl(Duration::ZERO)
            .start()
            .await
            .unwrap();
        let kubeconfig = tempfile::tempdir().unwrap();
        let path = kubeconfig.path().join("config");
        server.write_kubeconfig(&path).unwrap();
        let config =
            Config::from_kubeconfig_with(Some(&path), &no_env(), &Overrides::default()).unwrap();
        let admin = Client::new(config).unwrap();
        apply_manifests(&admin, skip).await;
        let node: Node = serde_json::from_value(json!({
            "metadata": {"name": NODE, "labels": {
                "kubernetes.io/hostname": HOSTNAME,
                "topology.kubernetes.io/zone": "zone-a",
            }},
        }))
        .unwrap();
        admin
            .nodes()
            .create(&PostParams::default(), &node)
            .await
            .unwrap();
        let discovery = tempfile::tempdir().unwrap();
        let config = tempfile::tempdir().unwrap();
        // The DaemonSet's own configuration, pointed at a temporary discovery directory.
        let configmap = world_configmap(&admin).await;
        let dir = discovery.path().display().to_string();
        std::fs::write(
            config.path().join("config.yaml"),
            configmap.replace("/mnt/disks", &dir),
        )
        .unwrap();
        Self {
            server,
            admin,
            discovery,
            config,
            _kubeconfig: kubeconfig,
        }
    }

    pub(super) fn volume(&self, name: &str) -> PathBuf {
        self.discovery.path().join(name)
    }

    /// The pod's files and variables, for the manifests' ServiceAccount.
    pub(super) async fn pod_files(&self) -> ServiceAccountFiles {
        ServiceAccountFiles::TestServer(self.server.service_account_env(NS, SA).await.unwrap())
    }

    /// Starts the provisioner as the DaemonSet's pod on `NODE`.
    pub(super) fn start(&self, files: &ServiceAccountFiles) -> Daemon {
        let mut env = files.env();
        env.insert("NODE_NAME", NODE.to_owned());
        let config = self.config.path().join("config.yaml");
        let mut child = Command::new(example_bin("local_provisioner"))
            .arg("--config")
            .arg(&config)
            .args(["--discovery-interval", "0.2", "--service-account-dir"])
            .arg(files.dir())
            .env_clear()
            .envs(&env)
            .current_dir(files.dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        Daemon {
            child,
            stdout,
            stderr,
        }
    }

    pub(super) fn pvs(&self) -> Api<PersistentVolume> {
        self.admin.persistent_volumes()
    }

    /// Polls until `pv` exists and passes `check`, returning it.
    pub(super) async fn pv_where(
        &self,
        daemon: &mut Daemon,
        name: &str,
        check: impl Fn(&PersistentVolume) -> bool,
    ) -> PersistentVolume {
        let pvs = self.pvs();
        eventually(daemon, &format!("PV {name}"), || async {
            pvs.get_opt(name).await.unwrap().filter(|pv| check(pv))
        })
        .await
    }

    /// The events.k8s.io Events about `pv` with `reason`.
    pub(super) async fn events(&self, pv: &str, reason: &str) -> Vec<Event> {
        let events = Api::<Event>::namespaced(self.admin.clone(), "default")
            .list(&ListParams::default())
            .await
            .unwrap();
        events
            .items
            .into_iter()
            .filter(|e| {
                e.reason.as_deref() == Some(reason)
                    && e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(pv)
            })
            .collect()
    }
}

/// `config.yaml` of the manifests' ConfigMap, as applied.
pub(super) async fn world_configmap(admin: &Client) -> String {
    let cm = admin
        .config_maps(NS)
        .get("local-provisioner-config")
        .await
        .unwrap();
    cm.data.unwrap()["config.yaml"].clone()
}

/// Creates every object of the deploy directory's YAML files, except the kinds/names in `skip`.
pub(super) async fn apply_manifests(client: &Client, skip: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/deploy/local_provisioner");
    let discovery = client.discover().await.unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    // Namespaces first, as `kubectl apply -f dir` needs them before what they hold.
    files.sort_by_key(|p| !p.ends_with("rbac.yaml"));
    let mut applied = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for doc in serde_saphyr::from_multiple::<serde_json::Value>(&text).unwrap() {
            let kind = doc["kind"].as_str().unwrap();
            let name = doc["metadata"]["name"].as_str().unwrap();
            if skip.contains(&format!("{kind}/{name}").as_str()) {
                continue;
            }
            let resource = discovery
                .resolve_api_version(doc["apiVersion"].as_str().unwrap(), kind)
                .unwrap_or_else(|| panic!("{kind} is not served"))
                .clone();
            let api = match doc["metadata"]["namespace"].as_str() {
                Some(ns) => Api::dynamic_namespaced(client.clone(), &resource, ns).unwrap(),
                None => Api::dynamic_cluster(client.clone(), &resource).unwrap(),
            };
            let object: DynamicObject = serde_json::from_value(doc.clone()).unwrap();
            api.create(&PostParams::default(), &object)
                .await
                .unwrap_or_else(|e| panic!("creating {kind}/{name}: {e}"));
            applied += 1;
        }
    }
    assert!(
        applied >= 7,
        "the manifests hold the namespace, RBAC, class, config and DaemonSet"
    );
}

/// The running example and what it printed so far.
pub(super) struct Daemon {
    pub(super) child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Daemon {
    pub(super) fn output(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// Panics (with the output) if the daemon exited.
    pub(super) fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the provisioner exited ({status}):\n{}", self.output());
        }
    }

    /// Sends SIGTERM, as the kubelet does to stop a pod.
    pub(super) fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit (at most `DEADLINE`).
    pub(super) async fn wait(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads take the last lines.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the provisioner did not exit:\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `pipe` into a string on a thread of its own (so the child never blocks on it).
pub(super) fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let out = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&out);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    out
}

/// Polls `probe` until it returns `Some`, while the daemon runs, for at most `DEADLINE`.
pub(super) async fn eventually<T, F, Fut>(daemon: &mut Daemon, what: &str, probe: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        daemon.assert_running();
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            daemon.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Upstream's PV name for `file` on `NODE` in `CLASS` (FNV-1a 32), computed independently.
pub(super) fn pv_name(file: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in format!("{file}{NODE}{CLASS}").bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("local-pv-{hash:x}")
}

pub(super) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A check that a PV is in phase `want`.
pub(super) fn phase(want: &'static str) -> impl Fn(&PersistentVolume) -> bool {
    move |pv| pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(want)
}

pub(super) fn annotation<'a>(pv: &'a PersistentVolume, key: &str) -> Option<&'a str> {
    pv.metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// A PV of someone else's, Released with policy Delete, at a path of the discovery directory.
pub(super) fn foreign_pv(
    name: &str,
    path: &Path,
    provisioned_by: &str,
    hostname: &str,
) -> PersistentVolume {
    serde_json::from_value(json!({
        "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": provisioned_by}},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": CLASS,
            "local": {"path": path.display().to_string()},
            "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                         "namespace": "gone", "name": "gone", "uid": "0b5c-gone"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [hostname]}]}]}},
        },
    }))
    .unwrap()
}
