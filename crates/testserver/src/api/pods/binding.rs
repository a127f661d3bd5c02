//! `POST pods/NAME/binding` and the legacy `POST bindings`: assigning a pod to a node, what a
//! scheduler does.
//!
//! As kube-apiserver's `BindingREST`: the URL name must be the Binding's name (400), the target
//! must be a Node with a name (a plain error, so 500), the pod must exist (404) and be unbound,
//! not terminating and without scheduling gates (409 on `pods/binding`). Binding writes the pod
//! directly in storage: `spec.nodeName`, the Binding's annotations and labels and the
//! `PodScheduled` condition change; `generation` and `managedFields` do not.
//!
//! The `PodTopologyLabels` admission plugin (beta and on since v1.35) first copies the target
//! node's `topology.k8s.io/zone` and `topology.k8s.io/region` labels into the Binding (keeping
//! the Binding's own), so they land on the pod. It admits the `pods` resource only, so a
//! Binding posted to the legacy `bindings` collection gets none.

use bytes::Bytes;
use http::Response;
use serde_json::{Map, Value, json};

use super::{check_namespace, created, pods, set_pod_condition, text};
use crate::api::body::decode_object;
use crate::api::query::dry_run;
use crate::api::respond::{self, Body};
use crate::api::route::Target;
use crate::api::status::ApiError;
use crate::api::{App, Ctx};
use crate::clock;
use crate::registry::ResourceType;
use crate::storage::{StoreError, revision_of};

/// Answers `POST .../pods/NAME/binding`.
pub(crate) fn create(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    let name = target.name.as_deref().unwrap_or("");
    bind_request(app, ctx, target, body, Some(name))
}

/// Answers `POST .../namespaces/NS/bindings` (the pod is the Binding's `metadata.name`).
pub(crate) fn create_legacy(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
) -> Result<Response<Body>, ApiError> {
    bind_request(app, ctx, target, body, None)
}

fn bind_request(
    app: &App,
    ctx: &Ctx,
    target: &Target,
    body: &Bytes,
    url_name: Option<&str>,
) -> Result<Response<Body>, ApiError> {
    let pods = pods(app)?;
    let dry = dry_run(&ctx.query, "CreateOptions")?;
    let obj = decode_object(&pods, "Binding", ctx.header("content-type"), body)?;
    let ns = target.namespace.as_deref().unwrap_or("");
    check_namespace(&obj, ns)?;
    let binding = Binding::from_value(&obj);
    let name = url_name.unwrap_or(&binding.name);
    if name != binding.name {
        return Err(ApiError::bad_request(
            "name in URL does not match name in Binding object",
        ));
    }
    if let Some(message) = validate(&binding) {
        // ValidatePodBinding's errors are returned as a plain aggregate: a 500 without reason
        return Err(ApiError::internal(message));
    }
    if name.is_empty() {
        return Err(ApiError::bad_request("Name parameter required."));
    }
    // PodTopologyLabels admits the `pods` resource only: not the legacy `bindings` collection
    let binding = if url_name.is_some() {
        let node = app
            .registry
            .find("", "v1", "nodes")
            .and_then(|nodes| app.store.get(&app.key(&nodes, "", &binding.target_name)));
        with_topology_labels(binding, node.as_deref())
    } else {
        binding
    };
    assign(app, &pods, ns, &binding, dry)?;
    Ok(respond::status(201, &created(), ctx.repr.format))
}

/// The parts of a `core/v1` Binding the server uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Binding {
    /// `metadata.name`: the pod.
    pub(crate) name: String,
    /// `metadata.uid`: a precondition on the pod's UID when set.
    pub(crate) uid: String,
    /// `metadata.resourceVersion`: a precondition on the pod's resourceVersion when set.
    pub(crate) resource_version: String,
    /// `metadata.annotations`, copied onto the pod.
    pub(crate) annotations: Map<String, Value>,
    /// `metadata.labels`, copied onto the pod.
    pub(crate) labels: Map<String, Value>,
    /// `target.kind` (`Node` or empty).
    pub(crate) target_kind: String,
    /// `target.name`: the node.
    pub(crate) target_name: String,
}

impl Binding {
    /// Reads a decoded Binding body.
    pub(crate) fn from_value(v: &Value) -> Self {
        Binding {
            name: text(v, "/metadata/name").to_owned(),
            uid: text(v, "/metadata/uid").to_owned(),
            resource_version: text(v, "/metadata/resourceVersion").to_owned(),
            annotations: v
                .pointer("/metadata/annotations")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            labels: v
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            target_kind: text(v, "/target/kind").to_owned(),
            target_name: text(v, "/target/name").to_owned(),
        }
    }
}

