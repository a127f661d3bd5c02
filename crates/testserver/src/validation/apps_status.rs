//! The status rules of the replicated workloads (`pkg/apis/apps/validation`:
//! `ValidateDeploymentStatusUpdate`, `ValidateReplicaSetStatusUpdate`,
//! `ValidateStatefulSetStatusUpdate`, `ValidateDaemonSetStatusUpdate`; `pkg/apis/core/validation`:
//! `ValidateReplicationControllerStatusUpdate`): counters are non-negative, the ready, available
//! and updated counts stay within `status.replicas`, and `collisionCount` never goes down.
//!
//! Each function is the type's own part, after the metadata update checks the strategy runs.

use serde_json::Value;

use super::FieldError;
use super::common_status::{collision_count, non_negative, non_negative_opt, not_above};

const ABOVE_REPLICAS: &str = "cannot be greater than status.replicas";

fn status(obj: &Value) -> &Value {
    obj.get("status").unwrap_or(&Value::Null)
}

/// `ValidateDeploymentStatus` plus the `collisionCount` rule.
pub(crate) fn deployment(new: &Value, old: &Value) -> Vec<FieldError> {
    let s = status(new);
    let p = "status";
    let mut errs = Vec::new();
    non_negative(
        s,
        p,
        &[
            "observedGeneration",
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ],
        &mut errs,
    );
    non_negative_opt(s, p, "terminatingReplicas", &mut errs);
    non_negative_opt(s, p, "collisionCount", &mut errs);
    for key in ["updatedReplicas", "readyReplicas", "availableReplicas"] {
        not_above(s, p, key, "replicas", ABOVE_REPLICAS, &mut errs);
    }
    not_above(
        s,
        p,
        "availableReplicas",
        "readyReplicas",
        "cannot be greater than readyReplicas",
        &mut errs,
    );
    errs.extend(collision_count(new, old));
    errs
}

/// `ValidateReplicaSetStatus`.
pub(crate) fn replica_set(new: &Value, _old: &Value) -> Vec<FieldError> {
    replica_counts(status(new), true)
}

/// `ValidateReplicationControllerStatus`.
pub(crate) fn replication_controller(new: &Value, _old: &Value) -> Vec<FieldError> {
    replica_counts(status(new), false)
}

/// The counters ReplicaSets and ReplicationControllers share.
fn replica_counts(s: &Value, terminating: bool) -> Vec<FieldError> {
    let p = "status";
    let mut errs = Vec::new();
    non_negative(
        s,
        p,
        &[
            "replicas",
            "fullyLabeledReplicas",
            "readyReplicas",
            "availableReplicas",
            "observedGeneration",
        ],
        &mut errs,
    );
    if terminating {
        non_negative_opt(s, p, "terminatingReplicas", &mut errs);
    }
    for key in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] {
        not_above(s, p, key, "replicas", ABOVE_REPLICAS, &mut errs);
    }
    not_above(
        s,
        p,
        "availableReplicas",
        "readyReplicas",
        "cannot be greater than readyReplicas",
        &mut errs,
    );
    errs
}

/// `ValidateStatefulSetStatus` plus the `collisionCount` rule.
pub(crate) fn stateful_set(new: &Value, old: &Value) -> Vec<FieldError> {
    let s = status(new);
    let p = "status";
    let mut errs = Vec::new();
    non_negative(
        s,
        p,
        &[
            "replicas",
            "readyReplicas",
            "currentReplicas",
            "updatedReplicas",
            "availableReplicas",
        ],
        &mut errs,
    );
    non_negative_opt(s, p, "observedGeneration", &mut errs);
    non_negative_opt(s, p, "collisionCount", &mut errs);
    for key in [
        "readyReplicas",
        "currentReplicas",
        "updatedReplicas",
        "availableReplicas",
    ] {
        not_above(s, p, key, "replicas", ABOVE_REPLICAS, &mut errs);
    }
    not_above(
        s,
        p,
        "availableReplicas",
        "readyReplicas",
        "cannot be greater than status.readyReplicas",
        &mut errs,
    );
    errs.extend(collision_count(new, old));
    errs
}

/// `validateDaemonSetStatus` plus the `collisionCount` rule.
pub(crate) fn daemon_set(new: &Value, old: &Value) -> Vec<FieldError> {
    let s = status(new);
    let mut errs = Vec::new();
    non_negative(
        s,
        "status",
        &[
            "currentNumberScheduled",
            "numberMisscheduled",
            "desiredNumberScheduled",
            "numberReady",
            "observedGeneration",
            "updatedNumberScheduled",
            "numberAvailable",
            "numberUnavailable",
        ],
        &mut errs,
    );
    non_negative_opt(s, "status", "collisionCount", &mut errs);
    errs.extend(collision_count(new, old));
    errs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(f: fn(&Value, &Value) -> Vec<FieldError>, new: Value, old: Value, expected: &[&str]) {
        let got: Vec<String> = f(&json!({ "status": new }), &json!({ "status": old }))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, expected);
    }

    /// `ValidateDeploymentStatus` and `ValidateDeploymentStatusUpdate`.
    #[test]
    fn deployment_status() {
        check(
            deployment,
            json!({"replicas": 3, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 3}),
            json!({}),
            &[],
        );
        check(
            deployment,
            json!({"replicas": -1, "readyReplicas": 2, "availableReplicas": 3, "collisionCount": 1}),
            json!({"collisionCount": 2}),
            &[
                "status.replicas: Invalid value: -1: must be greater than or equal to 0",
                "status.updatedReplicas: Invalid value: 0: cannot be greater than status.replicas",
                "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
                "status.collisionCount: Invalid value: 1: cannot be decremented",
            ],
        );
    }

    /// `ValidateReplicaSetStatus` / `ValidateReplicationControllerStatus`.
    #[test]
    fn replica_set_status() {
        check(
            replica_set,
            json!({"replicas": 1, "fullyLabeledReplicas": 2, "observedGeneration": -3}),
            json!({}),
            &[
                "status.observedGeneration: Invalid value: -3: must be greater than or equal to 0",
                "status.fullyLabeledReplicas: Invalid value: 2: cannot be greater than status.replicas",
            ],
        );
        check(
            replication_controller,
            json!({"replicas": 1, "readyReplicas": 1, "terminatingReplicas": -1}),
            json!({}),
            &[],
        );
        check(
            replica_set,
            json!({"replicas": 1, "readyReplicas": 1, "terminatingReplicas": -1}),
            json!({}),
            &["status.terminatingReplicas: Invalid value: -1: must be greater than or equal to 0"],
        );
    }

    /// `ValidateStatefulSetStatus` (its own wording for available above ready).
    #[test]
    fn stateful_set_status() {
        check(
            stateful_set,
            json!({"replicas": 2, "readyReplicas": 1, "availableReplicas": 2, "currentReplicas": 3}),
            json!({}),
            &[
                "status.currentReplicas: Invalid value: 3: cannot be greater than status.replicas",
                "status.availableReplicas: Invalid value: 2: cannot be greater than status.readyReplicas",
            ],
        );
    }

    /// `validateDaemonSetStatus`: no bounds between the counters.
    #[test]
    fn daemon_set_status() {
        check(
            daemon_set,
            json!({"desiredNumberScheduled": 1, "numberReady": 5, "numberUnavailable": -1}),
            json!({}),
            &["status.numberUnavailable: Invalid value: -1: must be greater than or equal to 0"],
        );
    }
}
