//! `applyMatchLabelKeysAndMismatchLabelKeys` of the pod strategy's `PrepareForCreate`
//! (`MatchLabelKeysInPodAffinity`, GA): each pod (anti-)affinity term with a label selector
//! gets an `In` expression for each `matchLabelKeys` key and a `NotIn` expression for each
//! `mismatchLabelKeys` key the new pod has as a label, with the pod's value.

use serde_json::{Value, json};

/// Adds the expressions to every pod affinity and anti-affinity term of `pod`.
pub(super) fn apply(pod: &mut Value) {
    let labels = pod
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(affinity) = pod.pointer_mut(&format!("/spec/affinity/{kind}")) else {
            continue;
        };
        if let Some(terms) = affinity
            .get_mut("requiredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_array_mut)
        {
            terms.iter_mut().for_each(|t| apply_to_term(t, &labels));
        }
        if let Some(terms) = affinity
            .get_mut("preferredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_array_mut)
        {
            for weighted in terms {
                if let Some(t) = weighted.get_mut("podAffinityTerm") {
                    apply_to_term(t, &labels);
                }
            }
        }
    }
}

fn apply_to_term(term: &mut Value, labels: &serde_json::Map<String, Value>) {
    let keys = |key: &str| -> Vec<String> {
        term.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (matching, mismatching) = (keys("matchLabelKeys"), keys("mismatchLabelKeys"));
    if matching.is_empty() && mismatching.is_empty() {
        return;
    }
    // a nil selector matches nothing: it stays nil
    let Some(selector) = term.get_mut("labelSelector").and_then(Value::as_object_mut) else {
        return;
    };
    let mut added = Vec::new();
    for (list, operator) in [(&matching, "In"), (&mismatching, "NotIn")] {
        for key in list {
            if let Some(value) = labels.get(key) {
                added.push(json!({"key": key, "operator": operator, "values": [value]}));
            }
        }
    }
    if added.is_empty() {
        return;
    }
    let expressions = selector
        .entry("matchExpressions")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(list) = expressions.as_array_mut() {
        list.extend(added);
    } else {
        *expressions = Value::Array(added);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `applyMatchLabelKeysAndMismatchLabelKeysToPodAffinityTerm`: In for matchLabelKeys,
    /// NotIn for mismatchLabelKeys, only for labels the pod has and terms with a selector.
    #[test]
    fn keys_become_expressions() {
        let mut pod = json!({"metadata": {"labels": {"app": "web", "tenant": "a"}},
        "spec": {"affinity": {
            "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"x": "y"}},
                 "matchLabelKeys": ["app", "missing"], "mismatchLabelKeys": ["tenant"]},
                {"matchLabelKeys": ["app"]},
            ]},
            "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 1, "podAffinityTerm": {"labelSelector": {},
                    "matchLabelKeys": ["app"]}},
            ]}}}});
        apply(&mut pod);
        let required = &pod["spec"]["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
        assert_eq!(
            required[0]["labelSelector"]["matchExpressions"],
            json!([{"key": "app", "operator": "In", "values": ["web"]},
                {"key": "tenant", "operator": "NotIn", "values": ["a"]}])
        );
        assert!(required[1].get("labelSelector").is_none());
        assert_eq!(
            pod["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
                [0]["podAffinityTerm"]["labelSelector"],
            json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]})
        );
    }
}
