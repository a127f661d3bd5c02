//! What each resource's registry strategy does before validation (`PrepareForCreate`,
//! `PrepareForUpdate`): reset or keep `status`, set `generation`, fill computed status fields.
//!
//! Call after mutating admission and before validation. `now` is the server's current time in
//! RFC 3339 (`2024-01-01T00:00:00Z`), used for timestamps the strategy sets.

use serde_json::{Map, Value, json};

use crate::admission::json::{array, object_at, str_at};
use crate::admission::quantity::Quantity;

/// Kinds whose objects carry a `metadata.generation` that the strategy sets to 1 on create and
/// bumps when the spec changes.
fn has_generation(group: &str, resource: &str) -> bool {
    matches!(
        (group, resource),
        ("", "pods" | "replicationcontrollers")
            | (
                "apps",
                "deployments" | "replicasets" | "statefulsets" | "daemonsets"
            )
            | ("policy", "poddisruptionbudgets")
            | ("scheduling.k8s.io", "priorityclasses")
            | ("batch", "jobs" | "cronjobs")
    )
}

/// `PrepareForCreate` of `group`/`resource`.
pub(crate) fn prepare_for_create(group: &str, resource: &str, obj: &mut Value, now: &str) {
    if has_generation(group, resource)
        && let Some(meta) = object_at(obj, &["metadata"])
    {
        meta.insert("generation".into(), json!(1));
    }
    let status = match (group, resource) {
        ("", "pods") => {
            let qos = qos_class(obj.get("spec").unwrap_or(&Value::Null));
            json!({"phase": "Pending", "qosClass": qos})
        }
        ("", "persistentvolumes") => json!({"phase": "Pending", "lastPhaseTransitionTime": now}),
        ("", "persistentvolumeclaims") => json!({"phase": "Pending"}),
        ("", "namespaces") => {
            if let Some(spec) = object_at(obj, &["spec"]) {
                let finalizers = spec.entry("finalizers").or_insert_with(|| json!([]));
                if !finalizers.is_array() {
                    *finalizers = json!([]);
                }
                if let Some(list) = finalizers.as_array_mut()
                    && !list.iter().any(|f| f.as_str() == Some("kubernetes"))
                {
                    list.push(json!("kubernetes"));
                }
            }
            json!({"phase": "Active"})
        }
        ("", "services") => json!({"loadBalancer": {}}),
        ("apps", "deployments") => json!({}),
        ("apps", "replicasets") | ("", "replicationcontrollers") => json!({"replicas": 0}),
        ("apps", "statefulsets") => json!({"replicas": 0, "availableReplicas": 0}),
        ("policy", "poddisruptionbudgets") => json!({
            "disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0
        }),
        // Nodes may set their status on create; other kinds have no status.
        _ => return,
    };
    if let Some(map) = obj.as_object_mut() {
        map.insert("status".into(), status);
    }
}

/// `PrepareForUpdate` of `group`/`resource` (`subresource` `""` or `status`).
///
/// A main-resource update keeps the stored `status` (for kinds with a status subresource) and
/// bumps `generation` when the spec changed; a status update keeps the stored spec and the
/// stored labels, annotations, finalizers, owner references and generation.
pub(crate) fn prepare_for_update(
    group: &str,
    resource: &str,
    subresource: &str,
    obj: &mut Value,
    old: &Value,
    now: &str,
) {
    keep_system_metadata(obj, old);
    let has_status = matches!(
        (group, resource),
        (
            "",
            "pods" | "nodes" | "persistentvolumes" | "persistentvolumeclaims" | "namespaces"
        ) | ("", "services" | "replicationcontrollers")
            | ("apps", _)
            | ("policy", "poddisruptionbudgets")
            | ("batch", _)
    );
    let Some(new) = obj.as_object_mut() else {
        return;
    };
    match subresource {
        "" => {
            if has_status {
                copy_from(new, old, "status");
            }
            if (group, resource) == ("", "namespaces") {
                // Namespace finalizers change only through the finalize subresource.
                copy_from(new, old, "spec");
            }
            if has_generation(group, resource) && new.get("spec") != old.get("spec") {
                let bumped = old
                    .pointer("/metadata/generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
                    + 1;
                if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.insert("generation".into(), json!(bumped));
                }
            }
        }
        "status" => {
            copy_from(new, old, "spec");
            if (group, resource) == ("", "pods") {
                // Old kubelets corrupt owner references through pods/status.
                if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
                    match old.pointer("/metadata/ownerReferences") {
                        Some(v) => meta.insert("ownerReferences".into(), v.clone()),
                        None => meta.remove("ownerReferences"),
                    };
                }
            }
            if (group, resource) == ("", "persistentvolumes") {
                let new_phase = new.get("status").and_then(|s| s.get("phase")).cloned();
                if new_phase.as_ref() != old.pointer("/status/phase")
                    && let Some(status) = new.get_mut("status").and_then(Value::as_object_mut)
                {
                    status.insert("lastPhaseTransitionTime".into(), json!(now));
                }
            }
        }
        _ => {}
    }
}

