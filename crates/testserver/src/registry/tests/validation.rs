//! Unit tests of the validation rules, one object per case, through the public entry points.

use serde_json::{Value, json};

use super::{validate_create, validate_update};

/// Validates `obj` as a new `resource` (`group/resource` for non-core) and compares the whole
/// message (`None`: valid).
#[track_caller]
fn check(resource: &str, obj: Value, expected: Option<&str>) {
    let (group, resource) = resource.split_once('/').unwrap_or(("", resource));
    let got = validate_create(group, resource, &obj)
        .err()
        .map(|e| e.to_string());
    assert_eq!(got.as_deref(), expected);
}

#[track_caller]
fn check_update(resource: &str, new: Value, old: Value, expected: Option<&str>) {
    let (group, resource) = resource.split_once('/').unwrap_or(("", resource));
    let got = validate_update(group, resource, "", &new, &old)
        .err()
        .map(|e| e.to_string());
    assert_eq!(got.as_deref(), expected);
}

fn meta(name: &str) -> Value {
    json!({"name": name, "namespace": "ns", "uid": "u", "resourceVersion": "1"})
}

#[test]
fn object_names() {
    check(
        "configmaps",
        json!({"metadata": {"name": "ok.name", "namespace": "ns"}}),
        None,
    );
    check(
        "services",
        json!({"metadata": {"name": "1svc", "namespace": "ns"}, "spec": {"type": "ClusterIP", "sessionAffinity": "None",
            "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}),
        Some(
            "Service \"1svc\" is invalid: metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        ),
    );
    check(
        "rbac.authorization.k8s.io/clusterroles",
        json!({"metadata": {"name": "system:thing"}, "rules": []}),
        None,
    );
    check(
        "configmaps",
        json!({"metadata": {"name": "x"}}),
        Some("ConfigMap \"x\" is invalid: metadata.namespace: Required value"),
    );
    check(
        "nodes",
        json!({"metadata": {"name": "n", "namespace": "ns"}}),
        Some("Node \"n\" is invalid: metadata.namespace: Forbidden: not allowed on this type"),
    );
}

#[test]
fn labels_and_annotations() {
    check(
        "configmaps",
        json!({"metadata": {"name": "x", "namespace": "ns", "labels": {"a": "-bad"}}}),
        Some(
            "ConfigMap \"x\" is invalid: metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
        ),
    );
    check(
        "configmaps",
        json!({"metadata": {"name": "x", "namespace": "ns", "annotations": {"a b": "1"}}}),
        Some(
            "ConfigMap \"x\" is invalid: metadata.annotations: Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
    );
}

#[test]
fn secrets_by_type() {
    let secret = |ty: &str, data: Value, annotations: Value| json!({"metadata": {"name": "s", "namespace": "ns", "annotations": annotations}, "type": ty, "data": data});
    check(
        "secrets",
        secret("kubernetes.io/service-account-token", json!({}), json!({})),
        Some(
            "Secret \"s\" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value",
        ),
    );
    check(
        "secrets",
        secret(
            "kubernetes.io/service-account-token",
            json!({}),
            json!({"kubernetes.io/service-account.name": "default"}),
        ),
        None,
    );
    check(
        "secrets",
        secret(
            "kubernetes.io/dockerconfigjson",
            json!({".dockerconfigjson": "e30="}),
            json!({}),
        ),
        None,
    );
    check(
        "secrets",
        secret(
            "kubernetes.io/dockerconfigjson",
            json!({".dockerconfigjson": "bm9wZQ=="}),
            json!({}),
        ),
        Some(
            "Secret \"s\" is invalid: data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'o' in literal null (expecting 'u')",
        ),
    );
    check(
        "secrets",
        secret("kubernetes.io/basic-auth", json!({}), json!({})),
        Some(
            "Secret \"s\" is invalid: [data[username]: Required value, data[password]: Required value]",
        ),
    );
}

#[test]
fn immutable_config_maps_and_secrets() {
    let old = json!({"metadata": meta("c"), "immutable": true, "data": {"a": "1"}});
    check_update(
        "configmaps",
        json!({"metadata": meta("c"), "data": {"a": "1"}}),
        old,
        Some(
            "ConfigMap \"c\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set",
        ),
    );
    let old =
        json!({"metadata": meta("s"), "type": "Opaque", "immutable": true, "data": {"a": "MQ=="}});
    check_update(
        "secrets",
        json!({"metadata": meta("s"), "type": "Opaque", "immutable": true, "data": {"a": "Mg=="}}),
        old,
        Some(
            "Secret \"s\" is invalid: data: Forbidden: field is immutable when `immutable` is set",
        ),
    );
}

#[test]
fn metadata_updates() {
    let old = json!({"metadata": {"name": "c", "namespace": "ns", "uid": "u", "resourceVersion": "1", "generation": 3}});
    check_update(
        "configmaps",
        json!({"metadata": {"name": "c", "namespace": "ns", "uid": "v", "resourceVersion": "1", "generation": 3}}),
        old.clone(),
        Some("ConfigMap \"c\" is invalid: metadata.uid: Invalid value: \"v\": field is immutable"),
    );
    check_update(
        "configmaps",
        json!({"metadata": {"name": "c", "namespace": "ns", "uid": "u", "resourceVersion": "", "generation": 3}}),
        old.clone(),
        Some(
            "ConfigMap \"c\" is invalid: metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
        ),
    );
    check_update(
        "configmaps",
        json!({"metadata": {"name": "c", "namespace": "ns", "uid": "u", "resourceVersion": "1", "generation": 2}}),
        old,
        Some(
            "ConfigMap \"c\" is invalid: metadata.generation: Invalid value: 2: must not be decremented",
        ),
    );
}

#[test]
fn pods() {
    check(
        "pods",
        json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "containers": [{"name": "c", "imagePullPolicy": "IfNotPresent"}]}}),
        Some("Pod \"p\" is invalid: spec.containers[0].image: Required value"),
    );
    check(
        "pods",
        json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "containers": [
            {"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent", "volumeMounts": [{"name": "data", "mountPath": "/d"}]},
            {"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent"}]}}),
        Some(
            "Pod \"p\" is invalid: [spec.containers[0].volumeMounts[0].name: Not found: \"data\", spec.containers[1].name: Duplicate value: \"c\"]",
        ),
    );
    let spec = json!({"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "containers": [{"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent"}],
        "tolerations": [{"key": "a", "operator": "Exists", "effect": "NoSchedule"}]});
    let old = json!({"metadata": meta("p"), "spec": spec});
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("y");
    new["spec"]["tolerations"] = json!([{"key": "a", "operator": "Exists", "effect": "NoSchedule"}, {"key": "b", "operator": "Exists"}]);
    check_update("pods", new.clone(), old.clone(), None);
    new["spec"]["tolerations"] = json!([]);
    check_update(
        "pods",
        new,
        old,
        Some(
            "Pod \"p\" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds",
        ),
    );
}

