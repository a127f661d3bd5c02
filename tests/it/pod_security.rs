//! PodSecurity admission through the client: a namespace's `pod-security.kubernetes.io/*`
//! labels enforce, warn about and audit its pods as kube-apiserver v1.36 does with its default
//! configuration (no exemptions). Pods name a scheduler that does not exist, so on a real
//! cluster they stay Pending; Deployments have no replicas.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, ResourceQuota};
use kubeset::clientset::{Api, Client, Patch, PatchParams, PostParams};
use kubeset::transport::CollectWarnings;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::invalid::invalid;
use crate::support::{Ctx, admin_config, setup};

/// A client of `ctx`'s namespace whose handler sees every warning.
fn collecting(ctx: &Ctx) -> (Client, CollectWarnings) {
    let collected = CollectWarnings::default();
    let client = Client::builder(admin_config())
        .warning_handler(collected.clone())
        .deduplicate_warnings(false)
        .build()
        .unwrap()
        .with_default_namespace(ctx.ns.clone());
    (client, collected)
}

fn texts(collected: &CollectWarnings) -> Vec<String> {
    collected.take().into_iter().map(|w| w.text).collect()
}

/// Sets the namespace's PodSecurity labels (`mode` -> level) with `client`.
async fn label(client: &Client, ns: &str, labels: Value) -> Result<(), kubeset::clientset::Error> {
    let patch = Patch::Merge(json!({"metadata": {"labels": labels}}));
    client
        .namespaces()
        .patch(ns, &PatchParams::default(), &patch)
        .await
        .map(drop)
}

/// An unscheduled pod `name` whose container `c` has `security` as its securityContext, and
/// `spec` merged into its spec.
fn pod(name: &str, security: Value, spec: Value) -> Pod {
    let mut value = json!({"metadata": {"name": name}, "spec": {"schedulerName": "nobody",
        "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
            "securityContext": security}]}});
    if let (Some(s), Some(extra)) = (value["spec"].as_object_mut(), spec.as_object()) {
        s.extend(extra.clone());
    }
    serde_json::from_value(value).unwrap()
}

const RESTRICTED_DETAIL: &str = "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

#[tokio::test]
async fn enforce_refuses_and_warn_warns_on_accepted_pods() {
    let ctx = setup("psa-enforce").await;
    label(
        &ctx.client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted"}),
    )
    .await
    .unwrap();
    let (client, collected) = collecting(&ctx);
    let pods: Api<Pod> = client.pods(&ctx.ns);
    let privileged = pod("root", json!({"privileged": true}), json!({}));
    let err = pods
        .create(&PostParams::default(), &privileged)
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert_eq!(
        err.api().unwrap().message(),
        "pods \"root\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"c\" must not set securityContext.privileged=true)"
    );
    assert!(
        texts(&collected).is_empty(),
        "a refused pod is not warned about"
    );

    pods.create(&PostParams::default(), &pod("plain", json!({}), json!({})))
        .await
        .unwrap();
    assert_eq!(
        texts(&collected),
        [format!(
            "would violate PodSecurity \"restricted:latest\": {RESTRICTED_DETAIL}"
        )]
    );
    let hardened = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}});
    pods.create(
        &PostParams::default(),
        &pod("hardened", hardened, json!({})),
    )
    .await
    .unwrap();
    assert!(texts(&collected).is_empty());
}

#[tokio::test]
async fn tightening_a_namespace_warns_about_its_pods() {
    let ctx = setup("psa-tighten").await;
    let pods: Api<Pod> = ctx.client.pods(&ctx.ns);
    for (name, spec) in [
        ("host-a", json!({"hostNetwork": true})),
        ("host-b", json!({"hostPID": true})),
        ("plain", json!({})),
    ] {
        pods.create(&PostParams::default(), &pod(name, json!({}), spec))
            .await
            .unwrap();
    }
    let (client, collected) = collecting(&ctx);
    label(
        &client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    )
    .await
    .unwrap();
    assert_eq!(
        texts(&collected),
        [
            format!(
                "existing pods in namespace \"{}\" violate the new PodSecurity enforce level \"baseline:latest\"",
                ctx.ns
            ),
            "host-a (and 1 other pod): host namespaces".to_owned(),
        ]
    );
    // loosening warns about nothing
    label(
        &client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/enforce": "privileged"}),
    )
    .await
    .unwrap();
    assert!(texts(&collected).is_empty());
}

