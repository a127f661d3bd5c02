//! The generic store's write steps over the built-in strategies: whole create and update
//! paths, and objects of the wrong shape.

use serde_json::json;

use super::{defaults, resource};
use crate::admission::testing::MemLookup;
use crate::admission::{Attributes, Operation};
use crate::registry::pipeline;

fn attrs<'a>(group: &'a str, resource: &'a str, op: Operation) -> Attributes<'a> {
    Attributes {
        group,
        resource,
        subresource: "",
        version: "v1",
        kind: "",
        namespace: "ns",
        name: "",
        operation: op,
        user: None,
    }
}

#[test]
fn generated_namespace_names_get_their_label() {
    let attrs = Attributes {
        namespace: "",
        ..attrs("", "namespaces", Operation::Create)
    };
    let mut ns =
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"generateName": "team-"}});
    let rt = resource("", "namespaces").unwrap();
    defaults(&rt, &mut ns).unwrap();
    pipeline::create(
        &rt,
        &attrs,
        &mut ns,
        &MemLookup::default(),
        "2026-01-01T00:00:00Z",
    )
    .unwrap();
    let name = ns["metadata"]["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with("team-") && name.len() == 10, "{name}");
    assert_eq!(
        ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
        json!(name)
    );
    assert_eq!(ns["spec"]["finalizers"], json!(["kubernetes"]));
    assert_eq!(ns["status"]["phase"], "Active");
}

/// Objects of the wrong shape go through defaulting, admission, strategy and validation
/// without panicking (they are refused or accepted, never crash the server).
#[test]
fn malformed_objects_do_not_panic() {
    let resources = [
        ("", "pods"),
        ("", "nodes"),
        ("", "namespaces"),
        ("", "configmaps"),
        ("", "secrets"),
        ("", "services"),
        ("", "events"),
        ("", "persistentvolumes"),
        ("", "persistentvolumeclaims"),
        ("", "serviceaccounts"),
        ("storage.k8s.io", "storageclasses"),
        ("coordination.k8s.io", "leases"),
        ("scheduling.k8s.io", "priorityclasses"),
        ("rbac.authorization.k8s.io", "roles"),
        ("rbac.authorization.k8s.io", "rolebindings"),
        ("apps", "deployments"),
        ("events.k8s.io", "events"),
        ("policy", "poddisruptionbudgets"),
    ];
    let shapes = [
        json!({}),
        json!({"metadata": "x", "spec": "y", "status": 3}),
        json!({"metadata": {"name": 5, "labels": [1], "annotations": "a", "finalizers": {}, "ownerReferences": "o"}}),
        json!({"metadata": {"name": "n", "namespace": "ns"}, "spec": {"containers": {"a": 1}, "volumes": "v", "tolerations": [1, null],
            "resources": [], "ports": "p", "selector": 7, "template": [], "capacity": {"storage": []}, "accessModes": "x", "taints": {}},
            "data": [1], "stringData": {"a": 1}, "binaryData": "x", "type": 1, "rules": "r", "roleRef": [], "subjects": {}}),
        json!({"metadata": {"name": "n", "namespace": "ns"}, "spec": {"containers": [{"name": 1, "image": [], "resources": {"limits": {"cpu": {}}},
            "ports": [{"containerPort": "x"}], "env": [{"valueFrom": []}], "volumeMounts": [{}]}], "volumes": [{"projected": {"sources": "s"}}],
            "initContainers": [null]}}),
    ];
    let lookup = MemLookup::default();
    for (group, resource) in resources {
        for shape in &shapes {
            let mut obj = shape.clone();
            let rt = super::resource(group, resource).unwrap();
            let _ = super::defaults(&rt, &mut obj);
            let create = Attributes {
                group,
                resource,
                subresource: "",
                version: "v1",
                kind: "",
                namespace: "ns",
                name: "",
                operation: Operation::Create,
                user: None,
            };
            let _ = pipeline::create(
                &rt,
                &create,
                &mut obj.clone(),
                &lookup,
                "2026-01-01T00:00:00Z",
            );
            let update = Attributes {
                name: "n",
                operation: Operation::Update,
                ..create
            };
            let _ = pipeline::update(
                &rt,
                &update,
                &mut obj.clone(),
                shape,
                &lookup,
                "2026-01-01T00:00:00Z",
            );
            let _ = pipeline::update(
                &rt,
                &update,
                &mut shape.clone(),
                &obj,
                &lookup,
                "2026-01-01T00:00:00Z",
            );
        }
    }
}

/// A main-resource update of a type with a status subresource keeps the stored status (the
/// catalog says which types have one); a type without one takes the status it is sent.
#[test]
fn main_updates_keep_the_status_of_types_with_a_status_subresource() {
    let lookup = MemLookup::namespace("ns");
    for (group, resource, kept) in [
        ("", "pods", true),
        ("autoscaling", "horizontalpodautoscalers", true),
        ("", "resourcequotas", true),
        ("apps", "controllerrevisions", false),
    ] {
        let rt = super::resource(group, resource).unwrap();
        let old = json!({"metadata": {"name": "n", "namespace": "ns", "resourceVersion": "1"},
            "status": {"stored": true}});
        let mut new = json!({"metadata": {"name": "n", "namespace": "ns", "resourceVersion": "1"},
            "status": {"sent": true}});
        let update = Attributes {
            name: "n",
            ..attrs(group, resource, Operation::Update)
        };
        let _ = pipeline::update(
            &rt,
            &update,
            &mut new,
            &old,
            &lookup,
            "2026-01-01T00:00:00Z",
        );
        let expected = if kept {
            json!({"stored": true})
        } else {
            json!({"sent": true})
        };
        assert_eq!(new["status"], expected, "{group}/{resource}");
    }
}