#[test]
fn small_kinds() {
    check(
        "coordination.k8s.io/leases",
        json!({"metadata": {"name": "l", "namespace": "ns"}, "spec": {"leaseTransitions": -1}}),
        Some(
            "Lease.coordination.k8s.io \"l\" is invalid: spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
        ),
    );
    check(
        "scheduling.k8s.io/priorityclasses",
        json!({"metadata": {"name": "system-mine"}, "value": 5}),
        Some(
            "PriorityClass.scheduling.k8s.io \"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
        ),
    );
    check(
        "rbac.authorization.k8s.io/rolebindings",
        json!({"metadata": {"name": "b", "namespace": "ns"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Pod", "name": "x"},
               "subjects": [{"kind": "Robot", "name": "r"}]}),
        Some(
            "RoleBinding.rbac.authorization.k8s.io \"b\" is invalid: [roleRef.kind: Unsupported value: \"Pod\": supported values: \"Role\", \"ClusterRole\", subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"]",
        ),
    );
    check(
        "nodes",
        json!({"metadata": {"name": "n"}, "spec": {"taints": [{"key": "k", "effect": "Sometimes"}]}}),
        Some(
            "Node \"n\" is invalid: spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
        ),
    );
    check(
        "persistentvolumes",
        json!({"metadata": {"name": "pv"}, "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "local": {"path": "/x"}}}),
        Some(
            "PersistentVolume \"pv\" is invalid: spec.nodeAffinity: Required value: Local volume requires node affinity",
        ),
    );
}

#[test]
fn services() {
    let svc = |spec: Value| json!({"metadata": {"name": "s", "namespace": "ns"}, "spec": spec});
    check(
        "services",
        svc(
            json!({"type": "ClusterIP", "sessionAffinity": "None", "ports": [
            {"port": 80, "protocol": "TCP"}, {"port": 0, "protocol": "TCP"}]}),
        ),
        Some(
            "Service \"s\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value, spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive]",
        ),
    );
    check(
        "services",
        svc(json!({"type": "ExternalName", "sessionAffinity": "None"})),
        Some("Service \"s\" is invalid: spec.externalName: Required value"),
    );
    let old = json!({"metadata": meta("s"), "spec": {"type": "ClusterIP", "sessionAffinity": "None", "clusterIP": "10.96.0.10",
        "ports": [{"port": 80, "protocol": "TCP"}]}});
    let mut new = old.clone();
    new["spec"]["clusterIP"] = json!("10.96.0.11");
    check_update(
        "services",
        new,
        old,
        Some(
            "Service \"s\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.96.0.11\": may not change once set",
        ),
    );
}

#[test]
fn deployments() {
    let pod_spec = json!({"restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
        "containers": [{"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent"}]});
    let deployment = |selector: Value, labels: Value| {
        json!({"metadata": {"name": "d", "namespace": "ns"}, "spec": {"replicas": 1, "selector": selector,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}, "template": {"metadata": {"labels": labels}, "spec": pod_spec.clone()}}})
    };
    check(
        "apps/deployments",
        deployment(
            json!({"matchLabels": {"app": "x"}}),
            json!({"app": "x", "v": "1"}),
        ),
        None,
    );
    check(
        "apps/deployments",
        deployment(json!({"matchLabels": {"app": "x"}}), json!({"app": "y"})),
        Some(
            "Deployment.apps \"d\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"y\"}: `selector` does not match template `labels`",
        ),
    );
    let mut never = deployment(json!({"matchLabels": {"app": "x"}}), json!({"app": "x"}));
    never["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
    check(
        "apps/deployments",
        never,
        Some(
            "Deployment.apps \"d\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
        ),
    );
}

#[test]
fn pod_tolerations() {
    let pod = |tolerations: Value| {
        json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "containers": [{"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent"}], "tolerations": tolerations}})
    };
    check("pods", pod(json!([{"operator": "Exists"}])), None);
    check(
        "pods",
        pod(json!([{"key": "k", "operator": "Exists", "value": "v"}])),
        Some(
            "Pod \"p\" is invalid: spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
        ),
    );
    check(
        "pods",
        pod(
            json!([{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}]),
        ),
        Some(
            "Pod \"p\" is invalid: spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
    );
}

