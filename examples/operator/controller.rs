//! The reconcile: one Website, its ConfigMap, its status and its Events.
//!
//! - **Published:** the ConfigMap `website-<name>` holds the rendered pages, written with
//!   server-side apply (field manager [`MANAGER`], forced), so a hand edit is put back and a
//!   hand delete recreated (the ConfigMaps are watched and map to their owner), and it is
//!   owned by the Website (a controller owner reference), so the garbage collector would also
//!   remove it.
//! - **Status** through the status subresource, written only when it changes:
//!   `observedGeneration`, the number of pages, the ConfigMap's name and the `Ready` condition
//!   (`Published`, or `PublishFailed` with the API server's message when the ConfigMap is
//!   refused; then the Website waits for its next change instead of retrying).
//! - **Cleanup:** the finalizer [`FINALIZER`] holds a deleted Website until its ConfigMap is
//!   deleted (the operator does not rely on garbage collection, which runs late on a busy
//!   cluster and not at all if the owner reference was removed).
//! - **Events** on the Website: `Published` for each new generation, `Unpublished` at
//!   cleanup, `PublishFailed` warnings.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::Resource;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kubeset::clientset::{Api, Client, DeleteParams, Patch, PatchParams};
use kubeset::runtime::controller::{Action, Controller};
use kubeset::runtime::finalizer::{self, Event};
use kubeset::runtime::{
    EventRecorder, NewEvent, Reporter, WatcherConfig, predicates, reference_to,
};
use serde_json::json;

use super::website::{READY, Website, WebsiteStatus, condition};

/// Our finalizer on Websites.
pub(crate) const FINALIZER: &str = "kubeset.example/unpublish";
/// The field manager of our writes, and the Events' reporting controller.
pub(crate) const MANAGER: &str = "kubeset-website-operator";
/// The label on every ConfigMap we publish (the owned-object watch selects by it).
pub(crate) const WEBSITE_LABEL: &str = "kubeset.example/website";

/// What every reconcile shares.
pub(crate) struct Context {
    pub(crate) client: Client,
    pub(crate) recorder: EventRecorder,
}

/// A failed write, naming the object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Error {
    /// Writing the ConfigMap failed (and not because the API server refused its content).
    #[error("failed to publish the ConfigMap {namespace}/{name}")]
    Publish {
        namespace: String,
        name: String,
        #[source]
        source: kubeset::clientset::Error,
    },
    /// Deleting the ConfigMap failed.
    #[error("failed to delete the ConfigMap {namespace}/{name}")]
    Unpublish {
        namespace: String,
        name: String,
        #[source]
        source: kubeset::clientset::Error,
    },
    /// Writing the Website's status failed.
    #[error("failed to write the status of Website {namespace}/{name}")]
    Status {
        namespace: String,
        name: String,
        #[source]
        source: kubeset::clientset::Error,
    },
}

/// Reconciles the Websites of `namespace` (every namespace when `None`) until `shutdown`
/// completes; then running reconciles finish and pending Events are written. Each failed
/// reconcile is printed with its causes.
pub(crate) async fn run(
    client: Client,
    namespace: Option<&str>,
    identity: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (websites, config_maps): (Api<Website>, Api<ConfigMap>) = match namespace {
        Some(ns) => (Api::namespaced(client.clone(), ns), client.config_maps(ns)),
        None => (Api::all(client.clone()), client.all_config_maps()),
    };
    let recorder = EventRecorder::new(client.clone(), Reporter::new(MANAGER, identity));
    let context = Arc::new(Context {
        client,
        recorder: recorder.clone(),
    });
    Controller::new(websites, WatcherConfig::default())
        // a changed or deleted ConfigMap of ours reconciles its Website
        .owns(config_maps, WatcherConfig::default().labels(WEBSITE_LABEL))
        // our own status writes do not reconcile again; spec, finalizers and deletion do
        .reconcile_when(|w: &Website| {
            let deleting = w.metadata.deletion_timestamp.is_some();
            Some(hash(&(
                predicates::generation(w),
                predicates::finalizers(w),
                deleting,
            )))
        })
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, context)
        .for_each(|result| async move {
            if let Err(err) = result {
                report(&err);
            }
        })
        .await;
    recorder.flush().await;
}

/// Publishes the Website (adding our finalizer first), or unpublishes it when it is being
/// deleted.
pub(crate) async fn reconcile(
    website: Arc<Website>,
    ctx: Arc<Context>,
) -> Result<Action, finalizer::Error<Error>> {
    let namespace = website.metadata.namespace.clone().unwrap_or_default();
    let websites: Api<Website> = Api::namespaced(ctx.client.clone(), &namespace);
    finalizer::finalizer(&websites, FINALIZER, website, |event| async {
        match event {
            Event::Apply(website) => publish(&websites, &website, &ctx).await,
            Event::Cleanup(website) => unpublish(&website, &ctx).await,
            _ => Ok(Action::await_change()),
        }
    })
    .await
}

