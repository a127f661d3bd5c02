//! Deterministic, realistic pods (~4.3 KB of JSON each) and the bodies built from them.
//!
//! Every pod is a function of its index alone, so every run, and both clients, see the same
//! bytes: labels, annotations, an owner reference, two containers with env, ports, resources and
//! mounts, volumes, tolerations and a full status with conditions and container statuses.

use serde_json::{Value, json};

/// The namespace every pod lives in.
pub const NAMESPACE: &str = "bench";

/// The name of pod `i`.
pub fn name(i: usize) -> String {
    format!("web-7d4b9c8f5-{i:05}")
}

/// Pod `i` as a JSON value.
pub fn pod(i: usize) -> Value {
    let name = name(i);
    let uid = format!("6f1c2a4e-9b3d-4c5e-8f7a-{i:012}");
    let ip = format!("10.{}.{}.{}", 64 + i / 65536 % 64, i / 256 % 256, i % 256);
    let node = format!("node-{:03}", i % 500);
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": "web-7d4b9c8f5-",
            "namespace": NAMESPACE,
            "uid": uid,
            "resourceVersion": format!("{}", 100000 + i),
            "creationTimestamp": "2026-11-02T09:14:27Z",
            "labels": {
                "app.kubernetes.io/name": "web",
                "app.kubernetes.io/instance": "web-prod",
                "app.kubernetes.io/component": "frontend",
                "app.kubernetes.io/part-of": "storefront",
                "pod-template-hash": "7d4b9c8f5",
                "tier": format!("tier-{}", i % 4),
            },
            "annotations": {
                "kubectl.kubernetes.io/restartedAt": "2026-11-02T09:14:20Z",
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
                "checksum/config": "3f9a1c7e5b2d4a6f8e0c1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a",
            },
            "ownerReferences": [{
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": "web-7d4b9c8f5",
                "uid": "0b7e3d2c-1a9f-4e8d-b6c5-a4f3e2d1c0b9",
                "controller": true,
                "blockOwnerDeletion": true,
            }],
        },
        "spec": {
            "volumes": [
                {"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}},
                {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}},
                {"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ]}},
            ],
            "containers": [
                container("web", "registry.example.com/storefront/web:1.42.7", 8080, "500m", "512Mi"),
                container("metrics-sidecar", "registry.example.com/observability/exporter:0.19.3", 9090, "100m", "128Mi"),
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "web",
            "serviceAccount": "web",
            "nodeName": node,
            "securityContext": {"runAsNonRoot": true, "fsGroup": 2000},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            ],
            "priority": 0,
            "enableServiceLinks": true,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {
            "phase": "Running",
            "conditions": [
                condition("PodReadyToStartContainers", "09:14:31"),
                condition("Initialized", "09:14:27"),
                condition("Ready", "09:14:39"),
                condition("ContainersReady", "09:14:39"),
                condition("PodScheduled", "09:14:27"),
            ],
            "hostIP": format!("192.168.{}.{}", i % 500 / 250, i % 250 + 2),
            "hostIPs": [{"ip": format!("192.168.{}.{}", i % 500 / 250, i % 250 + 2)}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": "2026-11-02T09:14:27Z",
            "containerStatuses": [
                container_status("web", "registry.example.com/storefront/web:1.42.7", i),
                container_status("metrics-sidecar", "registry.example.com/observability/exporter:0.19.3", i + 1),
            ],
            "qosClass": "Burstable",
        },
    })
}

fn container(name: &str, image: &str, port: u16, cpu: &str, memory: &str) -> Value {
    json!({
        "name": name,
        "image": image,
        "args": ["--config=/etc/web/config.yaml", "--log-format=json"],
        "ports": [
            {"name": "http", "containerPort": port, "protocol": "TCP"},
            {"name": "admin", "containerPort": port + 1, "protocol": "TCP"},
        ],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "GOMAXPROCS", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1"}}},
        ],
        "resources": {
            "limits": {"cpu": cpu, "memory": memory},
            "requests": {"cpu": cpu, "memory": memory},
        },
        "volumeMounts": [
            {"name": "config", "mountPath": "/etc/web", "readOnly": true},
            {"name": "cache", "mountPath": "/var/cache/web"},
            {"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true},
        ],
        "readinessProbe": {
            "httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
            "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
    })
}

fn condition(kind: &str, at: &str) -> Value {
    json!({
        "type": kind,
        "status": "True",
        "lastProbeTime": null,
        "lastTransitionTime": format!("2026-11-02T{at}Z"),
    })
}

fn container_status(name: &str, image: &str, i: usize) -> Value {
    json!({
        "name": name,
        "state": {"running": {"startedAt": "2026-11-02T09:14:33Z"}},
        "lastState": {},
        "ready": true,
        "restartCount": 0,
        "image": image,
        "imageID": format!("{image}@sha256:{:064x}", i as u128 * 0x9e37_79b9_7f4a_7c15),
        "containerID": format!("containerd://{:064x}", (i as u128 + 1) * 0xc2b2_ae3d_27d4_eb4f),
        "started": true,
    })
}

/// A list body (`PodList`) of the given serialized items, with a continue token when more follow.
pub fn list_body(
    items: &[bytes::Bytes],
    continue_token: Option<&str>,
    remaining: usize,
) -> Vec<u8> {
    let size: usize = items.iter().map(|b| b.len() + 1).sum();
    let mut body = Vec::with_capacity(size + 256);
    body.extend_from_slice(
        b"{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"200000\"",
    );
    if let Some(token) = continue_token {
        body.extend_from_slice(
            format!(",\"continue\":\"{token}\",\"remainingItemCount\":{remaining}").as_bytes(),
        );
    }
    body.extend_from_slice(b"},\"items\":[");
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item);
    }
    body.extend_from_slice(b"]}");
    body
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pod_is_about_4_kb_and_decodes() {
        let bytes = serde_json::to_vec(&super::pod(1234)).unwrap();
        assert!((3800..4800).contains(&bytes.len()), "{} bytes", bytes.len());
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(pod.spec.unwrap().containers.len(), 2);
    }
}
