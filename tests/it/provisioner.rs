//! The `local_provisioner` example, deployed as its manifests say and run as a pod runs it.
//!
//! Each test starts a private test server with the PersistentVolume binder and the storage
//! protection controllers (claims bind and are released, PVs' finalizers removed, as in a
//! cluster), applies `examples/deploy/local_provisioner/*.yaml`, creates
//! a node, and runs the built example as a child process with exactly a pod's environment:
//! `KUBERNETES_SERVICE_HOST`/`PORT`, `NODE_NAME`, and the ServiceAccount's files (through the
//! example's documented `--service-account-dir` flag), so it has exactly the manifests' RBAC.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::events::v1::Event;
use kubeset::clientset::{
    Api, Client, DeleteParams, DynamicObject, ListParams, Permission, PostParams, TokenParams,
};
use kubeset::config::Config;
use kubeset::config::kubeconfig::Overrides;
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::support::examples::example_bin;
use crate::support::{ServiceAccountFiles, no_env};

const NODE: &str = "node-1";
/// The node's `kubernetes.io/hostname` label differs from its name: PVs must use the label.
const HOSTNAME: &str = "node-1.example";
const NS: &str = "local-storage";
const SA: &str = "local-storage-admin";
const CLASS: &str = "local-storage";
const DEADLINE: Duration = Duration::from_secs(30);

/// A private cluster with the provisioner's manifests applied, and its discovery directory.
struct World {
    server: TestServer,
    admin: Client,
    discovery: tempfile::TempDir,
    config: tempfile::TempDir,
    _kubeconfig: tempfile::TempDir,
}

