//! The aggregator's local APIServices (`pkg/controlplane/apiserver/aggregator.go`
//! `apiServicesToRegister` and `makeAPIService`, kube-aggregator's `autoregister` controller,
//! kube-apiserver's `crdregistration` controller):
//!
//! - at start-up, one per built-in group version served that has a priority
//!   ([`super::priorities`]), named `<version>.<group>` (`v1.` for the core group), labelled
//!   `kube-aggregator.kubernetes.io/automanaged: onstart`; synced once, so one deleted later
//!   stays deleted;
//! - one per version a stored CRD serves, labelled `...automanaged: "true"`, with
//!   `groupPriorityMinimum` 1000 and `versionPriority` 100: created again when deleted, its
//!   spec put back when changed, and deleted once no CRD serves the group version (a deleted
//!   CRD serves it until it is gone).
//!
//! They have no `service` (the API is served locally), so the APIService strategy's
//! `PrepareForCreate` makes them `Available` (reason `Local`) when they are created. The
//! writer is `kube-apiserver`, the field manager the loopback client's user agent gives.

use serde_json::{Value, json};

use super::priorities;
use crate::api::delete::{self, DeleteOptions};
use crate::api::write::{self, WriteOpts};
use crate::api::{App, meta_str};
use crate::crd::CRDS;
use crate::registry::{Registry, ResourceType};
use crate::storage::Scope;
use crate::validation::flow_control::normalized;

/// `autoregister.AutoRegisterManagedLabel`.
pub(crate) const MANAGED_LABEL: &str = "kube-aggregator.kubernetes.io/automanaged";
const GROUP: &str = "apiregistration.k8s.io";
const API_SERVICES: &str = "apiregistration.k8s.io/apiservices";
const MANAGER: &str = "kube-apiserver";
/// `manageContinuously`: what the CRD registration controller asks for.
const CONTINUOUSLY: &str = "true";

fn opts() -> WriteOpts<'static> {
    WriteOpts::by_server(MANAGER)
}

fn api_services(app: &App) -> Option<std::sync::Arc<ResourceType>> {
    app.registry.find(GROUP, "v1", "apiservices")
}

/// Whether a change of the store resource `resource` can change the CRD APIServices.
pub(crate) fn concerns(resource: &str) -> bool {
    resource == CRDS || resource == API_SERVICES
}

/// The APIService `makeAPIService` (or the CRD registration controller) builds for
/// `group`/`version`, labelled with how it is synced.
pub(crate) fn api_service(group: &str, version: &str, priority: (i64, i64), sync: &str) -> Value {
    let mut spec = json!({});
    if !group.is_empty() {
        spec["group"] = json!(group);
    }
    spec["version"] = json!(version);
    spec["groupPriorityMinimum"] = json!(priority.0);
    spec["versionPriority"] = json!(priority.1);
    json!({"metadata": {"name": format!("{version}.{group}"), "labels": {MANAGED_LABEL: sync}},
        "spec": spec})
}

/// The built-in group versions with an APIService, as `ListedPaths` sorts them.
pub(crate) fn local(registry: &Registry) -> Vec<Value> {
    let mut versions: Vec<(String, String)> = registry
        .types()
        .filter(|t| t.custom.is_none())
        .map(|t| (t.group.clone(), t.version.clone()))
        .collect();
    versions.sort_by_key(|(group, version)| {
        if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        }
    });
    versions.dedup();
    versions
        .iter()
        .filter_map(|(g, v)| Some(api_service(g, v, priorities::of(g, v)?, "onstart")))
        .collect()
}

/// Creates the built-in group versions' APIServices (`AddAPIServiceToSyncOnStart`).
pub(crate) fn register_local(app: &App) {
    let Some(rt) = api_services(app) else {
        return;
    };
    for service in local(&app.registry) {
        if let Err(e) = write::create(app, &rt, "", service, opts()) {
            tracing::warn!(error = %e, "creating a local APIService failed");
        }
    }
}

/// The APIServices the stored CRDs ask for (`handleVersionUpdate` of every group version).
fn wanted_by_crds(app: &App) -> Vec<Value> {
    let Ok(snapshot) = app.store.snapshot(None) else {
        return Vec::new();
    };
    let scope = Scope {
        resource: CRDS.into(),
        namespace: None,
    };
    let mut wanted: Vec<Value> = Vec::new();
    for (_, crd) in snapshot.range(&scope, None) {
        let group = crd.pointer("/spec/group").and_then(Value::as_str);
        let versions = crd.pointer("/spec/versions").and_then(Value::as_array);
        let (Some(group), Some(versions)) = (group, versions) else {
            continue;
        };
        for version in versions {
            let served = version.get("served").and_then(Value::as_bool) == Some(true);
            let Some(name) = version.get("name").and_then(Value::as_str) else {
                continue;
            };
            let service = api_service(group, name, (1000, 100), CONTINUOUSLY);
            let taken = wanted
                .iter()
                .any(|w| meta_str(w, "name") == meta_str(&service, "name"));
            if served && !taken && priorities::of(group, name).is_none() {
                wanted.push(service);
            }
        }
    }
    wanted
}