/// `rest.BeforeUpdate`: the system-owned metadata comes from the stored object (uid, creation
/// and deletion timestamps, grace period, generation), and an empty namespace is the stored one.
fn keep_system_metadata(obj: &mut Value, old: &Value) {
    let Some(old_meta) = old.get("metadata").and_then(Value::as_object) else {
        return;
    };
    let Some(meta) = object_at(obj, &["metadata"]) else {
        return;
    };
    let empty = |v: Option<&Value>| v.is_none_or(|v| v.is_null() || v.as_str() == Some(""));
    for key in ["uid", "namespace"] {
        if empty(meta.get(key))
            && let Some(v) = old_meta.get(key)
        {
            meta.insert(key.into(), v.clone());
        }
    }
    for key in ["creationTimestamp", "deletionTimestamp", "generation"] {
        match old_meta.get(key) {
            Some(v) => meta.insert(key.into(), v.clone()),
            None => meta.remove(key),
        };
    }
    if empty(meta.get("deletionGracePeriodSeconds"))
        && let Some(v) = old_meta.get("deletionGracePeriodSeconds")
    {
        meta.insert("deletionGracePeriodSeconds".into(), v.clone());
    }
}

/// `Canonicalize` (the last step of `BeforeCreate`/`BeforeUpdate`, after validation): a
/// namespace created from `generateName` gets its `kubernetes.io/metadata.name` label only
/// once its name exists.
pub(crate) fn canonicalize(group: &str, resource: &str, obj: &mut Value) {
    if (group, resource) != ("", "namespaces") {
        return;
    }
    let name = crate::admission::json::name(obj).to_owned();
    if !name.is_empty()
        && let Some(labels) = object_at(obj, &["metadata", "labels"])
    {
        labels.insert(
            crate::admission::defaults::NAMESPACE_NAME_LABEL.into(),
            json!(name),
        );
    }
}

fn copy_from(new: &mut Map<String, Value>, old: &Value, key: &str) {
    match old.get(key) {
        Some(v) => new.insert(key.into(), v.clone()),
        None => new.remove(key),
    };
}

/// `qos.GetPodQOS`: `BestEffort` without any CPU/memory request or limit, `Guaranteed` when
/// every container limits both and requests equal limits, `Burstable` otherwise.
pub(crate) fn qos_class(spec: &Value) -> &'static str {
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

/// Whether the pod's node name is set (a bound pod).
pub(crate) fn is_bound(pod: &Value) -> bool {
    str_at(pod, &["spec", "nodeName"]).is_some_and(|n| !n.is_empty())
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
    fn status_update_keeps_spec() {
        let old = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1}, "status": {}});
        let mut new = json!({"metadata": {"labels": {"a": "2"}}, "spec": {"x": 2}, "status": {"phase": "Ready"}});
        prepare_for_update("", "nodes", "status", &mut new, &old, "t");
        // The node status strategy resets only the spec: label changes go through.
        assert_eq!(
            new,
            json!({"metadata": {"labels": {"a": "2"}}, "spec": {"x": 1}, "status": {"phase": "Ready"}})
        );
    }

    #[test]
    fn pod_generation_bumps_on_spec_change_only() {
        let old = json!({"metadata": {"generation": 1}, "spec": {"x": 1}, "status": {"phase": "Pending"}});
        let mut same =
            json!({"metadata": {"generation": 1, "labels": {"a": "b"}}, "spec": {"x": 1}});
        prepare_for_update("", "pods", "", &mut same, &old, "t");
        assert_eq!(same["metadata"]["generation"], 1);
        assert_eq!(same["status"], json!({"phase": "Pending"}));
        let mut changed = json!({"metadata": {"generation": 1}, "spec": {"x": 2}});
        prepare_for_update("", "pods", "", &mut changed, &old, "t");
        assert_eq!(changed["metadata"]["generation"], 2);
    }
}
