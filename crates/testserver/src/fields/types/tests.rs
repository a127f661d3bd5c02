//! The generated table against the hand-written one it replaced, and known fields of a few
//! kinds as kube-apiserver v1.36's OpenAPI models describe them.

use serde_json::Value;

use super::{all, find, fixture};
use crate::fields::schema::{List, ListKind, Shape, Smp};

/// Hand-written entries the Go sources contradict (a difference whose text contains one of
/// these is expected); the generated shape is the right one.
const CORRECTED: &[&str] = &[
    // core/v1 PodStatus.HostIPs: `+listType=atomic` (merged by `ip` only in patches)
    "v1/Pod.status.hostIPs:",
    // core/v1 ResourceRequirements.Claims: `+listType=map`, no patchStrategy (patches replace)
    ".resources.claims:",
    // core/v1 PersistentVolumeSpec.ClaimRef: `+structType=granular` overrides ObjectReference's
    "v1/PersistentVolume.spec.claimRef:",
    // no such fields: ConfigMap has no stringData, Secret no binaryData
    "v1/ConfigMap.stringData:",
    "v1/Secret.binaryData:",
    // apiextensions/v1 CustomResourceDefinitionStatus.Conditions: no patchStrategy
    "v1/CustomResourceDefinition.status.conditions:",
    // apiextensions/v1: Go writes `group`, `names.plural`, `scope`... (no omitempty)
    "v1/CustomResourceDefinition: zero",
    // apiextensions-apiserver customresourcedefinition statusStrategy.GetResetFields: metadata
    "v1/CustomResourceDefinition: status",
];

/// Whether `shape` is treated as the default: an object with nothing special, an atomic
/// list a strategic merge patch replaces.
fn deduced(shape: Shape) -> bool {
    match shape {
        Shape::Deduced => true,
        Shape::Object(object) => object.fields.iter().all(|(_, s)| deduced(*s)),
        Shape::List(list) => matches!(list.kind, ListKind::Atomic) && !list.smp.merge,
        Shape::Atomic | Shape::Map => false,
    }
}

fn same_smp(a: Smp, b: Smp) -> bool {
    a.merge == b.merge && a.merge_key == b.merge_key
}

fn same_list(hand: &List, generated: &List) -> bool {
    let kind = match (hand.kind, generated.kind) {
        (ListKind::Atomic, ListKind::Atomic) | (ListKind::Set, ListKind::Set) => true,
        (
            ListKind::Map { keys, defaults },
            ListKind::Map {
                keys: gen_keys,
                defaults: gen_defaults,
            },
        ) => keys == gen_keys && defaults.iter().all(|d| gen_defaults.contains(d)),
        _ => false,
    };
    kind && same_smp(hand.smp, generated.smp)
}

/// Every non-default entry of `hand` at `path` as `generated` has it (differences appended).
fn compare(hand: Shape, generated: Shape, path: &str, out: &mut Vec<String>) {
    if deduced(hand) {
        return;
    }
    match (hand, generated) {
        (Shape::Atomic, Shape::Atomic) | (Shape::Map, Shape::Map) => {}
        // a list hand-marked atomic: replaced and owned whole, as an undescribed list is
        (Shape::Atomic, Shape::Deduced) if path.ends_with(".versions") => {}
        (Shape::Object(object), _) => {
            for (field, shape) in object.fields {
                compare(
                    *shape,
                    generated.field(field),
                    &format!("{path}.{field}"),
                    out,
                );
            }
        }
        (Shape::List(list), Shape::List(other)) if same_list(list, other) => {
            compare(list.elem, other.elem, &format!("{path}[]"), out);
        }
        _ => out.push(format!("{path}: hand {hand:?}, generated {generated:?}")),
    }
}

