//! The controllers every cluster runs for what this server stores: default ServiceAccounts,
//! the `kube-root-ca.crt` ConfigMap, namespace deletion, legacy token Secrets, garbage
//! collection, ResourceQuota status ([`resource_quota`]) and aggregated ClusterRoles; when enabled, the PersistentVolume binder
//! ([`pv_binder`]) and the pvc-/pv-protection controllers ([`storage_protection`]).

mod aggregation;
mod gc;
mod namespace;
mod pv_binder;
mod resource_quota;
mod storage_protection;
mod token_secret;

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::api::App;
use crate::storage::{EventType, Scope};

/// The field manager controllers write as.
pub(crate) const MANAGER: &str = "kube-controller-manager";

/// Which optional controllers run.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Options {
    /// The PersistentVolume binder, with this sync period.
    pub(crate) pv_binder: Option<Duration>,
    /// The pvc-protection and pv-protection controllers.
    pub(crate) storage_protection: bool,
    /// The period of the APF configuration producer (a minute when `None`).
    pub(crate) flow_control_period: Option<Duration>,
}

/// Runs the controllers until the task is aborted.
pub(crate) async fn run(app: Arc<App>, options: Options) {
    let mut updates = app.store.subscribe();
    let mut last = app.store.revision();
    let mut gc = gc::Collector::default();
    let mut quotas = resource_quota::Tracker::default();
    let mut binder = options.pv_binder.map(pv_binder::Binder::new);
    // the protection controllers look at the store when a claim, volume or pod changed
    let mut protection_dirty = options.storage_protection;
    resync(&app);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let flow_control_period = options
        .flow_control_period
        .unwrap_or(crate::bootstrap::flow_control::PERIOD);
    let mut flow_control = tokio::time::Instant::now() + flow_control_period;
    loop {
        match app.store.events_after(last) {
            Ok(events) => {
                for e in events {
                    last = e.revision;
                    gc.observe(e.kind, &e.object);
                    quotas.observe(&e.key.namespace);
                    if let Some(b) = binder.as_mut() {
                        b.observe(e.kind, &e.key.resource, &e.object);
                    }
                    protection_dirty |=
                        options.storage_protection && storage_protection::concerns(&e.key.resource);
                    react(&app, e.kind, &e.key.resource, &e.key.namespace, &e.object);
                }
            }
            Err(_) => {
                last = app.store.revision();
                resync(&app);
                gc.resync();
                quotas.resync();
                if let Some(b) = binder.as_mut() {
                    b.resync();
                }
                protection_dirty = options.storage_protection;
            }
        }
        gc.run(&app);
        quotas.run(&app);
        if let Some(b) = binder.as_mut() {
            b.run(&app);
        }
        if std::mem::take(&mut protection_dirty) {
            storage_protection::sync(&app);
        }
        if tokio::time::Instant::now() >= flow_control {
            crate::bootstrap::flow_control::ensure(&app);
            flow_control = tokio::time::Instant::now() + flow_control_period;
        }
        tokio::select! {
            changed = updates.changed() => if changed.is_err() { return },
            _ = tick.tick() => namespace::finish_terminating(&app),
        }
    }
}

fn react(app: &App, kind: EventType, resource: &str, ns: &str, obj: &Value) {
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    match (resource, kind) {
        ("/namespaces", EventType::Added | EventType::Modified) => namespace::sync(app, obj),
        ("/configmaps", EventType::Deleted | EventType::Modified) if name == namespace::ROOT_CA => {
            namespace::ensure_root_ca(app, ns)
        }
        ("/serviceaccounts", EventType::Deleted) if name == "default" => {
            namespace::ensure_default_sa(app, ns)
        }
        ("/secrets", EventType::Added | EventType::Modified) => token_secret::sync(app, obj),
        (aggregation::CLUSTER_ROLES, _) => aggregation::sync(app),
        (r, _) if crate::api::crd_controller::concerns(app, r) => {
            crate::api::crd_controller::sync(app)
        }
        _ => {}
    }
    crate::bootstrap::react(app, resource);
}

fn resync(app: &App) {
    let Ok(snap) = app.store.snapshot(None) else {
        return;
    };
    let scope = Scope {
        resource: "/namespaces".into(),
        namespace: None,
    };
    for (_, ns) in snap.range(&scope, None) {
        namespace::sync(app, ns);
    }
    let secrets = Scope {
        resource: "/secrets".into(),
        namespace: None,
    };
    for (_, s) in snap.range(&secrets, None) {
        token_secret::sync(app, s);
    }
    aggregation::sync(app);
    crate::bootstrap::resync(app);
}
