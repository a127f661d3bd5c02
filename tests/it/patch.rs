//! patch in its formats (merge, JSON, strategic, server-side apply) and the status
//! subresource.

use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::objects::{config_map, pod};
use crate::support::{setup, test_server};

#[tokio::test]
async fn merge_patch_adds_and_null_removes() {
    let ctx = setup("patch-merge").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    cms.create(
        &PostParams::default(),
        &config_map("cm", &[("keep", "1")], &[("a", "1"), ("b", "2")]),
    )
    .await
    .unwrap();
    let patched = cms
        .patch(
            "cm",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"labels": {"new": "x"}}, "data": {"a": null, "c": "3"}}),
            ),
        )
        .await
        .unwrap();
    let labels = patched.metadata.labels.unwrap();
    assert_eq!(labels["keep"], "1");
    assert_eq!(labels["new"], "x");
    let data = patched.data.unwrap();
    assert!(!data.contains_key("a"), "{data:?}");
    assert_eq!(data["b"], "2");
    assert_eq!(data["c"], "3");

    let err = cms
        .patch(
            "missing",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {}})),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn json_patch_applies_operations_and_fails_a_failed_test() {
    let ctx = setup("patch-json").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    cms.create(
        &PostParams::default(),
        &config_map("cm", &[], &[("a", "1")]),
    )
    .await
    .unwrap();
    let patched = cms
        .patch(
            "cm",
            &PatchParams::default(),
            &Patch::Json(json!([
                {"op": "test", "path": "/data/a", "value": "1"},
                {"op": "replace", "path": "/data/a", "value": "2"},
                {"op": "add", "path": "/data/b", "value": "3"},
            ])),
        )
        .await
        .unwrap();
    let data = patched.data.unwrap();
    assert_eq!(data["a"], "2");
    assert_eq!(data["b"], "3");

    let err = cms
        .patch(
            "cm",
            &PatchParams::default(),
            &Patch::Json(json!([
                {"op": "test", "path": "/data/a", "value": "1"},
                {"op": "remove", "path": "/data/b"},
            ])),
        )
        .await
        .unwrap_err();
    let code = err.code().unwrap_or_default();
    assert!((400..500).contains(&code), "{err}");
    // Nothing of a failed patch is applied.
    assert_eq!(cms.get("cm").await.unwrap().data.unwrap()["b"], "3");
}

#[tokio::test]
async fn strategic_merge_patch_merges_containers_by_name() {
    let ctx = setup("patch-strategic").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &pod("p", &[]))
        .await
        .unwrap();
    let patched = pods
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Strategic(json!({
                "metadata": {"labels": {"patched": "yes"}},
                "spec": {"activeDeadlineSeconds": 600},
            })),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["patched"], "yes");
    let spec = patched.spec.unwrap();
    assert_eq!(spec.active_deadline_seconds, Some(600));
    assert_eq!(spec.containers.len(), 1, "the container list is kept");
}

#[tokio::test]
async fn server_side_apply_owns_fields_and_conflicts_without_force() {
    let ctx = setup("patch-apply").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let manifest = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "applied"},
        "data": {"owner": "first"},
    });
    let created = cms
        .patch(
            "applied",
            &PatchParams::apply("first"),
            &Patch::Apply(manifest),
        )
        .await
        .unwrap();
    assert_eq!(created.data.as_ref().unwrap()["owner"], "first");
    let operation = created
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .find(|m| m.manager.as_deref() == Some("first"))
        .and_then(|m| m.operation);
    if test_server().is_some() && operation.as_deref() != Some("Apply") {
        // BUG(testserver): apply patches are taken as updates (managedFields operation
        // "Update", no field ownership, so no conflicts); server-side apply is a later
        // test-server issue. The rest runs against real clusters.
        eprintln!("kubeset-testserver does not implement server-side apply yet; rest skipped");
        return;
    }
    assert_eq!(operation.as_deref(), Some("Apply"));

    let other = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "applied"},
        "data": {"owner": "second"},
    });
    let err = cms
        .patch(
            "applied",
            &PatchParams::apply("second"),
            &Patch::Apply(other.clone()),
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let forced = cms
        .patch(
            "applied",
            &PatchParams::apply("second").force(),
            &Patch::Apply(other),
        )
        .await
        .unwrap();
    assert_eq!(forced.data.unwrap()["owner"], "second");
}

#[tokio::test]
async fn status_subresource_reads_and_writes_only_status() {
    let ctx = setup("patch-status").await;
    let pods = ctx.client.pods(&ctx.ns);
    pods.create(&PostParams::default(), &pod("p", &[]))
        .await
        .unwrap();

    let patched = pods
        .patch_status(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"message": "patched", "reason": "Testing"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        patched.status.as_ref().unwrap().message.as_deref(),
        Some("patched")
    );

    // A status write ignores spec changes; a main-resource write ignores status changes.
    let mut pod: Pod = pods.get_status("p").await.unwrap();
    pod.status.as_mut().unwrap().message = Some("replaced".into());
    pod.spec.as_mut().unwrap().active_deadline_seconds = Some(77);
    let replaced = pods
        .replace_status("p", &PostParams::default(), &pod)
        .await
        .unwrap();
    assert_eq!(
        replaced.status.as_ref().unwrap().message.as_deref(),
        Some("replaced")
    );
    assert_eq!(
        replaced.spec.unwrap().active_deadline_seconds,
        None,
        "a status write drops spec changes"
    );

    let after = pods
        .patch(
            "p",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"message": "via main"}})),
        )
        .await
        .unwrap();
    assert_eq!(after.status.unwrap().message.as_deref(), Some("replaced"));
}
