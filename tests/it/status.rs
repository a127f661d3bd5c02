//! Status subresources as kube-apiserver serves them: what a write to `/status` may change,
//! what the main resource's create resets, and the status validation with the real messages.
//!
//! Every check here holds on a real cluster too: invalid writes are merge patches (no
//! resourceVersion, so a controller writing the same status meanwhile cannot make them
//! conflict), and the statuses chosen are ones no controller is about to change.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use kubeset::clientset::{Api, Error, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::setup;

fn object<K: serde::de::DeserializeOwned>(value: Value) -> K {
    serde_json::from_value(value).unwrap()
}

/// The 422 of a refused write: its message.
#[track_caller]
fn invalid(err: &Error) -> String {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    assert_eq!((api.code, api.reason()), (422, "Invalid"), "{err}");
    api.message().to_owned()
}

fn merge(value: Value) -> Patch<Value> {
    Patch::Merge(value)
}

/// `deploymentStatusStrategy`: a status write keeps the stored spec and labels, and the
/// counters are checked by `ValidateDeploymentStatus`.
#[tokio::test]
async fn deployment_status_keeps_spec_and_checks_counters() {
    let ctx = setup("status-deploy").await;
    let deployments = ctx.client.deployments(&ctx.ns);
    let created = deployments
        .create(
            &PostParams::default(),
            &object::<Deployment>(json!({
                "metadata": {"name": "web", "labels": {"app": "web"}},
                "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}},
                // PrepareForCreate drops a status sent on create
                "status": {"replicas": 7, "readyReplicas": 7},
            })),
        )
        .await
        .unwrap();
    let status = created.status.unwrap_or_default();
    assert_eq!((status.replicas, status.ready_replicas), (None, None));

    let pp = PatchParams::default();
    let written = deployments
        .patch_status(
            "web",
            &pp,
            &merge(json!({"metadata": {"labels": {"app": "other"}},
                "spec": {"replicas": 3}, "status": {"collisionCount": 2}})),
        )
        .await
        .unwrap();
    assert_eq!(written.spec.replicas, Some(0));
    assert_eq!(
        written.metadata.labels.as_ref().and_then(|l| l.get("app")),
        Some(&"web".to_owned())
    );
    assert_eq!(written.status.and_then(|s| s.collision_count), Some(2));

    let err = deployments
        .patch_status(
            "web",
            &pp,
            &merge(
                json!({"status": {"replicas": 1, "readyReplicas": 2, "availableReplicas": 2,
                "collisionCount": 1}}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        "Deployment.apps \"web\" is invalid: [status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas, status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas, status.collisionCount: Invalid value: 1: cannot be decremented]"
    );
}

/// `ValidateNamespaceStatusUpdate`, through a PUT of the namespace's status.
#[tokio::test]
async fn namespace_phase_follows_its_deletion() {
    let ctx = setup("status-ns").await;
    let namespaces = ctx.client.namespaces();
    let mut ns = namespaces.get(&ctx.ns).await.unwrap();
    ns.status.get_or_insert_default().phase = Some("Terminating".into());
    let err = namespaces
        .replace_status(&ctx.ns, &PostParams::default(), &ns)
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        format!(
            "Namespace \"{}\" is invalid: status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
            ctx.ns
        )
    );
}

fn suspended_job(name: &str) -> Job {
    object(json!({
        "metadata": {"name": name},
        "spec": {"suspend": true, "template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}},
        "status": {"failed": 4, "active": 1},
    }))
}

/// `jobStrategy.PrepareForCreate` clears the status; `ValidateJobStatusUpdate` keeps the
/// `failed` counter from going down and `completionTime` to complete Jobs.
#[tokio::test]
async fn job_status_counters_and_completion_time() {
    let ctx = setup("status-job").await;
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let created = jobs
        .create(&PostParams::default(), &suspended_job("batch"))
        .await
        .unwrap();
    let status = created.status.unwrap_or_default();
    assert_eq!((status.failed, status.active), (None, None));

    let pp = PatchParams::default();
    let written = jobs
        .patch_status("batch", &pp, &merge(json!({"status": {"failed": 2}})))
        .await
        .unwrap();
    assert_eq!(written.status.and_then(|s| s.failed), Some(2));
    let err = jobs
        .patch_status("batch", &pp, &merge(json!({"status": {"failed": 1}})))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        "Job.batch \"batch\" is invalid: status.failed: Invalid value: 1: cannot decrease the failed counter"
    );
    let err = jobs
        .patch_status(
            "batch",
            &pp,
            &merge(json!({"status": {"completionTime": "2026-01-02T03:04:05Z"}})),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        "Job.batch \"batch\" is invalid: status.completionTime: Invalid value: 2026-01-02 03:04:05 +0000 UTC: cannot set completionTime when there is no Complete=True condition"
    );
}

/// `ValidateLoadBalancerStatus`: ingress points only on `LoadBalancer` Services, each a valid
/// IP or DNS name.
#[tokio::test]
async fn service_load_balancer_status() {
    let ctx = setup("status-svc").await;
    let services = ctx.client.services(&ctx.ns);
    let port = json!([{"port": 80, "targetPort": 8080}]);
    for (name, ty) in [("internal", "ClusterIP"), ("public", "LoadBalancer")] {
        services
            .create(
                &PostParams::default(),
                &object::<Service>(json!({"metadata": {"name": name},
                    "spec": {"type": ty, "ports": port, "selector": {"app": name}}})),
            )
            .await
            .unwrap();
    }
    let pp = PatchParams::default();
    let ingress = |ip: &str| merge(json!({"status": {"loadBalancer": {"ingress": [{"ip": ip}]}}}));
    let err = services
        .patch_status("internal", &pp, &ingress("10.0.0.1"))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        "Service \"internal\" is invalid: status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'"
    );
    let err = services
        .patch_status("public", &pp, &ingress("300.1.2.3"))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        "Service \"public\" is invalid: status.loadBalancer.ingress[0].ip: Invalid value: \"300.1.2.3\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    );
}

/// `ValidateHorizontalPodAutoscalerStatusUpdate`, with the field name the real check reports.
#[tokio::test]
async fn hpa_status_replicas() {
    let ctx = setup("status-hpa").await;
    let hpas: Api<HorizontalPodAutoscaler> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    hpas.create(
        &PostParams::default(),
        &object::<HorizontalPodAutoscaler>(json!({"metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 1, "maxReplicas": 3,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 80}}}]}})),
    )
    .await
    .unwrap();
    let err = hpas
        .patch_status(
            "web",
            &PatchParams::default(),
            &merge(json!({"status": {"currentReplicas": 0, "desiredReplicas": -1}})),
        )
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        "HorizontalPodAutoscaler.autoscaling \"web\" is invalid: status.desiredReplicasa: Invalid value: -1: must be greater than or equal to 0"
    );
}
