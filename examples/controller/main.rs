//! `controller`: a ConfigMap syncer, written as a user writes a controller with
//! `kubeset::runtime`.
//!
//! Every ConfigMap of the source namespace (`--source-namespace`, default the pod's own)
//! labelled `kubeset.example/sync=true` is copied, same name and data, into every namespace
//! labelled `kubeset.example/sync-from=<source namespace>`, and kept that way:
//!
//! - a changed source is propagated; a copy edited or deleted by hand is put back (the copies
//!   are watched and map back to their source);
//! - a namespace that stops asking loses its copy; a new one that asks gets it;
//! - deleting the source deletes every copy first: the source carries the finalizer
//!   `kubeset.example/copies` until its copies are gone; removing its label does the same
//!   (the controller watches every ConfigMap of the source namespace to see that);
//! - the source's annotation `kubeset.example/synced-namespaces` says how many namespaces
//!   hold a copy, and `Synced` / `CleanedUp` Events (and `SyncFailed` warnings) say what each
//!   reconcile did.
//!
//! Copies are written with server-side apply (field manager `kubeset-configmap-sync`,
//! forced), labelled `kubeset.example/source-namespace` and annotated
//! `kubeset.example/source: <namespace>/<name>`.
//!
//! It runs under Lease-based leader election (`--lease-name`, default
//! `kubeset-configmap-sync`, in its own namespace), so two replicas can be deployed; on
//! SIGTERM it lets running reconciles finish, then releases the lease.
//!
//! ```text
//! controller [--source-namespace NS] [--lease-name NAME] [--service-account-dir DIR]
//! ```
//!
//! `--service-account-dir` (default `/var/run/secrets/kubernetes.io/serviceaccount`) exists
//! only so the demo and the tests can run it outside a pod; outside a pod
//! (`KUBERNETES_SERVICE_HOST` unset) the kubeconfig is used. The leader identity is
//! `POD_NAME` (the downward API), else `HOSTNAME`.
//!
//! RBAC (`examples/deploy/controller/`), checked at start-up with every missing rule named:
//! cluster-wide `list`/`watch` on `namespaces` and `list`/`watch`/`patch`/`delete` on
//! `configmaps` (the copies live in any namespace); in its own namespace `get`/`create`/
//! `update` on `leases` and `create`/`patch` on `events.k8s.io` `events`.
//!
//! Compared with a client-go controller (informers, a work queue, a `syncHandler`), the same
//! parts in fewer lines: `Controller` is the informer + queue + workers (a key is never
//! reconciled twice at once, failures back off per key), `finalizer` the add/cleanup/remove
//! dance, `SharedInformer` with an `Index` the lister and indexer, `EventRecorder` the
//! event broadcaster and `LeaderElector` `leaderelection.RunOrDie`.

#[path = "../shared/in_pod.rs"]
mod in_pod;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kubeset::clientset::{Client, Permission};
use kubeset::config::incluster;
use kubeset::runtime::controller::{Action, Controller, ObjectRef};
use kubeset::runtime::{
    Change, EventRecorder, LeaderElectionConfig, LeaderElector, NewEvent, Reporter, SharedInformer,
    WatcherConfig, predicates, reference_to,
};

use crate::sync::{Context, SOURCE_ANNOTATION, SOURCE_NAMESPACE_LABEL, SYNC_FROM_LABEL};

/// Copies labelled ConfigMaps into the namespaces that ask for them.
#[derive(Debug, Parser)]
struct Args {
    /// The namespace of the source ConfigMaps (default: the pod's namespace).
    #[arg(long)]
    source_namespace: Option<String>,
    /// The Lease the replicas campaign on, in the pod's namespace.
    #[arg(long, default_value = "kubeset-configmap-sync")]
    lease_name: String,
    /// Where the ServiceAccount files are (only to run outside a pod).
    #[arg(long, default_value = incluster::SERVICE_ACCOUNT_DIR)]
    service_account_dir: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            in_pod::report(&*err);
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let config = in_pod::config(&args.service_account_dir)?;
    let client = Client::new(config)?;
    let own_namespace = client.default_namespace().to_owned();
    let source_namespace = args
        .source_namespace
        .unwrap_or_else(|| own_namespace.clone());
    in_pod::check_permissions(&client, &needed(&own_namespace, &source_namespace)).await?;
    let identity = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .map_err(|_| "set POD_NAME (the downward API's metadata.name) for the leader identity")?;

