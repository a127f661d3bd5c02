//! Pods (`pkg/registry/core/pod/strategy.go`): defaults, the `Pending` status and QoS class of
//! a new pod and its affinity `matchLabelKeys` merged into the selectors
//! (`pods/label_keys.rs`), generation, validation, field selectors, table columns
//! (`pods/columns.rs`), the `ephemeralcontainers` subresource (`pods/ephemeral.rs`); DELETE
//! returns the pod.

use serde_json::{Value, json};

use crate::admission::defaults::{DecodeError, pod, quantities};
use crate::registry::ResourceType;
use crate::registry::strategy::{self, Checks, Strategy, Validated, keep};
use crate::registry::table::Column;
use crate::selector::{Getter, NAME, NAMESPACE, SelectorError, supported};
use crate::shared::json::array;
use crate::shared::quantity::Quantity;
use crate::validation::{FieldError, Invalid, NameRule, pod_status, pod_update};

mod columns;
mod ephemeral;
mod label_keys;

/// The pod strategy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pods;

const FIELD_LABELS: &[(&str, Getter)] = &[
    ("metadata.name", NAME),
    ("metadata.namespace", NAMESPACE),
    ("spec.nodeName", Getter::Str("/spec/nodeName")),
    ("spec.restartPolicy", Getter::Str("/spec/restartPolicy")),
    ("spec.schedulerName", Getter::Str("/spec/schedulerName")),
    (
        "spec.serviceAccountName",
        Getter::Str("/spec/serviceAccountName"),
    ),
    ("spec.hostNetwork", Getter::Bool("/spec/hostNetwork")),
    ("status.phase", Getter::Str("/status/phase")),
    ("status.podIP", Getter::PodIp),
    // Accepted by the conversion but not in the selectable set: always "".
    ("status.podIPs", Getter::Empty),
    (
        "status.nominatedNodeName",
        Getter::Str("/status/nominatedNodeName"),
    ),
];

impl Validated for Pods {
    const NAME_RULE: NameRule = NameRule::Subdomain;

    fn spec(obj: &Value) -> Vec<FieldError> {
        crate::validation::pod::validate(obj)
    }

    fn spec_update(new: &Value, old: &Value) -> Vec<FieldError> {
        pod_update::validate(new, old)
    }
}

impl Strategy for Pods {
    fn warnings_on_create(&self, obj: &Value) -> Vec<String> {
        let mut warnings: Vec<String> = crate::warnings::dns_label_name(obj, "the Pod's hostname")
            .into_iter()
            .collect();
        warnings.extend(crate::warnings::pod::pod(obj));
        warnings
    }

    /// Pod updates warn nothing (`podStrategy.WarningsOnUpdate`); status writes about the
    /// pod's and host's IPs.
    fn warnings_on_update(&self, subresource: &str, new: &Value, _old: &Value) -> Vec<String> {
        match subresource {
            "status" => crate::warnings::pod::status(new),
            _ => Vec::new(),
        }
    }

    fn default(&self, obj: &mut Value) -> Result<(), DecodeError> {
        quantities::pod_spec_at(obj, "/spec")?;
        pod::pod(obj);
        Ok(())
    }

    fn tracks_generation(&self) -> bool {
        true
    }

    fn prepare_for_create(&self, obj: &mut Value, _now: &str) {
        strategy::set_generation(obj, 1);
        label_keys::apply(obj);
        let qos = qos_class(obj.get("spec").unwrap_or(&Value::Null));
        strategy::set_status(obj, json!({"phase": "Pending", "qosClass": qos}));
    }

    fn prepare_for_update(&self, subresource: &str, new: &mut Value, old: &Value, _now: &str) {
        match subresource {
            "" => self.prepare_main_update(new, old),
            "status" => prepare_status_update(new, old),
            ephemeral::SUBRESOURCE => ephemeral::prepare_update(new, old),
            _ => {}
        }
    }

