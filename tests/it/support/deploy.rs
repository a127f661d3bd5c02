//! A daemon's deploy manifests applied to the test's cluster, and the daemon run as a child
//! process with a pod's environment and only the permissions the manifests grant.
//!
//! The manifests name a namespace (`kubeset-system`) and cluster-wide objects; on a shared
//! cluster each test gets its own copy: namespaced objects go into the test's namespace,
//! cluster-wide ones get the namespace as a name suffix (and the bindings follow), and the
//! cluster-wide ones are deleted when the [`Deployed`] is dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kubeset::clientset::{Api, DeleteParams, PostParams};
use kubeset::config::Config;
use serde_json::Value;

use super::examples::example_bin;
use super::{Ctx, ServiceAccountFiles, admin_config, clean_up};

/// The objects of one manifest file, as parsed (one JSON value per YAML document).
pub(crate) fn manifests(path: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_multiple::<Value>(&text).unwrap()
}

/// The cluster-wide objects a test created, deleted on drop.
pub(crate) struct Deployed {
    /// Who deletes the cluster-wide objects.
    admin: Config,
    cluster_roles: Vec<String>,
    cluster_role_bindings: Vec<String>,
    nodes: Vec<String>,
}

impl Deployed {
    /// Deletes Node `name` with the rest (tests make nodes for the scheduler).
    pub(crate) fn track_node(&mut self, name: &str) {
        self.nodes.push(name.to_owned());
    }
}

/// Creates `objects` for the test `ctx` (see the module docs); `Namespace` objects are
/// skipped (the test's namespace stands in).
pub(crate) async fn apply(ctx: &Ctx, objects: Vec<Value>) -> Deployed {
    apply_to(ctx, admin_config(), objects).await
}

/// [`apply`] on the cluster of `admin` (a private test server).
pub(crate) async fn apply_to(ctx: &Ctx, admin: Config, objects: Vec<Value>) -> Deployed {
    let mut deployed = Deployed {
        admin,
        cluster_roles: Vec::new(),
        cluster_role_bindings: Vec::new(),
        nodes: Vec::new(),
    };
    let suffix = |name: &Value| format!("{}-{}", name.as_str().unwrap(), ctx.ns);
    for mut object in objects {
        let kind = object["kind"].as_str().unwrap().to_owned();
        if object["metadata"].get("namespace").is_some() {
            object["metadata"]["namespace"] = ctx.ns.clone().into();
        }
        if let Some(subjects) = object.get_mut("subjects").and_then(Value::as_array_mut) {
            for subject in subjects {
                subject["namespace"] = ctx.ns.clone().into();
            }
        }
        if object["roleRef"]["kind"] == "ClusterRole" {
            object["roleRef"]["name"] = suffix(&object["roleRef"]["name"]).into();
        }
        let client = ctx.client.clone();
        let ns = ctx.ns.as_str();
        match kind.as_str() {
            "Namespace" => {}
            "ServiceAccount" => create::<ServiceAccount>(Api::namespaced(client, ns), object).await,
            "Role" => create::<Role>(Api::namespaced(client, ns), object).await,
            "RoleBinding" => create::<RoleBinding>(Api::namespaced(client, ns), object).await,
            "Deployment" => create::<Deployment>(Api::namespaced(client, ns), object).await,
            "ClusterRole" => {
                object["metadata"]["name"] = suffix(&object["metadata"]["name"]).into();
                deployed
                    .cluster_roles
                    .push(object["metadata"]["name"].as_str().unwrap().into());
                create::<ClusterRole>(Api::all(client), object).await;
            }
            "ClusterRoleBinding" => {
                object["metadata"]["name"] = suffix(&object["metadata"]["name"]).into();
                deployed
                    .cluster_role_bindings
                    .push(object["metadata"]["name"].as_str().unwrap().into());
                create::<ClusterRoleBinding>(Api::all(client), object).await;
            }
            other => panic!("the manifests hold a {other}, which this helper does not create"),
        }
    }
    deployed
}

async fn create<K>(api: Api<K>, object: Value)
where
    K: serde::Serialize + serde::de::DeserializeOwned + Clone + std::fmt::Debug,
    K: k8s_openapi::Resource + Send + 'static,
{
    let typed: K = serde_json::from_value(object.clone()).unwrap();
    api.create(&PostParams::default(), &typed)
        .await
        .unwrap_or_else(|err| panic!("creating {object}: {err}"));
}

impl Drop for Deployed {
    fn drop(&mut self) {
        let roles = std::mem::take(&mut self.cluster_roles);
        let bindings = std::mem::take(&mut self.cluster_role_bindings);
        let nodes = std::mem::take(&mut self.nodes);
        clean_up(
            self.admin.clone(),
            "the deployment clean-up",
            |client| async move {
                let dp = DeleteParams::default();
                for name in bindings {
                    let _ = Api::<ClusterRoleBinding>::all(client.clone())
                        .delete(&name, &dp)
                        .await;
                }
                for name in nodes {
                    let _ = client.nodes().delete(&name, &dp).await;
                }
                for name in roles {
                    let _ = Api::<ClusterRole>::all(client.clone())
                        .delete(&name, &dp)
                        .await;
                }
            },
        );
    }
}

/// A running example, its output collected as it comes.
pub(crate) struct Daemon {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    /// The threads reading the two pipes; they end at the child's exit (EOF).
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Daemon {
    /// Starts example `name` as ServiceAccount `files`' pod `pod_name`, with `args` (after
    /// `--service-account-dir`) and no other environment.
    pub(crate) fn start(
        name: &str,
        files: &ServiceAccountFiles,
        pod_name: &str,
        args: &[&str],
    ) -> Self {
        let dir = files.dir().to_str().unwrap();
        let mut child = Command::new(example_bin(name))
            .arg("--service-account-dir")
            .arg(dir)
            .args(args)
            .env_clear()
            .envs(files.env())
            .env("POD_NAME", pod_name)
            .current_dir(files.dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let collect = |pipe: Box<dyn std::io::Read + Send>| {
            let text = Arc::new(Mutex::new(String::new()));
            let sink = Arc::clone(&text);
            let reader = std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut sink = sink.lock().unwrap();
                    sink.push_str(&line);
                    sink.push('\n');
                }
            });
            (text, reader)
        };
        let (stdout, out_reader) = collect(Box::new(child.stdout.take().unwrap()));
        let (stderr, err_reader) = collect(Box::new(child.stderr.take().unwrap()));
        Self {
            child,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
        }
    }

    /// What it printed so far.
    pub(crate) fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// What it printed on stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stdout contains `text`; panics with the output after `within`.
    pub(crate) async fn wait_for(&mut self, text: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.stdout().contains(text) {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain();
                assert!(
                    self.stdout().contains(text),
                    "exited ({status}) before printing {text:?}\n{}",
                    self.output()
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} within {within:?}\n{}",
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// After the exit: waits for the readers to take the last lines out of the pipes.
    fn drain(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    /// Both streams, for failure messages.
    pub(crate) fn output(&self) -> String {
        format!("stdout:\n{}\nstderr:\n{}", self.stdout(), self.stderr())
    }

    /// Sends SIGTERM and waits (up to `within`) for the exit; its success.
    pub(crate) async fn terminate(&mut self, within: Duration) -> bool {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.wait(within).await
    }

    /// Waits (up to `within`) for the exit; its success.
    pub(crate) async fn wait(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.drain();
                return status.success();
            }
            assert!(
                Instant::now() < deadline,
                "still running after {within:?}\n{}",
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
