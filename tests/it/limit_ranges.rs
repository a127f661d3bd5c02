//! The admission plugins that shape a new pod, claim or Ingress from other objects, as
//! kube-apiserver v1.36 runs them by default: LimitRanger (defaults and bounds from the
//! namespace's LimitRanges), RuntimeClass (overhead and scheduling from the pod's class),
//! DefaultIngressClass (the default class of an Ingress that names none), and ResourceQuota
//! charging `status.used` as it admits (a burst of creates cannot overshoot; a dry run charges
//! nothing).
//!
//! Everything holds on a cluster too: cluster-scoped objects are named per run and removed
//! afterwards, pods name a scheduler that does not exist (they stay Pending), and nothing waits
//! without a deadline.

use std::time::Duration;

use k8s_openapi::api::core::v1::{LimitRange, PersistentVolumeClaim, Pod, ResourceQuota};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass};
use k8s_openapi::api::node::v1::RuntimeClass;
use kubeset::clientset::{Api, DeleteParams, Error, PostParams};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::{Ctx, admin_config, clean_up, setup};

const WAIT: Duration = Duration::from_secs(30);

/// An unscheduled pod `name` with `spec` merged over one pause container `c`.
fn pod(name: &str, container: Value, spec: Value) -> Pod {
    let mut c = json!({"name": "c", "image": "registry.k8s.io/pause:3.10"});
    if let (Some(c), Some(extra)) = (c.as_object_mut(), container.as_object()) {
        c.extend(extra.clone());
    }
    let mut value = json!({"metadata": {"name": name},
        "spec": {"schedulerName": "nobody", "containers": [c]}});
    if let (Some(s), Some(extra)) = (value["spec"].as_object_mut(), spec.as_object()) {
        s.extend(extra.clone());
    }
    serde_json::from_value(value).unwrap()
}

/// The refusal's code and message.
#[track_caller]
fn refusal(err: &Error) -> (u16, String) {
    let api = err
        .api()
        .unwrap_or_else(|| panic!("not an API error: {err}"));
    (api.code, api.message().to_owned())
}

/// A unique name for a cluster-scoped object of this run.
fn unique(ctx: &Ctx, what: &str) -> String {
    format!("{what}-{}", ctx.ns)
}

/// Deletes the cluster-scoped objects a test made, also when it panics.
struct Cleanup {
    runtime_classes: Vec<String>,
    ingress_classes: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let (runtime, ingress) = (self.runtime_classes.clone(), self.ingress_classes.clone());
        clean_up(admin_config(), "the class clean-up", |client| async move {
            let dp = DeleteParams::default();
            for name in &runtime {
                let _ = Api::<RuntimeClass>::all(client.clone())
                    .delete(name, &dp)
                    .await;
            }
            for name in &ingress {
                let _ = Api::<IngressClass>::all(client.clone())
                    .delete(name, &dp)
                    .await;
            }
        });
    }
}

