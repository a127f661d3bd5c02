//! Pod-level `ValidatePodSpec` rules outside the containers: volume sources, the pod security
//! context, DNS config, affinity and spread constraints. Each invalid pod has one fault, so
//! the messages do not depend on Go's map order and hold on a cluster too.

use k8s_openapi::api::core::v1::Pod;
use kubeset::clientset::{Api, PostParams};
use serde_json::{Value, json};

use crate::support::invalid::{invalid, pod_spec};
use crate::support::setup;

fn pod(name: &str, extra: Value) -> Pod {
    let mut spec = pod_spec("Always");
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
}

async fn refused(pods: &Api<Pod>, name: &str, extra: Value) -> (String, Vec<(String, String)>) {
    let err = pods
        .create(&PostParams::default(), &pod(name, extra))
        .await
        .unwrap_err();
    invalid(&err)
}

fn cause(field: &str, reason: &str) -> Vec<(String, String)> {
    vec![(field.to_owned(), reason.to_owned())]
}

#[tokio::test]
async fn pods_with_valid_pod_level_fields_are_accepted() {
    let ctx = setup("pod-fields").await;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let extra = json!({
        "volumes": [
            {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420,
                "items": [{"key": "a", "path": "dir/a"}]}},
            {"name": "all", "projected": {"sources": [
                {"secret": {"name": "s", "items": [{"key": "k", "path": "s"}]}},
                {"serviceAccountToken": {"expirationSeconds": 3600, "path": "token"}},
            ]}},
            {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}},
        ],
        "securityContext": {"runAsUser": 1000, "fsGroup": 2000,
            "seccompProfile": {"type": "RuntimeDefault"}},
        "dnsPolicy": "None",
        "dnsConfig": {"nameservers": ["10.0.0.10"], "searches": ["svc.cluster.local."],
            "options": [{"name": "ndots", "value": "2"}]},
        "hostAliases": [{"ip": "10.1.2.3", "hostnames": ["db.local"]}],
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
            ]}]}}},
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
            "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"a": "b"}}}],
        "hostname": "web-0",
        "subdomain": "web",
    });
    let created = pods
        .create(&PostParams::default(), &pod("fine", extra))
        .await
        .unwrap();
    let spec = created.spec.unwrap();
    assert_eq!(spec.hostname.as_deref(), Some("web-0"));
    // ServiceAccount admission adds its token volume after ours.
    let names: Vec<String> = spec
        .volumes
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names[..3], ["cfg", "all", "scratch"]);
}

#[tokio::test]
async fn volume_sources_are_checked() {
    let ctx = setup("pod-volumes").await;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let (message, causes) = refused(
        &pods,
        "mode",
        json!({"volumes": [{"name": "s", "secret": {"secretName": "s", "defaultMode": 512}}]}),
    )
    .await;
    assert_eq!(
        message,
        "Pod \"mode\" is invalid: spec.volumes[0].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"
    );
    assert_eq!(
        causes,
        cause("spec.volumes[0].secret.defaultMode", "FieldValueInvalid")
    );

    let (message, _) = refused(
        &pods,
        "claim",
        json!({"volumes": [{"name": "c", "persistentVolumeClaim": {"claimName": ""}}]}),
    )
    .await;
    assert_eq!(
        message,
        "Pod \"claim\" is invalid: spec.volumes[0].persistentVolumeClaim.claimName: Required value"
    );
}

#[tokio::test]
async fn security_context_dns_and_scheduling_are_checked() {
    let ctx = setup("pod-sched").await;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let (message, causes) =
        refused(&pods, "uid", json!({"securityContext": {"runAsUser": -1}})).await;
    assert_eq!(
        message,
        "Pod \"uid\" is invalid: spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive"
    );
    assert_eq!(
        causes,
        cause("spec.securityContext.runAsUser", "FieldValueInvalid")
    );

    let (message, causes) = refused(&pods, "dns", json!({"dnsPolicy": "None"})).await;
    assert_eq!(
        message,
        "Pod \"dns\" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"
    );
    assert_eq!(causes, cause("spec.dnsConfig", "FieldValueRequired"));

    let (message, _) = refused(
        &pods,
        "skew",
        json!({"topologySpreadConstraints": [
            {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
        ]}),
    )
    .await;
    assert_eq!(
        message,
        "Pod \"skew\" is invalid: spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero"
    );

    let (message, _) = refused(
        &pods,
        "weight",
        json!({"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}},
        ]}}}),
    )
    .await;
    assert_eq!(
        message,
        "Pod \"weight\" is invalid: spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"
    );
}