#[tokio::test]
async fn namespace_labels_that_do_not_parse_are_refused() {
    let ctx = setup("psa-labels").await;
    let err = label(
        &ctx.client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/enforce": "strict",
            "pod-security.kubernetes.io/audit-version": "1.30"}),
    )
    .await
    .unwrap_err();
    let (message, causes) = invalid(&err);
    assert_eq!(
        message,
        format!(
            "Namespace \"{}\" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\"]",
            ctx.ns
        )
    );
    assert_eq!(
        causes,
        [
            (
                "metadata.labels[pod-security.kubernetes.io/enforce]".to_owned(),
                "FieldValueInvalid".to_owned()
            ),
            (
                "metadata.labels[pod-security.kubernetes.io/audit-version]".to_owned(),
                "FieldValueInvalid".to_owned()
            ),
        ]
    );
}

#[tokio::test]
async fn workload_templates_are_warned_about_not_refused() {
    let ctx = setup("psa-workloads").await;
    label(
        &ctx.client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    )
    .await
    .unwrap();
    let (client, collected) = collecting(&ctx);
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"hostIPC": true, "containers": [{"name": "c",
                    "image": "registry.k8s.io/pause:3.10"}]}}}
    }))
    .unwrap();
    client
        .deployments(&ctx.ns)
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap();
    assert_eq!(
        texts(&collected),
        ["would violate PodSecurity \"baseline:latest\": host namespaces (hostIPC=true)"]
    );
}

/// The audit event of a pod create carries the enforced policy and the audit level's
/// violations (checked on the test server, whose audit log the test can read).
#[tokio::test]
async fn audit_events_name_the_enforced_policy_and_the_violations() {
    let ctx = setup("psa-audit").await;
    label(
        &ctx.client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/audit": "restricted"}),
    )
    .await
    .unwrap();
    let pods: Api<Pod> = ctx.client.pods(&ctx.ns);
    pods.create(
        &PostParams::default(),
        &pod("audited", json!({}), json!({})),
    )
    .await
    .unwrap();
    let Some(server) = crate::support::test_server() else {
        return;
    };
    let path = format!("/api/v1/namespaces/{}/pods", ctx.ns);
    let event = server
        .audit_events()
        .into_iter()
        .find(|e| e.verb == "create" && e.request_uri.starts_with(&path))
        .unwrap();
    let annotation = |key: &str| event.annotations.get(key).cloned().unwrap_or_default();
    assert_eq!(
        annotation("pod-security.kubernetes.io/enforce-policy"),
        "baseline:latest"
    );
    assert_eq!(
        annotation("pod-security.kubernetes.io/audit-violations"),
        format!("would violate PodSecurity \"restricted:latest\": {RESTRICTED_DETAIL}")
    );
}

/// A pod that PodSecurity warns about and audits and a later plugin (ResourceQuota) refuses:
/// the refusal carries PodSecurity's warning, and its audit event the annotations (checked on
/// the test server).
#[tokio::test]
async fn a_pod_refused_after_pod_security_keeps_its_warning_and_annotations() {
    let ctx = setup("psa-refused").await;
    label(
        &ctx.client,
        &ctx.ns,
        json!({"pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted"}),
    )
    .await
    .unwrap();
    let quotas = Api::<ResourceQuota>::namespaced(ctx.client.clone(), &ctx.ns);
    let quota: ResourceQuota = serde_json::from_value(
        json!({"metadata": {"name": "none"}, "spec": {"hard": {"pods": "0"}}}),
    )
    .unwrap();
    quotas.create(&PostParams::default(), &quota).await.unwrap();
    // a real server's quota controller fills in the status the admission plugin waits for
    let wait = Duration::from_secs(30);
    let deadline = Instant::now() + wait;
    while quotas
        .get("none")
        .await
        .unwrap()
        .status
        .and_then(|s| s.used)
        .is_none_or(|used| !used.contains_key("pods"))
    {
        assert!(Instant::now() < deadline, "no quota status within {wait:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (client, collected) = collecting(&ctx);
    let err = client
        .pods(&ctx.ns)
        .create(&PostParams::default(), &pod("over", json!({}), json!({})))
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    assert_eq!(
        err.api().unwrap().message(),
        "pods \"over\" is forbidden: exceeded quota: none, requested: pods=1, used: pods=0, limited: pods=0"
    );
    assert_eq!(
        texts(&collected),
        [format!(
            "would violate PodSecurity \"restricted:latest\": {RESTRICTED_DETAIL}"
        )]
    );
    let Some(server) = crate::support::test_server() else {
        return;
    };
    let path = format!("/api/v1/namespaces/{}/pods", ctx.ns);
    let event = server
        .audit_events()
        .into_iter()
        .find(|e| e.verb == "create" && e.request_uri.starts_with(&path))
        .unwrap();
    let annotation = |key: &str| event.annotations.get(key).cloned().unwrap_or_default();
    assert_eq!(
        annotation("pod-security.kubernetes.io/enforce-policy"),
        "privileged:latest"
    );
    assert_eq!(
        annotation("pod-security.kubernetes.io/audit-violations"),
        format!("would violate PodSecurity \"restricted:latest\": {RESTRICTED_DETAIL}")
    );
}