#[tokio::test]
async fn limit_ranges_default_and_bound_containers_and_claims() {
    let ctx = setup("limits").await;
    let ranges = Api::<LimitRange>::namespaced(ctx.client.clone(), &ctx.ns);
    let range: LimitRange = serde_json::from_value(json!({"metadata": {"name": "bounds"},
        "spec": {"limits": [
            {"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "50m"},
             "default": {"cpu": "200m", "memory": "128Mi"},
             "defaultRequest": {"cpu": "100m", "memory": "64Mi"}},
            {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}}]}}))
    .unwrap();
    ranges.create(&PostParams::default(), &range).await.unwrap();
    let pods = ctx.client.pods(&ctx.ns);

    let made = pods
        .create(&PostParams::default(), &pod("plain", json!({}), json!({})))
        .await
        .unwrap();
    let made = serde_json::to_value(&made).unwrap();
    assert_eq!(
        made["spec"]["containers"][0]["resources"],
        json!({"requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"}})
    );
    assert_eq!(
        made["metadata"]["annotations"]["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c"
    );

    let big = pod(
        "big",
        json!({"resources": {"limits": {"cpu": "2"}}}),
        json!({}),
    );
    let err = pods.create(&PostParams::default(), &big).await.unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            403,
            "pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2"
                .to_owned()
        )
    );

    let tiny = pod(
        "tiny",
        json!({"resources": {"requests": {"cpu": "10m"}, "limits": {"cpu": "10m"}}}),
        json!({}),
    );
    let err = pods
        .create(&PostParams::default(), &tiny)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err).1,
        "pods \"tiny\" is forbidden: minimum cpu usage per Container is 50m, but request is 10m"
    );

    let claims = Api::<PersistentVolumeClaim>::namespaced(ctx.client.clone(), &ctx.ns);
    let claim: PersistentVolumeClaim = serde_json::from_value(json!({"metadata": {"name": "huge"},
        "spec": {"accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "20Gi"}}}}))
    .unwrap();
    let err = claims
        .create(&PostParams::default(), &claim)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            403,
            "persistentvolumeclaims \"huge\" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi"
                .to_owned()
        )
    );
}

#[tokio::test]
async fn a_runtime_class_sets_overhead_and_node_selector() {
    let ctx = setup("runtime-class").await;
    let name = unique(&ctx, "rc");
    let _cleanup = Cleanup {
        runtime_classes: vec![name.clone()],
        ingress_classes: Vec::new(),
    };
    let class: RuntimeClass = serde_json::from_value(json!({"metadata": {"name": name},
        "handler": "runc",
        "overhead": {"podFixed": {"cpu": "10m", "memory": "16Mi"}},
        "scheduling": {"nodeSelector": {"kubeset.test/runtime": name}}}))
    .unwrap();
    Api::<RuntimeClass>::all(ctx.client.clone())
        .create(&PostParams::default(), &class)
        .await
        .unwrap();
    let pods = ctx.client.pods(&ctx.ns);

    let made = pods
        .create(
            &PostParams::default(),
            &pod("sandboxed", json!({}), json!({"runtimeClassName": name})),
        )
        .await
        .unwrap();
    let made = serde_json::to_value(&made).unwrap();
    assert_eq!(
        made["spec"]["overhead"],
        json!({"cpu": "10m", "memory": "16Mi"})
    );
    assert_eq!(
        made["spec"]["nodeSelector"],
        json!({"kubeset.test/runtime": name})
    );

    let missing = format!("{name}-missing");
    let err = pods
        .create(
            &PostParams::default(),
            &pod("lost", json!({}), json!({"runtimeClassName": missing})),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err),
        (
            403,
            format!(
                "pods \"lost\" is forbidden: pod rejected: RuntimeClass \"{missing}\" not found"
            )
        )
    );

    let err = pods
        .create(
            &PostParams::default(),
            &pod(
                "padded",
                json!({}),
                json!({"runtimeClassName": name, "overhead": {"cpu": "1"}}),
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err).1,
        "pods \"padded\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"
    );
}

