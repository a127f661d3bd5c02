//! Container validation of Pods (`validateContainers`, `validateInitContainers`,
//! `validateContainerCommon`): env sources, probes and hooks, sidecars, mounts, resources and
//! security contexts. Each refused pod's errors come in Go's order and name no map keys, so the
//! messages hold on a real v1.36 cluster too.

use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{Api, PostParams};
use serde_json::{Value, json};

use crate::support::invalid::invalid;
use crate::support::setup;

const IMAGE: &str = "registry.k8s.io/pause:3.10";

fn pod(name: &str, spec: Value) -> Pod {
    serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
}

#[tokio::test]
async fn well_formed_containers_with_sidecar_probes_and_env_are_accepted() {
    let ctx = setup("pod-ctr-ok").await;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let spec = json!({
        "initContainers": [{"name": "proxy", "image": IMAGE, "restartPolicy": "Always",
            "readinessProbe": {"tcpSocket": {"port": 15000}}}],
        "containers": [{"name": "app", "image": IMAGE,
            "ports": [{"name": "http", "containerPort": 8080}],
            "env": [
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
            ],
            "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "settings", "optional": true}}],
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
            "startupProbe": {"exec": {"command": ["true"]}, "failureThreshold": 30},
            "lifecycle": {"preStop": {"exec": {"command": ["sleep", "1"]}}},
            "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}},
            "securityContext": {"runAsUser": 1000, "allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}],
    });
    let created = pods
        .create(&PostParams::default(), &pod("ok", spec))
        .await
        .unwrap();
    let spec = created.spec.unwrap();
    assert_eq!(
        spec.init_containers.unwrap()[0].restart_policy.as_deref(),
        Some("Always")
    );
    assert_eq!(
        spec.containers[0]
            .liveness_probe
            .as_ref()
            .and_then(|p| p.success_threshold),
        Some(1)
    );
}

#[tokio::test]
async fn bad_env_probes_and_init_hooks_are_refused_in_go_order() {
    let ctx = setup("pod-ctr-bad").await;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let spec = json!({"containers": [{"name": "app", "image": IMAGE,
        "env": [{"name": "A", "valueFrom": {}}],
        "livenessProbe": {"successThreshold": 2}}]});
    let err = pods
        .create(&PostParams::default(), &pod("bad-env-probe", spec))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "Pod \"bad-env-probe\" is invalid: [\
         spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`, \
         spec.containers[0].livenessProbe: Required value: must specify a handler type, \
         spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1]"
    );

    let spec = json!({
        "initContainers": [{"name": "init", "image": IMAGE,
            "readinessProbe": {"exec": {"command": ["true"]}}}],
        "containers": [{"name": "app", "image": IMAGE}]});
    let err = pods
        .create(&PostParams::default(), &pod("bad-init", spec))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err),
        (
            "Pod \"bad-init\" is invalid: spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always".to_owned(),
            vec![(
                "spec.initContainers[0].readinessProbe".to_owned(),
                "FieldValueForbidden".to_owned()
            )]
        )
    );
}

#[tokio::test]
async fn bad_mounts_resources_and_security_context_are_refused() {
    let ctx = setup("pod-ctr-sec").await;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let spec = json!({
        "volumes": [{"name": "data", "emptyDir": {}}],
        "containers": [{"name": "app", "image": IMAGE,
            "volumeMounts": [{"name": "data", "mountPath": "/data", "subPath": "../up"}],
            "resources": {"requests": {"example.com/gpu": "1"}},
            "securityContext": {"runAsUser": -1}}]});
    let err = pods
        .create(&PostParams::default(), &pod("bad-sec", spec))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&err).0,
        "Pod \"bad-sec\" is invalid: [\
         spec.containers[0].volumeMounts.subPath: Invalid value: \"../up\": must not contain '..', \
         spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources, \
         spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive]"
    );
}
