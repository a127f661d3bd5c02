//! The pod table (`printPod` in `pkg/printers/internalversion/printers.go`): readiness,
//! the status with every reason `printPod` derives, restarts with the age of the last one,
//! and the wide columns.

use serde_json::Value;

use crate::clock;
use crate::registry::print::{self, condition_status, int, items, text};
use crate::registry::table::{self, Column, col};

/// The pod columns.
pub(super) fn columns() -> Vec<Column> {
    table::columns(
        vec![
            col(
                "Ready",
                "The aggregate readiness state of this pod for accepting traffic.",
                0,
                |v| {
                    let s = summarize(v);
                    format!("{}/{}", s.ready, s.total).into()
                },
            ),
            col(
                "Status",
                "The aggregate status of the containers in this pod.",
                0,
                |v| summarize(v).reason.into(),
            ),
            col(
                "Restarts",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                0,
                |v| summarize(v).restarts().into(),
            ),
        ],
        vec![
            col(
                "IP",
                "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                1,
                |v| {
                    let ip = items(v, "/status/podIPs")
                        .first()
                        .map_or("", |p| text(p, "/ip"));
                    print::or(ip, "<none>").into()
                },
            ),
            col(
                "Node",
                "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
                1,
                |v| print::or(text(v, "/spec/nodeName"), "<none>").into(),
            ),
            col(
                "Nominated Node",
                "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
                1,
                |v| print::or(text(v, "/status/nominatedNodeName"), "<none>").into(),
            ),
            col(
                "Readiness Gates",
                "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
                1,
                readiness_gates,
            ),
        ],
    )
}

/// What `printPod` derives from the container statuses.
#[derive(Debug, PartialEq, Eq)]
struct Summary {
    ready: usize,
    total: usize,
    reason: String,
    restarts: i64,
    /// The Unix time the last restarted container finished, if any did.
    last_restart: Option<i64>,
}

impl Summary {
    /// `N`, or `N (AGE ago)` when a container restarted and its finish time is known.
    fn restarts(&self) -> String {
        match self.last_restart {
            Some(t) if self.restarts != 0 => format!(
                "{} ({} ago)",
                self.restarts,
                print::human_duration(clock::unix_now() - t)
            ),
            _ => self.restarts.to_string(),
        }
    }
}

fn has(obj: &Value, pointer: &str) -> bool {
    obj.pointer(pointer).is_some_and(Value::is_object)
}

/// The finish time of the container's last termination, folded into `last`.
fn note_restart(status: &Value, last: &mut Option<i64>) {
    if has(status, "/lastState/terminated") {
        let finished = print::timestamp(status, "/lastState/terminated/finishedAt");
        if finished > *last {
            *last = finished;
        }
    }
}

/// `Signal:N` or `ExitCode:N` of a terminated state without a reason.
fn exit(status: &Value) -> String {
    let signal = int(status, "/state/terminated/signal");
    if signal != 0 {
        format!("Signal:{signal}")
    } else {
        format!("ExitCode:{}", int(status, "/state/terminated/exitCode"))
    }
}