/// `validation.ValidatePodBinding` as the aggregate error text it is answered with.
pub(crate) fn validate(b: &Binding) -> Option<String> {
    let mut errs = Vec::new();
    if !b.target_kind.is_empty() && b.target_kind != "Node" {
        errs.push(format!(
            "target.kind: Unsupported value: {}: supported values: \"Node\", \"<empty>\"",
            Value::from(b.target_kind.as_str())
        ));
    }
    if b.target_name.is_empty() {
        errs.push("target.name: Required value".to_owned());
    }
    match errs.len() {
        0 => None,
        1 => errs.pop(),
        _ => Some(format!("[{}]", errs.join(", "))),
    }
}

/// Why a pod cannot be bound.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Refusal {
    /// The Binding's UID or resourceVersion precondition does not hold.
    Precondition {
        /// What differs (`Precondition failed: UID in precondition: ...`).
        why: String,
    },
    /// The pod is terminating, already bound or gated (a `pods/binding` conflict).
    Conflict {
        /// Why the pod cannot be bound (`pod p is already assigned to node "n"`).
        why: String,
    },
}

/// `setPodNodeAndMetadata`: the bound pod, or why it cannot be bound.
pub(crate) fn bind(pod: &Value, b: &Binding, now: &str) -> Result<Value, Refusal> {
    let uid = text(pod, "/metadata/uid");
    if !b.uid.is_empty() && b.uid != uid {
        return Err(Refusal::Precondition {
            why: format!(
                "Precondition failed: UID in precondition: {}, UID in object meta: {uid}",
                b.uid
            ),
        });
    }
    let rv = text(pod, "/metadata/resourceVersion");
    if !b.resource_version.is_empty() && b.resource_version != rv {
        return Err(Refusal::Precondition {
            why: format!(
                "Precondition failed: ResourceVersion in precondition: {}, ResourceVersion in object meta: {rv}",
                b.resource_version
            ),
        });
    }
    let name = text(pod, "/metadata/name");
    if pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|t| !t.is_null())
    {
        return Err(Refusal::Conflict {
            why: format!("pod {name} is being deleted, cannot be assigned to a host"),
        });
    }
    let node = text(pod, "/spec/nodeName");
    if !node.is_empty() {
        return Err(Refusal::Conflict {
            why: format!("pod {name} is already assigned to node \"{node}\""),
        });
    }
    if pod
        .pointer("/spec/schedulingGates")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty())
    {
        return Err(Refusal::Conflict {
            why: format!("pod {name} has non-empty .spec.schedulingGates"),
        });
    }
    let mut bound = pod.clone();
    if let Some(spec) = bound.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("nodeName".into(), b.target_name.clone().into());
    }
    merge_into_metadata(&mut bound, "annotations", &b.annotations);
    merge_into_metadata(&mut bound, "labels", &b.labels);
    set_pod_condition(
        &mut bound,
        json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null}),
        now,
    );
    Ok(bound)
}

/// Sets every entry of `entries` in the object's `metadata.<field>` map (created if needed).
fn merge_into_metadata(obj: &mut Value, field: &str, entries: &Map<String, Value>) {
    if entries.is_empty() {
        return;
    }
    let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let map = meta
        .entry(field)
        .or_insert_with(|| Value::Object(Map::new()));
    if !map.is_object() {
        *map = Value::Object(Map::new());
    }
    if let Some(m) = map.as_object_mut() {
        m.extend(entries.clone());
    }
}

/// The `PodTopologyLabels` admission plugin: the node's topology labels the Binding does not
/// set already (nothing for a non-Node target or a missing node).
pub(crate) fn with_topology_labels(mut b: Binding, node: Option<&Value>) -> Binding {
    const TOPOLOGY: [&str; 2] = ["topology.k8s.io/zone", "topology.k8s.io/region"];
    if b.target_kind != "Node" {
        return b;
    }
    let node_labels = node
        .and_then(|n| n.pointer("/metadata/labels"))
        .and_then(Value::as_object);
    for (k, v) in node_labels.into_iter().flatten() {
        if TOPOLOGY.contains(&k.as_str()) && !b.labels.contains_key(k) {
            b.labels.insert(k.clone(), v.clone());
        }
    }
    b
}

