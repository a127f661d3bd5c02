//! The controllers' workload types (apps, batch, policy and core ReplicationControllers):
//! defaults and canonical quantities of the pod template, a status subresource, a
//! `generation` that follows the spec, the status each starts with, and their validation
//! (`pkg/registry/{apps,batch,policy,core}/*/strategy.go`; ReplicaSet, StatefulSet, DaemonSet
//! and ControllerRevision specs as `pkg/apis/apps/validation`, ReplicationControllers as
//! `pkg/apis/core/validation`, Jobs and CronJobs as `pkg/apis/batch/validation`,
//! PodDisruptionBudgets as `pkg/apis/policy/validation`), their status checks, and their table
//! columns (`workloads/`). Deployments, which the test server
//! also validates, are in `deployments.rs`.

mod batch;
mod disruption_budgets;
mod revisions;
mod sets;

use serde_json::{Value, json};

use crate::shared::json::object_at;

use crate::admission::defaults::{DecodeError, jobs, quantities, workloads};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Checks, GcDefault, Strategy};
use crate::registry::table::{self, Column};
use crate::selector::{Getter, NAME, NAMESPACE, SelectorError, supported};
use crate::validation::{
    FieldError, Invalid, NameRule, apps, apps_status, controller_revision, cron_jobs, job_status,
    policy, policy_status, replication_controller, stateful_set,
};

/// The template pointer of the workloads with a pod template.
const TEMPLATE: &str = "/spec/template/spec";

/// The pod template pointer of CronJobs.
const JOB_TEMPLATE: &str = "/spec/jobTemplate/spec/template/spec";

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
    /// Where the type's pod template is, whose quantities are canonicalised.
    template: Option<&'static str>,
    /// Whether `metadata.generation` follows the spec.
    generation: bool,
    /// How names are checked (`ValidateXName`).
    name_rule: NameRule,
    /// The type's own checks of a new object (after `ObjectMeta`).
    spec: fn(&Value) -> Vec<FieldError>,
    /// The type's update-only checks (after the object checks).
    spec_update: fn(&Value, &Value) -> Vec<FieldError>,
    /// The type's whole update check, where it is not the object checks followed by
    /// `spec_update`.
    update: Option<Update>,
    /// The status strategy's own checks of a `status` update (`ValidateXStatusUpdate` after
    /// its metadata rules).
    status: fn(&Value, &Value) -> Vec<FieldError>,
    /// The table columns (the files under `workloads/`).
    columns: fn() -> Vec<Column>,
    /// What the type's `PrepareForCreate` does besides generation and status.
    on_create: fn(&mut Value),
    /// `WarningsOnCreate` and `WarningsOnUpdate` (`crate::warnings::workloads`).
    warnings: crate::warnings::workloads::Warnings,
}

/// A `ValidateXUpdate` that is not `ValidateX` followed by update-only checks.
#[derive(Debug, Clone, Copy)]
struct Update {
    /// Whether it checks the new object's `ObjectMeta` again (`ValidateObjectMeta`).
    object_meta: bool,
    /// Its checks after the metadata.
    checks: fn(&Value, &Value) -> Vec<FieldError>,
}

impl Workload {
    const fn new(defaults: fn(&mut Value)) -> Workload {
        Workload {
            defaults,
            created_status: None,
            replica_labels: false,
            gc: GcDefault::DeleteDependents,
            template: Some(TEMPLATE),
            generation: true,
            name_rule: NameRule::Subdomain,
            spec: no_checks,
            spec_update: no_update_checks,
            update: None,
            status: no_update_checks,
            columns: table::default_columns,
            on_create: no_defaults,
            warnings: crate::warnings::workloads::NONE,
        }
    }
}

fn no_defaults(_: &mut Value) {}

fn no_checks(_: &Value) -> Vec<FieldError> {
    Vec::new()
}

fn no_update_checks(_: &Value, _: &Value) -> Vec<FieldError> {
    Vec::new()
}

/// core/v1 ReplicationControllers: v1 orphans the pods by default, for backward
/// compatibility; an update checks the spec twice (`ValidateReplicationController` and
/// `ValidateReplicationControllerUpdate`), as the real strategy does.
pub(crate) const REPLICATION_CONTROLLERS: Workload = Workload {
    created_status: Some(|| json!({"replicas": 0})),
    replica_labels: true,
    gc: GcDefault::OrphanDependents,
    spec: replication_controller::replication_controller,
    spec_update: replication_controller::replication_controller_update,
    status: apps_status::replication_controller,
    columns: sets::replication_controllers,
    warnings: crate::warnings::workloads::REPLICATION_CONTROLLERS,
    ..Workload::new(workloads::replication_controller)
};

/// apps/v1 ReplicaSets.
pub(crate) const REPLICA_SETS: Workload = Workload {
    created_status: Some(|| json!({"replicas": 0})),
    replica_labels: true,
    spec: apps::replica_set,
    status: apps_status::replica_set,
    columns: sets::replica_sets,
    warnings: crate::warnings::workloads::REPLICATED,
    ..Workload::new(workloads::replica_set)
};

