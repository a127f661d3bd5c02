use serde_json::json;

use super::*;

fn strings(errs: Vec<FieldError>) -> Vec<String> {
    errs.iter().map(ToString::to_string).collect()
}

const REQ: &str = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution";

/// `ValidateNodeSelector`: at least one term.
#[test]
fn node_affinity_needs_a_term() {
    let spec = json!({"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []},
    }}});
    assert_eq!(
        strings(affinity(&spec, "spec")),
        [format!(
            "{REQ}.nodeSelectorTerms: Required value: must have at least one node selector term"
        )]
    );
}

/// `ValidateNodeSelectorRequirement` (operators, values, key, label values) and
/// `ValidateNodeFieldSelectorRequirement`.
#[test]
fn node_selector_requirements() {
    let spec = json!({"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
            "matchExpressions": [
                {"key": "zone", "operator": "In", "values": []},
                {"key": "zone", "operator": "Exists", "values": ["a"]},
                {"key": "zone", "operator": "Gt", "values": ["1", "2"]},
                {"key": "zone", "operator": "Near"},
                {"key": "zone", "operator": "In", "values": ["bad value"]},
            ],
            "matchFields": [{"key": "spec.nodeName", "operator": "In", "values": ["a", "b"]}],
        }]},
    }}});
    let t = format!("{REQ}.nodeSelectorTerms[0]");
    let got = strings(affinity(&spec, "spec"));
    assert_eq!(
        got[0],
        format!(
            "{t}.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"
        )
    );
    assert_eq!(
        got[1],
        format!(
            "{t}.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
        )
    );
    assert_eq!(
        got[2],
        format!(
            "{t}.matchExpressions[2].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"
        )
    );
    assert_eq!(
        got[3],
        format!(
            "{t}.matchExpressions[3].operator: Invalid value: \"Near\": not a valid selector operator"
        )
    );
    assert!(
        got[4].starts_with(&format!(
            "{t}.matchExpressions[4].values[0]: Invalid value: \"bad value\""
        )),
        "{got:?}"
    );
    assert_eq!(
        got[5],
        format!(
            "{t}.matchFields[0].values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
        )
    );
    assert_eq!(
        got[6],
        format!(
            "{t}.matchFields[0].key: Invalid value: \"spec.nodeName\": not a valid field selector key"
        )
    );
    assert_eq!(got.len(), 7, "{got:?}");
}

/// `ValidatePreferredSchedulingTerms` and `validateWeightedPodAffinityTerms` weights,
/// `validatePodAffinityTerm` topology key and namespaces.
#[test]
fn weights_and_pod_affinity_terms() {
    let spec = json!({"affinity": {
        "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 0, "preference": {"matchExpressions": [{"key": "z", "operator": "In", "values": ["any value"]}]}},
        ]},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 101, "podAffinityTerm": {"topologyKey": "zone", "namespaces": ["Bad"]}},
        ], "requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": ""}]},
    }});
    let got = strings(affinity(&spec, "spec"));
    assert_eq!(
        got[0],
        "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"
    );
    let req = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey";
    assert_eq!(got[1], format!("{req}: Required value: can not be empty"));
    assert!(
        got[2].starts_with(&format!("{req}: Invalid value: \"\"")),
        "{got:?}"
    );
    let pref = "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]";
    let at = got
        .iter()
        .position(|e| e.starts_with(&format!("{pref}.weight")))
        .unwrap();
    assert_eq!(
        got[at],
        format!("{pref}.weight: Invalid value: 101: must be in the range 1-100")
    );
    assert!(
        got[at + 1].starts_with(&format!(
            "{pref}.podAffinityTerm.namespace: Invalid value: \"Bad\""
        )),
        "{got:?}"
    );
    assert_eq!(got.len(), at + 2, "{got:?}");
}

/// `validateTopologySpreadConstraints`: maxSkew, topologyKey, whenUnsatisfiable, repeats,
/// minDomains, node inclusion policies.
#[test]
fn topology_spread_constraints() {
    let spec = json!({"topologySpreadConstraints": [
        {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 2},
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway", "nodeTaintsPolicy": "Maybe"},
        {"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "Never"},
    ]});
    let t = "spec.topologySpreadConstraints";
    assert_eq!(
        strings(topology_spread(&spec, "spec")),
        [
            format!("{t}[0].maxSkew: Invalid value: 0: must be greater than zero"),
            format!(
                "{t}[0].{{topologyKey, whenUnsatisfiable}}: Duplicate value: \"{{zone, ScheduleAnyway}}\""
            ),
            format!(
                "{t}[0].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"
            ),
            format!(
                "{t}[1].nodeTaintsPolicy: Unsupported value: \"Maybe\": supported values: \"Honor\", \"Ignore\""
            ),
            format!("{t}[2].topologyKey: Required value: can not be empty"),
            format!(
                "{t}[2].whenUnsatisfiable: Unsupported value: \"Never\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\""
            ),
        ]
    );
}

/// `ValidateLabels` of the node selector.
#[test]
fn node_selector_labels() {
    let got = strings(node_selector(
        &json!({"nodeSelector": {"ok": "bad value"}}),
        "spec",
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("spec.nodeSelector: Invalid value: \"bad value\""),
        "{got:?}"
    );
}

/// `validateMatchLabelKeysAndMismatchLabelKeys`: label names beside a selector, a key the
/// selector already had before the create's expression for it, a key in both lists.
#[test]
fn match_and_mismatch_label_keys() {
    let term = |extra: Value| {
        let mut t = json!({"topologyKey": "zone"});
        if let (Some(t), Some(extra)) = (t.as_object_mut(), extra.as_object()) {
            t.extend(extra.clone());
        }
        json!({"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [t]}}})
    };
    let at = "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]";
    assert_eq!(
        strings(affinity(&term(json!({"matchLabelKeys": ["app"]})), "spec")),
        [format!(
            "{at}.matchLabelKeys: Forbidden: must not be specified when labelSelector is not set"
        )]
    );
    let spec = term(json!({
        "labelSelector": {"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
        "matchLabelKeys": ["app", "bad key"], "mismatchLabelKeys": ["app"]}));
    let got = strings(affinity(&spec, "spec"));
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got[0].starts_with(&format!(
            "{at}.matchLabelKeys[1]: Invalid value: \"bad key\": name part must consist of"
        )),
        "{got:?}"
    );
    assert_eq!(
        got[1..],
        [
            format!(
                "{at}[0]: Invalid value: \"app\": exists in both matchLabelKeys and labelSelector"
            ),
            format!(
                "{at}.matchLabelKeys[0]: Invalid value: \"app\": exists in both matchLabelKeys and mismatchLabelKeys"
            ),
        ]
    );
}
