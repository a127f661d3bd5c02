//! The bootstrap RBAC policy a fresh kube-apiserver v1.36 cluster has: its ClusterRoles
//! (`cluster-admin`, `admin`, `edit`, `view` and the `system:aggregate-to-*` roles they
//! aggregate, `system:discovery`, `system:basic-user`, `system:public-info-viewer`,
//! `system:persistent-volume-provisioner`, `system:kube-scheduler`, `system:node`, ...) and
//! ClusterRoleBindings, with the `kubernetes.io/bootstrapping: rbac-defaults` label and the
//! `rbac.authorization.kubernetes.io/autoupdate: "true"` annotation.
//!
//! The rules live in one data file, `bootstrap.json`; aggregated roles get their rules
//! computed as the clusterrole-aggregation controller does.
//!
//! Not included: the per-controller `system:controller:*` roles and bindings and the
//! namespaced bootstrap Roles in `kube-system`/`kube-public` (no transcript or client
//! program depends on them yet).

use serde_json::{Map, Value, json};

use super::aggregation::aggregate_all;
use super::objects::PolicySet;
use super::rule::PolicyRule;

const DATA: &str = include_str!("bootstrap.json");
const GROUP: &str = "rbac.authorization.k8s.io";
const API_VERSION: &str = "rbac.authorization.k8s.io/v1";

fn data() -> Value {
    match serde_json::from_str(DATA) {
        Ok(v) => v,
        Err(e) => {
            // a broken data file is caught by the unit tests; never crash the server for it
            tracing::error!(error = %e, "rbac/bootstrap.json is not valid JSON");
            Value::Null
        }
    }
}

fn metadata(name: &str, extra_labels: Option<&Value>) -> Value {
    let mut labels = Map::new();
    labels.insert("kubernetes.io/bootstrapping".into(), "rbac-defaults".into());
    if let Some(extra) = extra_labels.and_then(Value::as_object) {
        labels.extend(extra.clone());
    }
    json!({
        "name": name,
        "labels": labels,
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
    })
}

fn entries<'a>(data: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    data.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn name(entry: &Value) -> &str {
    entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The bootstrap ClusterRoles, aggregated roles (`admin`, `edit`, `view`) filled in, sorted by
/// name.
pub(crate) fn cluster_roles() -> Vec<Value> {
    let data = data();
    let mut roles: Vec<Value> = entries(&data, "clusterRoles")
        .map(|entry| {
            let mut role = Map::new();
            role.insert("kind".into(), "ClusterRole".into());
            role.insert("apiVersion".into(), API_VERSION.into());
            role.insert(
                "metadata".into(),
                metadata(name(entry), entry.get("labels")),
            );
            let rules: Vec<Value> = PolicyRule::list_from(entry)
                .iter()
                .map(PolicyRule::to_value)
                .collect();
            role.insert("rules".into(), rules.into());
            if let Some(agg) = entry.get("aggregationRule") {
                role.insert("aggregationRule".into(), agg.clone());
            }
            Value::Object(role)
        })
        .collect();
    aggregate_all(&mut roles);
    roles
}

/// The bootstrap ClusterRoleBindings, sorted by name.
pub(crate) fn cluster_role_bindings() -> Vec<Value> {
    let data = data();
    entries(&data, "clusterRoleBindings")
        .map(|entry| {
            let mut binding = Map::new();
            binding.insert("kind".into(), "ClusterRoleBinding".into());
            binding.insert("apiVersion".into(), API_VERSION.into());
            binding.insert("metadata".into(), metadata(name(entry), None));
            let subjects: Vec<Value> = entries(entry, "subjects")
                .map(|s| {
                    let kind = s.get("kind").cloned().unwrap_or(Value::Null);
                    let mut subject = Map::new();
                    subject.insert("kind".into(), kind.clone());
                    if kind != "ServiceAccount" {
                        subject.insert("apiGroup".into(), GROUP.into());
                    }
                    subject.insert("name".into(), s.get("name").cloned().unwrap_or_default());
                    if let Some(ns) = s.get("namespace") {
                        subject.insert("namespace".into(), ns.clone());
                    }
                    Value::Object(subject)
                })
                .collect();
            if !subjects.is_empty() {
                binding.insert("subjects".into(), subjects.into());
            }
            binding.insert(
                "roleRef".into(),
                json!({"apiGroup": GROUP, "kind": "ClusterRole", "name": entry.get("role")}),
            );
            Value::Object(binding)
        })
        .collect()
}

/// Every bootstrap object (ClusterRoles then ClusterRoleBindings), e.g. to seed a store.
pub(crate) fn objects() -> Vec<Value> {
    let mut all = cluster_roles();
    all.extend(cluster_role_bindings());
    all
}

/// The bootstrap policy as an in-memory [`PolicySet`].
pub(crate) fn policy() -> PolicySet {
    PolicySet::new(objects())
}
