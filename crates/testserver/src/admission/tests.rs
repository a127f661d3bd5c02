//! Unit tests of the admission plugins, one small case each, through [`admit`]/[`validate`].

use serde_json::{Value, json};

use super::testing::MemLookup;
use super::{Attributes, Operation, admit, validate};

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

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": spec})
}

/// Admits `obj` as a create of `resource` and returns the result or the error message.
#[track_caller]
fn check(resource: &str, mut obj: Value, lookup: &MemLookup, expected: Result<Value, &str>) {
    let (group, resource) = resource.split_once('/').unwrap_or(("", resource));
    let result = admit(
        &attrs(group, resource, Operation::Create),
        Some(&mut obj),
        None,
        lookup,
    );
    match (result, expected) {
        (Ok(()), Ok(want)) => assert_eq!(obj, want),
        (Err(e), Err(message)) => assert_eq!(e.message(), message),
        (got, want) => panic!("got {got:?} (object {obj}), want {want:?}"),
    }
}

fn ns() -> MemLookup {
    MemLookup::namespace("ns")
}

#[test]
fn missing_service_account_is_forbidden() {
    check(
        "pods",
        pod(json!({"serviceAccountName": "robot", "containers": [{"name": "c", "image": "x"}]})),
        &ns(),
        Err(
            "pods \"p\" is forbidden: error looking up service account ns/robot: serviceaccount \"robot\" not found",
        ),
    );
}

#[test]
fn token_volume_is_mounted_in_every_container() {
    let mut obj = pod(
        json!({"initContainers": [{"name": "i", "image": "x"}], "containers": [{"name": "c", "image": "x"}]}),
    );
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &ns(),
    )
    .unwrap();
    let volume = obj["spec"]["volumes"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        volume.starts_with("kube-api-access-") && volume.len() == 21,
        "{volume}"
    );
    for key in ["initContainers", "containers"] {
        assert_eq!(
            obj["spec"][key][0]["volumeMounts"],
            json!([{"name": volume, "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}])
        );
    }
    assert_eq!(
        obj["spec"]["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"],
        3607
    );
    assert_eq!(obj["spec"]["serviceAccountName"], "default");
    assert_eq!(obj["spec"]["serviceAccount"], "default");
}

#[test]
fn existing_mount_at_the_token_path_prevents_the_volume() {
    let spec = json!({"containers": [{"name": "c", "image": "x", "volumeMounts": [{"name": "mine", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}]});
    let mut obj = pod(spec);
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &ns(),
    )
    .unwrap();
    assert!(obj["spec"].get("volumes").is_none(), "{obj}");
}

#[test]
fn service_account_can_opt_out_and_the_pod_wins() {
    let lookup = MemLookup::namespace("ns").with(
        "",
        "serviceaccounts",
        Some("ns"),
        json!({"metadata": {"name": "quiet", "namespace": "ns"}, "automountServiceAccountToken": false, "imagePullSecrets": [{"name": "reg"}]}),
    );
    let mut obj =
        pod(json!({"serviceAccountName": "quiet", "containers": [{"name": "c", "image": "x"}]}));
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &lookup,
    )
    .unwrap();
    assert!(obj["spec"].get("volumes").is_none());
    assert_eq!(obj["spec"]["imagePullSecrets"], json!([{"name": "reg"}]));
    let mut obj = pod(
        json!({"serviceAccountName": "quiet", "automountServiceAccountToken": true, "containers": [{"name": "c", "image": "x"}]}),
    );
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &lookup,
    )
    .unwrap();
    assert_eq!(obj["spec"]["volumes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn namespace_lifecycle() {
    check(
        "configmaps",
        json!({"metadata": {"name": "x"}}),
        &MemLookup::default(),
        Err("namespaces \"ns\" not found"),
    );
    let terminating = MemLookup::default().with(
        "",
        "namespaces",
        None,
        json!({"metadata": {"name": "ns"}, "status": {"phase": "Terminating"}}),
    );
    let mut obj = json!({"metadata": {"generateName": "web-"}});
    let err = admit(
        &attrs("", "configmaps", Operation::Create),
        Some(&mut obj),
        None,
        &terminating,
    )
    .unwrap_err();
    assert_eq!(
        err.status(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "configmaps \"web-\" is forbidden: unable to create new content in namespace ns because it is being terminated",
               "reason": "Forbidden",
               "details": {"name": "web-", "kind": "configmaps", "causes": [
                   {"reason": "NamespaceTerminating", "message": "namespace ns is being terminated", "field": "metadata.namespace"}]},
               "code": 403})
    );
    let delete = Attributes {
        group: "",
        resource: "namespaces",
        subresource: "",
        version: "v1",
        kind: "",
        namespace: "",
        name: "kube-system",
        operation: Operation::Delete,
        user: None,
    };
    assert_eq!(
        admit(&delete, None, None, &MemLookup::default())
            .unwrap_err()
            .message(),
        "namespaces \"kube-system\" is forbidden: this namespace may not be deleted"
    );
    // Updates of existing objects in a terminating namespace are fine.
    let update = Attributes {
        operation: Operation::Update,
        name: "x",
        ..attrs("", "configmaps", Operation::Update)
    };
    assert!(
        admit(
            &update,
            Some(&mut json!({"metadata": {"name": "x"}})),
            None,
            &terminating
        )
        .is_ok()
    );
}

#[test]
fn priority_from_classes() {
    let lookup = ns()
        .with("scheduling.k8s.io", "priorityclasses", None, json!({"metadata": {"name": "low"}, "value": 10, "globalDefault": true, "preemptionPolicy": "Never"}))
        .with("scheduling.k8s.io", "priorityclasses", None, json!({"metadata": {"name": "lower"}, "value": 5, "globalDefault": true}));
    let mut obj = pod(
        json!({"automountServiceAccountToken": false, "containers": [{"name": "c", "image": "x"}]}),
    );
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &lookup,
    )
    .unwrap();
    assert_eq!(
        (&obj["spec"]["priorityClassName"], &obj["spec"]["priority"]),
        (&json!("low"), &json!(10))
    );
    assert_eq!(obj["spec"]["preemptionPolicy"], "Never");
    check(
        "pods",
        pod(
            json!({"automountServiceAccountToken": false, "preemptionPolicy": "PreemptLowerPriority", "containers": []}),
        ),
        &lookup,
        Err(
            "pods \"p\" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name",
        ),
    );
    let mut obj = pod(
        json!({"automountServiceAccountToken": false, "priorityClassName": "system-node-critical", "containers": []}),
    );
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &ns(),
    )
    .unwrap();
    assert_eq!(obj["spec"]["priority"], 2_000_001_000);
    let class = json!({"metadata": {"name": "other"}, "value": 1, "globalDefault": true});
    assert_eq!(
        validate(
            &attrs("scheduling.k8s.io", "priorityclasses", Operation::Create),
            Some(&class),
            &lookup
        )
        .unwrap_err()
        .message(),
        "priorityclasses.scheduling.k8s.io \"other\" is forbidden: PriorityClass low is already marked as default. Only one default can exist"
    );
}

