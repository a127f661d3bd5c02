//! Realistic objects of many kinds survive k8s-openapi -> protobuf -> k8s-openapi unchanged
//! (compared as `serde_json::to_value`), the protobuf decodes to the same `serde_json::Value`
//! as the object's JSON, and `serde_json::Value` encodes to the same bytes as the typed object.

use k8s_openapi::Resource;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::authorization::v1::SubjectAccessReview;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Node, Pod, Secret, Service};
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::rbac::v1::ClusterRole;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[track_caller]
fn check<K: Resource + Serialize + DeserializeOwned>(json: Value) {
    let typed: K = serde_json::from_value(json).expect("fixture is a valid object");
    let expected = serde_json::to_value(&typed).expect("round trip");
    let bytes = kubeset_protobuf::to_vec(&typed, K::API_VERSION, K::KIND).expect("round trip");
    assert!(bytes.starts_with(b"k8s\0"));

    let back: K = kubeset_protobuf::from_slice(&bytes).expect("round trip");
    same(
        &serde_json::to_value(&back).expect("round trip"),
        &expected,
        "",
    );

    // Embedded objects (a StatefulSet's claim templates) have no apiVersion/kind in protobuf,
    // which k8s-openapi adds back when it writes them: compare through the typed form.
    let as_value: Value = kubeset_protobuf::from_slice(&bytes).expect("round trip");
    assert_eq!(as_value["kind"], expected["kind"]);
    let retyped: K = serde_json::from_value(as_value).expect("round trip");
    same(
        &serde_json::to_value(&retyped).expect("round trip"),
        &expected,
        "",
    );

    let from_value =
        kubeset_protobuf::to_vec(&expected, K::API_VERSION, K::KIND).expect("round trip");
    assert_eq!(
        from_value, bytes,
        "a Value encodes as the typed object does"
    );
}

/// Asserts `got == want`, naming the first path where they differ.
#[track_caller]
fn same(got: &Value, want: &Value, path: &str) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for key in g.keys().chain(w.keys()) {
                let (a, b) = (
                    g.get(key).unwrap_or(&Value::Null),
                    w.get(key).unwrap_or(&Value::Null),
                );
                same(a, b, &format!("{path}.{key}"));
            }
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                same(a, b, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "at {path}"),
    }
}

fn pod() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "web-0", "namespace": "prod", "uid": "0b5c7c7e-4f3a-4c1e-9f6a-1d2e3f4a5b6c",
            "resourceVersion": "123456", "generation": 3,
            "creationTimestamp": "2024-05-06T07:08:09Z",
            "deletionTimestamp": "2024-05-06T08:00:00Z", "deletionGracePeriodSeconds": 0,
            "labels": {"app": "web", "tier": "frontend", "pod-template-hash": "7d9f8b"},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-05-06T07:00:00Z", "empty": ""},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f8b",
                "uid": "1b5c7c7e-4f3a-4c1e-9f6a-1d2e3f4a5b6c", "controller": true, "blockOwnerDeletion": true}],
            "finalizers": ["example.com/protect"],
            "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                "time": "2024-05-06T07:08:09Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}]
        },
        "spec": {
            "containers": [{
                "name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                "command": ["nginx"], "args": ["-g", "daemon off;"],
                "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"},
                          {"containerPort": 443, "hostPort": 8443, "hostIP": "0.0.0.0", "protocol": "TCP"}],
                "env": [{"name": "MODE", "value": "prod"},
                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
                        {"name": "LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}}],
                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
                "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}],
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 80, "scheme": "HTTP"},
                    "initialDelaySeconds": 5, "periodSeconds": 10, "timeoutSeconds": 1,
                    "successThreshold": 1, "failureThreshold": 3},
                "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 5},
                "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "allowPrivilegeEscalation": false,
                    "readOnlyRootFilesystem": false, "capabilities": {"drop": ["ALL"]}},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }, {
                "name": "sidecar", "image": "busybox", "restartPolicy": "Always",
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}
            }],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
                {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                {"name": "cfg", "configMap": {"name": "web", "defaultMode": 420,
                    "items": [{"key": "a", "path": "a.conf"}]}},
                {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3607}}]}}
            ],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "web", "automountServiceAccountToken": false,
            "nodeName": "node-1", "priority": 0, "enableServiceLinks": true,
            "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                "weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                    "labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}}}]}},
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
            "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": {"app": "web"}}}],
            "overhead": {"cpu": "10m"}
        },
        "status": {
            "phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.1.2.3",
            "podIPs": [{"ip": "10.1.2.3"}, {"ip": "fd00::3"}], "qosClass": "Burstable",
            "startTime": "2024-05-06T07:08:10Z",
            "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null,
                "lastTransitionTime": "2024-05-06T07:08:20Z"}],
            "containerStatuses": [{"name": "nginx", "ready": true, "restartCount": 2, "started": true,
                "image": "nginx:1.27", "imageID": "docker.io/library/nginx@sha256:abc", "containerID": "containerd://1",
                "state": {"running": {"startedAt": "2024-05-06T07:08:15Z"}},
                "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                    "startedAt": "2024-05-06T06:00:00Z", "finishedAt": "2024-05-06T07:08:14Z"}}}]
        }
    })
}

