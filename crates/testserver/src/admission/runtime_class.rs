//! The RuntimeClass plugin (`plugin/pkg/admission/runtimeclass/admission.go`): a new pod that
//! names a RuntimeClass gets the class's `overhead.podFixed` as its `spec.overhead`, and the
//! class's `scheduling` merged into its `nodeSelector` and `tolerations`.
//!
//! Guarantees (pod creates only, no subresource): a class that does not exist refuses the pod
//! (`pod rejected: RuntimeClass "x" not found`); an overhead the pod sets that differs from the
//! class's refuses it, as does an overhead without a class that defines one; a node selector
//! entry of the class that the pod sets to another value refuses it (keys in name order, where
//! Go walks a map); tolerations merge as `tolerations.MergeTolerations` (a toleration another
//! one covers is dropped).

use serde_json::{Map, Value};

use super::error::forbidden;
use super::{AdmissionError, Attributes, Lookup, Operation};
use crate::shared::quantity::Quantity;
use crate::validation::go_quote;

/// `shouldIgnore`, and the plugin's `Create`-only handler.
fn applies(attrs: &Attributes<'_>) -> bool {
    attrs.is("", "pods") && attrs.operation == Operation::Create
}

/// `prepareObjects`: the pod's RuntimeClass (`None` when it names none).
fn class(
    attrs: &Attributes<'_>,
    pod: &Value,
    lookup: &dyn Lookup,
) -> Result<Option<Value>, AdmissionError> {
    let Some(name) = pod
        .pointer("/spec/runtimeClassName")
        .and_then(Value::as_str)
    else {
        return Ok(None);
    };
    match lookup.get("node.k8s.io", "runtimeclasses", None, name) {
        Some(class) => Ok(Some(class)),
        None => Err(forbidden(
            attrs,
            Some(pod),
            format!("pod rejected: RuntimeClass {} not found", go_quote(name)),
        )),
    }
}

/// The class's `overhead.podFixed`, if it defines an overhead (`Some(None)` for an overhead
/// without `podFixed`).
fn pod_fixed(class: Option<&Value>) -> Option<Option<&Value>> {
    let overhead = class?.get("overhead").filter(|o| !o.is_null())?;
    Some(overhead.get("podFixed").filter(|p| !p.is_null()))
}

/// `apiequality.Semantic.DeepEqual` of two resource lists: the same names with equal amounts
/// (a missing list equals an empty one).
fn same_resources(a: Option<&Value>, b: Option<&Value>) -> bool {
    let list = |v: Option<&Value>| -> Vec<(String, Option<Quantity>)> {
        v.and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().and_then(Quantity::parse)))
            .collect()
    };
    let (mut a, mut b) = (list(a), list(b));
    a.sort();
    b.sort();
    a == b
}

const MISMATCH: &str = "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";

/// Mutating half (`Admit`: `setOverhead`, then `setScheduling`).
///
/// # Errors
/// A 403 for a missing class, a conflicting overhead or node selector.
pub(super) fn admit(
    attrs: &Attributes<'_>,
    pod: &mut Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !applies(attrs) {
        return Ok(());
    }
    let Some(class) = class(attrs, pod, lookup)? else {
        return Ok(());
    };
    let snapshot = pod.clone();
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    if let Some(fixed) = pod_fixed(Some(&class)) {
        let given = spec.get("overhead").filter(|o| !o.is_null());
        if given.is_some() && !same_resources(fixed, given) {
            return Err(forbidden(attrs, Some(&snapshot), MISMATCH.to_owned()));
        }
        match fixed {
            Some(fixed) => spec.insert("overhead".into(), fixed.clone()),
            None => spec.remove("overhead"),
        };
    }
    if let Some(scheduling) = class.get("scheduling").filter(|s| !s.is_null()) {
        set_scheduling(attrs, &snapshot, spec, scheduling)?;
    }
    Ok(())
}

