//! The filters: which nodes can run a pod, and, for those that cannot, kube-scheduler's reason
//! texts, so that `kubectl describe pod` reads the same as under the default scheduler.
//!
//! The order is kube-scheduler's default profile (NodeUnschedulable, TaintToleration,
//! NodeAffinity, NodeResourcesFit); as there, a node's first failing filter gives its reasons.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint};

use crate::resources::{self, Resources};

/// `node(s) were unschedulable` (NodeUnschedulable).
const UNSCHEDULABLE: &str = "node(s) were unschedulable";
/// NodeAffinity's reason for a node selector or required affinity that does not match.
const AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
/// The taint the node lifecycle controller puts on a node that is not Ready.
const NOT_READY: &str = "node.kubernetes.io/not-ready";
/// The taint that goes with `spec.unschedulable`.
const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// Why `pod` cannot run on `node`, given what is already bound there (`used`, `pods` placed);
/// empty when it can.
pub(crate) fn reasons(pod: &Pod, node: &Node, used: Resources, pods: i64) -> Vec<String> {
    if unschedulable(pod, node) {
        return vec![UNSCHEDULABLE.to_owned()];
    }
    if let Some(taint) = untolerated(pod, node) {
        return vec![format!(
            "node(s) had untolerated taint {{{}: {}}}",
            taint.key,
            taint.value.as_deref().unwrap_or("")
        )];
    }
    if !affinity_matches(pod, node) {
        return vec![AFFINITY.to_owned()];
    }
    fits(pod, node, used, pods)
}

/// `spec.unschedulable`, unless the pod tolerates the matching taint.
fn unschedulable(pod: &Pod, node: &Node) -> bool {
    let cordoned = node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true);
    let taint = Taint {
        key: UNSCHEDULABLE_TAINT.into(),
        effect: "NoSchedule".into(),
        ..Taint::default()
    };
    cordoned && !tolerations(pod).any(|t| tolerates(t, &taint))
}

fn tolerations(pod: &Pod) -> impl Iterator<Item = &k8s_openapi::api::core::v1::Toleration> {
    pod.spec
        .as_ref()
        .and_then(|s| s.tolerations.as_ref())
        .into_iter()
        .flatten()
}

/// The first `NoSchedule` or `NoExecute` taint the pod does not tolerate. A node whose Ready
/// condition is not `True` counts as tainted `not-ready:NoSchedule`, as the node lifecycle
/// controller would taint it (kube-scheduler itself only sees the taint).
fn untolerated(pod: &Pod, node: &Node) -> Option<Taint> {
    let mut taints: Vec<Taint> = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    if !ready(node) && !taints.iter().any(|t| t.key == NOT_READY) {
        taints.push(Taint {
            key: NOT_READY.into(),
            effect: "NoSchedule".into(),
            ..Taint::default()
        });
    }
    taints
        .into_iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .find(|taint| !tolerations(pod).any(|t| tolerates(t, taint)))
}

fn ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// `v1.Toleration.ToleratesTaint`: effect and key match when set; `Exists` matches any value,
/// `Equal` (or no operator) the same value.
pub(crate) fn tolerates(
    toleration: &k8s_openapi::api::core::v1::Toleration,
    taint: &Taint,
) -> bool {
    let effect = toleration.effect.as_deref().unwrap_or("");
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match toleration.operator.as_deref().unwrap_or("") {
        "" | "Equal" => {
            toleration.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("")
        }
        "Exists" => true,
        _ => false,
    }
}

/// `spec.nodeSelector` and the required node affinity both match.
fn affinity_matches(pod: &Pod, node: &Node) -> bool {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    let Some(spec) = &pod.spec else { return true };
    let selector_ok = spec
        .node_selector
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let required = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    let name = node.metadata.name.as_deref().unwrap_or("");
    selector_ok
        && required.is_none_or(|r| {
            r.node_selector_terms
                .iter()
                .any(|term| term_matches(term, labels, name))
        })
}

/// A term matches when all its expressions and fields do; an empty term matches nothing.
pub(crate) fn term_matches(
    term: &NodeSelectorTerm,
    labels: &BTreeMap<String, String>,
    name: &str,
) -> bool {
    let expressions = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if expressions.is_empty() && fields.is_empty() {
        return false;
    }
    let fields_map = BTreeMap::from([("metadata.name".to_owned(), name.to_owned())]);
    expressions.iter().all(|r| requirement_matches(r, labels))
        && fields
            .iter()
            .all(|r| r.key == "metadata.name" && requirement_matches(r, &fields_map))
}