/// apps/v1 StatefulSets.
pub(crate) const STATEFUL_SETS: Workload = Workload {
    created_status: Some(|| json!({"replicas": 0, "availableReplicas": 0})),
    name_rule: NameRule::Label,
    spec: stateful_set::stateful_set,
    update: Some(Update {
        object_meta: false,
        checks: stateful_set::stateful_set_update,
    }),
    status: apps_status::stateful_set,
    columns: sets::stateful_sets,
    warnings: crate::warnings::workloads::STATEFUL_SETS,
    ..Workload::new(workloads::stateful_set)
};

/// apps/v1 DaemonSets.
pub(crate) const DAEMON_SETS: Workload = Workload {
    created_status: Some(
        || json!({"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0, "numberReady": 0}),
    ),
    spec: apps::daemon_set,
    status: apps_status::daemon_set,
    columns: sets::daemon_sets,
    warnings: crate::warnings::workloads::DAEMON_SETS,
    ..Workload::new(workloads::daemon_set)
};

/// apps/v1 ControllerRevisions (no template, no status).
pub(crate) const CONTROLLER_REVISIONS: Workload = Workload {
    generation: false,
    spec: controller_revision::controller_revision,
    update: Some(Update {
        object_meta: true,
        checks: controller_revision::controller_revision_update,
    }),
    columns: revisions::controller_revisions,
    template: None,
    ..Workload::new(no_defaults)
};

/// policy/v1 PodDisruptionBudgets.
pub(crate) const POD_DISRUPTION_BUDGETS: Workload = Workload {
    created_status: Some(
        || json!({"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}),
    ),
    template: None,
    // its Validate checks the spec only; the generic path-segment rule checks the name
    name_rule: NameRule::PathSegment,
    spec: policy::pod_disruption_budget,
    status: policy_status::pod_disruption_budget,
    columns: disruption_budgets::pod_disruption_budgets,
    ..Workload::new(workloads::pod_disruption_budget)
};

/// batch/v1 Jobs: they orphan their pods by default, for backward compatibility.
pub(crate) const JOBS: Workload = Workload {
    created_status: Some(|| json!({})),
    gc: GcDefault::OrphanDependents,
    status: job_status::job,
    columns: batch::jobs,
    spec: crate::validation::jobs::job,
    spec_update: crate::validation::jobs::job_update,
    on_create: generate_selector,
    warnings: crate::warnings::workloads::JOBS,
    ..Workload::new(jobs::job)
};

/// batch/v1 CronJobs.
pub(crate) const CRON_JOBS: Workload = Workload {
    created_status: Some(|| json!({})),
    template: Some(JOB_TEMPLATE),
    columns: batch::cron_jobs,
    spec: cron_jobs::cron_job,
    spec_update: cron_jobs::cron_job_update,
    warnings: crate::warnings::workloads::CRON_JOBS,
    ..Workload::new(jobs::cron_job)
};

/// The Job strategy's `generateSelectorIfNeeded`: unless `manualSelector` is set, the template
/// gets the job-name and controller-uid labels and the selector the controller-uid, where the
/// user set none; then the labels the stored Job shows when it has none of its own (the
/// defaults applied again when it is read back).
fn generate_selector(obj: &mut Value) {
    use crate::validation::jobs::{
        CONTROLLER_UID, JOB_NAME, LEGACY_CONTROLLER_UID, LEGACY_JOB_NAME,
    };
    let meta_str = |obj: &Value, key: &str| {
        obj.pointer(&format!("/metadata/{key}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let (name, uid) = (meta_str(obj, "name"), meta_str(obj, "uid"));
    if obj.pointer("/spec/manualSelector").and_then(Value::as_bool) != Some(true) {
        if let Some(labels) = object_at(obj, &["spec", "template", "metadata", "labels"]) {
            for (key, value) in [
                (LEGACY_JOB_NAME, &name),
                (JOB_NAME, &name),
                (LEGACY_CONTROLLER_UID, &uid),
                (CONTROLLER_UID, &uid),
            ] {
                labels.entry(key).or_insert_with(|| json!(value));
            }
        }
        if let Some(match_labels) = object_at(obj, &["spec", "selector", "matchLabels"]) {
            match_labels
                .entry(CONTROLLER_UID)
                .or_insert_with(|| json!(uid));
        }
    }
    let template_labels = obj.pointer("/spec/template/metadata/labels").cloned();
    if let Some(labels) = template_labels.filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        && let Some(meta) = object_at(obj, &["metadata"])
        && meta
            .get("labels")
            .and_then(Value::as_object)
            .is_none_or(serde_json::Map::is_empty)
    {
        meta.insert("labels".into(), labels);
    }
}

impl Strategy for Workload {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        (self.warnings.create)(obj)
    }

    fn warnings_on_update(&self, subresource: &str, new: &Value, old: &Value) -> Vec<String> {
        match subresource {
            "" => (self.warnings.update)(new, old),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        if let Some(template) = self.template {
            quantities::pod_spec_at(obj, template)?;
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
        (self.on_create)(obj);
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        c.create(obj, (self.spec)(obj))
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: self.name_rule,
        };
        if subresource == "status" {
            return c.status_update(new, old, (self.status)(new, old));
        }
        c.update(subresource, new, old, || {
            if let Some(update) = self.update {
                let errs = (update.checks)(new, old);
                return if update.object_meta {
                    c.object(new, errs)
                } else {
                    errs
                };
            }
            let mut errs = c.object(new, (self.spec)(new));
            errs.extend((self.spec_update)(new, old));
            errs
        })
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

    fn columns(&self) -> Vec<Column> {
        (self.columns)()
    }
}