/// A failed reconcile is reported on the Website and retried with the key's backoff.
pub(crate) fn error_policy(
    website: Arc<Website>,
    err: &finalizer::Error<Error>,
    ctx: Arc<Context>,
) -> Action {
    ctx.recorder.record(
        NewEvent::warning(reference_to(&*website), "ReconcileFailed", "Publish").note(causes(err)),
    );
    Action::backoff()
}

async fn publish(
    websites: &Api<Website>,
    website: &Website,
    ctx: &Context,
) -> Result<Action, Error> {
    let namespace = website.metadata.namespace.clone().unwrap_or_default();
    let name = website.config_map_name();
    let generation = website.metadata.generation;
    let pages = website.rendered_pages();
    let count = i32::try_from(pages.len()).unwrap_or(i32::MAX);
    let written = ctx
        .client
        .config_maps(&namespace)
        .patch(
            &name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(config_map(website, &name, pages)),
        )
        .await;
    let (ready, reason, message) = match written {
        Ok(_) => (
            true,
            "Published",
            format!("{count} page(s) published in ConfigMap {name}"),
        ),
        // The API server refused the content (a page too large, say): retrying cannot help,
        // the Website must change. Say so in its status and an Event.
        Err(err) if err.is_invalid() => (false, "PublishFailed", causes(&err)),
        Err(source) => {
            return Err(Error::Publish {
                namespace,
                name,
                source,
            });
        }
    };
    let published_before = website
        .status
        .as_ref()
        .is_some_and(|s| s.observed_generation == generation)
        && website.condition(READY).map(|c| c.status.as_str())
            == Some(if ready { "True" } else { "False" });
    let status = WebsiteStatus {
        observed_generation: generation,
        conditions: vec![condition(
            website.condition(READY),
            READY,
            ready,
            reason,
            message.clone(),
            generation,
        )],
        pages: if ready { count } else { 0 },
        config_map: ready.then(|| name.clone()),
    };
    if website.status.as_ref() != Some(&status) {
        websites
            .patch_status(
                website.name(),
                &PatchParams::default(),
                &Patch::Merge(json!({ "status": status })),
            )
            .await
            .map_err(|source| Error::Status {
                namespace: namespace.clone(),
                name: website.name().to_owned(),
                source,
            })?;
    }
    if !published_before {
        let event = if ready {
            NewEvent::normal(reference_to(website), reason, "Publish")
        } else {
            NewEvent::warning(reference_to(website), reason, "Publish")
        };
        ctx.recorder.record(event.note(message));
    }
    // Look again now and then even without a change (a missed watch event is repaired).
    Ok(Action::requeue(Duration::from_secs(600)))
}

/// The ConfigMap to apply: the pages, our label, and the Website as its controller.
fn config_map(
    website: &Website,
    name: &str,
    pages: std::collections::BTreeMap<String, String>,
) -> serde_json::Value {
    let owner = OwnerReference {
        api_version: Website::API_VERSION.to_owned(),
        kind: Website::KIND.to_owned(),
        name: website.name().to_owned(),
        uid: website.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    };
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some([(WEBSITE_LABEL.to_owned(), website.name().to_owned())].into()),
            owner_references: Some(vec![owner]),
            ..ObjectMeta::default()
        },
        data: Some(pages),
        ..ConfigMap::default()
    };
    let mut body = serde_json::to_value(&cm).unwrap_or_default();
    body["apiVersion"] = "v1".into();
    body["kind"] = "ConfigMap".into();
    body
}

/// The Website goes away: its ConfigMap goes first (the finalizer holds the Website until
/// then).
async fn unpublish(website: &Website, ctx: &Context) -> Result<Action, Error> {
    let namespace = website.metadata.namespace.clone().unwrap_or_default();
    let name = website.config_map_name();
    match ctx
        .client
        .config_maps(&namespace)
        .delete(&name, &DeleteParams::default())
        .await
    {
        Ok(_) => {}
        Err(err) if err.is_not_found() => {}
        Err(source) => {
            return Err(Error::Unpublish {
                namespace,
                name,
                source,
            });
        }
    }
    ctx.recorder.record(
        NewEvent::normal(reference_to(website), "Unpublished", "Unpublish")
            .note(format!("deleted ConfigMap {name}")),
    );
    Ok(Action::await_change())
}

/// An error and its causes on one line.
fn causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(next) = cause {
        text.push_str(&format!(": {next}"));
        cause = next.source();
    }
    text
}

/// Prints an error and its causes.
fn report(err: &dyn std::error::Error) {
    eprintln!("error: {}", causes(err));
}

fn hash(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}
