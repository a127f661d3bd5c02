//! The `operator` example (the `Website` custom resource and its controller) end to end: its
//! CRD applied (through `Api` and through `kctl apply` of `operator crd`), waited for until
//! Established, and the controller run in-process and as a pod would run it with its
//! manifests' permissions. Against a real cluster too (`KUBESET_TEST_KUBECONFIG`): the tests
//! that use the CRD take turns, and each removes it when done.

#[path = "../../examples/operator/controller.rs"]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with the operator example"
)]
mod controller;
#[path = "../../examples/operator/website.rs"]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with the operator example"
)]
mod website;

mod crd;
mod deployed;
mod in_process;
mod validation;

use std::future::Future;
use std::time::{Duration, Instant};

use k8s_openapi::api::events::v1::Event;
use kubeset::clientset::{Api, ListParams};

use crate::support::Ctx;
use website::{Website, WebsiteSpec};

/// How long anything the operator does may take.
const WAIT: Duration = Duration::from_secs(30);

/// A Website `name` titled `title` with `pages` (file name, body).
fn website(name: &str, title: &str, pages: &[(&str, &str)]) -> Website {
    let pages = pages
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Website::new(
        name,
        WebsiteSpec {
            title: title.to_owned(),
            pages,
        },
    )
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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The reasons of the Events about Website `name` in the test's namespace.
async fn reasons(ctx: &Ctx, name: &str) -> Vec<String> {
    let events: Api<Event> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let list = events.list(&ListParams::default()).await.unwrap();
    list.items
        .into_iter()
        .filter(|e| {
            e.regarding.as_ref().and_then(|r| r.kind.as_deref()) == Some("Website")
                && e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name)
        })
        .filter_map(|e| e.reason)
        .collect()
}
