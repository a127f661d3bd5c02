//! What schedulers and node controllers do: pod binding, eviction, node cordon.

use k8s_openapi::api::core::v1::Node;
use kubeset::clientset::{DeleteParams, PostParams};
use serde_json::json;

use crate::support::objects::pod;
use crate::support::{setup, unimplemented_here};

#[tokio::test]
async fn binding_assigns_the_node_once() {
    let ctx = setup("pods-bind").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &pod("p", &[]))
        .await
        .unwrap();
    let node = format!("node-{}", ctx.ns);

    let result = pods.bind("p", &node, &PostParams::default()).await;
    if unimplemented_here(&result, "pods/binding") {
        return;
    }
    let status = result.unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    let bound = pods.get("p").await.unwrap();
    assert_eq!(
        bound.spec.unwrap().node_name.as_deref(),
        Some(node.as_str())
    );

    let err = pods
        .bind("p", "another-node", &PostParams::default())
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let err = pods
        .bind("absent", &node, &PostParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn eviction_deletes_an_unscheduled_pod() {
    let ctx = setup("pods-evict").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &pod("p", &[]))
        .await
        .unwrap();
    let result = pods.evict("p", &DeleteParams::default()).await;
    if unimplemented_here(&result, "pods/eviction") {
        return;
    }
    let status = result.unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"), "{status:?}");
    // A pod that never reached a node is removed at once.
    assert!(pods.get_opt("p").await.unwrap().is_none());
    let err = pods.evict("p", &DeleteParams::default()).await.unwrap_err();
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
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let client =
                    kubeset::clientset::Client::new(crate::support::admin_config()).unwrap();
                let _ = runtime.block_on(client.nodes().delete(&name, &DeleteParams::default()));
            })
            .join();
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