impl World {
    async fn new(skip: &[&str]) -> Self {
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

    fn volume(&self, name: &str) -> PathBuf {
        self.discovery.path().join(name)
    }

    /// The pod's files and variables, for the manifests' ServiceAccount.
    async fn pod_files(&self) -> ServiceAccountFiles {
        ServiceAccountFiles::TestServer(self.server.service_account_env(NS, SA).await.unwrap())
    }

    /// Starts the provisioner as the DaemonSet's pod on `NODE`.
    fn start(&self, files: &ServiceAccountFiles) -> Daemon {
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

    fn pvs(&self) -> Api<PersistentVolume> {
        self.admin.persistent_volumes()
    }

    /// Polls until `pv` exists and passes `check`, returning it.
    async fn pv_where(
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
    async fn events(&self, pv: &str, reason: &str) -> Vec<Event> {
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
async fn world_configmap(admin: &Client) -> String {
    let cm = admin
        .config_maps(NS)
        .get("local-provisioner-config")
        .await
        .unwrap();
    cm.data.unwrap()["config.yaml"].clone()
}

/// Creates every object of the deploy directory's YAML files, except the kinds/names in `skip`.
async fn apply_manifests(client: &Client, skip: &[&str]) {
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
struct Daemon {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Daemon {
    fn output(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// Panics (with the output) if the daemon exited.
    fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("the provisioner exited ({status}):\n{}", self.output());
        }
    }

    /// Sends SIGTERM, as the kubelet does to stop a pod.
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit (at most `DEADLINE`).
    async fn wait(&mut self) -> std::process::ExitStatus {
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
fn collect(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
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
async fn eventually<T, F, Fut>(daemon: &mut Daemon, what: &str, probe: F) -> T
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
fn pv_name(file: &str) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    for b in format!("{file}{NODE}{CLASS}").bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("local-pv-{hash:x}")
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A check that a PV is in phase `want`.
fn phase(want: &'static str) -> impl Fn(&PersistentVolume) -> bool {
    move |pv| pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(want)
}

fn annotation<'a>(pv: &'a PersistentVolume, key: &str) -> Option<&'a str> {
    pv.metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

/// A PV of someone else's, Released with policy Delete, at a path of the discovery directory.
fn foreign_pv(name: &str, path: &Path, provisioned_by: &str, hostname: &str) -> PersistentVolume {
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

#[tokio::test]
async fn provisioner_creates_a_pv_per_volume_and_touches_nothing_else() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    std::fs::write(world.volume("vol1/data"), "keep me").unwrap();
    // Not volumes: a file, and a symlink to a directory outside.
    std::fs::write(world.volume("notes.txt"), "x").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), world.volume("escape")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);

    let pv = world
        .pv_where(&mut daemon, &pv_name("vol1"), |_| true)
        .await;
    let node = world.admin.nodes().get(NODE).await.unwrap();
    let node_uid = node.metadata.uid.unwrap();
    let me = format!("local-volume-provisioner-{NODE}-{node_uid}");
    assert_eq!(
        annotation(&pv, "pv.kubernetes.io/provisioned-by"),
        Some(me.as_str())
    );
    assert_eq!(
        pv.metadata.labels,
        Some(BTreeMap::from([(
            "topology.kubernetes.io/zone".to_owned(),
            "zone-a".to_owned()
        )]))
    );
    let spec = pv.spec.as_ref().unwrap();
    let local = spec.local.as_ref().unwrap();
    assert_eq!(local.path, world.volume("vol1").display().to_string());
    assert_eq!(local.fs_type.as_deref(), Some("ext4"));
    assert_eq!(spec.storage_class_name.as_deref(), Some(CLASS));
    // The class says Delete.
    assert_eq!(
        spec.persistent_volume_reclaim_policy.as_deref(),
        Some("Delete")
    );
    assert_eq!(spec.volume_mode.as_deref(), Some("Filesystem"));
    assert_eq!(
        spec.access_modes.as_deref(),
        Some(&["ReadWriteOnce".to_owned()][..])
    );
    let affinity = serde_json::to_value(&spec.node_affinity).unwrap();
    assert_eq!(
        affinity,
        json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [HOSTNAME]}]}]}})
    );
    // The filesystem's size, rounded down to whole GiB or MiB.
    let stat = rustix::fs::statvfs(world.discovery.path()).unwrap();
    let size = stat.f_blocks * stat.f_frsize;
    let capacity: u64 = spec.capacity.as_ref().unwrap()["storage"]
        .0
        .parse()
        .unwrap();
    assert!(
        capacity <= size && capacity >= size - size / 10,
        "{capacity} of {size}"
    );
    eventually(&mut daemon, "Provisioned event", || async {
        let found = !world
            .events(&pv_name("vol1"), "Provisioned")
            .await
            .is_empty();
        found.then_some(())
    })
    .await;

    // Foreign PVs on the same directory, released for deletion: one made by another
    // provisioner on this node, one carrying our name but naming another node.
    std::fs::create_dir(world.volume("theirs")).unwrap();
    std::fs::write(world.volume("theirs/data"), "x").unwrap();
    let theirs = world.volume("theirs");
    for pv in [
        foreign_pv("foreign-1", &theirs, "someone-else", HOSTNAME),
        foreign_pv("foreign-2", &theirs, &me, "node-2.example"),
    ] {
        world
            .pvs()
            .create(&PostParams::default(), &pv)
            .await
            .unwrap();
    }
    // Their claims are gone: the binder releases them, and waits for their provisioner.
    for name in ["foreign-1", "foreign-2"] {
        world.pv_where(&mut daemon, name, phase("Released")).await;
    }
    // A new directory: a new PV (which proves a discovery pass ran after the foreign PVs).
    std::fs::create_dir(world.volume("vol2")).unwrap();
    world
        .pv_where(&mut daemon, &pv_name("vol2"), |_| true)
        .await;
    // The `theirs` entry is a volume of ours too, under our own name.
    world
        .pv_where(&mut daemon, &pv_name("theirs"), |_| true)
        .await;
    // Files and symlinks are no volumes.
    assert!(
        world
            .pvs()
            .get_opt(&pv_name("notes.txt"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        world
            .pvs()
            .get_opt(&pv_name("escape"))
            .await
            .unwrap()
            .is_none()
    );
    // A few more passes, then the foreign PVs and their data are as they were.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for name in ["foreign-1", "foreign-2"] {
        let pv = world.pvs().get(name).await.unwrap();
        assert_eq!(pv.status.and_then(|s| s.phase).as_deref(), Some("Released"));
    }
    assert!(world.volume("theirs/data").exists());
    assert!(world.volume("vol1/data").exists());

    // A vanished directory is reported, and its PV kept.
    std::fs::remove_dir_all(world.volume("vol2")).unwrap();
    let name = pv_name("vol2");
    eventually(&mut daemon, "VolumeMissing event", || async {
        let found = !world.events(&name, "VolumeMissing").await.is_empty();
        found.then_some(())
    })
    .await;
    assert!(daemon.output().contains(&format!(
        "volume directory {} of PV {name} is missing",
        world.volume("vol2").display()
    )));
    assert!(world.pvs().get_opt(&name).await.unwrap().is_some());
}