fn summarize(pod: &Value) -> Summary {
    let phase = text(pod, "/status/phase");
    let mut reason = print::or(text(pod, "/status/reason"), phase);
    for c in items(pod, "/status/conditions") {
        if text(c, "/type") == "PodScheduled" && text(c, "/reason") == "SchedulingGated" {
            reason = "SchedulingGated".into();
        }
    }
    let init_specs = items(pod, "/spec/initContainers");
    let restartable = |name: &str| {
        init_specs
            .iter()
            .any(|c| text(c, "/name") == name && text(c, "/restartPolicy") == "Always")
    };
    let total = items(pod, "/spec/containers").len()
        + init_specs
            .iter()
            .filter(|c| text(c, "/restartPolicy") == "Always")
            .count();
    let mut ready = 0;
    let (mut restarts, mut sidecar_restarts) = (0, 0);
    let (mut last, mut sidecar_last) = (None, None);
    let mut initializing = false;
    for (i, c) in items(pod, "/status/initContainerStatuses")
        .iter()
        .enumerate()
    {
        let name = text(c, "/name");
        restarts += int(c, "/restartCount");
        note_restart(c, &mut last);
        if restartable(name) {
            sidecar_restarts += int(c, "/restartCount");
            note_restart(c, &mut sidecar_last);
        }
        let terminated = has(c, "/state/terminated");
        let waiting = text(c, "/state/waiting/reason");
        if terminated && int(c, "/state/terminated/exitCode") == 0 {
            continue;
        }
        if restartable(name) && print::boolean(c, "/started") {
            if print::boolean(c, "/ready") {
                ready += 1;
            }
            continue;
        }
        reason = if terminated {
            match text(c, "/state/terminated/reason") {
                "" => format!("Init:{}", exit(c)),
                r => format!("Init:{r}"),
            }
        } else if has(c, "/state/waiting") && !waiting.is_empty() && waiting != "PodInitializing" {
            format!("Init:{waiting}")
        } else {
            format!("Init:{i}/{}", init_specs.len())
        };
        initializing = true;
        break;
    }
    let initialized = condition_status(pod, "/status/conditions", "Initialized") == Some("True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last = sidecar_last;
        let mut running = false;
        for c in items(pod, "/status/containerStatuses").iter().rev() {
            restarts += int(c, "/restartCount");
            note_restart(c, &mut last);
            let waiting = text(c, "/state/waiting/reason");
            let terminated = text(c, "/state/terminated/reason");
            if has(c, "/state/waiting") && !waiting.is_empty() {
                reason = waiting.into();
            } else if has(c, "/state/terminated") && !terminated.is_empty() {
                reason = terminated.into();
            } else if has(c, "/state/terminated") {
                reason = exit(c);
            } else if print::boolean(c, "/ready") && has(c, "/state/running") {
                running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && running {
            let pod_ready = condition_status(pod, "/status/conditions", "Ready") == Some("True");
            reason = if pod_ready { "Running" } else { "NotReady" }.into();
        }
    }
    let deleting = pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null());
    if deleting && text(pod, "/status/reason") == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && !matches!(phase, "Succeeded" | "Failed") {
        reason = "Terminating".into();
    }
    Summary {
        ready,
        total,
        reason,
        restarts,
        last_restart: last,
    }
}

/// `True` readiness gates of the total, `<none>` without gates.
fn readiness_gates(pod: &Value) -> Value {
    let gates = items(pod, "/spec/readinessGates");
    if gates.is_empty() {
        return "<none>".into();
    }
    let conditions = items(pod, "/status/conditions");
    let true_count = gates
        .iter()
        .filter(|g| {
            let ty = text(g, "/conditionType");
            conditions
                .iter()
                .find(|c| text(c, "/type") == ty)
                .is_some_and(|c| text(c, "/status") == "True")
        })
        .count();
    format!("{true_count}/{}", gates.len()).into()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(pod: Value, ready: &str, reason: &str, restarts: &str) {
        let s = summarize(&pod);
        assert_eq!(format!("{}/{}", s.ready, s.total), ready, "{pod}");
        assert_eq!(s.reason, reason, "{pod}");
        assert_eq!(s.restarts(), restarts, "{pod}");
    }

    fn pod(spec: Value, status: Value) -> Value {
        json!({"metadata": {"name": "p"}, "spec": spec, "status": status})
    }

    /// Cases of `TestPrintPod` and `TestPrintPodWithRestartableInitContainer`
    /// (`pkg/printers/internalversion/printers_test.go`).
    #[test]
    fn statuses() {
        let two = json!({"containers": [{"name": "a"}, {"name": "b"}]});
        check(
            pod(two.clone(), json!({"phase": "Pending"})),
            "0/2",
            "Pending",
            "0",
        );
        check(
            pod(
                two.clone(),
                json!({"phase": "podPhase", "containerStatuses": [
                {"ready": true, "restartCount": 3, "state": {"running": {}}},
                {"restartCount": 3}]}),
            ),
            "1/2",
            "podPhase",
            "6",
        );
        check(
            pod(
                two.clone(),
                json!({"phase": "podPhase", "reason": "podReason"}),
            ),
            "0/2",
            "podReason",
            "0",
        );
        check(
            pod(
                two.clone(),
                json!({"phase": "podPhase", "containerStatuses": [
                {"state": {"waiting": {"reason": "ContainerWaitingReason"}}, "restartCount": 3},
                {"state": {"terminated": {"reason": "ContainerTerminatedReason"}}, "restartCount": 3}]}),
            ),
            "0/2",
            "ContainerWaitingReason",
            "6",
        );
        check(
            pod(
                two.clone(),
                json!({"phase": "podPhase", "containerStatuses": [
                {"state": {"terminated": {"exitCode": 2}}},
                {"state": {"terminated": {"signal": 9}}}]}),
            ),
            "0/2",
            "ExitCode:2",
            "0",
        );
        // a completed container next to a running one: Running with the Ready condition
        let mixed = json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"ready": true, "state": {"running": {}}},
                {"state": {"terminated": {"reason": "Completed", "exitCode": 0}}}]});
        check(pod(two.clone(), mixed), "1/2", "Running", "0");
        let gated = json!({"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]});
        check(pod(two.clone(), gated), "0/2", "SchedulingGated", "0");
        let deleting = json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": two, "status": {"phase": "Running"}});
        check(deleting, "0/2", "Terminating", "0");
    }

    #[test]
    fn init_containers() {
        let spec = json!({"initContainers": [{"name": "i1"}, {"name": "i2"}],
            "containers": [{"name": "c"}]});
        check(
            pod(
                spec.clone(),
                json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"terminated": {"exitCode": 0}}},
                {"name": "i2", "state": {"running": {}}}]}),
            ),
            "0/1",
            "Init:1/2",
            "0",
        );
        check(
            pod(
                spec.clone(),
                json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
            ),
            "0/1",
            "Init:CrashLoopBackOff",
            "2",
        );
        check(
            pod(
                spec,
                json!({"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"terminated": {"exitCode": 1}}}]}),
            ),
            "0/1",
            "Init:ExitCode:1",
            "0",
        );
        // a started sidecar counts as ready and as a container
        let sidecar = json!({"initContainers": [{"name": "s", "restartPolicy": "Always"}],
            "containers": [{"name": "c"}]});
        check(
            pod(
                sidecar,
                json!({"phase": "Running", "initContainerStatuses": [
                {"name": "s", "started": true, "ready": true, "state": {"running": {}}}],
                "containerStatuses": [{"name": "c", "ready": true, "state": {"running": {}}}]}),
            ),
            "2/2",
            "Running",
            "0",
        );
    }

    #[test]
    fn restarts_carry_the_age_of_the_last_one() {
        let finished = clock::rfc3339(clock::unix_now() - 300);
        let p = pod(
            json!({"containers": [{"name": "c"}]}),
            json!({"phase": "Running", "containerStatuses": [{"restartCount": 4,
                "state": {"running": {}}, "lastState": {"terminated": {"finishedAt": finished}}}]}),
        );
        let restarts = summarize(&p).restarts();
        // the clock may tick between the two reads
        assert!(
            restarts == "4 (5m ago)" || restarts == "4 (5m1s ago)",
            "{restarts}"
        );
    }

    #[test]
    fn wide_cells() {
        let p = json!({"spec": {"readinessGates": [{"conditionType": "a"}, {"conditionType": "b"}]},
            "status": {"podIPs": [{"ip": "10.0.0.1"}], "conditions": [{"type": "a", "status": "True"}]}});
        let cols = columns();
        let cell = |name: &str| cols.iter().find(|c| c.name == name).map(|c| c.cell(&p));
        assert_eq!(cell("IP"), Some(json!("10.0.0.1")));
        assert_eq!(cell("Node"), Some(json!("<none>")));
        assert_eq!(cell("Readiness Gates"), Some(json!("1/2")));
        let names: Vec<_> = cols
            .iter()
            .map(|c| (c.name.to_string(), c.priority))
            .collect();
        assert_eq!(
            names,
            [
                ("Name", 0),
                ("Ready", 0),
                ("Status", 0),
                ("Restarts", 0),
                ("Age", 0),
                ("IP", 1),
                ("Node", 1),
                ("Nominated Node", 1),
                ("Readiness Gates", 1)
            ]
            .map(|(n, p)| (n.to_owned(), p))
        );
    }
}
