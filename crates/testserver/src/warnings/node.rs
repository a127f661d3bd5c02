//! Deprecated node labels (`pkg/api/node/util.go`) in node selectors, affinity terms and
//! RuntimeClasses, and the Node strategy's deprecated fields (`pkg/registry/core/node/
//! strategy.go` `fieldIsDeprecatedWarnings`).

use serde_json::Value;

use super::{child, items, str_at};

/// `deprecatedNodeLabels`.
const DEPRECATED_NODE_LABELS: &[(&str, &str)] = &[
    (
        "beta.kubernetes.io/arch",
        "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
    ),
    (
        "beta.kubernetes.io/os",
        "deprecated since v1.14; use \"kubernetes.io/os\" instead",
    ),
    (
        "failure-domain.beta.kubernetes.io/region",
        "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
    ),
    (
        "failure-domain.beta.kubernetes.io/zone",
        "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
    ),
    (
        "beta.kubernetes.io/instance-type",
        "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead",
    ),
    ("app.kubernetes.io/created-by", "deprecated since v1.9"),
    (
        "scheduler.alpha.kubernetes.io/preferAvoidPods",
        "deprecated since v1.22; use Taints and Tolerations instead",
    ),
    (
        "node-role.kubernetes.io/master",
        "use \"node-role.kubernetes.io/control-plane\" instead",
    ),
];

/// `GetNodeLabelDeprecatedMessage`.
pub(crate) fn deprecated_label(key: &str) -> Option<&'static str> {
    DEPRECATED_NODE_LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, msg)| *msg)
}

/// `GetWarningsForNodeSelectorTerm` (label values not checked, as every caller in the
/// sources read asks): the deprecated keys of `term.matchExpressions`; `path` is the term's.
pub(crate) fn selector_term(term: &Value, path: &str) -> Vec<String> {
    items(term, "/matchExpressions")
        .iter()
        .enumerate()
        .filter_map(|(i, expression)| {
            let key = str_at(expression, "/key");
            deprecated_label(key)
                .map(|msg| format!("{path}.matchExpressions[{i}].key: {key} is {msg}"))
        })
        .collect()
}

/// `GetWarningsForNodeSelector` of a `metav1.LabelSelector` at `path` (CSIStorageCapacity's
/// `nodeTopology`).
pub(crate) fn label_selector(selector: &Value, path: &str) -> Vec<String> {
    let mut warnings = selector_term(selector, path);
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for key in labels.keys() {
            if let Some(msg) = deprecated_label(key) {
                warnings.push(format!("{path}.matchLabels.{key}: {msg}"));
            }
        }
    }
    warnings
}

/// `GetWarningsForRuntimeClass`: deprecated keys of `scheduling.nodeSelector` (the path
/// names no key, as Go's does).
pub(crate) fn runtime_class(rc: &Value) -> Vec<String> {
    let Some(selector) = rc
        .pointer("/scheduling/nodeSelector")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    selector
        .keys()
        .filter_map(|key| deprecated_label(key))
        .map(|msg| format!("scheduling.nodeSelector: {msg}"))
        .collect()
}

/// The node strategy's `WarningsOnCreate`/`WarningsOnUpdate` (`fieldIsDeprecatedWarnings`).
pub(crate) fn node(node: &Value) -> Vec<String> {
    let mut warnings = Vec::new();
    if node
        .pointer("/spec/configSource")
        .is_some_and(|v| !v.is_null())
    {
        warnings.push("spec.configSource: the feature is removed".to_owned());
    }
    if !str_at(node, "/spec/externalID").is_empty() {
        warnings.push(
            "spec.externalID: this field is deprecated, and is unused by Kubernetes".to_owned(),
        );
    }
    warnings
}

/// The deprecated keys of a pod spec's `nodeSelector` at `spec` (`spec.nodeSelector[key]`).
pub(crate) fn node_selector(pod_spec: &Value, spec: &str) -> Vec<String> {
    let Some(selector) = pod_spec.get("nodeSelector").and_then(Value::as_object) else {
        return Vec::new();
    };
    selector
        .keys()
        .filter_map(|key| {
            deprecated_label(key)
                .map(|msg| format!("{}[{key}]: {msg}", child(spec, "nodeSelector")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `GetWarningsForNodeSelectorTerm`: only deprecated keys, with the key in the text.
    #[test]
    fn selector_terms_name_the_deprecated_key() {
        let term = json!({"matchExpressions": [
            {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
            {"key": "beta.kubernetes.io/os", "operator": "In", "values": ["linux"]}]});
        assert_eq!(
            selector_term(&term, "spec.x[0]"),
            [
                "spec.x[0].matchExpressions[1].key: beta.kubernetes.io/os is deprecated since v1.14; use \"kubernetes.io/os\" instead"
            ]
        );
    }

    /// `GetWarningsForRuntimeClass` and `GetWarningsForNodeSelector`.
    #[test]
    fn runtime_classes_and_label_selectors() {
        let rc = json!({"scheduling": {"nodeSelector": {"node-role.kubernetes.io/master": ""}}});
        assert_eq!(
            runtime_class(&rc),
            ["scheduling.nodeSelector: use \"node-role.kubernetes.io/control-plane\" instead"]
        );
        let selector = json!({"matchLabels": {"app.kubernetes.io/created-by": "x"}});
        assert_eq!(
            label_selector(&selector, "nodeTopology"),
            ["nodeTopology.matchLabels.app.kubernetes.io/created-by: deprecated since v1.9"]
        );
    }

    /// `fieldIsDeprecatedWarnings` of the node strategy.
    #[test]
    fn nodes_warn_about_removed_fields() {
        assert_eq!(
            node(&json!({"spec": {"externalID": "i-1"}})),
            ["spec.externalID: this field is deprecated, and is unused by Kubernetes"]
        );
        assert!(node(&json!({"spec": {}})).is_empty());
    }
}