/// One `NodeSelectorRequirement`: `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`.
fn requirement_matches(req: &NodeSelectorRequirement, labels: &BTreeMap<String, String>) -> bool {
    let values = req.values.as_deref().unwrap_or_default();
    let value = labels.get(&req.key);
    let number = |v: &str| v.parse::<i64>().ok();
    match req.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(have), [bound]) = (value.and_then(|v| number(v)), values) else {
                return false;
            };
            let Some(bound) = number(bound) else {
                return false;
            };
            if req.operator == "Gt" {
                have > bound
            } else {
                have < bound
            }
        }
        _ => false,
    }
}

/// NodeResourcesFit: `Too many pods`, `Insufficient cpu`, `Insufficient memory`, each a
/// reason of its own.
fn fits(pod: &Pod, node: &Node, used: Resources, pods: i64) -> Vec<String> {
    let (allocatable, max_pods) = resources::allocatable(node);
    let wants = resources::pod_requests(pod, false);
    let mut reasons = Vec::new();
    if pods + 1 > max_pods {
        reasons.push("Too many pods".to_owned());
    }
    if wants.milli_cpu > 0 && wants.milli_cpu > allocatable.milli_cpu - used.milli_cpu {
        reasons.push("Insufficient cpu".to_owned());
    }
    if wants.memory > 0 && wants.memory > allocatable.memory - used.memory {
        reasons.push("Insufficient memory".to_owned());
    }
    reasons
}

