//! The configuration objects kube-apiserver maintains for API Priority and Fairness
//! (`k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go`, v1.36): the mandatory
//! `exempt` and `catch-all` PriorityLevelConfigurations and FlowSchemas, whose specs validation
//! holds fixed, and the suggested ones. Each object is `{"metadata": {"name", "annotations":
//! {"apf.kubernetes.io/autoupdate-spec": "true"}}, "spec"}`, its spec in v1 JSON (Go's field
//! order, every v1 default already applied, as the Go unit tests require of them).
//!
//! Guarantee: the lists are in the order the real producer creates them
//! (`SuggestedPriorityLevelConfigurations`, `SuggestedFlowSchemas`,
//! `MandatoryPriorityLevelConfigurations` — `catch-all` before `exempt` —,
//! `MandatoryFlowSchemas`), and are built once.

use std::sync::LazyLock;

use serde_json::{Value, json};

/// `flowcontrolv1.AutoUpdateAnnotationKey`.
pub(crate) const AUTO_UPDATE: &str = "apf.kubernetes.io/autoupdate-spec";

/// Which list of the producer an object belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Kept exactly: the producer restores its spec and annotation whatever the user set.
    Mandatory,
    /// Kept while `apf.kubernetes.io/autoupdate-spec` says so (or it was never edited).
    Suggested,
}

/// The bootstrap PriorityLevelConfigurations in creation order, each with its list.
pub(crate) fn priority_levels() -> &'static [(Kind, Value)] {
    &PRIORITY_LEVELS
}

/// The bootstrap FlowSchemas in creation order, each with its list.
pub(crate) fn flow_schemas() -> &'static [(Kind, Value)] {
    &FLOW_SCHEMAS
}

/// The spec of the mandatory PriorityLevelConfiguration `name`.
pub(crate) fn mandatory_priority_level(name: &str) -> Option<&'static Value> {
    mandatory(priority_levels(), name)
}

/// The spec of the mandatory FlowSchema `name`.
pub(crate) fn mandatory_flow_schema(name: &str) -> Option<&'static Value> {
    mandatory(flow_schemas(), name)
}

fn mandatory<'a>(list: &'a [(Kind, Value)], name: &str) -> Option<&'a Value> {
    list.iter()
        .find(|(kind, obj)| *kind == Kind::Mandatory && obj["metadata"]["name"] == name)
        .map(|(_, obj)| &obj["spec"])
}

fn object(name: &str, spec: Value) -> Value {
    json!({"metadata": {"name": name, "annotations": {AUTO_UPDATE: "true"}}, "spec": spec})
}

/// `newPriorityLevelConfiguration` of a Limited level that queues.
fn queuing(
    name: &str,
    (shares, lendable): (i64, i64),
    (queues, hand, length): (i64, i64, i64),
) -> Value {
    object(
        name,
        json!({"type": "Limited", "limited": {"nominalConcurrencyShares": shares,
            "limitResponse": {"type": "Queue",
                "queuing": {"queues": queues, "handSize": hand, "queueLengthLimit": length}},
            "lendablePercent": lendable}}),
    )
}

