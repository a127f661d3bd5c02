//! Where each built-in resource's [`Strategy`] is registered: one line per resource with
//! behaviour of its own; every other catalog entry gets [`Plain`].

use super::core::{
    configmaps::ConfigMaps, endpoints::Endpoints, events::Events, events::EventsV1,
    namespaces::Namespaces, nodes::Nodes, persistentvolumeclaims::PersistentVolumeClaims,
    persistentvolumes::PersistentVolumes, pods::Pods, podtemplates::PodTemplates, secrets::Secrets,
    serviceaccounts::ServiceAccounts, services::Services,
};
use super::customresourcedefinitions::CustomResourceDefinitions;
use super::deployments::Deployments;
use super::leases::Leases;
use super::metadata_only::MetadataOnly;
use super::priorityclasses::PriorityClasses;
use super::rbac::{Bindings, Roles};
use super::spec_checked;
use super::storage::{ReturnsDeleted, StorageClasses};
use super::strategy::{Plain, Strategy, StrategyRef};
use super::workloads;
use crate::validation::NameRule;

/// Types validated as far as their `ObjectMeta` (all with `NameIsDNSSubdomain`).
const METADATA_ONLY: MetadataOnly = MetadataOnly(NameRule::Subdomain);

/// `(group, resource, strategy)` of every built-in resource that is not [`Plain`].
static STRATEGIES: &[(&str, &str, &(dyn Strategy + 'static))] = &[
    ("", "configmaps", &ConfigMaps),
    ("", "endpoints", &Endpoints),
    ("", "events", &Events),
    ("", "namespaces", &Namespaces),
    ("", "nodes", &Nodes),
    ("", "persistentvolumeclaims", &PersistentVolumeClaims),
    ("", "persistentvolumes", &PersistentVolumes),
    ("", "pods", &Pods),
    ("", "podtemplates", &PodTemplates),
    (
        "",
        "replicationcontrollers",
        &workloads::REPLICATION_CONTROLLERS,
    ),
    ("", "secrets", &Secrets),
    ("", "serviceaccounts", &ServiceAccounts),
    ("", "services", &Services),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &CustomResourceDefinitions,
    ),
    (
        "apps",
        "controllerrevisions",
        &workloads::CONTROLLER_REVISIONS,
    ),
    ("apps", "daemonsets", &workloads::DAEMON_SETS),
    ("apps", "deployments", &Deployments),
    ("apps", "replicasets", &workloads::REPLICA_SETS),
    ("apps", "statefulsets", &workloads::STATEFUL_SETS),
    ("batch", "cronjobs", &workloads::CRON_JOBS),
    ("batch", "jobs", &workloads::JOBS),
    ("coordination.k8s.io", "leases", &Leases),
    ("events.k8s.io", "events", &EventsV1),
    (
        "policy",
        "poddisruptionbudgets",
        &workloads::POD_DISRUPTION_BUDGETS,
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        &Bindings { namespaced: false },
    ),
    ("rbac.authorization.k8s.io", "clusterroles", &Roles),
    (
        "rbac.authorization.k8s.io",
        "rolebindings",
        &Bindings { namespaced: true },
    ),
    ("rbac.authorization.k8s.io", "roles", &Roles),
    ("scheduling.k8s.io", "priorityclasses", &PriorityClasses),
    ("storage.k8s.io", "csidrivers", &ReturnsDeleted),
    ("storage.k8s.io", "csinodes", &ReturnsDeleted),
    ("storage.k8s.io", "storageclasses", &StorageClasses),
    ("storage.k8s.io", "volumeattachments", &ReturnsDeleted),
    ("", "limitranges", &METADATA_ONLY),
    ("", "resourcequotas", &METADATA_ONLY),
    ("autoscaling", "horizontalpodautoscalers", &METADATA_ONLY),
    ("discovery.k8s.io", "endpointslices", &METADATA_ONLY),
    (
        "networking.k8s.io",
        "ingressclasses",
        &spec_checked::INGRESS_CLASSES,
    ),
    ("networking.k8s.io", "ingresses", &spec_checked::INGRESSES),
    (
        "networking.k8s.io",
        "networkpolicies",
        &spec_checked::NETWORK_POLICIES,
    ),
    ("node.k8s.io", "runtimeclasses", &METADATA_ONLY),
];

/// The strategy of the built-in `group`/`resource`.
pub(crate) fn strategy(group: &str, resource: &str) -> StrategyRef {
    let found = STRATEGIES
        .iter()
        .find(|(g, r, _)| *g == group && *r == resource);
    StrategyRef::Static(found.map_or(&Plain, |(_, _, s)| *s))
}
