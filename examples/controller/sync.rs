//! The reconcile: one source ConfigMap, its copies in the namespaces that ask for it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeset::clientset::{Api, Client, DeleteParams, Patch, PatchParams};
use kubeset::runtime::controller::Action;
use kubeset::runtime::finalizer::{self, Event};
use kubeset::runtime::{EventRecorder, Index, NewEvent, Store, reference_to};

/// The label that marks a ConfigMap of the source namespace for syncing.
pub(crate) const SYNC_LABEL: &str = "kubeset.example/sync";
/// The label with which a namespace asks for the ConfigMaps of a source namespace (its value).
pub(crate) const SYNC_FROM_LABEL: &str = "kubeset.example/sync-from";
/// The label on every copy: the source namespace.
pub(crate) const SOURCE_NAMESPACE_LABEL: &str = "kubeset.example/source-namespace";
/// The annotation on every copy: `namespace/name` of its source.
pub(crate) const SOURCE_ANNOTATION: &str = "kubeset.example/source";
/// The annotation on the source: how many namespaces hold an up-to-date copy.
pub(crate) const STATUS_ANNOTATION: &str = "kubeset.example/synced-namespaces";
/// Our finalizer on the sources.
pub(crate) const FINALIZER: &str = "kubeset.example/copies";
/// The field manager of our writes.
pub(crate) const MANAGER: &str = "kubeset-configmap-sync";

/// What every reconcile shares.
pub(crate) struct Context {
    pub(crate) client: Client,
    pub(crate) source_namespace: String,
    /// Namespaces that ask for copies (by label).
    pub(crate) namespaces: Store<Namespace>,
    /// Our copies, by the `namespace/name` of their source.
    pub(crate) copies_by_source: Index<ConfigMap>,
    pub(crate) recorder: EventRecorder,
}

/// A failed write, naming the object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Error {
    /// Writing a copy failed.
    #[error("failed to write the copy {namespace}/{name}")]
    WriteCopy {
        namespace: String,
        name: String,
        #[source]
        source: kubeset::clientset::Error,
    },
    /// Deleting a copy failed.
    #[error("failed to delete the copy {namespace}/{name}")]
    DeleteCopy {
        namespace: String,
        name: String,
        #[source]
        source: kubeset::clientset::Error,
    },
    /// Writing the status annotation or removing the finalizer of the source failed.
    #[error("failed to write the metadata of {name}")]
    Status {
        name: String,
        #[source]
        source: kubeset::clientset::Error,
    },
}

/// `namespace/name` of a source.
pub(crate) fn source_key(cm: &ConfigMap) -> String {
    format!(
        "{}/{}",
        cm.metadata.namespace.as_deref().unwrap_or(""),
        cm.metadata.name.as_deref().unwrap_or("")
    )
}

/// Copies `source` where it is asked for, prunes it where it no longer is, and removes every
/// copy (then the finalizer) when the source is deleted.
pub(crate) async fn reconcile(
    source: Arc<ConfigMap>,
    ctx: Arc<Context>,
) -> Result<Action, finalizer::Error<Error>> {
    let sources: Api<ConfigMap> = ctx.client.config_maps(&ctx.source_namespace);
    if !is_source(&source) {
        // No longer labelled (or never was): it goes away as a source.
        return unlabelled(&sources, &source, &ctx)
            .await
            .map_err(|source_error| finalizer::Error::Cleanup {
                object: kubeset::runtime::controller::ObjectRef::new(
                    source.metadata.name.as_deref().unwrap_or(""),
                )
                .within(&ctx.source_namespace),
                source: source_error,
            });
    }
    finalizer::finalizer(&sources, FINALIZER, source, |event| async {
        match event {
            Event::Apply(source) => apply(&source, &ctx).await,
            Event::Cleanup(source) => cleanup(&source, &ctx).await,
            _ => Ok(Action::await_change()),
        }
    })
    .await
}

/// Whether `cm` is labelled for syncing.
pub(crate) fn is_source(cm: &ConfigMap) -> bool {
    cm.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(SYNC_LABEL))
        .is_some_and(|v| v == "true")
}

/// A ConfigMap that lost its label but still carries our finalizer: its copies go, then the
/// finalizer (a JSON patch that `test`s its position, so no other finalizer is lost).
async fn unlabelled(
    sources: &Api<ConfigMap>,
    cm: &ConfigMap,
    ctx: &Context,
) -> Result<Action, Error> {
    let finalizers = cm.metadata.finalizers.as_deref().unwrap_or_default();
    let Some(position) = finalizers.iter().position(|f| f == FINALIZER) else {
        return Ok(Action::await_change());
    };
    cleanup(cm, ctx).await?;
    let name = cm.metadata.name.clone().unwrap_or_default();
    let path = format!("/metadata/finalizers/{position}");
    let patch = serde_json::json!([
        {"op": "test", "path": path, "value": FINALIZER},
        {"op": "remove", "path": path},
    ]);
    match sources
        .patch(&name, &PatchParams::default(), &Patch::Json(patch))
        .await
    {
        Ok(_) => {}
        // The `test` failed (422) or the source is gone (404): the finalizers changed since
        // the cached read, most often because this controller removed ours a moment ago and
        // the cache has not seen it yet. That change reconciles the source again.
        Err(err) if matches!(err.code(), Some(404 | 422)) => {}
        Err(source) => return Err(Error::Status { name, source }),
    }
    Ok(Action::await_change())
}

