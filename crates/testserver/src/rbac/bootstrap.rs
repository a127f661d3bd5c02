//! The bootstrap RBAC policy a fresh kube-apiserver v1.36 cluster has: its ClusterRoles
//! (`cluster-admin`, `admin`, `edit`, `view` and the `system:aggregate-to-*` roles they
//! aggregate, `system:discovery`, `system:basic-user`, `system:public-info-viewer`,
//! `system:persistent-volume-provisioner`, `system:kube-scheduler`, `system:node`, ...) and
//! ClusterRoleBindings, with the `kubernetes.io/bootstrapping: rbac-defaults` label and the
//! `rbac.authorization.kubernetes.io/autoupdate: "true"` annotation.
//!
//! Also the per-controller `system:controller:*` ClusterRoles (each bound to the
//! ServiceAccount `kube-system/<controller>` by a ClusterRoleBinding of the same name) and
//! the namespaced Roles and RoleBindings in `kube-system` and `kube-public`
//! ([`namespaced_objects`]).
//!
//! The rules live in two data files, `bootstrap.json` (the roles people meet) and
//! `bootstrap_controllers.json` (controllers and namespaced roles); aggregated roles get
//! their rules computed as the clusterrole-aggregation controller does.

use serde_json::{Map, Value, json};

use super::aggregation::aggregate_all;
use super::objects::name_of;
use super::rule::PolicyRule;

const DATA: &str = include_str!("bootstrap.json");
const CONTROLLERS: &str = include_str!("bootstrap_controllers.json");
/// The prefix of the per-controller roles and bindings.
const CONTROLLER_PREFIX: &str = "system:controller:";
const GROUP: &str = "rbac.authorization.k8s.io";
const API_VERSION: &str = "rbac.authorization.k8s.io/v1";

fn parse(text: &str, file: &str) -> Value {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            // a broken data file is caught by the unit tests; never crash the server for it
            tracing::error!(error = %e, file, "bootstrap RBAC data is not valid JSON");
            Value::Null
        }
    }
}

fn data() -> Value {
    parse(DATA, "rbac/bootstrap.json")
}

fn controllers() -> Value {
    parse(CONTROLLERS, "rbac/bootstrap_controllers.json")
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
    let controllers = controllers();
    let mut roles: Vec<Value> = entries(&data, "clusterRoles")
        .map(|entry| role_object("ClusterRole", name(entry), entry))
        .chain(entries(&controllers, "controllerRoles").map(|entry| {
            let full = format!("{CONTROLLER_PREFIX}{}", name(entry));
            role_object("ClusterRole", &full, entry)
        }))
        .collect();
    roles.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    aggregate_all(&mut roles);
    roles
}

/// A Role or ClusterRole from a data entry (`rules`, optional `labels` and
/// `aggregationRule`).
fn role_object(kind: &str, name: &str, entry: &Value) -> Value {
    let mut role = Map::new();
    role.insert("kind".into(), kind.into());
    role.insert("apiVersion".into(), API_VERSION.into());
    role.insert("metadata".into(), metadata(name, entry.get("labels")));
    let rules: Vec<Value> = PolicyRule::list_from(entry)
        .iter()
        .map(PolicyRule::to_value)
        .collect();
    role.insert("rules".into(), rules.into());
    if let Some(agg) = entry.get("aggregationRule") {
        role.insert("aggregationRule".into(), agg.clone());
    }
    Value::Object(role)
}

/// The subjects of a data entry, `apiGroup` filled in for users and groups as the API
/// server defaults them.
fn subjects_of(entry: &Value) -> Vec<Value> {
    entries(entry, "subjects")
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
        .collect()
}

/// A RoleBinding or ClusterRoleBinding named `name` of the role `role_kind`/`role`.
fn binding_object(
    kind: &str,
    name: &str,
    role_kind: &str,
    role: &str,
    subjects: Vec<Value>,
) -> Value {
    let mut binding = Map::new();
    binding.insert("kind".into(), kind.into());
    binding.insert("apiVersion".into(), API_VERSION.into());
    binding.insert("metadata".into(), metadata(name, None));
    if !subjects.is_empty() {
        binding.insert("subjects".into(), subjects.into());
    }
    binding.insert(
        "roleRef".into(),
        json!({"apiGroup": GROUP, "kind": role_kind, "name": role}),
    );
    Value::Object(binding)
}

/// The bootstrap ClusterRoleBindings, sorted by name.
pub(crate) fn cluster_role_bindings() -> Vec<Value> {
    let data = data();
    let controllers = controllers();
    let role_of = |entry: &Value| {
        entry
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut bindings: Vec<Value> = entries(&data, "clusterRoleBindings")
        .map(|entry| {
            binding_object(
                "ClusterRoleBinding",
                name(entry),
                "ClusterRole",
                &role_of(entry),
                subjects_of(entry),
            )
        })
        .chain(entries(&controllers, "controllerRoles").map(|entry| {
            let full = format!("{CONTROLLER_PREFIX}{}", name(entry));
            let subject =
                json!({"kind": "ServiceAccount", "name": name(entry), "namespace": "kube-system"});
            binding_object(
                "ClusterRoleBinding",
                &full,
                "ClusterRole",
                &full,
                vec![subject],
            )
        }))
        .collect();
    bindings.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    bindings
}

/// The bootstrap Roles and RoleBindings of `kube-system` and `kube-public` (leader
/// election of the controller manager and scheduler, the extension-apiserver
/// authentication reader, bootstrap signer, token cleaner, cloud provider), each with
/// `metadata.namespace` set: Roles first, then the bindings naming them.
pub(crate) fn namespaced_objects() -> Vec<Value> {
    let controllers = controllers();
    let namespace_of = |entry: &Value| entry.get("namespace").cloned().unwrap_or_default();
    let roles = entries(&controllers, "roles").map(|entry| {
        let mut role = role_object("Role", name(entry), entry);
        role["metadata"]["namespace"] = namespace_of(entry);
        role
    });
    let bindings = entries(&controllers, "roleBindings").map(|entry| {
        let role = entry
            .get("role")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut binding =
            binding_object("RoleBinding", name(entry), "Role", role, subjects_of(entry));
        binding["metadata"]["namespace"] = namespace_of(entry);
        binding
    });
    roles.chain(bindings).collect()
}

/// The cluster-scoped bootstrap objects (ClusterRoles then ClusterRoleBindings), e.g. to
/// seed a store; [`namespaced_objects`] has the namespaced rest.
pub(crate) fn objects() -> Vec<Value> {
    let mut all = cluster_roles();
    all.extend(cluster_role_bindings());
    all
}

#[cfg(test)]
/// The whole bootstrap policy (cluster-scoped and namespaced) as an in-memory
/// [`PolicySet`](super::objects::PolicySet).
pub(crate) fn policy() -> super::objects::PolicySet {
    let mut all = objects();
    all.extend(namespaced_objects());
    super::objects::PolicySet::new(all)
}