/// `value` without `null` members: field management reads a `null` as no field.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn the_generated_table_reproduces_every_hand_written_entry() {
    let mut differences = Vec::new();
    for hand in fixture::TYPES {
        let api_version = hand.api_version();
        let at = format!("{api_version}/{}", hand.kind);
        let Some(generated) = find(&api_version, hand.kind) else {
            differences.push(format!("{at}: not generated"));
            continue;
        };
        compare(hand.shape(), generated.shape(), &at, &mut differences);
        let zero = |text: &str| without_nulls(serde_json::from_str(text).unwrap());
        if zero(hand.zero) != zero(generated.zero) {
            differences.push(format!("{at}: zero {} != {}", hand.zero, generated.zero));
        }
        if hand.status_subresource != generated.status_subresource
            || hand.status_reset_extra != generated.status_reset_extra
        {
            differences.push(format!("{at}: status subresource or resets differ"));
        }
    }
    differences.retain(|d| !CORRECTED.iter().any(|c| d.contains(c)));
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn corrected_entries_are_what_the_go_sources_say() {
    let pod = find("v1", "Pod").unwrap().shape();
    let host_ips = pod.field("status").field("hostIPs").list().unwrap();
    assert!(matches!(host_ips.kind, ListKind::Atomic));
    assert_eq!(host_ips.smp.merge_key, Some("ip"));
    let containers = pod.field("spec").field("containers").list().unwrap();
    let claims = containers.elem.field("resources").field("claims");
    assert!(!claims.list().unwrap().smp.merge);
    let pv = find("v1", "PersistentVolume").unwrap().shape();
    assert!(matches!(pv.field("spec").field("claimRef"), Shape::Deduced));
    let crd = find("apiextensions.k8s.io/v1", "CustomResourceDefinition").unwrap();
    let zero: Value = serde_json::from_str(crd.zero).unwrap();
    assert_eq!(zero["spec"]["scope"], "");
}

#[test]
fn the_object_meta_constant_is_the_generated_object_meta() {
    let generated = find("v1", "ConfigMap").unwrap().shape().field("metadata");
    let mut differences = Vec::new();
    compare(
        super::METADATA_FIELD.1,
        generated,
        "metadata",
        &mut differences,
    );
    assert!(differences.is_empty(), "{differences:#?}");
    let Shape::Object(generated) = generated else {
        panic!("metadata is not described")
    };
    for (field, shape) in generated.fields {
        assert!(
            !matches!(super::METADATA_FIELD.1.field(field), Shape::Deduced) || deduced(*shape),
            "the constant lacks metadata.{field}"
        );
    }
}

#[test]
fn every_kind_of_the_decoder_table_is_described() {
    let count = all().count();
    assert!(count > 60, "{count} kinds");
    for (api_version, kind) in [
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("networking.k8s.io/v1", "Ingress"),
        ("rbac.authorization.k8s.io/v1", "Role"),
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
        (
            "flowcontrol.apiserver.k8s.io/v1",
            "PriorityLevelConfiguration",
        ),
        ("apiregistration.k8s.io/v1", "APIService"),
    ] {
        assert!(
            crate::fields::known::root(api_version, kind).is_some(),
            "{api_version} {kind} not served"
        );
        let info = find(api_version, kind).unwrap_or_else(|| panic!("{kind} not described"));
        assert_eq!(info.kind, kind);
        assert!(
            serde_json::from_str::<Value>(info.zero)
                .unwrap()
                .is_object()
        );
    }
}

#[track_caller]
fn keyed(
    shape: Shape,
) -> (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
) {
    match shape.list().map(|l| l.kind) {
        Some(ListKind::Map { keys, defaults }) => (keys, defaults),
        other => panic!("not a keyed list: {other:?}"),
    }
}

/// core/v1 ServiceSpec.Ports: `+listType=map +listMapKey=port +listMapKey=protocol`,
/// `Protocol` `+default="TCP"`, `patchMergeKey:"port"`.
#[test]
fn service_ports_are_keyed_by_port_and_protocol() {
    let spec = find("v1", "Service").unwrap().shape().field("spec");
    let ports = spec.field("ports");
    assert_eq!(
        keyed(ports),
        (&["port", "protocol"][..], &[("protocol", "TCP")][..])
    );
    assert_eq!(ports.list().unwrap().smp.merge_key, Some("port"));
    assert!(matches!(spec.field("selector"), Shape::Atomic)); // `+mapType=atomic`
}

