//! The operator's controller run in this process (admin client) against the test's namespace:
//! a Website published in its ConfigMap with status, finalizer and Events; a new generation
//! republished; the ConfigMap repaired when deleted or edited by hand; deleting the Website
//! unpublishes it first; the controller stops on its shutdown signal.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kubeset::clientset::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;

use super::controller::{self, FINALIZER, MANAGER};
use super::website::{READY, Website};
use super::{WAIT, crd, eventually, reasons, website};
use crate::support::{Ctx, setup};

/// The data of ConfigMap `website-<name>`, if it exists.
async fn published(ctx: &Ctx, name: &str) -> Option<BTreeMap<String, String>> {
    let cm: Option<ConfigMap> = ctx
        .client
        .config_maps(&ctx.ns)
        .get_opt(&format!("website-{name}"))
        .await
        .unwrap();
    cm.map(|cm| cm.data.unwrap_or_default())
}

fn pages(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The operator's controller on the test's namespace, in a task; it stops when the sender is
/// used (or dropped).
fn start_controller(
    ctx: &Ctx,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let client = ctx.client.clone();
    let ns = ctx.ns.clone();
    let running = tokio::spawn(async move {
        controller::run(client, Some(&ns), "it-operator", async {
            let _ = stopped.await;
        })
        .await;
    });
    (stop, running)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_publishes_repairs_and_unpublishes_websites() {
    let ctx = setup("operator").await;
    let _crd = crd::install(&ctx.client).await;
    let (stop, running) = start_controller(&ctx);
    let websites: Api<Website> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let docs = website(
        "docs",
        "Docs",
        &[
            ("index.html", "<h1>{{title}}</h1>"),
            ("about.html", "about"),
        ],
    );
    websites
        .create(&PostParams::default(), &docs)
        .await
        .unwrap();

    // published, with the rendered pages
    eventually("the pages published", || async {
        published(&ctx, "docs").await
            == Some(pages(&[
                ("index.html", "<h1>Docs</h1>"),
                ("about.html", "about"),
            ]))
    })
    .await;
    let cm = ctx
        .client
        .config_maps(&ctx.ns)
        .get("website-docs")
        .await
        .unwrap();
    let site = websites.get("docs").await.unwrap();
    let owner = &cm.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str(), owner.controller),
        ("Website", "docs", Some(true))
    );
    assert_eq!(Some(&owner.uid), site.metadata.uid.as_ref());
    assert_eq!(
        cm.metadata.managed_fields.unwrap()[0].manager.as_deref(),
        Some(MANAGER)
    );
    assert_eq!(site.metadata.finalizers, Some(vec![FINALIZER.to_owned()]));

    // the status, through the status subresource, describes this generation
    eventually("the status of generation 1", || async {
        let site = websites.get("docs").await.unwrap();
        let Some(status) = &site.status else {
            return false;
        };
        status.observed_generation == site.metadata.generation
            && status.pages == 2
            && status.config_map.as_deref() == Some("website-docs")
            && site
                .condition(READY)
                .is_some_and(|c| c.status == "True" && c.reason == "Published")
    })
    .await;
    eventually("a Published Event", || async {
        reasons(&ctx, "docs")
            .await
            .contains(&"Published".to_owned())
    })
    .await;

    // a new generation is republished and its status follows
    websites
        .patch(
            "docs",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"title": "Handbook"}})),
        )
        .await
        .unwrap();
    eventually("the new title published", || async {
        published(&ctx, "docs")
            .await
            .is_some_and(|d| d["index.html"] == "<h1>Handbook</h1>")
    })
    .await;
    eventually("the status of generation 2", || async {
        let site = websites.get("docs").await.unwrap();
        site.metadata.generation == Some(2)
            && site.status.and_then(|s| s.observed_generation) == Some(2)
    })
    .await;

    // a ConfigMap deleted by hand comes back; one edited by hand is put back
    ctx.client
        .config_maps(&ctx.ns)
        .delete("website-docs", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the deleted ConfigMap recreated", || async {
        published(&ctx, "docs").await.is_some()
    })
    .await;
    ctx.client
        .config_maps(&ctx.ns)
        .patch(
            "website-docs",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"index.html": "defaced"}})),
        )
        .await
        .unwrap();
    eventually("the edited ConfigMap put back", || async {
        published(&ctx, "docs")
            .await
            .is_some_and(|d| d["index.html"] == "<h1>Handbook</h1>")
    })
    .await;

    // deleting the Website unpublishes it first, then it goes
    websites
        .delete("docs", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the Website and its ConfigMap gone", || async {
        websites.get_opt("docs").await.unwrap().is_none() && published(&ctx, "docs").await.is_none()
    })
    .await;
    eventually("an Unpublished Event", || async {
        reasons(&ctx, "docs")
            .await
            .contains(&"Unpublished".to_owned())
    })
    .await;

    stop.send(()).unwrap();
    tokio::time::timeout(WAIT, running)
        .await
        .expect("the controller stops on its signal")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_website_the_api_server_refuses_to_publish_is_reported_not_retried() {
    let ctx = setup("operator-refused").await;
    let _crd = crd::install(&ctx.client).await;
    let (stop, running) = start_controller(&ctx);
    // more than a ConfigMap holds (1 MiB): the schema cannot say so, the ConfigMap write fails
    let big = "x".repeat(600 * 1024);
    let site = website(
        "huge",
        "Huge",
        &[("index.html", big.as_str()), ("more.html", big.as_str())],
    );
    let websites: Api<Website> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    websites
        .create(&PostParams::default(), &site)
        .await
        .unwrap();
    eventually("Ready False with the API server's reason", || async {
        let site = websites.get("huge").await.unwrap();
        site.condition(READY).is_some_and(|c| {
            c.status == "False" && c.reason == "PublishFailed" && c.message.contains("1048576")
        }) && site.status.as_ref().is_some_and(|s| s.pages == 0)
    })
    .await;
    eventually("a PublishFailed warning", || async {
        reasons(&ctx, "huge")
            .await
            .contains(&"PublishFailed".to_owned())
    })
    .await;
    assert_eq!(published(&ctx, "huge").await, None);
    stop.send(()).unwrap();
    tokio::time::timeout(WAIT, running).await.unwrap().unwrap();
}
