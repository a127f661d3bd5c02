//! The `controller` example (a ConfigMap syncer), deployed with its manifests' permissions
//! and run as a pod would run it: copies made, updated, repaired and pruned, the finalizer
//! removing them with the source, Events and status written, a clean exit on SIGTERM, and
//! the missing-rule error; its manifests grant exactly what it used (from the audit log).

use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::events::v1::Event;
use kubeset::clientset::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use crate::support::deploy::{Daemon, Deployed, apply, manifests};
use crate::support::least_privilege::assert_exactly_granted;
use crate::support::objects::config_map;
use crate::support::{Ctx, ServiceAccountFiles, setup, test_server};

const MANIFESTS: &str = "examples/deploy/controller/controller.yaml";
const WAIT: Duration = Duration::from_secs(30);

async fn deploy(ctx: &Ctx, edit: impl FnOnce(&mut Vec<Value>)) -> (Deployed, ServiceAccountFiles) {
    let mut objects = manifests(MANIFESTS);
    edit(&mut objects);
    let deployed = apply(ctx, objects).await;
    let files = ServiceAccountFiles::new(ctx, "kubeset-configmap-sync").await;
    (deployed, files)
}

/// Polls `check` until it holds; panics naming `what` after [`WAIT`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "not within {WAIT:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `a` value of ConfigMap `settings` in `namespace` (`None`: no such ConfigMap).
async fn copy(ctx: &Ctx, namespace: &str) -> Option<String> {
    let cm = ctx
        .client
        .config_maps(namespace)
        .get_opt("settings")
        .await
        .unwrap()?;
    Some(
        cm.data
            .unwrap_or_default()
            .get("a")
            .cloned()
            .unwrap_or_default(),
    )
}

async fn ask(ctx: &Ctx, namespace: &str, asks: bool) {
    let value = if asks { json!(ctx.ns) } else { Value::Null };
    ctx.client
        .namespaces()
        .patch(
            namespace,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"kubeset.example/sync-from": value}}})),
        )
        .await
        .unwrap();
}

async fn set_source(ctx: &Ctx, value: &str) {
    ctx.client
        .config_maps(&ctx.ns)
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": value}})),
        )
        .await
        .unwrap();
}

/// The reasons of the Events about the source.
async fn reasons(ctx: &Ctx) -> Vec<String> {
    let events: Api<Event> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let list = events.list(&ListParams::default()).await.unwrap();
    list.items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("settings"))
        .filter_map(|e| e.reason)
        .collect()
}

