//! The controller: each ConfigMap of the writer gets a Secret of the same name holding its
//! data and the writer's operation id, owned by the ConfigMap (so the garbage collector
//! removes it with the ConfigMap). Built on `kubeset-runtime`'s [`Controller`], writing with
//! server-side apply (the same call however often it is repeated).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kubeset_clientset::{Api, Client, Patch, PatchParams};
use kubeset_runtime::controller::{Action, Controller, Error};
use kubeset_runtime::{Store, WatcherConfig};
use serde_json::json;

use crate::cluster::NAMESPACE;
use crate::writer::{LABEL, OP, kind_of};

/// What the controller's result stream said.
#[derive(Debug, Default)]
pub(crate) struct MirrorCounts {
    pub(crate) reconciles: AtomicU64,
    /// Failed reconciles and watch errors: errors surfaced to the controller.
    pub(crate) errors: AtomicU64,
    /// The same by kind: `reconcile` or `watch`, then the client error's kind.
    pub(crate) by_kind: Mutex<BTreeMap<String, u64>>,
}

/// Why a reconcile failed.
#[derive(Debug, thiserror::Error)]
#[error("failed to apply the mirror Secret")]
pub(crate) struct ApplyFailed(#[source] kubeset_clientset::Error);

struct Context {
    secrets: Api<Secret>,
}

/// The controller, ready to run: its ConfigMap cache and the future that drives it until
/// `stop` completes.
pub(crate) fn controller(
    client: &Client,
    counts: Arc<MirrorCounts>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> (Store<ConfigMap>, impl Future<Output = ()> + Send + 'static) {
    let selected = WatcherConfig::default().labels(&format!("{LABEL}=true"));
    let controller = Controller::new(client.config_maps(NAMESPACE), selected)
        .owns(client.secrets(NAMESPACE), WatcherConfig::default())
        .graceful_shutdown_on(stop);
    let store = controller.store();
    let context = Arc::new(Context {
        secrets: client.secrets(NAMESPACE),
    });
    let results = controller.run(reconcile, |_, _, _| Action::backoff(), context);
    let driven = results.for_each(move |result| {
        match result {
            Ok(_) => {
                counts.reconciles.fetch_add(1, Ordering::Relaxed);
            }
            Err(err) => {
                counts.errors.fetch_add(1, Ordering::Relaxed);
                let kind = match &err {
                    Error::Reconcile { source, .. } => format!("reconcile {}", kind_of(&source.0)),
                    Error::Watch { source, .. } => format!("watch {}", kind_of(source)),
                    _ => String::from("panic"),
                };
                let mut by_kind = counts.by_kind.lock().unwrap_or_else(|e| e.into_inner());
                *by_kind.entry(kind).or_default() += 1;
            }
        }
        async {}
    });
    (store, driven)
}

async fn reconcile(cm: Arc<ConfigMap>, ctx: Arc<Context>) -> Result<Action, ApplyFailed> {
    let name = cm.metadata.name.clone().unwrap_or_default();
    let data: BTreeMap<String, ByteString> = cm
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), ByteString(v.clone().into_bytes())))
        .collect();
    let op = cm
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(OP))
        .cloned()
        .unwrap_or_default();
    let secret = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "annotations": {OP: op},
            "ownerReferences": [{
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "name": name,
                "uid": cm.metadata.uid.clone().unwrap_or_default(),
                "controller": true,
            }],
        },
        "data": data,
    });
    ctx.secrets
        .patch(
            &name,
            &PatchParams::apply("soak-mirror").force(),
            &Patch::Apply(secret),
        )
        .await
        .map_err(ApplyFailed)?;
    Ok(Action::await_change())
}