#[test]
fn claims_and_priority_class_updates() {
    let claim = |size: &str, phase: &str| {
        json!({"metadata": meta("c"), "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
            "volumeName": "pv", "volumeMode": "Filesystem"}, "status": {"phase": phase, "capacity": {"storage": "2Gi"}}})
    };
    check_update(
        "persistentvolumeclaims",
        claim("4Gi", "Bound"),
        claim("2Gi", "Bound"),
        None,
    );
    check_update(
        "persistentvolumeclaims",
        claim("1Gi", "Bound"),
        claim("4Gi", "Bound"),
        Some(
            "PersistentVolumeClaim \"c\" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity",
        ),
    );
    let class = |value: i64| json!({"metadata": {"name": "pc", "uid": "u", "resourceVersion": "1"}, "value": value, "preemptionPolicy": "PreemptLowerPriority"});
    check_update(
        "scheduling.k8s.io/priorityclasses",
        class(2),
        class(1),
        Some(
            "PriorityClass.scheduling.k8s.io \"pc\" is invalid: value: Forbidden: may not be changed in an update.",
        ),
    );
}

#[test]
fn scheduling_gates_can_only_be_removed() {
    let pod = |gates: Value| {
        json!({"metadata": meta("p"), "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "containers": [{"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent"}], "schedulingGates": gates}})
    };
    check_update("pods", pod(json!([])), pod(json!([{"name": "a"}])), None);
    check_update(
        "pods",
        pod(json!([{"name": "b"}])),
        pod(json!([])),
        Some(
            "Pod \"p\" is invalid: spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'b'",
        ),
    );
}

#[test]
fn new_api_events() {
    let event = json!({"metadata": {"name": "e", "namespace": "ns"}, "eventTime": "2024-01-01T00:00:00.000000Z",
        "type": "Normal", "reason": "Provisioned", "action": "Create", "reportingController": "example.com/provisioner",
        "reportingInstance": "node-1", "regarding": {"kind": "PersistentVolume", "name": "pv", "namespace": "ns"}});
    // the strategy validates the stored (core/v1) form, and names the internal kind
    let stored = crate::admission::defaults::event::events_v1_to_core;
    check("events.k8s.io/events", stored(&event), None);
    let mut bad = event;
    bad["eventTime"] = Value::Null;
    bad["type"] = json!("Info");
    check(
        "events.k8s.io/events",
        stored(&bad),
        Some(
            "Event \"e\" is invalid: [eventTime: Required value, type: Invalid value: \"\": has invalid value: Info]",
        ),
    );
}

#[test]
fn requests_within_limits() {
    let pod = |resources: Value| {
        json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "containers": [{"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent", "resources": resources}]}})
    };
    check(
        "pods",
        pod(json!({"limits": {"cpu": "1"}, "requests": {"cpu": "500m"}})),
        None,
    );
    check(
        "pods",
        pod(json!({"limits": {"cpu": "1"}, "requests": {"cpu": "2"}})),
        Some(
            "Pod \"p\" is invalid: spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1",
        ),
    );
    check(
        "pods",
        pod(json!({"limits": {"example.com/gpu": "2"}, "requests": {"example.com/gpu": "1"}})),
        Some(
            "Pod \"p\" is invalid: spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2",
        ),
    );
}