/// batch/v1 JobSpec.Template is a PodTemplateSpec: containers keyed by name, as in Pods.
#[test]
fn job_containers_are_keyed_by_name() {
    for (api_version, kind, path) in [
        ("batch/v1", "Job", &["spec", "template", "spec"][..]),
        (
            "batch/v1",
            "CronJob",
            &["spec", "jobTemplate", "spec", "template", "spec"][..],
        ),
    ] {
        let mut shape = find(api_version, kind).unwrap().shape();
        for field in path {
            shape = shape.field(field);
        }
        let containers = shape.field("containers");
        assert_eq!(keyed(containers).0, &["name"][..], "{kind}");
        assert_eq!(containers.list().unwrap().smp.merge_key, Some("name"));
        let ports = containers.list().unwrap().elem.field("ports");
        assert_eq!(keyed(ports).0, &["containerPort", "protocol"][..]);
    }
    // JobStatus.Conditions: `+listType=atomic`, merged by type in patches only
    let conditions = find("batch/v1", "Job")
        .unwrap()
        .shape()
        .field("status")
        .field("conditions");
    let conditions = conditions.list().unwrap();
    assert!(matches!(conditions.kind, ListKind::Atomic));
    assert_eq!(conditions.smp.merge_key, Some("type"));
}

/// rbac/v1 Role.Rules: `+listType=atomic` with no patch strategy: the default treatment.
#[test]
fn role_rules_are_atomic() {
    for kind in ["Role", "ClusterRole"] {
        let role = find("rbac.authorization.k8s.io/v1", kind).unwrap().shape();
        assert!(matches!(role.field("rules"), Shape::Deduced), "{kind}");
    }
    let binding = find("rbac.authorization.k8s.io/v1", "RoleBinding")
        .unwrap()
        .shape();
    assert!(matches!(binding.field("roleRef"), Shape::Atomic)); // `+structType=atomic`
}

#[test]
fn node_conditions_and_owner_references() {
    let node = find("v1", "Node").unwrap().shape();
    assert_eq!(
        keyed(node.field("status").field("conditions")).0,
        &["type"][..]
    );
    let meta = node.field("metadata");
    let owners = meta.field("ownerReferences");
    assert_eq!(keyed(owners).0, &["uid"][..]);
    assert!(matches!(owners.list().unwrap().elem, Shape::Atomic));
    assert!(matches!(
        meta.field("finalizers").list().unwrap().kind,
        ListKind::Set
    ));
}

/// meta/v1 LabelSelector is `+structType=atomic` wherever it is used.
#[test]
fn label_selectors_are_atomic() {
    for (api_version, kind) in [
        ("apps/v1", "Deployment"),
        ("batch/v1", "Job"),
        ("policy/v1", "PodDisruptionBudget"),
    ] {
        let spec = find(api_version, kind).unwrap().shape().field("spec");
        assert!(matches!(spec.field("selector"), Shape::Atomic), "{kind}");
    }
    let ingress = find("networking.k8s.io/v1", "Ingress").unwrap().shape();
    // IngressSpec.Rules and TLS: `+listType=atomic`
    assert!(matches!(
        ingress.field("spec").field("rules"),
        Shape::Deduced
    ));
}

/// flowcontrol/v1 FlowSchemaStatus.Conditions: `+listType=map +listMapKey=type`.
#[test]
fn flow_control_and_api_service_conditions() {
    for (api_version, kind) in [
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"),
        (
            "flowcontrol.apiserver.k8s.io/v1",
            "PriorityLevelConfiguration",
        ),
        ("apiregistration.k8s.io/v1", "APIService"),
    ] {
        let info = find(api_version, kind).unwrap();
        assert!(info.status_subresource, "{kind}");
        let conditions = info.shape().field("status").field("conditions");
        assert_eq!(keyed(conditions).0, &["type"][..], "{kind}");
    }
    let schema = find("flowcontrol.apiserver.k8s.io/v1", "FlowSchema").unwrap();
    let zero: Value = serde_json::from_str(schema.zero).unwrap();
    assert_eq!(zero["spec"]["matchingPrecedence"], 0);
}