/// `setScheduling`.
fn set_scheduling(
    attrs: &Attributes<'_>,
    snapshot: &Value,
    spec: &mut Map<String, Value>,
    scheduling: &Value,
) -> Result<(), AdmissionError> {
    let runtime = scheduling.get("nodeSelector").and_then(Value::as_object);
    match spec.get_mut("nodeSelector").and_then(Value::as_object_mut) {
        None => match runtime {
            Some(r) => {
                spec.insert("nodeSelector".into(), Value::Object(r.clone()));
            }
            None => {
                spec.remove("nodeSelector");
            }
        },
        Some(selector) => {
            let mut keys: Vec<&String> = runtime.into_iter().flat_map(Map::keys).collect();
            keys.sort_unstable();
            for key in keys {
                let wanted = runtime.and_then(|r| r.get(key)).cloned();
                let wanted_text = wanted.as_ref().and_then(Value::as_str).unwrap_or("");
                if let Some(given) = selector.get(key).and_then(Value::as_str)
                    && given != wanted_text
                {
                    return Err(forbidden(
                        attrs,
                        Some(snapshot),
                        format!(
                            "conflict: runtimeClass.scheduling.nodeSelector[{key}] = {wanted_text}; pod.spec.nodeSelector[{key}] = {given}"
                        ),
                    ));
                }
                if let Some(w) = wanted {
                    selector.insert(key.clone(), w);
                }
            }
        }
    }
    let mut all: Vec<Value> = spec
        .get("tolerations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    all.extend(
        scheduling
            .get("tolerations")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    );
    let merged = merge_tolerations(&all);
    if merged.is_empty() {
        spec.remove("tolerations");
    } else {
        spec.insert("tolerations".into(), Value::Array(merged));
    }
    Ok(())
}

/// A toleration's fields, `""`/`None` when unset (the internal type's zero values).
#[derive(Debug, PartialEq)]
struct Toleration<'a> {
    key: &'a str,
    operator: &'a str,
    value: &'a str,
    effect: &'a str,
    seconds: Option<i64>,
}

fn toleration(t: &Value) -> Toleration<'_> {
    let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("");
    Toleration {
        key: s("key"),
        operator: s("operator"),
        value: s("value"),
        effect: s("effect"),
        seconds: t.get("tolerationSeconds").and_then(Value::as_i64),
    }
}

/// `isSuperset`: whether `ss` tolerates everything `t` does.
fn is_superset(ss: &Toleration<'_>, t: &Toleration<'_>) -> bool {
    if ss == t {
        return true;
    }
    if t.key != ss.key && (!ss.key.is_empty() || ss.operator != "Exists") {
        return false;
    }
    if t.effect != ss.effect && !ss.effect.is_empty() {
        return false;
    }
    if ss.effect == "NoExecute"
        && let Some(limit) = ss.seconds
        && t.seconds.is_none_or(|s| s > limit)
    {
        return false;
    }
    match ss.operator {
        "Equal" | "" => t.operator == "Equal" && t.value == ss.value,
        "Exists" => true,
        _ => false,
    }
}

/// `tolerations.MergeTolerations` of the pod's tolerations followed by the class's.
fn merge_tolerations(all: &[Value]) -> Vec<Value> {
    let parsed: Vec<Toleration<'_>> = all.iter().map(toleration).collect();
    let mut merged: Vec<usize> = Vec::new();
    for (i, t) in parsed.iter().enumerate() {
        let covered_by_kept = merged.iter().any(|&k| is_superset(&parsed[k], t));
        let covered_by_later = parsed[i + 1..]
            .iter()
            .any(|t2| t2 != t && is_superset(t2, t));
        if !covered_by_kept && !covered_by_later {
            merged.push(i);
        }
    }
    merged.into_iter().map(|i| all[i].clone()).collect()
}

