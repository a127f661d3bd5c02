//! Tests of the built-in strategies through the registry, as the generic store reaches them.

mod pipeline;
mod transcripts;
mod validation;

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::{Registry, ResourceType};
use crate::admission::defaults::{DecodeError, strip_nulls};
use crate::validation::Invalid;

/// The built-in types whose writes the strategies validate.
const VALIDATED: &[(&str, &str)] = &[
    ("", "pods"),
    ("resource.k8s.io", "deviceclasses"),
    ("resource.k8s.io", "resourceslices"),
    ("", "nodes"),
    ("", "namespaces"),
    ("", "configmaps"),
    ("", "secrets"),
    ("", "serviceaccounts"),
    ("", "services"),
    ("", "endpoints"),
    ("", "events"),
    ("", "persistentvolumes"),
    ("", "persistentvolumeclaims"),
    ("storage.k8s.io", "storageclasses"),
    ("coordination.k8s.io", "leases"),
    ("scheduling.k8s.io", "priorityclasses"),
    ("rbac.authorization.k8s.io", "roles"),
    ("rbac.authorization.k8s.io", "clusterroles"),
    ("rbac.authorization.k8s.io", "rolebindings"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ("apps", "deployments"),
    ("policy", "poddisruptionbudgets"),
    ("events.k8s.io", "events"),
    ("", "replicationcontrollers"),
    ("", "podtemplates"),
    ("", "limitranges"),
    ("", "resourcequotas"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "controllerrevisions"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("autoscaling", "horizontalpodautoscalers"),
    ("networking.k8s.io", "ingresses"),
    ("networking.k8s.io", "ingressclasses"),
    ("networking.k8s.io", "networkpolicies"),
    ("discovery.k8s.io", "endpointslices"),
    ("node.k8s.io", "runtimeclasses"),
    ("storage.k8s.io", "csidrivers"),
    ("storage.k8s.io", "csinodes"),
    ("storage.k8s.io", "csistoragecapacities"),
    ("storage.k8s.io", "volumeattachments"),
    ("storage.k8s.io", "volumeattributesclasses"),
    ("networking.k8s.io", "ipaddresses"),
    ("networking.k8s.io", "servicecidrs"),
];

/// The built-in type `group`/`resource` (its first version in the catalog).
fn resource(group: &str, resource: &str) -> Option<Arc<ResourceType>> {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let registry = REGISTRY.get_or_init(Registry::builtin);
    let version = registry
        .types()
        .find(|t| t.group == group && t.plural == resource)?
        .version
        .clone();
    registry.find(group, &version, resource)
}

/// What the store does to a decoded body of `rt`.
fn defaults(rt: &ResourceType, obj: &mut Value) -> Result<(), DecodeError> {
    strip_nulls(obj);
    rt.strategy.default(obj)
}

/// Validates `obj` as a new object of `group`/`resource`.
fn validate_create(group: &str, resource_name: &str, obj: &Value) -> Result<(), Invalid> {
    let rt = resource(group, resource_name).expect("a catalog type");
    rt.strategy.validate(&rt, obj)
}

/// Validates an update of `group`/`resource`.
fn validate_update(
    group: &str,
    resource_name: &str,
    subresource: &str,
    new: &Value,
    old: &Value,
) -> Result<(), Invalid> {
    let rt = resource(group, resource_name).expect("a catalog type");
    rt.strategy.validate_update(&rt, subresource, new, old)
}

/// Every validated type is in the catalog and validates a nameless object as invalid; a
/// type without object validation accepts it.
#[test]
fn validated_types_refuse_a_nameless_object() {
    let nameless = serde_json::json!({"metadata": {"namespace": "ns"}});
    for (group, plural) in VALIDATED {
        assert!(
            validate_create(group, plural, &nameless).is_err(),
            "{group}/{plural}"
        );
    }
    // Core/v1 Bindings are a create-only write the store does not validate as an object.
    assert!(validate_create("", "bindings", &nameless).is_ok());
}

#[test]
fn catalog_parses_and_holds_the_issue_types() {
    let r = Registry::builtin();
    for (g, v, p) in [
        ("", "v1", "pods"),
        ("", "v1", "nodes"),
        ("", "v1", "persistentvolumes"),
        ("", "v1", "serviceaccounts"),
        ("storage.k8s.io", "v1", "storageclasses"),
        ("coordination.k8s.io", "v1", "leases"),
        ("events.k8s.io", "v1", "events"),
        ("scheduling.k8s.io", "v1", "priorityclasses"),
        ("rbac.authorization.k8s.io", "v1", "roles"),
        ("apps", "v1", "deployments"),
    ] {
        let t = r
            .find(g, v, p)
            .unwrap_or_else(|| panic!("{g}/{v}/{p} missing"));
        assert!(t.is_stored(), "{p}");
    }
    let pods = r.find("", "v1", "pods").unwrap();
    assert!(pods.subresources.contains_key("status"));
    assert!(pods.subresources.contains_key("binding"));
    assert!(
        r.find("", "v1", "serviceaccounts")
            .unwrap()
            .subresources
            .contains_key("token")
    );
}

/// ValidateObjectMeta with each kind's name function: NameIsDNSLabel for StatefulSets
/// (ValidateStatefulSetName), NameIsDNSSubdomain for HorizontalPodAutoscalers and the others.
#[test]
fn names_of_kinds_without_spec_rules_are_checked() {
    let err = |group: &str, plural: &str, name: &str| {
        validate_create(
            group,
            plural,
            // a spec an HPA accepts; the other kinds' checks ignore its fields
            &serde_json::json!({"metadata": {"name": name, "namespace": "ns"},
                "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 1}}),
        )
        .err()
        .map(|e| e.to_string())
    };
    assert_eq!(
        err("autoscaling", "horizontalpodautoscalers", "Bad_Name").as_deref(),
        Some(
            "HorizontalPodAutoscaler.autoscaling \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    );
    assert_eq!(err("autoscaling", "horizontalpodautoscalers", "a.b"), None);
    // a PodDisruptionBudget's strategy checks no name rule of its own: only the generic
    // path-segment rule applies
    assert_eq!(err("policy", "poddisruptionbudgets", "Bad_Name"), None);
    let sts = err("apps", "statefulsets", "a.b").unwrap_or_default();
    assert!(
        sts.starts_with("StatefulSet.apps \"a.b\" is invalid: [metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label"),
        "{sts}"
    );
}
