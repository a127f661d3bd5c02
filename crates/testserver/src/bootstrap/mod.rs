//! The objects kube-apiserver makes for itself and keeps: API Priority and Fairness
//! configuration ([`flow_control`]: the `priority-and-fairness-config-producer` post-start
//! hook and its ensurer, [`dangling`]: the `Dangling` conditions the APF controller writes on
//! FlowSchemas) and the aggregator's local APIServices ([`api_services`]: one per built-in
//! group version with the priorities of [`priorities`], and one per served CRD version).
//!
//! Guarantees: [`create`] leaves a fresh store holding what a started v1.36 server holds (every
//! bootstrap FlowSchema `Dangling: False`, every local APIService `Available`); afterwards
//! [`react`] keeps the `Dangling` conditions and the CRD APIServices current on every store
//! change of the resources they follow, and the controllers run [`flow_control::ensure`]
//! periodically, as the real producer does once a minute. Every write goes through
//! `api::write`, with the field manager the real writer uses.

pub(crate) mod api_services;
pub(crate) mod dangling;
pub(crate) mod flow_control;
pub(crate) mod priorities;

use crate::api::App;

/// Creates the start-up objects in a fresh store.
pub(crate) fn create(app: &App) {
    flow_control::ensure(app);
    dangling::sync(app);
    api_services::register_local(app);
    api_services::sync_crds(app);
}

/// Follows a store change of `resource` (a store resource key such as
/// `flowcontrol.apiserver.k8s.io/flowschemas`).
pub(crate) fn react(app: &App, resource: &str) {
    if dangling::concerns(resource) {
        dangling::sync(app);
    }
    if api_services::concerns(resource) {
        api_services::sync_crds(app);
    }
}

/// Brings everything [`react`] follows up to date, after events were missed.
pub(crate) fn resync(app: &App) {
    dangling::sync(app);
    api_services::sync_crds(app);
}
