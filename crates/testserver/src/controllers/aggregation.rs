//! The clusterrole-aggregation controller of kube-controller-manager: a ClusterRole with an
//! `aggregationRule` gets, as its `rules`, the rules of the ClusterRoles its selectors match,
//! whenever any ClusterRole changes.
//!
//! Like the real controller it writes with server-side apply as the field manager
//! `clusterrole-aggregation-controller`, forcing ownership of `rules` (users editing an
//! aggregated role's rules lose them at the next sync). What to write is computed by the pure
//! [`crate::rbac::aggregation::reconcile`].

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::App;
use crate::api::write::{self, Managed, WriteOpts};
use crate::clock;
use crate::fields::apply::apply;
use crate::fields::managed::Write;
use crate::rbac::aggregation::reconcile;
use crate::storage::Scope;

/// The field manager of the real controller.
const MANAGER: &str = "clusterrole-aggregation-controller";
const GROUP: &str = "rbac.authorization.k8s.io";

/// The store resource key of ClusterRoles (what controller events name).
pub(super) const CLUSTER_ROLES: &str = "rbac.authorization.k8s.io/clusterroles";

/// Brings every aggregated ClusterRole's rules up to date.
pub(super) fn sync(app: &App) {
    let Ok(snap) = app.store.snapshot(None) else {
        return;
    };
    let scope = Scope {
        resource: CLUSTER_ROLES.into(),
        namespace: None,
    };
    let roles: Vec<Arc<Value>> = snap.range(&scope, None).map(|(_, v)| v.clone()).collect();
    for role in reconcile(&roles) {
        let name = role
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let rules = role.get("rules").cloned().unwrap_or_else(|| json!([]));
        if let Err(e) = apply_rules(app, name, rules) {
            tracing::warn!(role = name, error = %e, "aggregating ClusterRole failed");
        }
    }
}

/// Applies `{"rules": rules}` to the ClusterRole `name` with `force`, as the controller's
/// `ClusterRoles().Apply(..., {FieldManager, Force: true})` does.
fn apply_rules(app: &App, name: &str, rules: Value) -> Result<(), crate::api::status::ApiError> {
    let Some(rt) = app.registry.find(GROUP, "v1", "clusterroles") else {
        return Ok(());
    };
    let Some(info) = crate::fields::schema::lookup(&rt.api_version(), &rt.kind) else {
        return Ok(());
    };
    let config = json!({
        "apiVersion": rt.api_version(),
        "kind": rt.kind,
        "metadata": {"name": name},
        "rules": rules,
    });
    let now = clock::now();
    let write = Write {
        info,
        manager: MANAGER,
        subresource: None,
        time: &now,
    };
    let opts = WriteOpts::by_server(MANAGER);
    write::update_with(app, &rt, "", name, opts, Managed::Keep, &mut |old| {
        let mut applied = apply(&write, Some(old), &config, true)
            .map_err(|e| crate::api::status::ApiError::from_status(e.code(), e.to_status()))?
            .object;
        if let Some(meta) = applied.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        Ok(applied)
    })
    .map(|_| ())
}