#[tokio::test]
async fn an_ingress_without_a_class_gets_the_newest_default() {
    let ctx = setup("ingress-class").await;
    let name = unique(&ctx, "ic");
    let _cleanup = Cleanup {
        runtime_classes: Vec::new(),
        ingress_classes: vec![name.clone()],
    };
    let class: IngressClass = serde_json::from_value(json!({"metadata": {"name": name,
        "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "example.com/kubeset-test"}}))
    .unwrap();
    Api::<IngressClass>::all(ctx.client.clone())
        .create(&PostParams::default(), &class)
        .await
        .unwrap();
    let ingresses = Api::<Ingress>::namespaced(ctx.client.clone(), &ctx.ns);
    let backend = json!({"service": {"name": "web", "port": {"number": 80}}});

    let bare: Ingress = serde_json::from_value(
        json!({"metadata": {"name": "bare"}, "spec": {"defaultBackend": backend}}),
    )
    .unwrap();
    // the real plugin reads IngressClasses through an informer: dry runs until it sees ours
    let deadline = Instant::now() + WAIT;
    loop {
        let tried = ingresses
            .create(&PostParams::default().dry_run(), &bare)
            .await
            .unwrap();
        let class = tried.spec.and_then(|s| s.ingress_class_name);
        if class.as_deref() == Some(name.as_str()) {
            break;
        }
        assert!(Instant::now() < deadline, "default class is {class:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let made = ingresses
        .create(&PostParams::default(), &bare)
        .await
        .unwrap();
    assert_eq!(
        made.spec.and_then(|s| s.ingress_class_name),
        Some(name.clone())
    );

    let named: Ingress = serde_json::from_value(json!({"metadata": {"name": "named"},
        "spec": {"ingressClassName": "other", "defaultBackend": backend}}))
    .unwrap();
    let made = ingresses
        .create(&PostParams::default(), &named)
        .await
        .unwrap();
    assert_eq!(
        made.spec.and_then(|s| s.ingress_class_name).as_deref(),
        Some("other")
    );
}

/// `status.used[resource]` of quota `name` once its status lists `resource`; panics after
/// [`WAIT`].
async fn used(quotas: &Api<ResourceQuota>, name: &str, resource: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = quotas.get(name).await.unwrap().status.unwrap_or_default();
        if let Some(q) = status.used.unwrap_or_default().get(resource) {
            return q.0.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{name}: no used {resource} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn quota_admission_charges_what_it_admits() {
    let ctx = setup("quota-charge").await;
    let quotas = Api::<ResourceQuota>::namespaced(ctx.client.clone(), &ctx.ns);
    let quota: ResourceQuota = serde_json::from_value(
        json!({"metadata": {"name": "three"}, "spec": {"hard": {"pods": "3"}}}),
    )
    .unwrap();
    quotas.create(&PostParams::default(), &quota).await.unwrap();
    assert_eq!(used(&quotas, "three", "pods").await, "0");
    let pods = ctx.client.pods(&ctx.ns);

    // a dry run is admitted but charges nothing
    let dry = PostParams::default().dry_run();
    pods.create(&dry, &pod("dry", json!({}), json!({})))
        .await
        .unwrap();
    assert_eq!(used(&quotas, "three", "pods").await, "0");

    // eight creates at once: exactly three pass, and status.used says so at once
    let creates = (0..8).map(|i| {
        let pods = pods.clone();
        async move {
            pods.create(
                &PostParams::default(),
                &pod(&format!("p{i}"), json!({}), json!({})),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(creates).await;
    let outcomes: Vec<Result<(), String>> = results
        .iter()
        .map(|r| r.as_ref().map(|_| ()).map_err(ToString::to_string))
        .collect();
    let admitted = outcomes.iter().filter(|r| r.is_ok()).count();
    assert_eq!(admitted, 3, "{outcomes:?}");
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        let (code, message) = refusal(err);
        assert_eq!(code, 403, "{message}");
        assert!(
            message.contains(
                "exceeded quota: three, requested: pods=1, used: pods=3, limited: pods=3"
            ),
            "{message}"
        );
    }
    assert_eq!(used(&quotas, "three", "pods").await, "3");
}

#[tokio::test]
async fn limit_range_defaults_count_towards_a_quota() {
    let ctx = setup("limits-quota").await;
    let quotas = Api::<ResourceQuota>::namespaced(ctx.client.clone(), &ctx.ns);
    let quota: ResourceQuota = serde_json::from_value(
        json!({"metadata": {"name": "cpu"}, "spec": {"hard": {"requests.cpu": "1"}}}),
    )
    .unwrap();
    quotas.create(&PostParams::default(), &quota).await.unwrap();
    assert_eq!(used(&quotas, "cpu", "requests.cpu").await, "0");
    let pods = ctx.client.pods(&ctx.ns);

    // without a default the quota needs the request spelled out
    let err = pods
        .create(&PostParams::default(), &pod("bare", json!({}), json!({})))
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&err).1,
        "pods \"bare\" is forbidden: failed quota: cpu: must specify requests.cpu for: c"
    );

    // LimitRanger runs before ResourceQuota: its default request satisfies and is charged
    let ranges = Api::<LimitRange>::namespaced(ctx.client.clone(), &ctx.ns);
    let range: LimitRange = serde_json::from_value(json!({"metadata": {"name": "defaults"},
        "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "400m"}}]}}))
    .unwrap();
    ranges.create(&PostParams::default(), &range).await.unwrap();
    // a real LimitRanger reads LimitRanges through an informer (and caches an empty answer
    // for a while): retry until it sees the new one
    let deadline = Instant::now() + WAIT;
    let made = loop {
        match pods
            .create(&PostParams::default(), &pod("bare", json!({}), json!({})))
            .await
        {
            Ok(made) => break made,
            Err(err) if err.is_forbidden() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(err) => panic!("{err}"),
        }
    };
    let made = serde_json::to_value(&made).unwrap();
    assert_eq!(
        made["spec"]["containers"][0]["resources"],
        json!({"requests": {"cpu": "400m"}})
    );
    assert_eq!(used(&quotas, "cpu", "requests.cpu").await, "400m");
}