    fn validate(&self, rt: &ResourceType, obj: &Value) -> Result<(), Invalid> {
        let c = Checks {
            rt,
            name_rule: Self::NAME_RULE,
        };
        let mut errs = Self::spec(obj);
        errs.extend(crate::validation::pod::validate_create(obj));
        c.create(obj, errs)
    }

    fn validate_update(
        &self,
        rt: &ResourceType,
        subresource: &str,
        new: &Value,
        old: &Value,
    ) -> Result<(), Invalid> {
        if subresource == "status" {
            let c = Checks {
                rt,
                name_rule: Self::NAME_RULE,
            };
            let mut errs = c.common(new, old);
            errs.extend(pod_status::validate(new, old));
            return c.result(new, errs);
        }
        if subresource == ephemeral::SUBRESOURCE {
            return ephemeral::validate_update(rt, new, old);
        }
        strategy::validate_update::<Self>(rt, subresource, new, old)
    }

    fn returns_deleted_object(&self) -> bool {
        true
    }

    /// A scheduled, running pod gets the requested grace period, else its
    /// `terminationGracePeriodSeconds` (30 by default); an unscheduled or terminated
    /// (`Succeeded`, `Failed`) one goes at once.
    fn graceful_delete(&self, old: &Value, requested: Option<i64>) -> Option<i64> {
        let scheduled = old
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        let terminated = matches!(
            old.pointer("/status/phase").and_then(Value::as_str),
            Some("Succeeded" | "Failed")
        );
        if !scheduled || terminated {
            return Some(0);
        }
        let default = old
            .pointer("/spec/terminationGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(30);
        Some(requested.unwrap_or(default).max(0))
    }

    fn field_label(&self, label: &str) -> Result<(String, Getter), SelectorError> {
        if label == "spec.host" {
            return supported(FIELD_LABELS, "spec.nodeName");
        }
        supported(FIELD_LABELS, label)
    }

    fn columns(&self) -> Vec<Column> {
        columns::columns()
    }
}

/// `podStatusStrategy.PrepareForUpdate`: the spec and owner references are the stored ones
/// (old kubelets corrupt owner references through `pods/status`); a status without
/// `qosClass` keeps the stored class (it is immutable, and old kubelets dropped it), and an
/// unset `observedGeneration`, of the status or of a condition (matched by type, in order),
/// keeps the stored value.
fn prepare_status_update(new: &mut Value, old: &Value) {
    keep(new, old, "spec");
    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        match old.pointer("/metadata/ownerReferences") {
            Some(v) => meta.insert("ownerReferences".into(), v.clone()),
            None => meta.remove("ownerReferences"),
        };
    }
    let Some(status) = new.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    let unset = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v == "" || v == 0);
    for key in ["qosClass", "observedGeneration"] {
        if unset(status.get(key))
            && let Some(v) = old.pointer(&format!("/status/{key}"))
        {
            status.insert(key.into(), v.clone());
        }
    }
    let mut old_generations: Vec<(&str, &Value)> = old
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let ty = c.get("type").and_then(Value::as_str)?;
            Some((ty, c.get("observedGeneration").unwrap_or(&Value::Null)))
        })
        .collect();
    let Some(conditions) = status.get_mut("conditions").and_then(Value::as_array_mut) else {
        return;
    };
    for condition in conditions.iter_mut().filter_map(Value::as_object_mut) {
        let ty = condition.get("type").and_then(Value::as_str).unwrap_or("");
        let stored = old_generations
            .iter()
            .position(|(t, _)| *t == ty)
            .map(|i| old_generations.remove(i).1);
        if unset(condition.get("observedGeneration"))
            && let Some(generation) = stored.filter(|g| !g.is_null())
        {
            condition.insert("observedGeneration".into(), generation.clone());
        }
    }
}