#[test]
fn default_tolerations_respect_wildcards() {
    let mut obj = pod(
        json!({"automountServiceAccountToken": false, "tolerations": [{"operator": "Exists"}], "containers": []}),
    );
    admit(
        &attrs("", "pods", Operation::Create),
        Some(&mut obj),
        None,
        &ns(),
    )
    .unwrap();
    assert_eq!(obj["spec"]["tolerations"], json!([{"operator": "Exists"}]));
}

#[test]
fn node_taint_is_added_once() {
    let taint = json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"});
    let cluster = |op| Attributes {
        namespace: "",
        ..attrs("", "nodes", op)
    };
    let mut node = json!({"metadata": {"name": "n"}});
    admit(
        &cluster(Operation::Create),
        Some(&mut node),
        None,
        &MemLookup::default(),
    )
    .unwrap();
    assert_eq!(node["spec"]["taints"], json!([taint.clone()]));
    admit(
        &cluster(Operation::Create),
        Some(&mut node),
        None,
        &MemLookup::default(),
    )
    .unwrap();
    assert_eq!(node["spec"]["taints"], json!([taint]));
}

#[test]
fn claims_get_the_default_class_and_protection() {
    let lookup = ns()
        .with("storage.k8s.io", "storageclasses", None, json!({"metadata": {"name": "fast", "creationTimestamp": "2024-01-01T00:00:00Z", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}))
        .with("storage.k8s.io", "storageclasses", None, json!({"metadata": {"name": "slow"}}));
    check(
        "persistentvolumeclaims",
        json!({"metadata": {"name": "c"}, "spec": {}}),
        &lookup,
        Ok(
            json!({"metadata": {"name": "c", "finalizers": ["kubernetes.io/pvc-protection"]}, "spec": {"storageClassName": "fast"}}),
        ),
    );
    check(
        "persistentvolumeclaims",
        json!({"metadata": {"name": "c", "finalizers": ["kubernetes.io/pvc-protection"]}, "spec": {"storageClassName": ""}}),
        &lookup,
        Ok(
            json!({"metadata": {"name": "c", "finalizers": ["kubernetes.io/pvc-protection"]}, "spec": {"storageClassName": ""}}),
        ),
    );
}

#[test]
fn claims_grow_only_when_bound_and_expandable() {
    let lookup = ns()
        .with(
            "storage.k8s.io",
            "storageclasses",
            None,
            json!({"metadata": {"name": "fixed"}}),
        )
        .with(
            "storage.k8s.io",
            "storageclasses",
            None,
            json!({"metadata": {"name": "elastic"}, "allowVolumeExpansion": true}),
        );
    let claim = |class: &str, size: &str, phase: &str| {
        json!({"metadata": {"name": "c", "namespace": "ns"}, "spec": {"storageClassName": class, "resources": {"requests": {"storage": size}}},
               "status": {"phase": phase}})
    };
    let attrs = Attributes {
        name: "c",
        ..attrs("", "persistentvolumeclaims", Operation::Update)
    };
    let check = |class: &str, phase: &str| {
        super::validate_update(
            &attrs,
            &claim(class, "2Gi", phase),
            &claim(class, "1Gi", phase),
            &lookup,
        )
        .map_err(|e| e.message())
    };
    assert_eq!(check("elastic", "Bound"), Ok(()));
    assert_eq!(
        check("fixed", "Bound"),
        Err("persistentvolumeclaims \"c\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize".to_owned())
    );
    assert_eq!(
        check("elastic", "Pending"),
        Err("persistentvolumeclaims \"c\" is forbidden: Only bound persistent volume claims can be expanded".to_owned())
    );
}
