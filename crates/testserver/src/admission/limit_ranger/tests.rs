//! Unit tests of LimitRanger, each citing the Go function of
//! `plugin/pkg/admission/limitranger/admission.go` it follows.

use serde_json::{Value, json};

use super::{admit, validate};
use crate::admission::testing::MemLookup;
use crate::admission::{Attributes, Operation};

fn attrs(resource: &str, op: Operation) -> Attributes<'_> {
    Attributes {
        group: "",
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

fn ranges(items: &[(&str, Value)]) -> MemLookup {
    items
        .iter()
        .fold(MemLookup::default(), |l, (name, limits)| {
            l.with(
                "",
                "limitranges",
                Some("ns"),
                json!({"metadata": {"name": name, "namespace": "ns"}, "spec": {"limits": limits}}),
            )
        })
}

fn pod(containers: Value) -> Value {
    json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"containers": containers}})
}

fn sized(name: &str, requests: Value, limits: Value) -> Value {
    json!({"name": name, "image": "x", "resources": {"requests": requests, "limits": limits}})
}

/// The plugin's answer for a pod create: admit, then validate.
fn create_pod(lookup: &MemLookup, mut obj: Value) -> (Value, Result<(), String>) {
    let a = attrs("pods", Operation::Create);
    admit(&a, &mut obj, None, lookup);
    let result = validate(&a, &obj, None, lookup).map_err(|e| e.message());
    (obj, result)
}

