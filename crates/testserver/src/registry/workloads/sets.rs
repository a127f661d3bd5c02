//! The columns of ReplicationControllers, ReplicaSets, DaemonSets and StatefulSets
//! (`printReplicationController`, `printReplicaSet`, `printDaemonSet`, `printStatefulSet`).

use serde_json::Value;

use crate::registry::print::{self, int};
use crate::registry::table::{self, CONTAINERS_DESC, Column, IMAGES_DESC, col};

const CONTAINERS: &str = "/spec/template/spec/containers";

fn names(v: &Value) -> Value {
    print::containers(v, CONTAINERS).0.into()
}

fn images(v: &Value) -> Value {
    print::containers(v, CONTAINERS).1.into()
}

fn selector(v: &Value) -> Value {
    print::format_label_selector(v.pointer("/spec/selector")).into()
}

/// ReplicationControllers: desired, current and ready replicas; the selector is a map.
pub(super) fn replication_controllers() -> Vec<Column> {
    table::columns(
        vec![
            col("Desired", "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller", 0, |v| {
                int(v, "/spec/replicas").into()
            })
            .typed("integer"),
            col("Current", "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller", 0, |v| {
                int(v, "/status/replicas").into()
            })
            .typed("integer"),
            col("Ready", "The number of ready replicas for this replication controller.", 0, |v| {
                int(v, "/status/readyReplicas").into()
            })
            .typed("integer"),
        ],
        vec![
            col("Containers", CONTAINERS_DESC, 1, names),
            col("Images", IMAGES_DESC, 1, images),
            col("Selector", "Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1, |v| {
                print::format_labels(v.pointer("/spec/selector")).into()
            }),
        ],
    )
}

/// ReplicaSets: desired, current and ready replicas.
pub(super) fn replica_sets() -> Vec<Column> {
    table::columns(
        vec![
            col("Desired", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", 0, |v| {
                int(v, "/spec/replicas").into()
            })
            .typed("integer"),
            col("Current", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", 0, |v| {
                int(v, "/status/replicas").into()
            })
            .typed("integer"),
            col("Ready", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.", 0, |v| {
                int(v, "/status/readyReplicas").into()
            })
            .typed("integer"),
        ],
        vec![
            col("Containers", CONTAINERS_DESC, 1, names),
            col("Images", IMAGES_DESC, 1, images),
            col("Selector", "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1, selector),
        ],
    )
}

/// DaemonSets: the scheduling counts and the template's node selector.
pub(super) fn daemon_sets() -> Vec<Column> {
    table::columns(
        vec![
            col("Desired", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", 0, |v| {
                int(v, "/status/desiredNumberScheduled").into()
            })
            .typed("integer"),
            col("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/", 0, |v| {
                int(v, "/status/currentNumberScheduled").into()
            })
            .typed("integer"),
            col("Ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", 0, |v| {
                int(v, "/status/numberReady").into()
            })
            .typed("integer"),
            col("Up-to-date", "The total number of nodes that are running updated daemon pod", 0, |v| {
                int(v, "/status/updatedNumberScheduled").into()
            })
            .typed("integer"),
            col("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)", 0, |v| {
                int(v, "/status/numberAvailable").into()
            })
            .typed("integer"),
            col("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/", 0, |v| {
                print::format_labels(v.pointer("/spec/template/spec/nodeSelector")).into()
            }),
        ],
        vec![
            col("Containers", CONTAINERS_DESC, 1, names),
            col("Images", IMAGES_DESC, 1, images),
            col("Selector", "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1, selector),
        ],
    )
}

/// StatefulSets: `READY ready/desired`.
pub(super) fn stateful_sets() -> Vec<Column> {
    table::columns(
        vec![col("Ready", "Number of the pod with ready state", 0, |v| {
            format!(
                "{}/{}",
                int(v, "/status/readyReplicas"),
                int(v, "/spec/replicas")
            )
            .into()
        })],
        vec![
            col("Containers", CONTAINERS_DESC, 1, names),
            col("Images", IMAGES_DESC, 1, images),
        ],
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(cols: &[Column], obj: &Value, expected: Value) {
        let cells: Vec<Value> = cols.iter().skip(1).map(|c| c.cell(obj)).collect();
        let age = cols.iter().position(|c| c.name == "Age").unwrap_or(0) - 1;
        let mut cells = cells;
        cells.remove(age);
        assert_eq!(Value::from(cells), expected);
    }

    fn template() -> Value {
        json!({"spec": {"containers": [{"name": "web", "image": "nginx"}, {"name": "log", "image": "busybox"}],
            "nodeSelector": {"disk": "ssd"}}})
    }

    /// As `printReplicaSet` and `printReplicationController`: the counts, then the wide
    /// containers, images and selector.
    #[test]
    fn replica_counts_and_selectors() {
        let rs = json!({"spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": template()}, "status": {"replicas": 2, "readyReplicas": 1}});
        check(
            &replica_sets(),
            &rs,
            json!([3, 2, 1, "web,log", "nginx,busybox", "app=web"]),
        );
        let rc = json!({"spec": {"replicas": 1, "selector": {"app": "web"}}, "status": {}});
        check(
            &replication_controllers(),
            &rc,
            json!([1, 0, 0, "", "", "app=web"]),
        );
    }

    /// As `printDaemonSet` and `printStatefulSet`.
    #[test]
    fn daemon_and_stateful_sets() {
        let ds = json!({"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template()},
            "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 1,
                "updatedNumberScheduled": 2, "numberAvailable": 1}});
        check(
            &daemon_sets(),
            &ds,
            json!([2, 2, 1, 2, 1, "disk=ssd", "web,log", "nginx,busybox", "a=b"]),
        );
        let ss = json!({"spec": {"replicas": 3, "template": template()}, "status": {"readyReplicas": 2}});
        check(
            &stateful_sets(),
            &ss,
            json!(["2/3", "web,log", "nginx,busybox"]),
        );
    }
}
