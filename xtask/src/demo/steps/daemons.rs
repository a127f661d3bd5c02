//! The custom scheduler and the ConfigMap-sync controller, each deployed from its manifests,
//! run as one replica of its Deployment, and shown doing its one job.

use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kubeset_clientset::{Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{NAMESPACE, NODE};
use crate::demo::cluster::Cluster;
use crate::demo::kubelet::{self, Kubelet, PodFiles};
use crate::demo::manifests::{self, Applied};
use crate::demo::process::{Program, workspace_root};
use crate::demo::{DemoError, narrate, title};

/// Where both daemons' manifests put them.
const SYSTEM: &str = "kubeset-system";

pub(crate) async fn run(cluster: &Cluster, step: usize) -> Result<(), DemoError> {
    title(
        step,
        "a custom scheduler (examples/scheduler/), leading through a Lease",
    );
    let files = deploy(cluster, "scheduler").await?;
    let scheduler = start("scheduler", &files)?;
    scheduler
        .wait_for_output(" leads", Duration::from_secs(60))
        .await?;
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"schedulerName": "kubeset-scheduler",
            "containers": [{"name": "web", "image": "nginx",
                "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}}}]},
    }))?;
    let pods = cluster.client.pods(NAMESPACE);
    pods.create(&PostParams::default(), &pod).await?;
    narrate(&format!(
        "created pod {NAMESPACE}/web with schedulerName kubeset-scheduler"
    ));
    let node = poll("pod web to be bound", || async {
        let pod = pods.get("web").await?;
        Ok(pod.spec.and_then(|s| s.node_name))
    })
    .await?;
    narrate(&format!(
        "the scheduler bound web to {node} through pods/binding"
    ));
    let stopped = scheduler.terminate(Duration::from_secs(30)).await?;
    narrate(&format!(
        "SIGTERM: it released its Lease and stopped: {}",
        stopped.status
    ));

    title(
        step + 1,
        "a controller on the runtime (examples/controller/): ConfigMaps synced into the namespaces that ask",
    );
    let files = deploy(cluster, "controller").await?;
    let controller = start("controller", &files)?;
    controller
        .wait_for_output(" leads", Duration::from_secs(60))
        .await?;
    let source: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "settings", "labels": {"kubeset.example/sync": "true"}},
        "data": {"log-level": "info"},
    }))?;
    cluster
        .client
        .config_maps(SYSTEM)
        .create(&PostParams::default(), &source)
        .await?;
    let namespaces = cluster.client.namespaces();
    let ask = json!({"metadata": {"labels": {"kubeset.example/sync-from": SYSTEM}}});
    namespaces
        .patch(NAMESPACE, &PatchParams::default(), &Patch::Merge(ask))
        .await?;
    narrate(&format!(
        "ConfigMap {SYSTEM}/settings is labelled for syncing; namespace {NAMESPACE} asks for it"
    ));
    let copies = cluster.client.config_maps(NAMESPACE);
    let level = poll("the copy in kubeset-demo", || async {
        let copy = copies.get_opt("settings").await?;
        Ok(copy
            .and_then(|c| c.data)
            .and_then(|d| d.get("log-level").cloned()))
    })
    .await?;
    narrate(&format!(
        "the controller copied it: {NAMESPACE}/settings has log-level={level}"
    ));
    let stopped = controller.terminate(Duration::from_secs(30)).await?;
    narrate(&format!("SIGTERM: it stopped: {}", stopped.status));
    Ok(())
}

/// Applies `examples/deploy/<name>/` and runs one replica of its Deployment on the node.
async fn deploy(cluster: &Cluster, name: &str) -> Result<PodFiles, DemoError> {
    let dir = workspace_root().join("examples/deploy").join(name);
    let objects = manifests::read_dir(&dir)?;
    let applied = manifests::apply(&cluster.client, SYSTEM, &objects).await?;
    narrate(&format!(
        "applied examples/deploy/{name}: {}",
        applied
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let deployment = find(&applied, "Deployment/")?;
    let kubelet = Kubelet::register(&cluster.client, NODE).await?;
    let pod = kubelet::pod_from_template(deployment)?;
    kubelet.run_pod(SYSTEM, pod, cluster.scratch.path()).await
}

fn find<'a>(applied: &'a [Applied], prefix: &str) -> Result<&'a Value, DemoError> {
    applied
        .iter()
        .find(|a| a.name.starts_with(prefix))
        .map(|a| &a.object)
        .ok_or_else(|| DemoError::msg(format!("the manifests have no {prefix}")))
}

/// Starts example `name` as the pod of `files`, with the Deployment's arguments.
fn start(name: &str, files: &PodFiles) -> Result<Program, DemoError> {
    let dir = files.dir.display().to_string();
    let mut args: Vec<String> = files
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.args.clone())
        .unwrap_or_default();
    args.extend(["--service-account-dir".to_owned(), dir]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Program::start(name, &args, files.env())
}

/// Polls `check` until it yields a value (a minute at most).
async fn poll<T, F, Fut>(what: &str, mut check: F) -> Result<T, DemoError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, DemoError>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::msg(format!("waited a minute for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