    // The caches the reconcile reads besides its sources, warm before leading.
    let namespaces = SharedInformer::new(
        client.namespaces(),
        WatcherConfig::default().labels(&format!("{SYNC_FROM_LABEL}={source_namespace}")),
    );
    let copies = SharedInformer::new(
        client.all_config_maps(),
        WatcherConfig::default().labels(&format!("{SOURCE_NAMESPACE_LABEL}={source_namespace}")),
    );
    let copies_by_source = copies.store().index("source", |cm: &ConfigMap| {
        cm.metadata
            .annotations
            .as_ref()?
            .get(SOURCE_ANNOTATION)
            .cloned()
    });
    let recorder = EventRecorder::new(
        client.clone(),
        Reporter::new(sync::MANAGER, identity.clone()),
    );
    let context = Arc::new(Context {
        client: client.clone(),
        source_namespace: source_namespace.clone(),
        namespaces: namespaces.store(),
        copies_by_source,
        recorder: recorder.clone(),
    });

    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        in_pod::terminated().await;
        println!("SIGTERM: stopping");
        let _ = stop.send(true);
    });
    let leader = LeaderElector::new(
        client.leases(&own_namespace),
        args.lease_name.clone(),
        identity.clone(),
        LeaderElectionConfig::default(),
    )?
    .spawn();
    println!(
        "{identity} campaigning for lease {own_namespace}/{}",
        args.lease_name
    );

    let mut on_stop = stopped.clone();
    let work = async {
        println!("{identity} leads: syncing ConfigMaps of {source_namespace}");
        namespaces.store().wait_until_ready().await;
        copies.store().wait_until_ready().await;
        let sources = client.config_maps(&source_namespace);
        // a copy's change reconciles its source; a namespace's change reconciles them all
        let copy_changes = copies.subscribe().filter_map(|change| async move {
            let copy = match change {
                Change::Added(c) | Change::Updated { new: c, .. } | Change::Deleted(c) => c,
                _ => return None,
            };
            let source = copy.metadata.annotations.as_ref()?.get(SOURCE_ANNOTATION)?;
            let (namespace, name) = source.split_once('/')?;
            Some(ObjectRef::new(name).within(namespace))
        });
        let namespace_changes = namespaces.subscribe().map(|_: Change<Namespace>| ());
        let mut stopped = stopped.clone();
        // every ConfigMap of the source namespace: one that loses the label is cleaned up
        Controller::new(sources, WatcherConfig::default())
            .reconcile_on(copy_changes)
            .reconcile_all_on(namespace_changes)
            // our own status annotation does not reconcile again; data, finalizers, deletion
            // and the sync label do
            .reconcile_when(|cm: &ConfigMap| {
                let deleting = cm.metadata.deletion_timestamp.is_some();
                let binary: Vec<(&String, &Vec<u8>)> = cm
                    .binary_data
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k, &v.0))
                    .collect();
                Some(hash(&(
                    &cm.data,
                    binary,
                    predicates::finalizers(cm),
                    deleting,
                    sync::is_source(cm),
                )))
            })
            .graceful_shutdown_on(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .run(sync::reconcile, error_policy, Arc::clone(&context))
            .for_each(|result| async move {
                if let Err(err) = result {
                    in_pod::report(&err);
                }
            })
            .await;
    };
    let outcome = tokio::select! {
        result = leader.lead(work) => result.map_err(|lost| lost.to_string()),
        // stopped before ever leading
        _ = on_stop.wait_for(|stop| *stop), if !leader.is_leader() => Ok(()),
    };
    recorder.flush().await;
    leader.release().await?;
    println!("lease released");
    outcome.map_err(Into::into)
}

/// A failed reconcile is reported on the source and retried with the key's backoff.
fn error_policy(
    source: Arc<ConfigMap>,
    err: &kubeset::runtime::finalizer::Error<sync::Error>,
    ctx: Arc<Context>,
) -> Action {
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(next) = cause {
        text.push_str(&format!(": {next}"));
        cause = next.source();
    }
    ctx.recorder
        .record(NewEvent::warning(reference_to(&*source), "SyncFailed", "Sync").note(text));
    Action::backoff()
}

fn hash(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Every permission the controller uses.
fn needed(own_namespace: &str, source_namespace: &str) -> Vec<Permission> {
    let mut needed = vec![
        Permission::new("list", "namespaces"),
        Permission::new("watch", "namespaces"),
    ];
    for verb in ["list", "watch", "patch", "delete"] {
        needed.push(Permission::new(verb, "configmaps"));
    }
    needed.push(Permission::new("list", "configmaps").namespace(source_namespace));
    for verb in ["get", "create", "update"] {
        needed.push(
            Permission::new(verb, "leases")
                .group("coordination.k8s.io")
                .namespace(own_namespace),
        );
    }
    for verb in ["create", "patch"] {
        needed.push(
            Permission::new(verb, "events")
                .group("events.k8s.io")
                .namespace(source_namespace),
        );
    }
    needed
}