#[tokio::test]
async fn a_released_volume_is_cleaned_and_its_pv_created_afresh() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let name = pv_name("vol1");
    let first = world.pv_where(&mut daemon, &name, |_| true).await;

    // A claim on the node (the scheduler's selected-node annotation: WaitForFirstConsumer).
    world
        .admin
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
    let claims = world.admin.persistent_volume_claims("apps");
    claims.create(&PostParams::default(), &claim).await.unwrap();
    world.pv_where(&mut daemon, &name, phase("Bound")).await;
    // The pod writes its data, including a symlink out of the volume.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("precious"), "x").unwrap();
    std::fs::create_dir_all(world.volume("vol1/db/wal")).unwrap();
    std::fs::write(world.volume("vol1/db/wal/0001"), "x").unwrap();
    std::fs::write(world.volume("vol1/.hidden"), "x").unwrap();
    std::os::unix::fs::symlink(outside.path(), world.volume("vol1/link")).unwrap();

    claims
        .delete("data", &DeleteParams::default())
        .await
        .unwrap();
    let first_uid = first.metadata.uid.clone().unwrap();
    let again = world
        .pv_where(&mut daemon, &name, |pv| {
            pv.metadata.uid.as_deref() != Some(first_uid.as_str())
        })
        .await;
    assert_eq!(
        again.status.and_then(|s| s.phase).as_deref(),
        Some("Available")
    );
    assert!(world.volume("vol1").is_dir());
    assert_eq!(std::fs::read_dir(world.volume("vol1")).unwrap().count(), 0);
    assert!(outside.path().join("precious").exists());
    eventually(&mut daemon, "VolumeDeleted event", || async {
        (!world.events(&name, "VolumeDeleted").await.is_empty()).then_some(())
    })
    .await;
    assert!(
        daemon
            .output()
            .contains(&format!("cleaned and deleted PV {name}"))
    );
}

#[tokio::test]
async fn a_missing_rbac_rule_is_named_at_start_up() {
    let world = World::new(&["ClusterRoleBinding/local-storage-provisioner-node-binding"]).await;
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let status = daemon.wait().await;
    assert!(!status.success(), "{}", daemon.output());
    let out = daemon.output();
    assert!(
        out.contains(&format!(
            "system:serviceaccount:{NS}:{SA} lacks 1 permission"
        )),
        "{out}"
    );
    // Exactly the missing permission, and the rule that would allow it, as YAML.
    let missing = Permission::new("get", "nodes").name(NODE);
    assert!(
        out.contains(&format!("- {missing}; a rule that allows it:")),
        "{out}"
    );
    assert!(out.contains(&missing.rule_yaml()), "{out}");
    assert!(out.contains("verbs:") && out.contains("nodes"), "{out}");
    assert!(
        !out.contains("persistentvolumes"),
        "only the missing rule: {out}"
    );
    // Nothing was created.
    assert!(
        world
            .pvs()
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn provisioner_survives_token_rotation_and_a_server_restart_and_stops_on_sigterm() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let first = world
        .pv_where(&mut daemon, &pv_name("vol1"), |_| true)
        .await;

    // The old token is rejected from now on (tokens issued in this second too), and the
    // kubelet rotates the file with a token issued after that.
    world.server.faults().expire_tokens();
    let expired_at = unix_now();
    while unix_now() <= expired_at + 1 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = world
        .admin
        .service_accounts(NS)
        .create_token(SA, &TokenParams::default().expiration_seconds(3600))
        .await
        .unwrap();
    files.write_token(token.token.expose());
    // The API server goes away and comes back: every watch is cut, requests fail a while.
    world.server.faults().close_watches();
    world.server.faults().fail_next(3, 503);

    // Writes go on with the new token...
    std::fs::create_dir(world.volume("vol2")).unwrap();
    world
        .pv_where(&mut daemon, &pv_name("vol2"), |_| true)
        .await;
    // ...and the watch resumed: a PV deleted behind its back leaves its cache, and the
    // next discovery creates it again.
    world
        .pvs()
        .delete(&pv_name("vol1"), &DeleteParams::default())
        .await
        .unwrap();
    let uid = first.metadata.uid.unwrap();
    world
        .pv_where(&mut daemon, &pv_name("vol1"), |pv| {
            pv.metadata.uid.as_deref() != Some(uid.as_str())
        })
        .await;

    // SIGTERM: it stops within the wait's deadline (a pod's default grace period), exit 0.
    daemon.terminate();
    let status = daemon.wait().await;
    assert!(status.success(), "{status}\n{}", daemon.output());
    assert!(daemon.output().contains("stopped"), "{}", daemon.output());
}