#[test]
fn names_are_go_quoted_in_messages() {
    let err = validate_create(
        "",
        "configmaps",
        &json!({"metadata": {"name": "a\"b", "namespace": "ns"}}),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(
            "ConfigMap \"a\\\"b\" is invalid: metadata.name: Invalid value: \"a\\\"b\": "
        ),
        "{err}"
    );
}

#[test]
fn volumes_have_exactly_one_source() {
    let pod = |volume: Value| {
        json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
            "containers": [{"name": "c", "image": "x", "imagePullPolicy": "IfNotPresent"}], "volumes": [volume]}})
    };
    check("pods", pod(json!({"name": "v", "emptyDir": {}})), None);
    check(
        "pods",
        pod(json!({"name": "v", "emptyDir": {}, "configMap": {"name": "c"}})),
        Some(
            "Pod \"p\" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type",
        ),
    );
    check(
        "pods",
        pod(json!({"name": "v"})),
        Some("Pod \"p\" is invalid: spec.volumes[0]: Required value: must specify a volume type"),
    );
}

/// `pods/status`: a nominated node must be a node name, and a terminated container may not
/// come back unless the restart policy restarts it (`ValidatePodStatusUpdate`).
#[test]
fn pod_status_updates() {
    let pod = |restart: &str, status: Value| json!({"metadata": meta("p"), "spec": {"restartPolicy": restart}, "status": status});
    let check_status = |restart: &str, new: Value, old: Value| {
        validate_update("", "pods", "status", &pod(restart, new), &pod(restart, old))
            .err()
            .map(|e| e.to_string())
    };
    let nominated = check_status(
        "Always",
        json!({"nominatedNodeName": "Bad_Node"}),
        json!({}),
    )
    .unwrap();
    assert!(
        nominated.starts_with(
            "Pod \"p\" is invalid: status.nominatedNodeName: Invalid value: \"Bad_Node\": a lowercase RFC 1123 subdomain"
        ),
        "{nominated}"
    );
    assert_eq!(
        check_status("Always", json!({"nominatedNodeName": "node-1"}), json!({})),
        None
    );
    let terminated = |code: i64| json!({"containerStatuses": [{"name": "c", "state": {"terminated": {"exitCode": code}}}]});
    let running = json!({"containerStatuses": [{"name": "c", "state": {"running": {}}}]});
    assert_eq!(
        check_status("Never", running.clone(), terminated(0)),
        Some(
            "Pod \"p\" is invalid: status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state"
                .to_owned()
        )
    );
    assert_eq!(check_status("Always", running.clone(), terminated(0)), None);
    assert_eq!(
        check_status("OnFailure", running.clone(), terminated(1)),
        None
    );
    assert!(check_status("OnFailure", running, terminated(0)).is_some());
}
