//! kube-controller-manager's `pvc-protection-controller` and `pv-protection-controller`: the
//! `kubernetes.io/pvc-protection` finalizer leaves a deleted claim once no scheduled, running
//! pod uses it (directly or as its generic ephemeral volume), and `kubernetes.io/pv-protection`
//! leaves a deleted volume once it is not `Bound`; the object then goes away.
//!
//! They run when enabled ([`crate::TestServerBuilder::storage_protection`]); the recorded
//! server ran without them, so its claims and volumes stay Terminating.

use serde_json::Value;

use super::MANAGER;
use crate::api::App;
use crate::api::write::{self, WriteOpts, is_deleting};
use crate::storage::{Scope, Snapshot};

const PVC_FINALIZER: &str = "kubernetes.io/pvc-protection";
const PV_FINALIZER: &str = "kubernetes.io/pv-protection";

fn s<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn has_finalizer(obj: &Value, finalizer: &str) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x.as_str() == Some(finalizer)))
}

/// Whether a change of `resource` may let a finalizer go.
pub(super) fn concerns(resource: &str) -> bool {
    matches!(
        resource,
        "/persistentvolumeclaims" | "/persistentvolumes" | "/pods"
    )
}

/// `podUsesPVC`: a scheduled pod that has not finished names the claim.
fn in_use(snap: &Snapshot, claim: &Value) -> bool {
    let scope = Scope {
        resource: "/pods".into(),
        namespace: Some(s(claim, "/metadata/namespace").to_owned()),
    };
    let name = s(claim, "/metadata/name");
    snap.range(&scope, None).any(|(_, pod)| {
        let pod_name = s(pod, "/metadata/name");
        !s(pod, "/spec/nodeName").is_empty()
            && !matches!(s(pod, "/status/phase"), "Succeeded" | "Failed")
            && pod
                .pointer("/spec/volumes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|v| {
                    s(v, "/persistentVolumeClaim/claimName") == name
                        || (v.get("ephemeral").is_some()
                            && format!("{pod_name}-{}", s(v, "/name")) == name)
                })
    })
}

/// Removes the protection finalizers that no longer protect anything.
pub(super) fn sync(app: &App) {
    let Ok(snap) = app.store.snapshot(None) else {
        return;
    };
    let claims = Scope {
        resource: "/persistentvolumeclaims".into(),
        namespace: None,
    };
    let done: Vec<(String, String)> = snap
        .range(&claims, None)
        .filter(|(_, c)| is_deleting(c) && has_finalizer(c, PVC_FINALIZER))
        .filter(|(_, c)| !in_use(&snap, c))
        .map(|(k, _)| (k.namespace.clone(), k.name.clone()))
        .collect();
    for (ns, name) in done {
        release(app, "persistentvolumeclaims", &ns, &name, PVC_FINALIZER);
    }
    let volumes = Scope {
        resource: "/persistentvolumes".into(),
        namespace: None,
    };
    let done: Vec<String> = snap
        .range(&volumes, None)
        .filter(|(_, v)| is_deleting(v) && has_finalizer(v, PV_FINALIZER))
        .filter(|(_, v)| s(v, "/status/phase") != "Bound")
        .map(|(k, _)| k.name.clone())
        .collect();
    for name in done {
        release(app, "persistentvolumes", "", &name, PV_FINALIZER);
    }
}

fn release(app: &App, plural: &str, ns: &str, name: &str, finalizer: &str) {
    let Some(rt) = app.registry.find("", "v1", plural) else {
        return;
    };
    let opts = WriteOpts::by_server(MANAGER);
    let _ = write::update(app, &rt, ns, name, opts, &mut |old| {
        let mut new = old.clone();
        if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
            let empty = meta
                .get_mut("finalizers")
                .and_then(Value::as_array_mut)
                .map(|f| {
                    f.retain(|x| x.as_str() != Some(finalizer));
                    f.is_empty()
                })
                .unwrap_or(false);
            if empty {
                meta.remove("finalizers");
            }
        }
        Ok(new)
    });
}