/// Brings the CRD APIServices in line with the stored CRDs (`checkAPIService` for the
/// continuously synced ones).
pub(crate) fn sync_crds(app: &App) {
    let Some(rt) = api_services(app) else {
        return;
    };
    let wanted = wanted_by_crds(app);
    for service in &wanted {
        let name = meta_str(service, "name");
        let Some(current) = app.store.get(&app.key(&rt, "", name)) else {
            if let Err(e) = write::create(app, &rt, "", service.clone(), opts())
                && e.code != 409
            {
                tracing::warn!(api_service = name, error = %e, "registering a CRD's APIService failed");
            }
            continue;
        };
        let continuous = current
            .pointer("/metadata/labels")
            .and_then(|l| l.get(MANAGED_LABEL))
            .and_then(Value::as_str)
            == Some(CONTINUOUSLY);
        if !continuous || normalized(&current["spec"]) == normalized(&service["spec"]) {
            continue;
        }
        let written = write::update(app, &rt, "", name, opts(), &mut |old| {
            let mut new = old.clone();
            new["spec"] = service["spec"].clone();
            Ok(new)
        });
        if let Err(e) = written
            && e.code != 404
            && e.code != 409
        {
            tracing::warn!(api_service = name, error = %e, "updating a CRD's APIService failed");
        }
    }
    remove_unwanted(app, &rt, &wanted);
}

/// Deletes the continuously synced APIServices no CRD serves any more (with the UID seen as
/// precondition).
fn remove_unwanted(app: &App, rt: &ResourceType, wanted: &[Value]) {
    let Ok(snapshot) = app.store.snapshot(None) else {
        return;
    };
    let scope = Scope {
        resource: API_SERVICES.into(),
        namespace: None,
    };
    let gone: Vec<(String, String)> = snapshot
        .range(&scope, None)
        .map(|(_, s)| s)
        .filter(|s| {
            s.pointer("/metadata/labels")
                .and_then(|l| l.get(MANAGED_LABEL))
                .and_then(Value::as_str)
                == Some(CONTINUOUSLY)
        })
        .filter(|s| {
            !wanted
                .iter()
                .any(|w| meta_str(w, "name") == meta_str(s, "name"))
        })
        .map(|s| {
            (
                meta_str(s, "name").to_owned(),
                meta_str(s, "uid").to_owned(),
            )
        })
        .collect();
    for (name, uid) in gone {
        let options = DeleteOptions {
            uid: Some(uid),
            ..DeleteOptions::default()
        };
        if let Err(e) = delete::delete_object(app, rt, "", &name, &options)
            && e.code != 404
            && e.code != 409
        {
            tracing::warn!(api_service = name, error = %e, "removing a CRD's APIService failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One APIService per group version the server serves, `apiregistration.k8s.io` aside,
    /// in `ListedPaths` order.
    #[test]
    fn one_per_served_built_in_group_version() {
        let services = local(&Registry::builtin());
        let names: Vec<&str> = services.iter().map(|s| meta_str(s, "name")).collect();
        assert_eq!(
            names,
            [
                "v1.",
                "v1.admissionregistration.k8s.io",
                "v1.apiextensions.k8s.io",
                "v1.apps",
                "v1.authentication.k8s.io",
                "v1.authorization.k8s.io",
                "v1.autoscaling",
                "v2.autoscaling",
                "v1.batch",
                "v1.certificates.k8s.io",
                "v1.coordination.k8s.io",
                "v1.discovery.k8s.io",
                "v1.events.k8s.io",
                "v1.flowcontrol.apiserver.k8s.io",
                "v1.networking.k8s.io",
                "v1.node.k8s.io",
                "v1.policy",
                "v1.rbac.authorization.k8s.io",
                "v1.resource.k8s.io",
                "v1.scheduling.k8s.io",
                "v1.storage.k8s.io",
            ]
        );
        assert!(
            services
                .iter()
                .all(|s| s["metadata"]["labels"][MANAGED_LABEL] == "onstart")
        );
    }

    /// `makeAPIService`: the core group's APIService is `v1.` and has no `group`.
    #[test]
    fn names_and_specs() {
        assert_eq!(
            api_service("", "v1", (18000, 1), "onstart"),
            json!({"metadata": {"name": "v1.", "labels": {MANAGED_LABEL: "onstart"}},
                "spec": {"version": "v1", "groupPriorityMinimum": 18000, "versionPriority": 1}})
        );
        assert_eq!(
            api_service("apps", "v1", (17800, 15), "onstart")["spec"],
            json!({"group": "apps", "version": "v1", "groupPriorityMinimum": 17800,
                "versionPriority": 15})
        );
    }
}