/// `qos.GetPodQOS`: `BestEffort` without any CPU/memory request or limit, `Guaranteed` when
/// every container limits both and requests equal limits, `Burstable` otherwise.
fn qos_class(spec: &Value) -> &'static str {
    let resources_of = |r: &Value, key: &str| -> Vec<(String, Quantity)> {
        r.get(key)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(name, _)| *name == "cpu" || *name == "memory")
            .filter_map(|(name, q)| Some((name.clone(), Quantity::parse(q.as_str()?)?)))
            .filter(|(_, q)| *q > Quantity::ZERO)
            .collect()
    };
    let mut req: Vec<(String, Quantity)> = Vec::new();
    let mut lim: Vec<(String, Quantity)> = Vec::new();
    let mut guaranteed = true;
    let add = |list: &mut Vec<(String, Quantity)>, name: String, q: Quantity| match list
        .iter_mut()
        .find(|(n, _)| *n == name)
    {
        Some((_, total)) => *total = total.add(q),
        None => list.push((name, q)),
    };
    let pod_level = spec.get("resources").filter(|r| {
        r.get("requests").is_some_and(|v| !v.is_null())
            || r.get("limits").is_some_and(|v| !v.is_null())
    });
    let containers: Vec<&Value> = match pod_level {
        Some(r) => vec![r],
        None => {
            let spec_map = spec.as_object();
            ["containers", "initContainers"]
                .iter()
                .flat_map(|k| spec_map.map(|m| array(m, k)).unwrap_or(&[]))
                .map(|c| c.get("resources").unwrap_or(&Value::Null))
                .collect()
        }
    };
    for resources in containers {
        for (name, q) in resources_of(resources, "requests") {
            add(&mut req, name, q);
        }
        let limits = resources_of(resources, "limits");
        let found = |n: &str| limits.iter().any(|(name, _)| name == n);
        if !(found("cpu") && found("memory")) {
            guaranteed = false;
        }
        for (name, q) in limits {
            add(&mut lim, name, q);
        }
    }
    if req.is_empty() && lim.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        guaranteed = req
            .iter()
            .all(|(name, q)| lim.iter().any(|(n, l)| n == name && l == q));
    }
    if guaranteed && req.len() == lim.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_qos(containers: Value, expected: &str) {
        assert_eq!(qos_class(&json!({"containers": containers})), expected);
    }

    #[test]
    fn qos_classes() {
        check_qos(json!([{"name": "c"}]), "BestEffort");
        check_qos(
            json!([{"resources": {"requests": {"cpu": "100m"}}}]),
            "Burstable",
        );
        check_qos(
            json!([{"resources": {"limits": {"cpu": "1", "memory": "128Mi"}, "requests": {"cpu": "1000m", "memory": "128Mi"}}}]),
            "Guaranteed",
        );
        check_qos(
            json!([{"resources": {"limits": {"cpu": "1", "memory": "128Mi"}, "requests": {"cpu": "500m", "memory": "128Mi"}}}]),
            "Burstable",
        );
        check_qos(
            json!([{"resources": {"requests": {"ephemeral-storage": "1Gi"}}}]),
            "BestEffort",
        );
    }

    #[test]
    fn generation_bumps_on_spec_change_only() {
        let old = json!({"metadata": {"generation": 1}, "spec": {"x": 1}, "status": {"phase": "Pending"}});
        let mut same =
            json!({"metadata": {"generation": 1, "labels": {"a": "b"}}, "spec": {"x": 1}});
        Pods.prepare_for_update("", &mut same, &old, "t");
        assert_eq!(same["metadata"]["generation"], 1);
        let mut changed = json!({"metadata": {"generation": 1}, "spec": {"x": 2}});
        Pods.prepare_for_update("", &mut changed, &old, "t");
        assert_eq!(changed["metadata"]["generation"], 2);
    }

    #[test]
    fn status_update_backfills_qos_class_and_observed_generations() {
        let old = json!({"metadata": {}, "spec": {}, "status": {"qosClass": "Burstable",
            "observedGeneration": 3, "conditions": [
                {"type": "Ready", "status": "False", "observedGeneration": 2},
                {"type": "PodScheduled", "status": "True", "observedGeneration": 1}]}});
        let mut new = json!({"metadata": {}, "status": {"phase": "Running", "conditions": [
            {"type": "PodScheduled", "status": "True"},
            {"type": "Ready", "status": "True", "observedGeneration": 3},
            {"type": "Initialized", "status": "True"}]}});
        Pods.prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(
            new["status"],
            json!({"phase": "Running", "qosClass": "Burstable", "observedGeneration": 3,
                "conditions": [
                    {"type": "PodScheduled", "status": "True", "observedGeneration": 1},
                    {"type": "Ready", "status": "True", "observedGeneration": 3},
                    {"type": "Initialized", "status": "True"}]})
        );
        // a class the kubelet sends is kept (validation refuses a change)
        let mut own = json!({"status": {"qosClass": "BestEffort"}});
        Pods.prepare_for_update("status", &mut own, &old, "t");
        assert_eq!(own["status"]["qosClass"], "BestEffort");
    }

    #[test]
    fn terminated_and_unscheduled_pods_are_deleted_at_once() {
        let pod = |node: &str, phase: &str| {
            json!({"spec": {"nodeName": node, "terminationGracePeriodSeconds": 20},
                "status": {"phase": phase}})
        };
        assert_eq!(Pods.graceful_delete(&pod("n", "Running"), None), Some(20));
        assert_eq!(Pods.graceful_delete(&pod("n", "Running"), Some(5)), Some(5));
        assert_eq!(Pods.graceful_delete(&pod("", "Pending"), Some(5)), Some(0));
        assert_eq!(Pods.graceful_delete(&pod("n", "Succeeded"), None), Some(0));
        assert_eq!(Pods.graceful_delete(&pod("n", "Failed"), Some(5)), Some(0));
    }

    #[test]
    fn status_update_keeps_spec_and_owner_references() {
        let old = json!({"metadata": {"ownerReferences": [{"uid": "a"}]}, "spec": {"x": 1}});
        let mut new = json!({"metadata": {"ownerReferences": [{"uid": "b"}]}, "spec": {"x": 2},
            "status": {"phase": "Running"}});
        Pods.prepare_for_update("status", &mut new, &old, "t");
        assert_eq!(
            new,
            json!({"metadata": {"ownerReferences": [{"uid": "a"}]}, "spec": {"x": 1},
                "status": {"phase": "Running"}})
        );
    }

    #[track_caller]
    fn check_selector(selector: &str, obj: &Value, expected: bool) {
        let s = crate::selector::FieldSelector::parse(selector, &|l| Pods.field_label(l)).unwrap();
        assert_eq!(s.matches(obj), expected, "{selector}");
    }

    #[test]
    fn field_selectors() {
        let pod = json!({"metadata": {"name": "p2", "namespace": "ns"},
            "spec": {"restartPolicy": "Always", "schedulerName": "default-scheduler"},
            "status": {"phase": "Pending"}});
        check_selector("metadata.name=p2", &pod, true);
        check_selector("metadata.name==p1", &pod, false);
        check_selector("spec.nodeName=", &pod, true);
        check_selector("status.phase!=Pending", &pod, false);
        check_selector("spec.restartPolicy=Always,metadata.name!=p1", &pod, true);
        check_selector("spec.host=", &pod, true);
        check_selector("spec.hostNetwork=false", &pod, true);
        check_selector("metadata.namespace=ns", &pod, true);
        let err = |s: &str| {
            crate::selector::FieldSelector::parse(s, &|l| Pods.field_label(l))
                .unwrap_err()
                .message
        };
        assert_eq!(err("spec.foo=bar"), "field label not supported: spec.foo");
        assert_eq!(err("\\é\\é=x"), "field label not supported: \\é\\é");
    }
}
