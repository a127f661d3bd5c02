//! The core (`""`) group's strategies with behaviour of their own.

/// ComponentStatuses.
pub(crate) mod componentstatuses;
/// ConfigMaps.
pub(crate) mod configmaps;
/// Endpoints.
pub(crate) mod endpoints;
/// Events (core/v1 and events.k8s.io/v1).
pub(crate) mod events;
/// LimitRanges.
pub(crate) mod limitranges;
/// Namespaces.
pub(crate) mod namespaces;
/// Nodes.
pub(crate) mod nodes;
/// PersistentVolumeClaims.
pub(crate) mod persistentvolumeclaims;
/// PersistentVolumes.
pub(crate) mod persistentvolumes;
/// Pods.
pub(crate) mod pods;
/// PodTemplates.
pub(crate) mod podtemplates;
/// ResourceQuotas.
pub(crate) mod resourcequotas;
/// Secrets.
pub(crate) mod secrets;
/// ServiceAccounts.
pub(crate) mod serviceaccounts;
/// Services.
pub(crate) mod services;
