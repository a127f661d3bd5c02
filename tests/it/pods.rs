//! What schedulers and node controllers do: pod binding, eviction, logs, node cordon.
//!
//! Pods here name a scheduler that does not exist, so on a real cluster no scheduler or kubelet
//! touches them: they stay unscheduled unless a test binds them.

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kubeset::clientset::{Api, DeleteParams, LogParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::objects::pod;
use crate::support::setup;

/// A pod `name` with `labels` that only a scheduler named `nobody` would place.
fn unscheduled(name: &str, labels: &[(&str, &str)]) -> Pod {
    let mut p = pod(name, labels);
    if let Some(spec) = p.spec.as_mut() {
        spec.scheduler_name = Some("nobody".to_owned());
    }
    p
}

#[tokio::test]
async fn binding_assigns_the_node_once() {
    let ctx = setup("pods-bind").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &unscheduled("p", &[]))
        .await
        .unwrap();
    let node = format!("node-{}", ctx.ns);

    let status = pods.bind("p", &node, &PostParams::default()).await.unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    let bound = pods.get("p").await.unwrap();
    assert_eq!(
        bound.spec.unwrap().node_name.as_deref(),
        Some(node.as_str())
    );
    let scheduled = bound
        .status
        .unwrap_or_default()
        .conditions
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.type_ == "PodScheduled")
        .expect("a PodScheduled condition");
    assert_eq!(scheduled.status, "True");

    let err = pods
        .bind("absent", &node, &PostParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn binding_twice_is_a_conflict_naming_the_node() {
    let ctx = setup("pods-bind-twice").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &unscheduled("p", &[]))
        .await
        .unwrap();
    let node = format!("node-{}", ctx.ns);
    pods.bind("p", &node, &PostParams::default()).await.unwrap();

    let err = pods
        .bind("p", "another-node", &PostParams::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(err.code(), Some(409), "{err}");
    assert_eq!(
        err.api().map(|e| e.message()),
        Some(format!("Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"{node}\"").as_str()),
        "{err}"
    );
    // the first binding stands
    let bound = pods.get("p").await.unwrap();
    assert_eq!(
        bound.spec.unwrap().node_name.as_deref(),
        Some(node.as_str())
    );
}

#[tokio::test]
async fn eviction_deletes_an_unscheduled_pod() {
    let ctx = setup("pods-evict").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &unscheduled("p", &[]))
        .await
        .unwrap();
    // A dry run answers Success and leaves the pod alone.
    let status = pods
        .evict("p", &DeleteParams::default().dry_run())
        .await
        .unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    assert!(pods.get_opt("p").await.unwrap().is_some());

    let status = pods.evict("p", &DeleteParams::default()).await.unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    // A pod that never reached a node is removed at once.
    assert!(pods.get_opt("p").await.unwrap().is_none());
    let err = pods.evict("p", &DeleteParams::default()).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn eviction_blocked_by_a_disruption_budget_is_429() {
    let ctx = setup("pods-evict-pdb").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(
        &PostParams::default(),
        &unscheduled("p", &[("app", "guarded")]),
    )
    .await
    .unwrap();
    // Budgets guard running pods only (a Pending one is evicted regardless): report the pod
    // running and ready, as a kubelet would.
    let running = json!({"status": {"phase": "Running",
        "conditions": [{"type": "Ready", "status": "True"}]}});
    pods.patch_status("p", &PatchParams::default(), &Patch::Merge(running))
        .await
        .unwrap();
    let budget: PodDisruptionBudget = serde_json::from_value(json!({
        "metadata": {"name": "keep-one"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}},
    }))
    .unwrap();
    let budgets = Api::<PodDisruptionBudget>::namespaced(ctx.client.clone(), &ctx.ns);
    budgets
        .create(&PostParams::default(), &budget)
        .await
        .unwrap();

    let err = pods.evict("p", &DeleteParams::default()).await.unwrap_err();
    assert!(err.is_too_many_requests(), "{err}");
    assert_eq!(
        err.api().map(|e| e.message()),
        Some("Cannot evict pod as it would violate the pod's disruption budget."),
        "{err}"
    );
    // The budget names itself in the cause (not processed yet, or no disruption left).
    let cause = err
        .status()
        .and_then(|s| s.details.as_ref())
        .and_then(|d| d.causes.as_ref())
        .and_then(|c| c.first())
        .cloned()
        .unwrap_or_default();
    assert_eq!(cause.reason.as_deref(), Some("DisruptionBudget"), "{err}");
    assert!(
        cause.message.unwrap_or_default().contains("keep-one"),
        "{err}"
    );
    assert!(pods.get_opt("p").await.unwrap().is_some());

    // Two budgets: the server answers 201 with a Failure Status of code 500, which is an error
    let second: PodDisruptionBudget = serde_json::from_value(json!({
        "metadata": {"name": "keep-two"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}},
    }))
    .unwrap();
    budgets
        .create(&PostParams::default(), &second)
        .await
        .unwrap();
    let err = pods.evict("p", &DeleteParams::default()).await.unwrap_err();
    assert_eq!(err.code(), Some(500), "{err}");
    assert!(
        err.api()
            .is_some_and(|e| e.message().contains("more than one PodDisruptionBudget")),
        "{err}"
    );
    assert!(pods.get_opt("p").await.unwrap().is_some());
}

#[tokio::test]
async fn logs_of_an_unscheduled_pod_are_empty_and_bad_requests_say_why() {
    let ctx = setup("pods-logs").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &unscheduled("p", &[]))
        .await
        .unwrap();

    // No node, no kubelet: the server answers 204 No Content, an empty log.
    let text = pods.logs("p", &LogParams::default()).await.unwrap();
    assert_eq!(text, "");
    let text = pods
        .logs("p", &LogParams::default().container("c").tail(10))
        .await
        .unwrap();
    assert_eq!(text, "");

    let err = pods
        .logs("p", &LogParams::default().container("zzz"))
        .await
        .unwrap_err();
    assert!(err.is_bad_request(), "{err}");
    assert_eq!(
        err.api().map(|e| e.message()),
        Some("container zzz is not valid for pod p"),
        "{err}"
    );
    assert!(
        err.to_string().contains("container zzz is not valid"),
        "{err}"
    );

    let err = pods
        .logs("p", &LogParams::default().tail(-1))
        .await
        .unwrap_err();
    assert!(err.is_invalid(), "{err}");

    let err = pods
        .logs("absent", &LogParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn cordon_and_uncordon_a_node() {
    let ctx = setup("nodes-cordon").await;
    let nodes = ctx.client.nodes();
    let name = format!("node-{}", ctx.ns);
    let node: Node = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    nodes.create(&PostParams::default(), &node).await.unwrap();
    // Nodes are cluster-scoped: remove this one whatever the assertions do.
    struct Cleanup(String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let name = self.0.clone();
            let admin = crate::support::admin_config();
            crate::support::clean_up(admin, "the node clean-up", |client| async move {
                let _ = client.nodes().delete(&name, &DeleteParams::default()).await;
            });
        }
    }
    let _cleanup = Cleanup(name.clone());

    let cordoned = nodes.cordon(&name).await.unwrap();
    assert_eq!(cordoned.spec.unwrap().unschedulable, Some(true));
    let uncordoned = nodes.uncordon(&name).await.unwrap();
    assert_ne!(
        uncordoned.spec.unwrap_or_default().unschedulable,
        Some(true)
    );
    assert_ne!(
        nodes
            .get(&name)
            .await
            .unwrap()
            .spec
            .unwrap_or_default()
            .unschedulable,
        Some(true)
    );
}
