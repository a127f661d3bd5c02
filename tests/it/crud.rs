//! get, get_opt, create, replace (optimistic concurrency), delete (preconditions,
//! propagation, finalizers) and dry-run, against a live server.

use kubeset::clientset::Patch;
use kubeset::clientset::{DeleteParams, Either, PatchParams, PostParams, PropagationPolicy};
use serde_json::json;

use crate::support::objects::config_map;
use crate::support::setup;

#[tokio::test]
async fn create_then_get_and_get_opt() {
    let ctx = setup("crud-get").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let created = cms
        .create(
            &PostParams::default(),
            &config_map("one", &[("app", "x")], &[("k", "v")]),
        )
        .await
        .unwrap();
    let meta = &created.metadata;
    assert_eq!(meta.namespace.as_deref(), Some(ctx.ns.as_str()));
    assert!(
        meta.uid.as_deref().is_some_and(|u| !u.is_empty()),
        "{meta:?}"
    );
    assert!(meta.resource_version.is_some(), "{meta:?}");
    assert!(meta.creation_timestamp.is_some(), "{meta:?}");

    let got = cms.get("one").await.unwrap();
    assert_eq!(got.metadata.uid, created.metadata.uid);
    assert_eq!(got.data.unwrap()["k"], "v");
    assert!(cms.get_opt("one").await.unwrap().is_some());
    assert!(cms.get_opt("missing").await.unwrap().is_none());

    let err = cms.get("missing").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.code(), Some(404));
    let err = cms
        .create(&PostParams::default(), &config_map("one", &[], &[]))
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err}");
}

#[tokio::test]
async fn default_namespace_handles_use_the_clients_namespace() {
    let ctx = setup("crud-default-ns").await;
    assert_eq!(ctx.client.default_namespace(), ctx.ns);
    ctx.client
        .default_config_maps()
        .create(&PostParams::default(), &config_map("here", &[], &[]))
        .await
        .unwrap();
    assert!(
        ctx.client
            .config_maps(&ctx.ns)
            .get_opt("here")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn replace_with_a_stale_resource_version_conflicts() {
    let ctx = setup("crud-replace").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let first = cms
        .create(
            &PostParams::default(),
            &config_map("cm", &[], &[("n", "1")]),
        )
        .await
        .unwrap();
    let mut next = first.clone();
    next.data
        .get_or_insert_with(Default::default)
        .insert("n".into(), "2".into());
    let replaced = cms
        .replace("cm", &PostParams::default(), &next)
        .await
        .unwrap();
    assert_eq!(replaced.data.as_ref().unwrap()["n"], "2");
    assert_ne!(
        replaced.metadata.resource_version,
        first.metadata.resource_version
    );

    // `first` still carries the old resourceVersion.
    let mut stale = first.clone();
    stale
        .data
        .get_or_insert_with(Default::default)
        .insert("n".into(), "3".into());
    let err = cms
        .replace("cm", &PostParams::default(), &stale)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(err.code(), Some(409));
    assert_eq!(cms.get("cm").await.unwrap().data.unwrap()["n"], "2");

    let err = cms
        .replace(
            "absent",
            &PostParams::default(),
            &config_map("absent", &[], &[]),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn delete_checks_its_preconditions() {
    let ctx = setup("crud-delete-pre").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let created = cms
        .create(&PostParams::default(), &config_map("cm", &[], &[]))
        .await
        .unwrap();
    let uid = created.metadata.uid.clone().unwrap();
    let rv = created.metadata.resource_version.clone().unwrap();

    let wrong_uid =
        DeleteParams::default().precondition_uid("00000000-0000-0000-0000-000000000000");
    let err = cms.delete("cm", &wrong_uid).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");

    // A change makes `rv` stale.
    cms.patch(
        "cm",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"x": "y"}})),
    )
    .await
    .unwrap();
    let stale_rv = DeleteParams::default().precondition_version(&rv);
    let err = cms.delete("cm", &stale_rv).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(cms.get_opt("cm").await.unwrap().is_some());

    let right = DeleteParams::default().precondition_uid(&uid);
    match cms.delete("cm", &right).await.unwrap() {
        Either::Left(cm) => assert_eq!(cm.metadata.uid.as_deref(), Some(uid.as_str())),
        Either::Right(status) => assert_eq!(status.status.as_deref(), Some("Success")),
    }
    assert!(cms.get_opt("cm").await.unwrap().is_none());
    let err = cms
        .delete("cm", &DeleteParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn background_propagation_deletes_at_once() {
    let ctx = setup("crud-delete-bg").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    cms.create(&PostParams::default(), &config_map("cm", &[], &[]))
        .await
        .unwrap();
    let dp = DeleteParams::default().propagation(PropagationPolicy::Background);
    cms.delete("cm", &dp).await.unwrap();
    assert!(cms.get_opt("cm").await.unwrap().is_none());
}

#[tokio::test]
async fn a_finalizer_keeps_a_deleted_object_until_it_is_removed() {
    let ctx = setup("crud-finalizer").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let mut cm = config_map("held", &[], &[]);
    cm.metadata.finalizers = Some(vec!["kubeset.test/hold".into()]);
    cms.create(&PostParams::default(), &cm).await.unwrap();

    let answer = cms.delete("held", &DeleteParams::default()).await.unwrap();
    let Either::Left(deleting) = answer else {
        panic!("a held object comes back, not a Status: {answer:?}");
    };
    assert!(
        deleting.metadata.deletion_timestamp.is_some(),
        "{:?}",
        deleting.metadata
    );
    let still = cms.get("held").await.unwrap();
    assert!(still.metadata.deletion_timestamp.is_some());

    cms.patch(
        "held",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"finalizers": null}})),
    )
    .await
    .unwrap();
    assert!(cms.get_opt("held").await.unwrap().is_none());
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let ctx = setup("crud-dry-run").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let answer = cms
        .create(
            &PostParams::default().dry_run(),
            &config_map("dry", &[], &[("k", "v")]),
        )
        .await
        .unwrap();
    assert_eq!(answer.metadata.name.as_deref(), Some("dry"));
    assert!(cms.get_opt("dry").await.unwrap().is_none());

    cms.create(
        &PostParams::default(),
        &config_map("real", &[], &[("k", "v")]),
    )
    .await
    .unwrap();
    let patched = cms
        .patch(
            "real",
            &PatchParams::default().dry_run(),
            &Patch::Merge(json!({"data": {"k": "changed"}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.data.unwrap()["k"], "changed");
    assert_eq!(cms.get("real").await.unwrap().data.unwrap()["k"], "v");

    cms.delete("real", &DeleteParams::default().dry_run())
        .await
        .unwrap();
    assert!(cms.get_opt("real").await.unwrap().is_some());
}

#[tokio::test]
async fn field_manager_is_recorded() {
    let ctx = setup("crud-manager").await;
    let cms = ctx.client.config_maps(&ctx.ns);
    let created = cms
        .create(
            &PostParams::default().field_manager("kubeset-e2e"),
            &config_map("cm", &[], &[("k", "v")]),
        )
        .await
        .unwrap();
    let managers: Vec<_> = created
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(managers.iter().any(|m| m == "kubeset-e2e"), "{managers:?}");
}