// mergePodResourceRequirements / mergeContainerResources: missing defaults are filled in and
// the annotation names them, requests before limits, containers before init containers.
#[test]
fn defaults_fill_in_what_containers_lack_and_are_recorded() {
    let lookup = ranges(&[(
        "lr",
        json!([{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
            "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]),
    )]);
    let mut obj = pod(json!([
        {"name": "a", "image": "x"},
        sized("b", json!({"cpu": "200m"}), json!({"cpu": "1"}))
    ]));
    obj["spec"]["initContainers"] = json!([{"name": "i", "image": "x"}]);
    let (obj, result) = create_pod(&lookup, obj);
    assert_eq!(result, Ok(()));
    assert_eq!(
        obj["spec"]["containers"][0]["resources"],
        json!({"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}})
    );
    assert_eq!(
        obj["spec"]["containers"][1]["resources"],
        json!({"requests": {"cpu": "200m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}})
    );
    assert_eq!(
        obj["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; \
         memory request for container b; memory limit for container b; \
         cpu, memory request for init container i; cpu, memory limit for init container i"
    );
}

#[test]
fn nothing_to_default_leaves_the_pod_alone() {
    let lookup = ranges(&[("lr", json!([{"type": "Container", "max": {"cpu": "2"}}]))]);
    let before = pod(json!([sized(
        "c",
        json!({"cpu": "1"}),
        json!({"cpu": "1"})
    )]));
    let (after, result) = create_pod(&lookup, before.clone());
    assert_eq!((after, result), (before, Ok(())));
}

// minConstraint, maxConstraint: each violated bound, one message each, aggregated in brackets.
#[test]
fn container_bounds_refuse_with_every_message() {
    let lookup = ranges(&[(
        "lr",
        json!([{"type": "Container", "min": {"cpu": "100m"}, "max": {"memory": "1Gi"}}]),
    )]);
    let (_, result) = create_pod(
        &lookup,
        pod(json!([sized(
            "c",
            json!({"cpu": "50m"}),
            json!({"cpu": "50m"})
        )])),
    );
    assert_eq!(
        result,
        Err("pods \"p\" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, \
             maximum memory usage per Container is 1Gi.  No limit is specified]"
            .into())
    );
}

// utilerrors.NewAggregate: a message repeated by several containers is reported once, and a
// single message has no brackets.
#[test]
fn repeated_messages_are_reported_once() {
    let lookup = ranges(&[("lr", json!([{"type": "Container", "max": {"cpu": "1"}}]))]);
    let (_, result) = create_pod(
        &lookup,
        pod(json!([
            sized("a", json!({"cpu": "2"}), json!({"cpu": "2"})),
            sized("b", json!({"cpu": "2"}), json!({"cpu": "2"}))
        ])),
    );
    assert_eq!(
        result,
        Err("pods \"p\" is forbidden: maximum cpu usage per Container is 1, but limit is 2".into())
    );
}

// limitRequestRatioConstraint: the observed ratio with six decimals.
#[test]
fn a_ratio_above_the_maximum_is_refused() {
    let lookup = ranges(&[(
        "lr",
        json!([{"type": "Container", "maxLimitRequestRatio": {"memory": "2"}}]),
    )]);
    let (_, result) = create_pod(
        &lookup,
        pod(json!([sized(
            "c",
            json!({"memory": "100Mi"}),
            json!({"memory": "250Mi"})
        )])),
    );
    assert_eq!(
        result,
        Err("pods \"p\" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 2.500000".into())
    );
    let (_, result) = create_pod(
        &lookup,
        pod(json!([sized(
            "c",
            json!({"memory": "100Mi"}),
            json!({"memory": "200Mi"})
        )])),
    );
    assert_eq!(result, Ok(()));
}

// PodValidateLimitFunc with podRequests/podLimits: containers summed, init containers as a
// floor, pod-level resources replacing the sums.
#[test]
fn pod_items_bound_the_pod_totals() {
    let lookup = ranges(&[(
        "lr",
        json!([{"type": "Pod", "max": {"cpu": "1", "memory": "1Gi"}}]),
    )]);
    let mut obj = pod(json!([
        sized(
            "a",
            json!({"cpu": "600m", "memory": "512Mi"}),
            json!({"cpu": "600m", "memory": "512Mi"})
        ),
        sized(
            "b",
            json!({"cpu": "600m", "memory": "256Mi"}),
            json!({"cpu": "600m", "memory": "256Mi"})
        )
    ]));
    let (_, result) = create_pod(&lookup, obj.clone());
    // the limit is checked first, and one message per resource
    assert_eq!(
        result,
        Err("pods \"p\" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m".into())
    );
    obj["spec"]["resources"] = json!({"requests": {"cpu": "1"}, "limits": {"cpu": "1"}});
    let (_, result) = create_pod(&lookup, obj);
    assert_eq!(result, Ok(()));
}

// PersistentVolumeClaimValidateLimitFunc: min and max against the storage request.
#[test]
fn claims_are_bounded_on_create_and_update() {
    let lookup = ranges(&[(
        "lr",
        json!([{"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "10Gi"}}]),
    )]);
    let claim = |size: &str| {
        json!({"metadata": {"name": "c", "namespace": "ns"},
            "spec": {"resources": {"requests": {"storage": size}}}})
    };
    let check = |op, obj: &Value, old: Option<&Value>| {
        validate(&attrs("persistentvolumeclaims", op), obj, old, &lookup).map_err(|e| e.message())
    };
    assert_eq!(
        check(Operation::Create, &claim("500Mi"), None),
        Err("persistentvolumeclaims \"c\" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi".into())
    );
    assert_eq!(check(Operation::Create, &claim("5Gi"), None), Ok(()));
    assert_eq!(
        check(Operation::Update, &claim("20Gi"), Some(&claim("5Gi"))),
        Err("persistentvolumeclaims \"c\" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi".into())
    );
}

// SupportsAttributes: pod updates are not seen; runLimitFunc: neither is an object being
// deleted.
#[test]
fn pod_updates_and_deleting_claims_are_let_through() {
    let lookup = ranges(&[(
        "lr",
        json!([{"type": "Container", "min": {"cpu": "1"}},
               {"type": "PersistentVolumeClaim", "max": {"storage": "1Gi"}}]),
    )]);
    let small = pod(json!([sized(
        "c",
        json!({"cpu": "1m"}),
        json!({"cpu": "1m"})
    )]));
    assert_eq!(
        validate(
            &attrs("pods", Operation::Update),
            &small,
            Some(&small),
            &lookup
        )
        .map_err(|e| e.message()),
        Ok(())
    );
    let claim = json!({"metadata": {"name": "c", "namespace": "ns", "deletionTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"resources": {"requests": {"storage": "5Gi"}}}});
    assert_eq!(
        validate(
            &attrs("persistentvolumeclaims", Operation::Update),
            &claim,
            Some(&claim),
            &lookup
        )
        .map_err(|e| e.message()),
        Ok(())
    );
}

// podRequests: an init container's need (with the sidecars started before it) is a floor
// under the sum of the containers and sidecars.
#[test]
fn init_containers_floor_the_pod_totals_and_sidecars_add_up() {
    let lookup = ranges(&[("lr", json!([{"type": "Pod", "max": {"memory": "1Gi"}}]))]);
    let mut obj = pod(json!([sized(
        "c",
        json!({"memory": "256Mi"}),
        json!({"memory": "256Mi"})
    )]));
    obj["spec"]["initContainers"] = json!([
        sized(
            "side",
            json!({"memory": "512Mi"}),
            json!({"memory": "512Mi"})
        ),
        sized(
            "setup",
            json!({"memory": "600Mi"}),
            json!({"memory": "600Mi"})
        )
    ]);
    obj["spec"]["initContainers"][0]["restartPolicy"] = json!("Always");
    // containers and sidecar: 768Mi; setup with the sidecar running: 1112Mi
    let (_, result) = create_pod(&lookup, obj);
    assert_eq!(
        result,
        Err(
            "pods \"p\" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1112Mi"
                .into()
        )
    );
}

// runLimitFunc over several LimitRanges: a later one fills in only what is still missing, and
// rewrites the annotation only when it set something.
#[test]
fn later_limit_ranges_fill_in_only_what_is_still_missing() {
    let lookup = ranges(&[
        (
            "a",
            json!([{"type": "Container", "defaultRequest": {"cpu": "100m"}}]),
        ),
        (
            "b",
            json!([{"type": "Container", "defaultRequest": {"cpu": "300m", "memory": "1Mi"}}]),
        ),
    ]);
    let (obj, result) = create_pod(&lookup, pod(json!([{"name": "c", "image": "x"}])));
    assert_eq!(result, Ok(()));
    assert_eq!(
        obj["spec"]["containers"][0]["resources"],
        json!({"requests": {"cpu": "100m", "memory": "1Mi"}})
    );
    assert_eq!(
        obj["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: memory request for container c"
    );
}
