//! Namespace controllers: `default` ServiceAccount, `kube-root-ca.crt`, deletion of Terminating
//! namespaces.

use serde_json::{Value, json};

use super::MANAGER;
use crate::api::App;
use crate::api::write::{self, WriteOpts};
use crate::storage::{Key, Scope, revision_of};

/// Name of the root CA ConfigMap.
pub(crate) const ROOT_CA: &str = "kube-root-ca.crt";
const DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

fn opts() -> WriteOpts<'static> {
    WriteOpts::by_server(MANAGER)
}

fn active(app: &App, ns: &str) -> bool {
    app.store
        .get(&Key::new("/namespaces", "", ns))
        .is_some_and(|n| {
            n.pointer("/metadata/deletionTimestamp")
                .is_none_or(Value::is_null)
        })
}

/// Reacts to a namespace change.
pub(super) fn sync(app: &App, ns: &Value) {
    let name = ns
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if ns
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        empty(app, name);
        return;
    }
    ensure_default_sa(app, name);
    ensure_root_ca(app, name);
}

/// Creates the `default` ServiceAccount if the namespace is active and lacks it.
pub(super) fn ensure_default_sa(app: &App, ns: &str) {
    let Some(rt) = app.registry.find("", "v1", "serviceaccounts") else {
        return;
    };
    if !active(app, ns) || app.store.get(&app.key(&rt, ns, "default")).is_some() {
        return;
    }
    let _ = write::create(
        app,
        &rt,
        ns,
        json!({"metadata": {"name": "default"}}),
        opts(),
    );
}

/// Creates or repairs `kube-root-ca.crt`.
pub(super) fn ensure_root_ca(app: &App, ns: &str) {
    let Some(rt) = app.registry.find("", "v1", "configmaps") else {
        return;
    };
    if !active(app, ns) {
        return;
    }
    let want = json!({"ca.crt": app.pki.ca_pem});
    let desc = json!({"kubernetes.io/description": DESCRIPTION});
    match app.store.get(&app.key(&rt, ns, ROOT_CA)) {
        None => {
            let cm = json!({"metadata": {"name": ROOT_CA, "annotations": desc}, "data": want});
            let _ = write::create(app, &rt, ns, cm, opts());
        }
        Some(cm) if cm.get("data") != Some(&want) => {
            let _ = write::update(app, &rt, ns, ROOT_CA, opts(), &mut |old| {
                let mut new = old.clone();
                new["data"] = want.clone();
                if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    m.remove("resourceVersion");
                }
                Ok(new)
            });
        }
        Some(_) => {}
    }
}

/// Deletes everything in a Terminating namespace.
fn empty(app: &App, ns: &str) {
    let Ok(snap) = app.store.snapshot(None) else {
        return;
    };
    let mut seen = std::collections::BTreeSet::new();
    for rt in app.registry.types() {
        if !rt.namespaced || !rt.is_stored() || !seen.insert(rt.storage_prefix()) {
            continue;
        }
        let scope = Scope {
            resource: rt.storage_prefix(),
            namespace: Some(ns.to_owned()),
        };
        let names: Vec<String> = snap
            .range(&scope, None)
            .filter(|(_, o)| {
                o.pointer("/metadata/deletionTimestamp")
                    .is_none_or(Value::is_null)
            })
            .map(|(k, _)| k.name.clone())
            .collect();
        for name in names {
            let _ = crate::api::delete_for_controller(app, rt, ns, &name);
        }
    }
}

/// Removes namespaces whose content is gone.
pub(super) fn finish_terminating(app: &App) {
    let Ok(snap) = app.store.snapshot(None) else {
        return;
    };
    let scope = Scope {
        resource: "/namespaces".into(),
        namespace: None,
    };
    let terminating: Vec<Value> = snap
        .range(&scope, None)
        .filter(|(_, n)| {
            n.pointer("/metadata/deletionTimestamp")
                .is_some_and(|v| !v.is_null())
        })
        .map(|(_, n)| (**n).clone())
        .collect();
    for ns in terminating {
        let name = ns
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        empty(app, &name);
        let Ok(snap) = app.store.snapshot(None) else {
            return;
        };
        let has_content = app.registry.types().filter(|t| t.namespaced).any(|t| {
            let scope = Scope {
                resource: t.storage_prefix(),
                namespace: Some(name.clone()),
            };
            snap.range(&scope, None).next().is_some()
        });
        if has_content {
            continue;
        }
        let key = Key::new("/namespaces", "", &name);
        let metadata_finalizers = ns
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if metadata_finalizers {
            // spec finalizers done; other finalizers keep it
            let mut new = ns.clone();
            new["spec"]["finalizers"] = json!([]);
            let _ = app.store.update(&key, revision_of(&ns), new);
            continue;
        }
        let _ = app.store.delete(&key, revision_of(&ns), None);
    }
}
