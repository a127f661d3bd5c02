//! Where each built-in resource's [`Strategy`] is registered: one line per resource with
//! behaviour of its own; every other catalog entry gets [`Plain`].

use super::admissionregistration::{
    MUTATING_WEBHOOK_CONFIGURATIONS, VALIDATING_ADMISSION_POLICIES,
    VALIDATING_ADMISSION_POLICY_BINDINGS, VALIDATING_WEBHOOK_CONFIGURATIONS,
};
use super::apiservices::API_SERVICES;
use super::autoscaling::{HORIZONTAL_POD_AUTOSCALERS, HORIZONTAL_POD_AUTOSCALERS_V1};
use super::certificates::CertificateSigningRequests;
use super::core::{
    componentstatuses::ComponentStatuses, configmaps::ConfigMaps, endpoints::Endpoints,
    events::CORE_EVENTS, events::EVENTS_V1, limitranges::LimitRanges, namespaces::Namespaces,
    nodes::Nodes, persistentvolumeclaims::PersistentVolumeClaims,
    persistentvolumes::PersistentVolumes, pods::Pods, podtemplates::PodTemplates,
    resourcequotas::ResourceQuotas, secrets::Secrets, serviceaccounts::ServiceAccounts,
    services::Services,
};
use super::customresourcedefinitions::CustomResourceDefinitions;
use super::deployments::Deployments;
use super::discovery::ENDPOINT_SLICES;
use super::flowcontrol::{FLOW_SCHEMAS, PRIORITY_LEVEL_CONFIGURATIONS};
use super::leases::Leases;
use super::networking::{
    INGRESS_CLASSES, INGRESSES, IP_ADDRESSES, NETWORK_POLICIES, SERVICE_CIDRS,
};
use super::priorityclasses::PriorityClasses;
use super::rbac::{Bindings, Roles};
use super::resource::{DEVICE_CLASSES, RESOURCE_CLAIM_TEMPLATES, RESOURCE_CLAIMS, RESOURCE_SLICES};
use super::runtimeclasses::RUNTIME_CLASSES;
use super::storage::{
    CSI_DRIVERS, CSI_NODES, CSI_STORAGE_CAPACITIES, StorageClasses, VOLUME_ATTACHMENTS,
    VOLUME_ATTRIBUTES_CLASSES,
};
use super::strategy::{Plain, Strategy, StrategyRef};
use super::warned::{Warned, no_update_warnings};
use super::workloads;
use crate::warnings;

/// `(group, resource, strategy)` of every built-in resource that is not [`Plain`].
static STRATEGIES: &[(&str, &str, &(dyn Strategy + 'static))] = &[
    ("", "componentstatuses", &ComponentStatuses),
    ("", "configmaps", &ConfigMaps),
    ("", "endpoints", &Endpoints),
    ("", "events", &CORE_EVENTS),
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
    ("", "resourcequotas", &ResourceQuotas),
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
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        &CertificateSigningRequests,
    ),
    ("batch", "jobs", &workloads::JOBS),
    ("coordination.k8s.io", "leases", &Leases),
    ("events.k8s.io", "events", &EVENTS_V1),
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
    ("storage.k8s.io", "csidrivers", &CSI_DRIVERS),
    ("storage.k8s.io", "csinodes", &CSI_NODES),
    (
        "storage.k8s.io",
        "csistoragecapacities",
        &Warned {
            base: CSI_STORAGE_CAPACITIES,
            create: warnings::storage::csi_storage_capacity,
            update: |new, _| warnings::storage::csi_storage_capacity(new),
        },
    ),
    ("storage.k8s.io", "storageclasses", &StorageClasses),
    ("storage.k8s.io", "volumeattachments", &VOLUME_ATTACHMENTS),
    (
        "storage.k8s.io",
        "volumeattributesclasses",
        &VOLUME_ATTRIBUTES_CLASSES,
    ),
    ("", "limitranges", &LimitRanges),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        &HORIZONTAL_POD_AUTOSCALERS,
    ),
    ("discovery.k8s.io", "endpointslices", &ENDPOINT_SLICES),
    ("networking.k8s.io", "ingressclasses", &INGRESS_CLASSES),
    (
        "networking.k8s.io",
        "ingresses",
        &Warned {
            base: INGRESSES,
            create: warnings::networking::ingress,
            update: no_update_warnings,
        },
    ),
    ("networking.k8s.io", "ipaddresses", &IP_ADDRESSES),
    (
        "networking.k8s.io",
        "networkpolicies",
        &Warned {
            base: NETWORK_POLICIES,
            create: warnings::networking::network_policy,
            update: |new, _| warnings::networking::network_policy(new),
        },
    ),
    ("networking.k8s.io", "servicecidrs", &SERVICE_CIDRS),
    (
        "node.k8s.io",
        "runtimeclasses",
        &Warned {
            base: RUNTIME_CLASSES,
            create: warnings::node::runtime_class,
            update: |new, _| warnings::node::runtime_class(new),
        },
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        &MUTATING_WEBHOOK_CONFIGURATIONS,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        &VALIDATING_ADMISSION_POLICIES,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        &VALIDATING_ADMISSION_POLICY_BINDINGS,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        &VALIDATING_WEBHOOK_CONFIGURATIONS,
    ),
    ("apiregistration.k8s.io", "apiservices", &API_SERVICES),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        &CertificateSigningRequests,
    ),
    ("flowcontrol.apiserver.k8s.io", "flowschemas", &FLOW_SCHEMAS),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        &PRIORITY_LEVEL_CONFIGURATIONS,
    ),
    ("resource.k8s.io", "deviceclasses", &DEVICE_CLASSES),
    ("resource.k8s.io", "resourceclaims", &RESOURCE_CLAIMS),
    (
        "resource.k8s.io",
        "resourceclaimtemplates",
        &RESOURCE_CLAIM_TEMPLATES,
    ),
    ("resource.k8s.io", "resourceslices", &RESOURCE_SLICES),
];

/// `(group, version, resource, strategy)` of the resources whose served versions differ
/// (one is stored as another, as `StoredAs` says); they take precedence over [`STRATEGIES`].
static VERSIONED: &[(&str, &str, &str, &(dyn Strategy + 'static))] = &[(
    "autoscaling",
    "v1",
    "horizontalpodautoscalers",
    &HORIZONTAL_POD_AUTOSCALERS_V1,
)];

/// The strategy of the built-in `group`/`version`/`resource`.
pub(crate) fn versioned_strategy(group: &str, version: &str, resource: &str) -> StrategyRef {
    let found = VERSIONED
        .iter()
        .find(|(g, v, r, _)| *g == group && *v == version && *r == resource);
    match found {
        Some((_, _, _, s)) => StrategyRef::Static(*s),
        None => strategy(group, resource),
    }
}

/// The strategy of the built-in `group`/`resource`.
pub(crate) fn strategy(group: &str, resource: &str) -> StrategyRef {
    let found = STRATEGIES
        .iter()
        .find(|(g, r, _)| *g == group && *r == resource);
    StrategyRef::Static(found.map_or(&Plain, |(_, _, s)| *s))
}
