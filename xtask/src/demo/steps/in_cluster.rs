//! A program in a pod finds its API server: the `in_cluster` example with a ServiceAccount
//! allowed to list pods, then without that permission.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use super::{NAMESPACE, NODE};
use crate::demo::cluster::Cluster;
use crate::demo::kubelet::Kubelet;
use crate::demo::manifests;
use crate::demo::process::Program;
use crate::demo::{DemoError, narrate, title};

pub(crate) async fn run(cluster: &Cluster, step: usize) -> Result<(), DemoError> {
    title(
        step,
        "a program in a pod finds its API server (examples/in_cluster.rs)",
    );
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "in-cluster", "namespace": NAMESPACE}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "pod-reader", "namespace": NAMESPACE},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "in-cluster-reads-pods", "namespace": NAMESPACE},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "in-cluster", "namespace": NAMESPACE}]}),
    ];
    let applied = manifests::apply(&cluster.client, NAMESPACE, &objects).await?;
    narrate(&format!(
        "applied {}",
        applied
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    wait_for_service_account(cluster, "in-cluster").await?;

    let kubelet = Kubelet::register(&cluster.client, NODE).await?;
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"generateName": "in-cluster-", "labels": {"app": "in-cluster"}},
        "spec": {"serviceAccountName": "in-cluster",
            "containers": [{"name": "app", "image": "kubeset/in-cluster:demo"}]},
    }))?;
    let files = kubelet
        .run_pod(NAMESPACE, pod, cluster.scratch.path())
        .await?;
    let dir = files.dir.display().to_string();
    let args = ["--service-account-dir", dir.as_str()];

    narrate("running it with only that environment (no kubeconfig, no HOME):");
    let allowed = Program::start("in_cluster", &args, files.env())?
        .wait(Duration::from_secs(60))
        .await?;
    if !allowed.status.success() {
        return Err(DemoError::msg(format!(
            "in_cluster failed: {}",
            allowed.status
        )));
    }

    narrate("the Role is taken away; the same program is told exactly what it lacks:");
    let roles = kubeset_clientset::Api::<k8s_openapi::api::rbac::v1::RoleBinding>::namespaced(
        cluster.client.clone(),
        NAMESPACE,
    );
    roles
        .delete("in-cluster-reads-pods", &Default::default())
        .await?;
    let denied = Program::start("in_cluster", &args, files.env())?
        .wait(Duration::from_secs(60))
        .await?;
    if denied.status.success() || !denied.printed("would allow it") {
        return Err(DemoError::msg(
            "in_cluster did not fail with an explained 403 without its Role",
        ));
    }
    narrate(&format!(
        "in_cluster exited with {}, as it should",
        denied.status
    ));
    Ok(())
}

/// Waits until ServiceAccount `name` can be read back (a cluster's API servers may answer
/// from a cache a moment behind the write).
async fn wait_for_service_account(cluster: &Cluster, name: &str) -> Result<(), DemoError> {
    let sas = cluster.client.service_accounts(NAMESPACE);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while sas.get_opt(name).await?.is_none() {
        if tokio::time::Instant::now() > deadline {
            return Err(DemoError::msg(format!(
                "ServiceAccount {NAMESPACE}/{name} did not appear"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
