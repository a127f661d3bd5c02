//! The controllers' workload types (apps, batch, policy and core ReplicationControllers):
//! defaults and canonical quantities of the pod template, a status subresource, a
//! `generation` that follows the spec, and the status each starts with
//! (`pkg/registry/{apps,batch,policy,core}/*/strategy.go`). Deployments, which the test server
//! also validates, are in `deployments.rs`.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, quantities, workloads};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Checks, GcDefault, Strategy};
use crate::selector::{Getter, NAME, NAMESPACE, SelectorError, supported};
use crate::validation::{Invalid, NameRule};

/// The template pointer of the workloads with a pod template.
const TEMPLATE: &str = "/spec/template/spec";

/// The field labels of ReplicaSets and ReplicationControllers.
const REPLICA_LABELS: &[(&str, Getter)] = &[
    ("metadata.name", NAME),
    ("metadata.namespace", NAMESPACE),
    ("status.replicas", Getter::Int("/status/replicas")),
];

/// The strategy of a workload type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workload {
    /// The type's `SetDefaults_*` (after the template's quantities).
    defaults: fn(&mut Value),
    /// The status `PrepareForCreate` sets, if it resets it.
    created_status: Option<fn() -> Value>,
    /// Whether the type has the `status.replicas` field label.
    replica_labels: bool,
    /// `DefaultGarbageCollectionPolicy`.
    gc: GcDefault,
    /// Whether the type has a pod template whose quantities are canonicalised.
    template: bool,
    /// Whether `metadata.generation` follows the spec.
    generation: bool,
    /// The name rule when the test server validates the type (`ObjectMeta` only).
    validated: Option<NameRule>,
}

impl Workload {
    const fn new(defaults: fn(&mut Value)) -> Workload {
        Workload {
            defaults,
            created_status: None,
            replica_labels: false,
            gc: GcDefault::DeleteDependents,
            template: true,
            generation: true,
            validated: None,
        }
    }
}

fn no_defaults(_: &mut Value) {}

/// core/v1 ReplicationControllers.
pub(crate) const REPLICATION_CONTROLLERS: Workload = Workload {
    created_status: Some(|| json!({"replicas": 0})),
    replica_labels: true,
    ..Workload::new(workloads::replication_controller)
};

/// apps/v1 ReplicaSets.
pub(crate) const REPLICA_SETS: Workload = Workload {
    created_status: Some(|| json!({"replicas": 0})),
    replica_labels: true,
    ..Workload::new(workloads::replica_set)
};

/// apps/v1 StatefulSets.
pub(crate) const STATEFUL_SETS: Workload = Workload {
    created_status: Some(|| json!({"replicas": 0, "availableReplicas": 0})),
    ..Workload::new(workloads::stateful_set)
};

/// apps/v1 DaemonSets.
pub(crate) const DAEMON_SETS: Workload = Workload::new(workloads::daemon_set);

/// apps/v1 ControllerRevisions (no template, no status).
pub(crate) const CONTROLLER_REVISIONS: Workload = Workload {
    generation: false,
    ..Workload::new(no_defaults)
};

/// policy/v1 PodDisruptionBudgets.
pub(crate) const POD_DISRUPTION_BUDGETS: Workload = Workload {
    created_status: Some(
        || json!({"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
    ),
    template: false,
    validated: Some(NameRule::Subdomain),
    ..Workload::new(workloads::pod_disruption_budget)
};

/// batch/v1 Jobs: they orphan their pods by default, for backward compatibility.
pub(crate) const JOBS: Workload = Workload {
    gc: GcDefault::OrphanDependents,
    template: false,
    ..Workload::new(no_defaults)
};

/// batch/v1 CronJobs.
pub(crate) const CRON_JOBS: Workload = Workload {
    template: false,
    ..Workload::new(no_defaults)
};

impl Strategy for Workload {
    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        if self.template {
            quantities::pod_spec_at(obj, TEMPLATE)?;
        }
        (self.defaults)(obj);
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        self.generation
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        if self.generation {
            strategy::set_generation(obj, 1);
        }
        if let Some(status) = self.created_status {
            strategy::set_status(obj, status());
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let Some(name_rule) = self.validated else {
            return Ok(());
        };
        let c = Checks { rt, name_rule };
        c.result(obj, c.object(obj, Vec::new()))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let Some(name_rule) = self.validated else {
            return Ok(());
        };
        let c = Checks { rt, name_rule };
        c.update(subresource, new, old, || c.object(new, Vec::new()))
    }

    fn gc_default(&self) -> GcDefault {
        self.gc
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        if self.replica_labels {
            supported(REPLICA_LABELS, label)
        } else {
            crate::selector::metadata_label(label)
        }
    }
}
