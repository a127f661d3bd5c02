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
