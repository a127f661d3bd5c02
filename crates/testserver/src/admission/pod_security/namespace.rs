//! PodSecurity on namespaces (`ValidateNamespace` and `EvaluatePodsInNamespace`): label
//! validation, and the warnings about existing pods when the enforce level tightens.
//!
//! Guarantees: at most [`MAX_PODS`] pods are evaluated (the rest are counted in a warning);
//! pods of one controller after the first are evaluated last; one warning per distinct set of
//! reasons, naming the pod that sorts first and how many others share it, in sorted order.
//! The real plugin also stops after one second; here every listed pod is evaluated.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::checks::evaluate;
use super::policy::{Level, LevelVersion, policy_to_evaluate};
use super::{Attributes, Lookup, Operation, object_name, recorder};
use crate::admission::AdmissionError;
use crate::validation::Invalid;

/// `defaultNamespaceMaxPodsToCheck`.
const MAX_PODS: usize = 3000;

/// `ValidateNamespace`.
pub(super) fn validate(
    attrs: &Attributes<'_>,
    ns: &Value,
    old: Option<&Value>,
    lookup: &dyn Lookup,
) -> Result<(), AdmissionError> {
    if !attrs.subresource.is_empty() {
        return Ok(());
    }
    let labels = |v: &Value| v.pointer("/metadata/labels").cloned();
    let (policy, errs) = policy_to_evaluate(labels(ns).as_ref());
    let invalid = |errs| {
        let name = object_name(attrs, ns);
        Err(AdmissionError::Invalid(Invalid::new(
            "",
            "Namespace",
            name,
            errs,
        )))
    };
    let old = match (attrs.operation, old) {
        (Operation::Update, Some(old)) => old,
        _ => {
            return if errs.is_empty() {
                Ok(())
            } else {
                invalid(errs)
            };
        }
    };
    let (old_policy, old_errs) = policy_to_evaluate(labels(old).as_ref());
    if !errs.is_empty() && (old_errs.is_empty() || errs != old_errs) {
        return invalid(errs);
    }
    let (new, before) = (policy.enforce, old_policy.enforce);
    if new == before
        || new.level == Level::Privileged
        || (new.version == before.version && new.level <= before.level)
    {
        return Ok(());
    }
    let name = crate::shared::json::name(ns);
    let pods = lookup.list("", "pods", Some(name));
    for warning in pod_warnings(name, new, pods) {
        recorder::warn(warning);
    }
    Ok(())
}

/// `prioritizePods`: pods without a controller and the first pod of each controller, in the
/// listed order, then the other pods of controllers already seen.
fn prioritize(pods: Vec<Value>) -> Vec<Value> {
    let mut first = Vec::new();
    let mut duplicates = Vec::new();
    let mut seen = BTreeSet::new();
    for pod in pods {
        let controller = pod
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .and_then(|refs| {
                refs.iter()
                    .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
            })
            .map(|r| {
                r.get("uid")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            });
        match controller {
            Some(uid) if !seen.insert(uid.clone()) => duplicates.push(pod),
            _ => first.push(pod),
        }
    }
    first.append(&mut duplicates);
    first
}

/// `EvaluatePodsInNamespace`: the warnings about `pods` under `enforce`.
pub(super) fn pod_warnings(
    namespace: &str,
    enforce: LevelVersion,
    pods: Vec<Value>,
) -> Vec<String> {
    let mut pods = prioritize(pods);
    let total = pods.len();
    pods.truncate(MAX_PODS);
    // reason -> (first pod name in sort order, count), in first-seen order
    let mut order: Vec<String> = Vec::new();
    let mut counts: HashMap<String, (String, usize)> = HashMap::new();
    for pod in &pods {
        let meta = pod.get("metadata").unwrap_or(&Value::Null);
        let spec = pod.get("spec").unwrap_or(&Value::Null);
        let result = evaluate(enforce, meta, spec);
        if result.allowed() {
            continue;
        }
        let reason = result.reason();
        let name = crate::shared::json::name(pod).to_owned();
        match counts.get_mut(&reason) {
            Some((first, count)) => {
                if name < *first {
                    *first = name;
                }
                *count += 1;
            }
            None => {
                order.push(reason.clone());
                counts.insert(reason, (name, 1));
            }
        }
    }
    let mut warnings = Vec::new();
    if pods.len() < total {
        warnings.push(format!(
            "new PodSecurity enforce level only checked against the first {} of {total} existing pods",
            pods.len()
        ));
    }
    if !order.is_empty() {
        warnings.push(format!(
            "existing pods in namespace {} violate the new PodSecurity enforce level {}",
            crate::validation::go_quote(namespace),
            crate::validation::go_quote(&enforce.to_string())
        ));
    }
    let mut lines: Vec<String> = order
        .into_iter()
        .filter_map(|reason| {
            let (name, count) = counts.get(&reason)?;
            Some(match count {
                1 => format!("{name}: {reason}"),
                2 => format!("{name} (and 1 other pod): {reason}"),
                n => format!("{name} (and {} other pods): {reason}", n - 1),
            })
        })
        .collect();
    lines.sort();
    warnings.append(&mut lines);
    warnings
}