#[tokio::test]
async fn controller_keeps_copies_in_sync_and_removes_them_with_the_source() {
    let ctx = setup("controller").await;
    let (_deployed, files) = deploy(&ctx, |_| {}).await;
    let (a, b, c) = (
        setup("controller-a").await,
        setup("controller-b").await,
        setup("controller-c").await,
    );
    ask(&ctx, &a.ns, true).await;
    ask(&ctx, &b.ns, true).await;
    let source = config_map(
        "settings",
        &[("kubeset.example/sync", "true")],
        &[("a", "1")],
    );
    ctx.client
        .config_maps(&ctx.ns)
        .create(&PostParams::default(), &source)
        .await
        .unwrap();
    // not labelled for syncing: never copied
    let private = config_map("private", &[], &[("a", "1")]);
    ctx.client
        .config_maps(&ctx.ns)
        .create(&PostParams::default(), &private)
        .await
        .unwrap();

    let mut daemon = Daemon::start("controller", &files, "sync-0", &[]);
    daemon.wait_for("sync-0 leads", WAIT).await;

    eventually("copies in the asking namespaces", || async {
        copy(&ctx, &a.ns).await.as_deref() == Some("1")
            && copy(&ctx, &b.ns).await.as_deref() == Some("1")
    })
    .await;
    assert_eq!(copy(&ctx, &c.ns).await, None, "c did not ask");
    let private_copy = ctx
        .client
        .config_maps(&a.ns)
        .get_opt("private")
        .await
        .unwrap();
    assert!(private_copy.is_none());
    let source = ctx
        .client
        .config_maps(&ctx.ns)
        .get("settings")
        .await
        .unwrap();
    assert_eq!(
        source.metadata.finalizers,
        Some(vec!["kubeset.example/copies".to_owned()])
    );
    eventually("the status annotation", || async {
        let source = ctx
            .client
            .config_maps(&ctx.ns)
            .get("settings")
            .await
            .unwrap();
        let annotations = source.metadata.annotations.unwrap_or_default();
        annotations
            .get("kubeset.example/synced-namespaces")
            .map(String::as_str)
            == Some("2")
    })
    .await;

    // an update is propagated
    set_source(&ctx, "2").await;
    eventually("the update in both copies", || async {
        copy(&ctx, &a.ns).await.as_deref() == Some("2")
            && copy(&ctx, &b.ns).await.as_deref() == Some("2")
    })
    .await;
    // a deleted copy is put back, an edited one reverted
    ctx.client
        .config_maps(&a.ns)
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    ctx.client
        .config_maps(&b.ns)
        .patch(
            "settings",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": "edited"}})),
        )
        .await
        .unwrap();
    eventually(
        "the deleted copy repaired and the edited one reverted",
        || async {
            copy(&ctx, &a.ns).await.as_deref() == Some("2")
                && copy(&ctx, &b.ns).await.as_deref() == Some("2")
        },
    )
    .await;
    // a namespace that stops asking loses its copy, one that starts gets it
    ask(&ctx, &b.ns, false).await;
    ask(&ctx, &c.ns, true).await;
    eventually("b pruned, c copied", || async {
        copy(&ctx, &b.ns).await.is_none() && copy(&ctx, &c.ns).await.as_deref() == Some("2")
    })
    .await;
    eventually("a Synced Event", || async {
        reasons(&ctx).await.iter().any(|r| r == "Synced")
    })
    .await;

    // a source that loses its label: its copies go, and so does the finalizer
    let other = config_map("other", &[("kubeset.example/sync", "true")], &[("a", "1")]);
    ctx.client
        .config_maps(&ctx.ns)
        .create(&PostParams::default(), &other)
        .await
        .unwrap();
    let has_copy = || async {
        ctx.client
            .config_maps(&a.ns)
            .get_opt("other")
            .await
            .unwrap()
            .is_some()
    };
    eventually("a copy of the second source", has_copy).await;
    let unlabel = json!({"metadata": {"labels": {"kubeset.example/sync": null}}});
    ctx.client
        .config_maps(&ctx.ns)
        .patch("other", &PatchParams::default(), &Patch::Merge(unlabel))
        .await
        .unwrap();
    eventually(
        "the unlabelled source's copy and finalizer gone",
        || async {
            let other = ctx.client.config_maps(&ctx.ns).get("other").await.unwrap();
            !has_copy().await && other.metadata.finalizers.unwrap_or_default().is_empty()
        },
    )
    .await;

    // deleting the source deletes the copies first, then the finalizer lets it go
    ctx.client
        .config_maps(&ctx.ns)
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    eventually("copies and source gone", || async {
        copy(&ctx, &a.ns).await.is_none()
            && copy(&ctx, &c.ns).await.is_none()
            && ctx
                .client
                .config_maps(&ctx.ns)
                .get_opt("settings")
                .await
                .unwrap()
                .is_none()
    })
    .await;
    eventually("a CleanedUp Event", || async {
        reasons(&ctx).await.iter().any(|r| r == "CleanedUp")
    })
    .await;

    assert!(
        daemon.terminate(Duration::from_secs(10)).await,
        "{}",
        daemon.output()
    );
    assert!(
        daemon.stdout().contains("lease released"),
        "{}",
        daemon.output()
    );
    assert!(!daemon.stderr().contains("error"), "{}", daemon.output());

    // least privilege: the manifests grant exactly what all of this used (on the test
    // server, whose audit log is the evidence), the test's namespace standing for theirs
    if let Some(server) = test_server() {
        let usage = assert_exactly_granted(
            server,
            "system:serviceaccount:kubeset-system:kubeset-configmap-sync",
            "examples/deploy/controller",
            &[(ctx.ns.as_str(), "kubeset-system")],
        )
        .await;
        assert!(usage.denied.is_empty(), "{:?}", usage.denied);
    }
}

#[tokio::test]
async fn controller_without_the_delete_rule_names_it_and_exits() {
    let ctx = setup("controller-rbac").await;
    let (_deployed, files) = deploy(&ctx, |objects| {
        let role = objects
            .iter_mut()
            .find(|o| o["kind"] == "ClusterRole")
            .unwrap();
        for rule in role["rules"].as_array_mut().unwrap() {
            if rule["resources"] == json!(["configmaps"]) {
                rule["verbs"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|v| v != "delete");
            }
        }
    })
    .await;
    let mut daemon = Daemon::start("controller", &files, "sync-0", &[]);
    assert!(!daemon.wait(WAIT).await, "{}", daemon.output());
    let stderr = daemon.stderr();
    let user = format!("system:serviceaccount:{}:kubeset-configmap-sync", ctx.ns);
    assert!(
        stderr.contains(&format!("{user} lacks 1 permission(s)")),
        "{stderr}"
    );
    assert!(
        stderr.contains("delete configmaps (cluster-wide)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("- delete"),
        "the rule that would allow it: {stderr}"
    );
}