/// Binds the pod in storage (a guaranteed update: retried on concurrent writes).
fn assign(
    app: &App,
    pods: &ResourceType,
    ns: &str,
    b: &Binding,
    dry: bool,
) -> Result<(), ApiError> {
    let key = app.key(pods, ns, &b.name);
    for _ in 0..16 {
        let old = app
            .store
            .get(&key)
            .ok_or_else(|| ApiError::not_found(pods, &b.name))?;
        let bound = bind(&old, b, &clock::now()).map_err(|r| match r {
            Refusal::Precondition { why } => ApiError::conflict(
                pods,
                &b.name,
                &format!(
                    "StorageError: invalid object, Code: 4, Key: /registry/pods/{ns}/{}, ResourceVersion: 0, AdditionalErrorMsg: {why}",
                    b.name
                ),
            ),
            Refusal::Conflict { why } => ApiError::conflict_kind("pods/binding", "", &b.name, &why),
        })?;
        if dry {
            return Ok(());
        }
        match app.store.update(&key, revision_of(&old), bound) {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict { .. }) => continue,
            Err(StoreError::NotFound) => return Err(ApiError::not_found(pods, &b.name)),
            Err(e) => return Err(ApiError::internal(e.to_string())),
        }
    }
    Err(ApiError::stale(pods, &b.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2024-01-01T00:00:00Z";

    fn pod() -> Value {
        json!({"metadata": {"name": "p", "uid": "u1", "resourceVersion": "7"},
               "spec": {"containers": [{"name": "c"}]},
               "status": {"phase": "Pending"}})
    }

    fn binding(body: Value) -> Binding {
        Binding::from_value(&body)
    }

    #[track_caller]
    fn check_refused(pod: &Value, b: Value, expected: Refusal) {
        assert_eq!(bind(pod, &binding(b), NOW), Err(expected));
    }

    #[test]
    fn binding_sets_node_annotations_and_scheduled_condition() {
        let b = binding(json!({"metadata": {"name": "p", "annotations": {"a": "1"}},
                               "target": {"kind": "Node", "name": "n1"}}));
        let bound = bind(&pod(), &b, NOW).unwrap();
        assert_eq!(bound["spec"]["nodeName"], "n1");
        assert_eq!(bound["metadata"]["annotations"], json!({"a": "1"}));
        assert_eq!(
            bound["status"]["conditions"],
            json!([{"type": "PodScheduled", "status": "True", "lastProbeTime": null,
                    "lastTransitionTime": NOW}])
        );
        // no annotations in the Binding: the pod gets no empty map
        let plain = bind(&pod(), &binding(json!({"target": {"name": "n1"}})), NOW).unwrap();
        assert!(plain["metadata"].get("annotations").is_none());
        assert!(plain["metadata"].get("labels").is_none());
    }

    #[test]
    fn topology_labels_come_from_the_node_without_overriding_the_binding() {
        let node = json!({"metadata": {"labels": {"topology.k8s.io/zone": "z1",
            "topology.k8s.io/region": "r1", "topology.kubernetes.io/zone": "other"}}});
        let b = binding(
            json!({"metadata": {"labels": {"topology.k8s.io/region": "mine"}},
                               "target": {"kind": "Node", "name": "n1"}}),
        );
        let b = with_topology_labels(b, Some(&node));
        assert_eq!(
            Value::Object(b.labels.clone()),
            json!({"topology.k8s.io/zone": "z1", "topology.k8s.io/region": "mine"})
        );
        let bound = bind(&pod(), &b, NOW).unwrap();
        assert_eq!(bound["metadata"]["labels"], Value::Object(b.labels));
        // only a Node target is looked at
        let untyped = binding(json!({"target": {"name": "n1"}}));
        assert!(with_topology_labels(untyped, Some(&node)).labels.is_empty());
    }

    #[test]
    fn refusals_say_why() {
        let mut bound = pod();
        bound["spec"]["nodeName"] = "n0".into();
        check_refused(
            &bound,
            json!({"target": {"name": "n1"}}),
            Refusal::Conflict {
                why: "pod p is already assigned to node \"n0\"".into(),
            },
        );
        let mut deleting = pod();
        deleting["metadata"]["deletionTimestamp"] = NOW.into();
        check_refused(
            &deleting,
            json!({"target": {"name": "n1"}}),
            Refusal::Conflict {
                why: "pod p is being deleted, cannot be assigned to a host".into(),
            },
        );
        let mut gated = pod();
        gated["spec"]["schedulingGates"] = json!([{"name": "g"}]);
        check_refused(
            &gated,
            json!({"target": {"name": "n1"}}),
            Refusal::Conflict {
                why: "pod p has non-empty .spec.schedulingGates".into(),
            },
        );
        check_refused(
            &pod(),
            json!({"metadata": {"uid": "u2"}, "target": {"name": "n1"}}),
            Refusal::Precondition {
                why: "Precondition failed: UID in precondition: u2, UID in object meta: u1".into(),
            },
        );
        check_refused(
            &pod(),
            json!({"metadata": {"resourceVersion": "3"}, "target": {"name": "n1"}}),
            Refusal::Precondition {
                why: "Precondition failed: ResourceVersion in precondition: 3, ResourceVersion in object meta: 7".into(),
            },
        );
    }

    #[test]
    fn validation_texts() {
        let check = |b: Value, expected: Option<&str>| {
            assert_eq!(validate(&binding(b)).as_deref(), expected);
        };
        check(json!({"target": {"kind": "Node", "name": "n"}}), None);
        check(json!({"target": {"name": "n"}}), None);
        check(
            json!({"target": {"kind": "Node"}}),
            Some("target.name: Required value"),
        );
        check(
            json!({"target": {"kind": "Pod"}}),
            Some(
                "[target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\", target.name: Required value]",
            ),
        );
    }
}
