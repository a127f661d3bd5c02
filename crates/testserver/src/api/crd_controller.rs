//! What kube-apiserver's CRD controllers do, run on every CRD event: the naming and
//! establishing controllers (accept the names, set `NamesAccepted` and `Established`), the
//! finalizer controller (delete a deleted CRD's instances, then drop
//! `customresourcecleanup.apiextensions.k8s.io`), and the handler that serves the established
//! CRDs (the registry's custom types and discovery are rebuilt from the store).
//!
//! Guarantee: after `sync` returns, the registry serves exactly the stored CRDs that are
//! `Established` (terminating ones included, until they are gone).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::App;
use crate::api::write::{self, WriteOpts};
use crate::crd::crd_strategy::{has_condition, set_condition};
use crate::crd::{CLEANUP_FINALIZER, CRDS, Definition, GROUP};
use crate::registry::custom::served;
use crate::storage::Scope;

/// The field manager of the server's own CRD status writes.
const MANAGER: &str = "kube-apiserver";

fn crds(app: &App) -> Vec<Arc<Value>> {
    let Ok(snap) = app.store.snapshot(None) else {
        return Vec::new();
    };
    let scope = Scope {
        resource: CRDS.into(),
        namespace: None,
    };
    snap.range(&scope, None).map(|(_, v)| v.clone()).collect()
}

/// Whether an event of the store resource `resource` is one for these controllers: a CRD, or
/// an instance of a CRD being deleted (its last instance going lets the CRD go).
pub(crate) fn concerns(app: &App, resource: &str) -> bool {
    resource == CRDS
        || app.registry.types().any(|t| {
            t.custom.as_ref().is_some_and(|c| c.terminating()) && t.storage_prefix() == resource
        })
}

/// Brings every CRD forward one step and serves the established ones.
pub(crate) fn sync(app: &App) {
    for crd in crds(app) {
        let name = crate::api::meta_str(&crd, "name").to_owned();
        let result = if crate::api::write::is_deleting(&crd) {
            cleanup(app, &crd, &name)
        } else if !has_condition(&crd, "Established") {
            establish(app, &name)
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::warn!(crd = name, error = %e, "CRD controller step failed");
        }
    }
    refresh(app);
}

/// Serves the established CRDs.
pub(crate) fn refresh(app: &App) {
    let definitions: Vec<(String, Arc<Definition>)> = crds(app)
        .iter()
        .filter(|c| has_condition(c, "Established"))
        .map(|c| {
            let generation = c.pointer("/metadata/generation").map(Value::to_string);
            let identity = format!(
                "{}/{}/{}",
                crate::api::meta_str(c, "uid"),
                generation.unwrap_or_default(),
                crate::api::write::is_deleting(c)
            );
            (identity, Arc::new(Definition::parse(c)))
        })
        .collect();
    app.registry.set_custom(served(&definitions));
}

fn crd_type(app: &App) -> Option<Arc<crate::registry::ResourceType>> {
    app.registry.find(GROUP, "v1", "customresourcedefinitions")
}

fn status_write(
    app: &App,
    name: &str,
    subresource: &str,
    change: &dyn Fn(&mut Value),
) -> Result<(), crate::api::status::ApiError> {
    let Some(rt) = crd_type(app) else {
        return Ok(());
    };
    let opts = WriteOpts {
        subresource,
        ..WriteOpts::by_server(MANAGER)
    };
    write::update(app, &rt, "", name, opts, &mut |old| {
        let mut new = old.clone();
        change(&mut new);
        Ok(new)
    })
    .map(|_| ())
}

/// The naming and establishing controllers: names accepted as asked when no other CRD of
/// the group was accepted under one of them, then Established; otherwise `NamesAccepted`
/// False with the conflict and not Established.
fn establish(app: &App, name: &str) -> Result<(), crate::api::status::ApiError> {
    let now = crate::clock::now();
    let all = crds(app);
    let Some(this) = all.iter().find(|c| crate::api::meta_str(c, "name") == name) else {
        return Ok(());
    };
    let group = this.pointer("/spec/group").cloned();
    let accepted: Vec<&Value> = all
        .iter()
        .filter(|c| {
            crate::api::meta_str(c, "name") != name && c.pointer("/spec/group") == group.as_ref()
        })
        .filter_map(|c| c.pointer("/status/acceptedNames"))
        .collect();
    let requested = this.pointer("/spec/names").cloned().unwrap_or(json!({}));
    if let Some((reason, message)) = crate::crd::names::conflict(&requested, &accepted) {
        return status_write(app, name, "status", &|crd| {
            set_condition(
                crd,
                json!({"type": "NamesAccepted", "status": "False", "lastTransitionTime": now,
                    "reason": reason, "message": message}),
            );
            set_condition(
                crd,
                json!({"type": "Established", "status": "False", "lastTransitionTime": now,
                    "reason": "NotAccepted", "message": "not all names are accepted"}),
            );
        });
    }
    status_write(app, name, "status", &|crd| {
        let names = crd.pointer("/spec/names").cloned().unwrap_or(json!({}));
        if let Some(status) = crd.get_mut("status").and_then(Value::as_object_mut) {
            status.insert("acceptedNames".into(), names);
        }
        set_condition(
            crd,
            json!({"type": "NamesAccepted", "status": "True", "lastTransitionTime": now,
                "reason": "NoConflicts", "message": "no conflicts found"}),
        );
        set_condition(
            crd,
            json!({"type": "Established", "status": "True", "lastTransitionTime": now,
                "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}),
        );
    })
}

/// The finalizer controller: deletes the instances, then removes the finalizer (which lets
/// the CRD go).
fn cleanup(app: &App, crd: &Value, name: &str) -> Result<(), crate::api::status::ApiError> {
    let has_finalizer = crd
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|f| f.as_str() == Some(CLEANUP_FINALIZER)));
    if !has_finalizer {
        return Ok(());
    }
    let def = Definition::parse(crd);
    let scope = Scope {
        resource: format!("{}/{}", def.group, def.plural),
        namespace: None,
    };
    let instances: Vec<(String, String, u64)> = match app.store.snapshot(None) {
        Ok(snap) => snap
            .range(&scope, None)
            .map(|(key, v)| {
                (
                    key.namespace.clone(),
                    key.name.clone(),
                    crate::storage::revision_of(v),
                )
            })
            .collect(),
        Err(_) => return Ok(()),
    };
    let rt = def
        .versions
        .iter()
        .find_map(|v| app.registry.find(&def.group, &v.name, &def.plural));
    for (ns, instance, revision) in &instances {
        match &rt {
            Some(rt) => {
                let _ = crate::api::delete_for_controller(app, rt, ns, instance);
            }
            None => {
                let key = crate::storage::Key::new(&scope.resource, ns, instance);
                let _ = app.store.delete(&key, *revision, None);
            }
        }
    }
    let left = app
        .store
        .snapshot(None)
        .map(|snap| snap.range(&scope, None).count())
        .unwrap_or(0);
    if left > 0 {
        return Ok(());
    }
    status_write(app, name, "", &|crd| {
        if let Some(list) = crd
            .pointer_mut("/metadata/finalizers")
            .and_then(Value::as_array_mut)
        {
            list.retain(|f| f.as_str() != Some(CLEANUP_FINALIZER));
        }
    })
}