async fn apply(source: &ConfigMap, ctx: &Context) -> Result<Action, Error> {
    let name = source.metadata.name.clone().unwrap_or_default();
    let key = source_key(source);
    let wanted: BTreeSet<String> = ctx
        .namespaces
        .list()
        .iter()
        .filter(|ns| ns.metadata.deletion_timestamp.is_none())
        .filter_map(|ns| ns.metadata.name.clone())
        .filter(|ns| *ns != ctx.source_namespace)
        .collect();
    let copies = ctx.copies_by_source.get(&key);
    let (mut written, mut removed) = (Vec::new(), Vec::new());
    for namespace in &wanted {
        let current = copies
            .iter()
            .find(|c| c.metadata.namespace.as_deref() == Some(namespace.as_str()));
        if current.is_some_and(|c| c.data == source.data && c.binary_data == source.binary_data) {
            continue;
        }
        write_copy(source, namespace, &name, &key, ctx).await?;
        written.push(namespace.clone());
    }
    for copy in &copies {
        let namespace = copy.metadata.namespace.clone().unwrap_or_default();
        if !wanted.contains(&namespace) {
            delete_copy(&namespace, &name, ctx).await?;
            removed.push(namespace);
        }
    }
    if !written.is_empty() || !removed.is_empty() {
        let note = format!(
            "copied to {} namespace(s){}, removed from {}",
            written.len(),
            list(&written),
            removed.len()
        ) + &list(&removed);
        println!("{key}: {note}");
        ctx.recorder
            .record(NewEvent::normal(reference_to(source), "Synced", "Sync").note(note));
    }
    let status = wanted.len().to_string();
    let current = source
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(STATUS_ANNOTATION));
    if current != Some(&status) {
        let patch = serde_json::json!({"metadata": {"annotations": {STATUS_ANNOTATION: status}}});
        ctx.client
            .config_maps(&ctx.source_namespace)
            .patch(&name, &PatchParams::default(), &Patch::Merge(patch))
            .await
            .map_err(|source| Error::Status {
                name: name.clone(),
                source,
            })?;
    }
    // Look again now and then even without a change (a missed watch event is repaired).
    Ok(Action::requeue(Duration::from_secs(300)))
}

fn list(namespaces: &[String]) -> String {
    if namespaces.is_empty() {
        String::new()
    } else {
        format!(" ({})", namespaces.join(", "))
    }
}

/// Server-side apply of the copy: the same call whether it exists, differs or is missing;
/// `force` takes the fields back from whoever edited the copy.
async fn write_copy(
    source: &ConfigMap,
    namespace: &str,
    name: &str,
    key: &str,
    ctx: &Context,
) -> Result<(), Error> {
    let copy = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: Some(
                [
                    (
                        SOURCE_NAMESPACE_LABEL.to_owned(),
                        ctx.source_namespace.clone(),
                    ),
                    (
                        "app.kubernetes.io/managed-by".to_owned(),
                        MANAGER.to_owned(),
                    ),
                ]
                .into(),
            ),
            annotations: Some([(SOURCE_ANNOTATION.to_owned(), key.to_owned())].into()),
            ..ObjectMeta::default()
        },
        data: source.data.clone(),
        binary_data: source.binary_data.clone(),
        immutable: None,
    };
    let mut body = serde_json::to_value(&copy).unwrap_or_default();
    body["apiVersion"] = "v1".into();
    body["kind"] = "ConfigMap".into();
    ctx.client
        .config_maps(namespace)
        .patch(
            name,
            &PatchParams::apply(MANAGER).force(),
            &Patch::Apply(body),
        )
        .await
        .map(drop)
        .map_err(|source| Error::WriteCopy {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            source,
        })
}

async fn delete_copy(namespace: &str, name: &str, ctx: &Context) -> Result<(), Error> {
    match ctx
        .client
        .config_maps(namespace)
        .delete(name, &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(err) if err.is_not_found() => Ok(()),
        Err(source) => Err(Error::DeleteCopy {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            source,
        }),
    }
}

/// The source goes away: every copy goes first (the finalizer holds the source until then).
async fn cleanup(source: &ConfigMap, ctx: &Context) -> Result<Action, Error> {
    let name = source.metadata.name.clone().unwrap_or_default();
    let key = source_key(source);
    let copies = ctx.copies_by_source.get(&key);
    for copy in &copies {
        let namespace = copy.metadata.namespace.clone().unwrap_or_default();
        delete_copy(&namespace, &name, ctx).await?;
    }
    let note = format!("deleted {} copies", copies.len());
    println!("{key}: no longer a source, {note}");
    ctx.recorder
        .record(NewEvent::normal(reference_to(source), "CleanedUp", "Cleanup").note(note));
    Ok(Action::await_change())
}