static PRIORITY_LEVELS: LazyLock<Vec<(Kind, Value)>> = LazyLock::new(|| {
    use Kind::{Mandatory, Suggested};
    vec![
        (Suggested, queuing("system", (30, 33), (64, 6, 50))),
        (Suggested, queuing("node-high", (40, 25), (64, 6, 50))),
        (Suggested, queuing("leader-election", (10, 0), (16, 4, 50))),
        (Suggested, queuing("workload-high", (40, 50), (128, 6, 50))),
        (Suggested, queuing("workload-low", (100, 90), (128, 6, 50))),
        (Suggested, queuing("global-default", (20, 50), (128, 6, 50))),
        (
            Mandatory,
            object(
                "catch-all",
                json!({"type": "Limited", "limited": {"nominalConcurrencyShares": 5,
                    "limitResponse": {"type": "Reject"}, "lendablePercent": 0}}),
            ),
        ),
        (
            Mandatory,
            object(
                "exempt",
                json!({"type": "Exempt",
                    "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}}),
            ),
        ),
    ]
});

fn group(name: &str) -> Value {
    json!({"kind": "Group", "group": {"name": name}})
}

fn user(name: &str) -> Value {
    json!({"kind": "User", "user": {"name": name}})
}

/// `kubeSystemServiceAccount(flowcontrol.NameAll)`.
fn kube_system_service_accounts() -> Value {
    json!({"kind": "ServiceAccount", "serviceAccount": {"name": "*", "namespace": "kube-system"}})
}

/// `resourceRule`: `clusterScope` is omitted when false, as Go's `omitempty` does.
fn resource_rule(verbs: &[&str], groups: &[&str], resources: &[&str], cluster: bool) -> Value {
    let mut rule = json!({"verbs": verbs, "apiGroups": groups, "resources": resources});
    if cluster {
        rule["clusterScope"] = json!(true);
    }
    rule["namespaces"] = json!(["*"]);
    rule
}

/// `newFlowSchema` with one rule; `distinguisher` empty for none.
fn flow_schema(
    name: &str,
    (level, precedence, distinguisher): (&str, i64, &str),
    subjects: Vec<Value>,
    resource_rules: Vec<Value>,
    non_resource_rules: Vec<Value>,
) -> Value {
    let mut rule = json!({"subjects": subjects});
    if !resource_rules.is_empty() {
        rule["resourceRules"] = Value::Array(resource_rules);
    }
    if !non_resource_rules.is_empty() {
        rule["nonResourceRules"] = Value::Array(non_resource_rules);
    }
    let mut spec = json!({"priorityLevelConfiguration": {"name": level},
        "matchingPrecedence": precedence});
    if !distinguisher.is_empty() {
        spec["distinguisherMethod"] = json!({"type": distinguisher});
    }
    spec["rules"] = json!([rule]);
    object(name, spec)
}

/// A schema of everything (every verb, group, resource and non-resource URL) for `subjects`.
fn everything(
    name: &str,
    level_precedence_distinguisher: (&str, i64, &str),
    subjects: Vec<Value>,
) -> Value {
    flow_schema(
        name,
        level_precedence_distinguisher,
        subjects,
        vec![resource_rule(&["*"], &["*"], &["*"], true)],
        vec![json!({"verbs": ["*"], "nonResourceURLs": ["*"]})],
    )
}

static FLOW_SCHEMAS: LazyLock<Vec<(Kind, Value)>> = LazyLock::new(|| {
    use Kind::{Mandatory, Suggested};
    let all_users = || {
        vec![
            group("system:unauthenticated"),
            group("system:authenticated"),
        ]
    };
    let leases =
        |verbs: &[&str]| resource_rule(verbs, &["coordination.k8s.io"], &["leases"], false);
    vec![
        (
            Suggested,
            everything(
                "system-nodes",
                ("system", 500, "ByUser"),
                vec![group("system:nodes")],
            ),
        ),
        (
            Suggested,
            flow_schema(
                "system-node-high",
                ("node-high", 400, "ByUser"),
                vec![group("system:nodes")],
                vec![
                    resource_rule(&["*"], &[""], &["nodes", "nodes/status"], true),
                    leases(&["*"]),
                ],
                Vec::new(),
            ),
        ),
        (
            Suggested,
            flow_schema(
                "probes",
                ("exempt", 2, ""),
                all_users(),
                Vec::new(),
                vec![
                    json!({"verbs": ["get"], "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}),
                ],
            ),
        ),
        (
            Suggested,
            flow_schema(
                "system-leader-election",
                ("leader-election", 100, "ByUser"),
                vec![
                    user("system:kube-controller-manager"),
                    user("system:kube-scheduler"),
                    kube_system_service_accounts(),
                ],
                vec![leases(&["get", "create", "update"])],
                Vec::new(),
            ),
        ),
        (
            Suggested,
            everything(
                "kube-controller-manager",
                ("workload-high", 800, "ByNamespace"),
                vec![user("system:kube-controller-manager")],
            ),
        ),
        (
            Suggested,
            everything(
                "kube-scheduler",
                ("workload-high", 800, "ByNamespace"),
                vec![user("system:kube-scheduler")],
            ),
        ),
        (
            Suggested,
            everything(
                "kube-system-service-accounts",
                ("workload-high", 900, "ByNamespace"),
                vec![kube_system_service_accounts()],
            ),
        ),
        (
            Suggested,
            everything(
                "service-accounts",
                ("workload-low", 9000, "ByUser"),
                vec![group("system:serviceaccounts")],
            ),
        ),
        (
            Suggested,
            everything(
                "global-default",
                ("global-default", 9900, "ByUser"),
                all_users(),
            ),
        ),
        (
            Mandatory,
            everything("exempt", ("exempt", 1, ""), vec![group("system:masters")]),
        ),
        (
            Mandatory,
            everything("catch-all", ("catch-all", 10000, "ByUser"), all_users()),
        ),
    ]
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::flow_control::{
        flow_schema, flow_schema_defaults, priority_level, priority_level_defaults,
    };

    fn names(list: &[(Kind, Value)]) -> Vec<(Kind, &str)> {
        list.iter()
            .map(|(k, o)| (*k, o["metadata"]["name"].as_str().unwrap()))
            .collect()
    }

    /// The lists of `default.go` in the producer's order.
    #[test]
    fn the_lists_and_their_order() {
        use Kind::{Mandatory as M, Suggested as S};
        assert_eq!(
            names(priority_levels()),
            [
                (S, "system"),
                (S, "node-high"),
                (S, "leader-election"),
                (S, "workload-high"),
                (S, "workload-low"),
                (S, "global-default"),
                (M, "catch-all"),
                (M, "exempt"),
            ]
        );
        assert_eq!(
            names(flow_schemas()),
            [
                (S, "system-nodes"),
                (S, "system-node-high"),
                (S, "probes"),
                (S, "system-leader-election"),
                (S, "kube-controller-manager"),
                (S, "kube-scheduler"),
                (S, "kube-system-service-accounts"),
                (S, "service-accounts"),
                (S, "global-default"),
                (M, "exempt"),
                (M, "catch-all"),
            ]
        );
    }

    /// The Go values of every level: shares, lendable percent and queuing (or Reject/Exempt).
    #[test]
    fn priority_level_values() {
        let row = |o: &Value| {
            let l = &o["spec"]["limited"];
            let q = &l["limitResponse"]["queuing"];
            (
                o["metadata"]["name"].as_str().unwrap().to_owned(),
                [
                    &l["nominalConcurrencyShares"],
                    &l["lendablePercent"],
                    &q["queues"],
                    &q["handSize"],
                    &q["queueLengthLimit"],
                ]
                .map(|v| v.as_i64().unwrap_or(-1)),
            )
        };
        let rows: Vec<_> = priority_levels().iter().map(|(_, o)| row(o)).collect();
        let expected = [
            ("system", [30, 33, 64, 6, 50]),
            ("node-high", [40, 25, 64, 6, 50]),
            ("leader-election", [10, 0, 16, 4, 50]),
            ("workload-high", [40, 50, 128, 6, 50]),
            ("workload-low", [100, 90, 128, 6, 50]),
            ("global-default", [20, 50, 128, 6, 50]),
            ("catch-all", [5, 0, -1, -1, -1]),
            ("exempt", [-1, -1, -1, -1, -1]),
        ]
        .map(|(n, v)| (n.to_owned(), v));
        assert_eq!(rows, expected);
        assert_eq!(
            mandatory_priority_level("catch-all").unwrap()["limited"]["limitResponse"],
            json!({"type": "Reject"})
        );
        assert_eq!(
            mandatory_priority_level("exempt").unwrap(),
            &json!({"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}})
        );
        assert!(mandatory_priority_level("system").is_none());
    }

    /// Every schema's level, precedence and distinguisher, and the rules of a few in full.
    #[test]
    fn flow_schema_values() {
        let rows: Vec<(&str, &str, i64, &str)> = flow_schemas()
            .iter()
            .map(|(_, o)| {
                let s = &o["spec"];
                (
                    o["metadata"]["name"].as_str().unwrap(),
                    s["priorityLevelConfiguration"]["name"].as_str().unwrap(),
                    s["matchingPrecedence"].as_i64().unwrap(),
                    s["distinguisherMethod"]["type"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("system-nodes", "system", 500, "ByUser"),
                ("system-node-high", "node-high", 400, "ByUser"),
                ("probes", "exempt", 2, ""),
                ("system-leader-election", "leader-election", 100, "ByUser"),
                (
                    "kube-controller-manager",
                    "workload-high",
                    800,
                    "ByNamespace"
                ),
                ("kube-scheduler", "workload-high", 800, "ByNamespace"),
                (
                    "kube-system-service-accounts",
                    "workload-high",
                    900,
                    "ByNamespace"
                ),
                ("service-accounts", "workload-low", 9000, "ByUser"),
                ("global-default", "global-default", 9900, "ByUser"),
                ("exempt", "exempt", 1, ""),
                ("catch-all", "catch-all", 10000, "ByUser"),
            ]
        );
        assert_eq!(
            mandatory_flow_schema("exempt").unwrap()["rules"],
            json!([{"subjects": [{"kind": "Group", "group": {"name": "system:masters"}}],
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"],
                    "clusterScope": true, "namespaces": ["*"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}]}])
        );
        let by_name = |n: &str| {
            &flow_schemas()
                .iter()
                .find(|(_, o)| o["metadata"]["name"] == n)
                .unwrap()
                .1["spec"]["rules"]
        };
        assert_eq!(
            by_name("probes"),
            &json!([{"subjects": [{"kind": "Group", "group": {"name": "system:unauthenticated"}},
                    {"kind": "Group", "group": {"name": "system:authenticated"}}],
                "nonResourceRules": [{"verbs": ["get"],
                    "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}]}])
        );
        assert_eq!(
            by_name("system-leader-election"),
            &json!([{"subjects": [
                    {"kind": "User", "user": {"name": "system:kube-controller-manager"}},
                    {"kind": "User", "user": {"name": "system:kube-scheduler"}},
                    {"kind": "ServiceAccount",
                        "serviceAccount": {"name": "*", "namespace": "kube-system"}}],
                "resourceRules": [{"verbs": ["get", "create", "update"],
                    "apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                    "namespaces": ["*"]}]}])
        );
        assert_eq!(
            by_name("system-node-high")[0]["resourceRules"],
            json!([{"verbs": ["*"], "apiGroups": [""], "resources": ["nodes", "nodes/status"],
                    "clusterScope": true, "namespaces": ["*"]},
                {"verbs": ["*"], "apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                    "namespaces": ["*"]}])
        );
    }

    /// As Go's `internalbootstrap` tests require: the v1 defaults change nothing, every object
    /// is valid, and each carries `apf.kubernetes.io/autoupdate-spec: "true"`.
    #[test]
    fn defaulted_already_and_valid() {
        type Defaults = fn(&mut Value);
        type Validate = fn(&Value) -> Vec<crate::validation::FieldError>;
        let lists: [(_, Defaults, Validate); 2] = [
            (priority_levels(), priority_level_defaults, priority_level),
            (flow_schemas(), flow_schema_defaults, flow_schema),
        ];
        for (list, defaults, validate) in lists {
            for (_, obj) in list {
                let mut defaulted = obj.clone();
                defaults(&mut defaulted);
                assert_eq!(&defaulted, obj);
                let errs = validate(obj);
                assert!(errs.is_empty(), "{obj}: {errs:?}");
                assert_eq!(obj["metadata"]["annotations"][AUTO_UPDATE], "true");
            }
        }
    }
}