#[test]
fn pod_with_everything() {
    check::<Pod>(pod());
}

#[test]
fn pod_list_with_list_meta() {
    check::<k8s_openapi::List<Pod>>(json!({
        "apiVersion": "v1", "kind": "PodList",
        "metadata": {"resourceVersion": "99", "continue": "abc", "remainingItemCount": 0},
        "items": [pod(), pod(), {"metadata": {"name": "bare"}}]
    }));
}

#[test]
fn deployment_with_int_or_string_and_zero_replicas() {
    check::<Deployment>(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web"}},
        "spec": {
            "replicas": 0, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
        },
        "status": {"observedGeneration": 4, "replicas": 3, "readyReplicas": 3, "updatedReplicas": 3,
            "availableReplicas": 3,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                "message": "Deployment has minimum availability.",
                "lastUpdateTime": "2024-05-06T07:08:09Z", "lastTransitionTime": "2024-05-06T07:08:09Z"}]}
    }));
}

#[test]
fn service_with_ports_and_ip_families() {
    check::<Service>(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "prod"},
        "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
            "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "selector": {"app": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "nodePort": 30080},
                      {"name": "metrics", "port": 9090, "targetPort": 9090, "protocol": "TCP"}],
            "sessionAffinity": "ClientIP",
            "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
            "externalTrafficPolicy": "Local", "healthCheckNodePort": 31000},
        "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10", "ipMode": "VIP",
            "ports": [{"port": 80, "protocol": "TCP"}]}]}}
    }));
}

#[test]
fn secret_bytes_and_config_map_binary_data() {
    check::<Secret>(json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": true,
        "metadata": {"name": "creds", "namespace": "prod"},
        "data": {"password": "aHVudGVyMg==", "empty": ""}, "stringData": {"user": "admin"}
    }));
    check::<ConfigMap>(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "prod"},
        "data": {"a.conf": "x = 1\n", "b": ""}, "binaryData": {"blob": "AAEC/w=="}
    }));
}

#[test]
fn node_with_quantities_taints_and_images() {
    check::<Node>(json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}},
        "spec": {"podCIDR": "10.1.0.0/24", "podCIDRs": ["10.1.0.0/24"], "unschedulable": true,
            "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": "2024-05-06T07:08:09Z"}]},
        "status": {"capacity": {"cpu": "4", "memory": "16363780Ki", "pods": "110"},
            "allocatable": {"cpu": "3800m", "memory": "15Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2024-05-06T07:08:09Z",
                "lastTransitionTime": "2024-05-06T07:08:09Z", "reason": "KubeletReady", "message": "ok"}],
            "addresses": [{"type": "InternalIP", "address": "10.0.0.1"}, {"type": "Hostname", "address": "node-1"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "6.1",
                "osImage": "Debian", "containerRuntimeVersion": "containerd://2.0", "kubeletVersion": "v1.37.0",
                "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"},
            "images": [{"names": ["nginx:1.27"], "sizeBytes": 73000000}]}
    }));
}

#[test]
fn ingress_inlines_its_rule_value() {
    check::<Ingress>(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "prod"},
        "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a.example"], "secretName": "tls"}],
            "rules": [{"host": "a.example", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}
    }));
}

#[test]
fn events_and_leases_keep_micro_times() {
    check::<Event>(json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event",
        "metadata": {"name": "web.1", "namespace": "prod"},
        "eventTime": "2024-05-06T07:08:09.123456Z", "reportingController": "kubeset",
        "reportingInstance": "kubeset-1", "action": "Scheduled", "reason": "Scheduled", "type": "Normal",
        "regarding": {"kind": "Pod", "name": "web-0", "namespace": "prod"},
        "series": {"count": 3, "lastObservedTime": "2024-05-06T07:09:00.000001Z"}
    }));
    check::<Lease>(json!({
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "leader", "namespace": "kube-system"},
        "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15, "leaseTransitions": 0,
            "acquireTime": "2024-05-06T07:08:09.000000Z", "renewTime": "2024-05-06T07:08:19.500000Z"}
    }));
}

#[test]
fn jobs_statefulsets_cluster_roles_and_reviews() {
    check::<Job>(json!({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": "prod"},
        "spec": {"parallelism": 0, "completions": 1, "backoffLimit": 6, "ttlSecondsAfterFinished": 100,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}},
            "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"operator": "In", "values": [1, 2, 42]}}]}},
        "status": {"succeeded": 1, "startTime": "2024-05-06T07:08:09Z", "completionTime": "2024-05-06T07:09:09Z"}
    }));
    check::<StatefulSet>(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "prod"},
        "spec": {"serviceName": "db", "replicas": 3, "selector": {"matchLabels": {"app": "db"}},
            "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres"}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "10Gi"}}}}]}
    }));
    check::<ClusterRole>(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "view"},
        "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]},
                  {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}],
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-view": "true"}}]}
    }));
    check::<SubjectAccessReview>(json!({
        "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "metadata": {},
        "spec": {"user": "jane", "groups": ["dev"], "extra": {"scopes": ["a", "b"], "none": []},
            "resourceAttributes": {"namespace": "prod", "verb": "get", "resource": "pods"}},
        "status": {"allowed": false, "denied": true, "reason": "no"}
    }));
}