/// kube-scheduler's `FitError` text: `0/3 nodes are available: 1 node(s) had untolerated
/// taint {a: b}, 2 Insufficient cpu.` (counts per reason, sorted as strings).
pub(crate) fn fit_error(nodes: usize, reasons: &BTreeMap<String, usize>) -> String {
    let mut counted: Vec<String> = reasons
        .iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    counted.sort();
    let mut message = format!("0/{nodes} nodes are available:");
    if !counted.is_empty() {
        message.push_str(&format!(" {}.", counted.join(", ")));
    }
    message
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{Node, Pod};
    use serde_json::{Value, json};

    use super::reasons;
    use crate::resources::Resources;

    /// A Ready node with 2 CPUs, 4Gi and 110 pods, `extra` merged into its JSON.
    fn node(extra: Value) -> Node {
        let mut node = json!({
            "metadata": {"name": "n1", "labels": {"zone": "a", "gen": "10"}},
            "spec": {},
            "status": {
                "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        });
        merge(&mut node, extra);
        serde_json::from_value(node).unwrap()
    }

    /// A pod with one container requesting 100m, `spec` merged into its spec.
    fn pod(spec: Value) -> Pod {
        let mut pod = json!({"metadata": {"name": "p"}, "spec": {
            "containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}],
        }});
        merge(&mut pod["spec"], spec);
        serde_json::from_value(pod).unwrap()
    }

    fn merge(into: &mut Value, from: Value) {
        match (into, from) {
            (Value::Object(into), Value::Object(from)) => {
                for (k, v) in from {
                    merge(into.entry(k).or_insert(Value::Null), v);
                }
            }
            (into, from) => *into = from,
        }
    }

    #[track_caller]
    fn check(pod_spec: Value, node_extra: Value, expected: &[&str]) {
        let got = reasons(&pod(pod_spec), &node(node_extra), Resources::default(), 0);
        assert_eq!(got, expected);
    }

    fn taint(key: &str, value: &str, effect: &str) -> Value {
        json!({"spec": {"taints": [{"key": key, "value": value, "effect": effect}]}})
    }

    const AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";

    fn required(terms: Value) -> Value {
        json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}})
    }

    #[test]
    fn readiness_and_cordons() {
        check(json!({}), json!({}), &[]);
        let not_ready = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        check(
            json!({}),
            not_ready,
            &["node(s) had untolerated taint {node.kubernetes.io/not-ready: }"],
        );
        check(
            json!({}),
            json!({"spec": {"unschedulable": true}}),
            &["node(s) were unschedulable"],
        );
        let tolerates = json!({"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}]});
        check(tolerates, json!({"spec": {"unschedulable": true}}), &[]);
    }

    #[test]
    fn taints_and_tolerations() {
        let gpu = || taint("dedicated", "gpu", "NoSchedule");
        let untolerated = ["node(s) had untolerated taint {dedicated: gpu}"];
        check(json!({}), gpu(), &untolerated);
        check(
            json!({}),
            taint("dedicated", "gpu", "PreferNoSchedule"),
            &[],
        );
        check(
            json!({}),
            taint("dedicated", "gpu", "NoExecute"),
            &untolerated,
        );
        for (toleration, tolerated) in [
            (json!({"key": "dedicated", "value": "gpu"}), true),
            (
                json!({"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}),
                true,
            ),
            (
                json!({"key": "dedicated", "operator": "Equal", "value": "cpu"}),
                false,
            ),
            (json!({"key": "dedicated", "operator": "Exists"}), true),
            (json!({"operator": "Exists"}), true),
            (json!({"operator": "Exists", "effect": "NoExecute"}), false),
            (json!({"key": "other", "operator": "Exists"}), false),
            (
                json!({"key": "dedicated", "operator": "Gt", "value": "gpu"}),
                false,
            ),
        ] {
            let expected: &[&str] = if tolerated { &[] } else { &untolerated };
            check(json!({"tolerations": [toleration]}), gpu(), expected);
        }
    }

    #[test]
    fn node_selector_and_required_affinity() {
        check(json!({"nodeSelector": {"zone": "a"}}), json!({}), &[]);
        check(
            json!({"nodeSelector": {"zone": "b"}}),
            json!({}),
            &[AFFINITY],
        );
        for (expression, matches) in [
            (
                json!({"key": "zone", "operator": "In", "values": ["a", "b"]}),
                true,
            ),
            (
                json!({"key": "zone", "operator": "In", "values": ["b"]}),
                false,
            ),
            (
                json!({"key": "zone", "operator": "NotIn", "values": ["b"]}),
                true,
            ),
            (
                json!({"key": "missing", "operator": "NotIn", "values": ["b"]}),
                true,
            ),
            (json!({"key": "zone", "operator": "Exists"}), true),
            (json!({"key": "missing", "operator": "Exists"}), false),
            (json!({"key": "missing", "operator": "DoesNotExist"}), true),
            (
                json!({"key": "gen", "operator": "Gt", "values": ["9"]}),
                true,
            ),
            (
                json!({"key": "gen", "operator": "Gt", "values": ["10"]}),
                false,
            ),
            (
                json!({"key": "gen", "operator": "Lt", "values": ["11"]}),
                true,
            ),
            (
                json!({"key": "zone", "operator": "Lt", "values": ["11"]}),
                false,
            ),
            (
                json!({"key": "gen", "operator": "Gt", "values": ["1", "2"]}),
                false,
            ),
        ] {
            let expected: &[&str] = if matches { &[] } else { &[AFFINITY] };
            let spec = required(json!([{"matchExpressions": [expression.clone()]}]));
            let got = reasons(&pod(spec), &node(json!({})), Resources::default(), 0);
            assert_eq!(got, expected, "{expression}");
        }
        // terms are ORed, an empty term matches nothing, fields match the name
        let no = json!({"key": "zone", "operator": "In", "values": ["b"]});
        check(
            required(
                json!([{"matchExpressions": [no]}, {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]),
            ),
            json!({}),
            &[],
        );
        check(required(json!([{}])), json!({}), &[AFFINITY]);
    }

    #[test]
    fn resources_as_kube_scheduler_counts_them() {
        let over = |cpu: &str| json!({"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]});
        check(over("2"), json!({}), &[]);
        check(over("2001m"), json!({}), &["Insufficient cpu"]);
        // the largest init container counts when it is more than the containers
        let init = json!({"initContainers": [{"name": "i", "resources": {"requests": {"cpu": "3", "memory": "5Gi"}}}]});
        check(
            init,
            json!({}),
            &["Insufficient cpu", "Insufficient memory"],
        );
        // a sidecar runs beside the containers: 1.5 + 0.6 > 2
        let sidecar = json!({
            "containers": [{"name": "c", "resources": {"requests": {"cpu": "1500m"}}}],
            "initContainers": [{"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "600m"}}}],
        });
        check(sidecar, json!({}), &["Insufficient cpu"]);
        check(
            json!({"overhead": {"cpu": "1950m"}}),
            json!({}),
            &["Insufficient cpu"],
        );
        check(
            json!({}),
            json!({"status": {"allocatable": {"pods": "0"}}}),
            &["Too many pods"],
        );
        let used = Resources {
            milli_cpu: 1950,
            memory: 0,
        };
        let got = reasons(&pod(json!({})), &node(json!({})), used, 0);
        assert_eq!(got, ["Insufficient cpu"]);
    }

    #[test]
    fn fit_error_counts_and_sorts_reasons() {
        let reasons = [
            ("Insufficient cpu".to_owned(), 2),
            (
                "node(s) had untolerated taint {dedicated: gpu}".to_owned(),
                1,
            ),
        ]
        .into();
        assert_eq!(
            super::fit_error(3, &reasons),
            "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu."
        );
    }
}