/// Validating half (`Validate`: `validateOverhead`).
///
/// # Errors
/// A 403 when the pod's overhead is not the class's.
pub(super) fn validate(
    attrs: &Attributes<'_>,
    pod: &Value,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !applies(attrs) {
        return Ok(());
    }
    let class = class(attrs, pod, lookup)?;
    let given = pod.pointer("/spec/overhead").filter(|o| !o.is_null());
    match pod_fixed(class.as_ref()) {
        Some(fixed) if !same_resources(fixed, given) => {
            Err(forbidden(attrs, Some(pod), MISMATCH.to_owned()))
        }
        Some(_) => Ok(()),
        None if given.is_some() => Err(forbidden(
            attrs,
            Some(pod),
            "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"
                .to_owned(),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    //! Each test cites the function of `plugin/pkg/admission/runtimeclass/admission.go` (or
    //! `pkg/util/tolerations`) it follows.

    use serde_json::{Value, json};

    use super::{admit, merge_tolerations, validate};
    use crate::admission::testing::MemLookup;
    use crate::admission::{Attributes, Operation};

    fn attrs(op: Operation) -> Attributes<'static> {
        Attributes {
            group: "",
            resource: "pods",
            subresource: "",
            version: "v1",
            kind: "Pod",
            namespace: "ns",
            name: "",
            operation: op,
            user: None,
        }
    }

    fn classes() -> MemLookup {
        MemLookup::default()
            .with(
                "node.k8s.io",
                "runtimeclasses",
                None,
                json!({"metadata": {"name": "kata"}, "handler": "kata",
                    "overhead": {"podFixed": {"cpu": "250m", "memory": "120Mi"}},
                    "scheduling": {"nodeSelector": {"runtime": "kata"},
                        "tolerations": [{"key": "kata", "operator": "Exists", "effect": "NoSchedule"}]}}),
            )
            .with(
                "node.k8s.io",
                "runtimeclasses",
                None,
                json!({"metadata": {"name": "plain"}, "handler": "runc"}),
            )
    }

    fn pod(spec: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": spec})
    }

    /// Admit then validate a pod create; the pod as admitted, or the message.
    fn create(spec: Value) -> Result<Value, String> {
        let lookup = classes();
        let mut obj = pod(spec);
        let a = attrs(Operation::Create);
        admit(&a, &mut obj, &lookup).map_err(|e| e.message())?;
        validate(&a, &obj, &lookup).map_err(|e| e.message())?;
        Ok(obj)
    }

    // setOverhead, setScheduling: the class's overhead, node selector and tolerations.
    #[test]
    fn a_class_sets_overhead_and_scheduling() {
        let got = create(
            json!({"runtimeClassName": "kata", "nodeSelector": {"zone": "a"},
            "tolerations": [{"key": "other", "operator": "Exists"}]}),
        );
        assert_eq!(
            got.map(|p| p["spec"].clone()),
            Ok(json!({"runtimeClassName": "kata",
                "overhead": {"cpu": "250m", "memory": "120Mi"},
                "nodeSelector": {"zone": "a", "runtime": "kata"},
                "tolerations": [{"key": "other", "operator": "Exists"},
                    {"key": "kata", "operator": "Exists", "effect": "NoSchedule"}]}))
        );
    }

    // prepareObjects: a class that does not exist.
    #[test]
    fn a_missing_class_is_refused() {
        assert_eq!(
            create(json!({"runtimeClassName": "gone"})),
            Err("pods \"p\" is forbidden: pod rejected: RuntimeClass \"gone\" not found".into())
        );
    }

    // setOverhead and validateOverhead: an overhead the pod sets must be the class's.
    #[test]
    fn an_overhead_must_come_from_the_class() {
        assert_eq!(
            create(json!({"runtimeClassName": "kata", "overhead": {"cpu": "1"}})),
            Err("pods \"p\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead".into())
        );
        assert!(
            create(json!({"runtimeClassName": "kata",
                "overhead": {"cpu": "0.25", "memory": "120Mi"}}))
            .is_ok()
        );
        assert_eq!(
            create(json!({"runtimeClassName": "plain", "overhead": {"cpu": "1"}})),
            Err("pods \"p\" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead".into())
        );
    }

    // setScheduling: a node selector value the class sets differently.
    #[test]
    fn a_conflicting_node_selector_is_refused() {
        assert_eq!(
            create(json!({"runtimeClassName": "kata", "nodeSelector": {"runtime": "runc"}})),
            Err("pods \"p\" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime] = kata; pod.spec.nodeSelector[runtime] = runc".into())
        );
    }

    // The handler is Create only: updates are not looked at.
    #[test]
    fn updates_are_not_looked_at() {
        let lookup = classes();
        let mut obj = pod(json!({"runtimeClassName": "gone"}));
        assert!(admit(&attrs(Operation::Update), &mut obj, &lookup).is_ok());
        assert!(validate(&attrs(Operation::Update), &obj, &lookup).is_ok());
    }

    // MergeTolerations / isSuperset: a covered toleration goes, equal ones are kept once.
    #[test]
    fn covered_tolerations_are_dropped() {
        let all = [
            json!({"key": "a", "operator": "Equal", "value": "1", "effect": "NoSchedule"}),
            json!({"key": "a", "operator": "Exists"}),
            json!({"key": "b", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}),
            json!({"key": "b", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}),
            json!({"key": "b", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}),
        ];
        assert_eq!(
            merge_tolerations(&all),
            vec![all[1].clone(), all[4].clone()]
        );
    }
}
