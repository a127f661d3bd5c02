//! The `scheduler` example, deployed with its manifests' permissions and run as a pod would
//! run it: pods placed by its filters and score, kube-scheduler's FailedScheduling text, a
//! retry when a fitting node appears, other schedulers' pods left alone, one leader of two
//! replicas, and a prompt exit on SIGTERM that hands the lease over.

use std::mem::ManuallyDrop;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::api::storage::v1::StorageClass;
use kubeset::clientset::{Api, Client, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kubeset::config::Config;
use kubeset::config::kubeconfig::Overrides;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::deploy::{Daemon, Deployed, apply, apply_to, manifests};
use crate::support::least_privilege::assert_exactly_granted;
use crate::support::{Ctx, ServiceAccountFiles, no_env, setup};

const MANIFESTS: &str = "examples/deploy/scheduler/scheduler.yaml";
const WAIT: Duration = Duration::from_secs(30);

/// A Ready node `<ns>-<suffix>` in the test's pool, with `cpu`, `memory`, extra `labels`
/// and exactly `taints` (the not-ready taint admission adds is taken off, as the node
/// lifecycle controller does once the kubelet reports Ready).
async fn node(
    ctx: &Ctx,
    deployed: &mut Deployed,
    suffix: &str,
    cpu: &str,
    memory: &str,
    labels: Value,
    taints: Value,
) -> String {
    let name = format!("{}-{suffix}", ctx.ns);
    let mut all_labels = json!({"kubeset.test/pool": ctx.ns, "kubernetes.io/hostname": name});
    all_labels
        .as_object_mut()
        .unwrap()
        .extend(labels.as_object().unwrap().clone());
    let resources = json!({"cpu": cpu, "memory": memory, "pods": "110"});
    let node: Node = serde_json::from_value(json!({
        "metadata": {"name": name, "labels": all_labels},
        "status": {
            "capacity": resources,
            "allocatable": resources,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
        },
    }))
    .unwrap();
    ctx.client
        .nodes()
        .create(&PostParams::default(), &node)
        .await
        .unwrap();
    deployed.track_node(&name);
    ctx.client
        .nodes()
        .patch(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"taints": taints}})),
        )
        .await
        .unwrap();
    name
}

/// A pod of scheduler `scheduler` requesting `cpu`, with `spec` merged in.
async fn pod(ctx: &Ctx, name: &str, scheduler: &str, cpu: &str, spec: Value) {
    let mut body = json!({
        "metadata": {"name": name},
        "spec": {
            "schedulerName": scheduler,
            "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
                            "resources": {"requests": {"cpu": cpu}}}],
        },
    });
    body["spec"]
        .as_object_mut()
        .unwrap()
        .extend(spec.as_object().unwrap().clone());
    let pod: Pod = serde_json::from_value(body).unwrap();
    ctx.client
        .pods(&ctx.ns)
        .create(&PostParams::default(), &pod)
        .await
        .unwrap();
}

/// The node pod `name` is bound to, once it is (panics after [`WAIT`]).
async fn bound(ctx: &Ctx, name: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let pod = ctx.client.pods(&ctx.ns).get(name).await.unwrap();
        if let Some(node) = pod.spec.and_then(|s| s.node_name) {
            return node;
        }
        assert!(
            Instant::now() < deadline,
            "pod {name} not bound within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The note of the first Event with `reason` about pod `name` (panics after [`WAIT`]).
async fn event_note(ctx: &Ctx, name: &str, reason: &str) -> String {
    let events: Api<Event> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let deadline = Instant::now() + WAIT;
    loop {
        let list = events.list(&ListParams::default()).await.unwrap();
        let found = list.items.into_iter().find(|e| {
            e.reason.as_deref() == Some(reason)
                && e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name)
        });
        if let Some(event) = found {
            return event.note.unwrap_or_default();
        }
        assert!(
            Instant::now() < deadline,
            "no {reason} Event for {name} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn deploy(ctx: &Ctx, edit: impl FnOnce(&mut Vec<Value>)) -> (Deployed, ServiceAccountFiles) {
    let mut objects = manifests(MANIFESTS);
    edit(&mut objects);
    let deployed = apply(ctx, objects).await;
    let files = ServiceAccountFiles::new(ctx, "kubeset-scheduler").await;
    (deployed, files)
}

#[tokio::test]
async fn scheduler_places_pods_as_kube_scheduler_would_under_one_leader() {
    let ctx = setup("scheduler").await;
    let (mut deployed, files) = deploy(&ctx, |_| {}).await;
    let name = format!("sched-{}", ctx.ns);
    let pool = format!("--node-selector=kubeset.test/pool={}", ctx.ns);
    let args = [format!("--scheduler-name={name}"), pool];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let a = node(
        &ctx,
        &mut deployed,
        "a",
        "2",
        "4Gi",
        json!({"disk": "ssd"}),
        json!([]),
    )
    .await;
    let gpu_taint = json!([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]);
    let b = node(&ctx, &mut deployed, "b", "4", "8Gi", json!({}), gpu_taint).await;
    let c = node(&ctx, &mut deployed, "c", "1", "2Gi", json!({}), json!([])).await;

    let mut first = Daemon::start("scheduler", &files, "scheduler-0", &args);
    first.wait_for("scheduler-0 leads", WAIT).await;

    // node selector
    pod(
        &ctx,
        "ssd",
        &name,
        "500m",
        json!({"nodeSelector": {"disk": "ssd"}}),
    )
    .await;
    // a toleration opens the tainted node, required affinity picks it
    pod(&ctx, "gpu", &name, "100m", json!({
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}],
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [b]}]}]}}},
    })).await;
    assert_eq!(bound(&ctx, "ssd").await, a, "{}", first.output());
    assert_eq!(bound(&ctx, "gpu").await, b);
    // least allocated: c (1 CPU, empty) scores 90, a (2 CPU, 500m used) 80
    pod(&ctx, "small", &name, "100m", json!({})).await;
    assert_eq!(bound(&ctx, "small").await, c);
    assert_eq!(
        event_note(&ctx, "ssd", "Scheduled").await,
        format!("Successfully assigned {}/ssd to {a}", ctx.ns)
    );

    // fits nowhere: kube-scheduler's message, then bound once a big node appears
    pod(&ctx, "big", &name, "3", json!({})).await;
    assert_eq!(
        event_note(&ctx, "big", "FailedScheduling").await,
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu."
    );
    // and the PodScheduled condition, as kube-scheduler sets it
    let deadline = Instant::now() + WAIT;
    loop {
        let big = ctx.client.pods(&ctx.ns).get("big").await.unwrap();
        let conditions = big.status.unwrap().conditions.unwrap_or_default();
        let scheduled = conditions.into_iter().find(|c| c.type_ == "PodScheduled");
        let got = scheduled.map(|c| (c.status, c.reason, c.message));
        let expected = (
            "False".to_owned(),
            Some("Unschedulable".to_owned()),
            Some("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.".to_owned()),
        );
        if got.as_ref() == Some(&expected) {
            break;
        }
        assert!(Instant::now() < deadline, "PodScheduled condition {got:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // another scheduler's pod is never touched
    pod(&ctx, "other", "someone-else", "100m", json!({})).await;
    let d = node(&ctx, &mut deployed, "d", "8", "16Gi", json!({}), json!([])).await;
    assert_eq!(bound(&ctx, "big").await, d);

    // what bound pods request counts: 6 CPUs fit nowhere while big holds 3 of d's 8, and
    // fit once big is gone (a deleted pod retries the unschedulable ones)
    pod(&ctx, "huge", &name, "6", json!({})).await;
    assert_eq!(
        event_note(&ctx, "huge", "FailedScheduling").await,
        "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 3 Insufficient cpu."
    );
    // no kubelet confirms a graceful deletion here: force it, as `kubectl delete --force`
    let now = DeleteParams::default().grace_period(0);
    ctx.client.pods(&ctx.ns).delete("big", &now).await.unwrap();
    assert_eq!(bound(&ctx, "huge").await, d);

    // a second replica waits while the first leads
    let mut second = Daemon::start("scheduler", &files, "scheduler-1", &args);
    second.wait_for("scheduler-1 campaigning", WAIT).await;
    pod(&ctx, "late", &name, "100m", json!({})).await;
    bound(&ctx, "late").await;
    // the binding is visible before the daemon's line about it is read: wait for the line
    first
        .wait_for(&format!("bound {}/late", ctx.ns), WAIT)
        .await;
    assert!(!second.stdout().contains("bound "), "{}", second.output());
    assert!(!second.stdout().contains("leads"), "{}", second.output());

    // SIGTERM: a prompt, clean exit that releases the lease to the second replica
    assert!(
        first.terminate(Duration::from_secs(10)).await,
        "{}",
        first.output()
    );
    assert!(
        first.stdout().contains("lease released"),
        "{}",
        first.output()
    );
    second.wait_for("scheduler-1 leads", WAIT).await;
    pod(&ctx, "after", &name, "100m", json!({})).await;
    bound(&ctx, "after").await;
    second
        .wait_for(&format!("bound {}/after", ctx.ns), WAIT)
        .await;
    assert!(
        second.terminate(Duration::from_secs(10)).await,
        "{}",
        second.output()
    );

    let other = ctx.client.pods(&ctx.ns).get("other").await.unwrap();
    assert_eq!(other.spec.unwrap().node_name, None);
}

#[tokio::test]
async fn scheduler_without_the_binding_rule_names_it_and_exits() {
    let ctx = setup("scheduler-rbac").await;
    let (_deployed, files) = deploy(&ctx, |objects| {
        let role = objects
            .iter_mut()
            .find(|o| o["kind"] == "ClusterRole")
            .unwrap();
        let rules = role["rules"].as_array_mut().unwrap();
        rules.retain(|rule| rule["resources"] != json!(["pods/binding"]));
    })
    .await;
    let mut daemon = Daemon::start("scheduler", &files, "scheduler-0", &[]);
    assert!(!daemon.wait(WAIT).await, "{}", daemon.output());
    let stderr = daemon.stderr();
    let user = format!("system:serviceaccount:{}:kubeset-scheduler", ctx.ns);
    assert!(
        stderr.contains(&format!("{user} lacks 1 permission(s)")),
        "{stderr}"
    );
    assert!(
        stderr.contains("create pods/binding (cluster-wide)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("- pods/binding"),
        "the rule that would allow it: {stderr}"
    );
}

/// A `WaitForFirstConsumer` claim: the pod goes where a fitting volume is, the claim gets
/// `volume.kubernetes.io/selected-node` and is bound there (by the test server's PV binder,
/// on a private server as it is off on the shared one), and a claim with no volume anywhere
/// waits with kube-scheduler's message until one appears. The scheduler's manifests grant
/// exactly what it used for all of it (from the test server's audit log).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduler_places_wait_for_first_consumer_claims_on_their_volume_node() {
    let server = TestServer::builder()
        .pv_binder(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    server.write_kubeconfig(&path).unwrap();
    let admin =
        Config::from_kubeconfig_with(Some(&path), &no_env(), &Overrides::default()).unwrap();
    let client = Client::new(admin.clone()).unwrap();
    let ns = "wffc".to_owned();
    let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap();
    client
        .namespaces()
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    // a Ctx of the private server; its namespace goes with the server
    let ctx = ManuallyDrop::new(Ctx {
        client: client.clone(),
        ns: ns.clone(),
    });
    let mut deployed = apply_to(&ctx, admin, manifests(MANIFESTS)).await;
    let env = server
        .service_account_env(&ns, "kubeset-scheduler")
        .await
        .unwrap();
    let files = ServiceAccountFiles::TestServer(env);

    let a = node(&ctx, &mut deployed, "a", "2", "4Gi", json!({}), json!([])).await;
    let b = node(&ctx, &mut deployed, "b", "2", "4Gi", json!({}), json!([])).await;
    let class: StorageClass = serde_json::from_value(json!({
        "metadata": {"name": "local"},
        "provisioner": "kubernetes.io/no-provisioner",
        "volumeBindingMode": "WaitForFirstConsumer",
    }))
    .unwrap();
    client
        .storage_classes()
        .create(&PostParams::default(), &class)
        .await
        .unwrap();
    let volume = |name: &str, node: &str| -> PersistentVolume {
        serde_json::from_value(json!({
            "metadata": {"name": name},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": "local",
                "local": {"path": "/mnt/disks/vol1"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}},
            },
        }))
        .unwrap()
    };
    client
        .persistent_volumes()
        .create(&PostParams::default(), &volume("pv-b", &b))
        .await
        .unwrap();
    for claim in ["data", "more"] {
        let claim: PersistentVolumeClaim = serde_json::from_value(json!({
            "metadata": {"name": claim},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local",
                     "resources": {"requests": {"storage": "1Gi"}}},
        }))
        .unwrap();
        client
            .persistent_volume_claims(&ns)
            .create(&PostParams::default(), &claim)
            .await
            .unwrap();
    }
    let name = "wffc-scheduler";
    let claim = |claim: &str| json!({"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": claim}}]});

    let args = [format!("--scheduler-name={name}")];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut daemon = Daemon::start("scheduler", &files, "scheduler-0", &args);
    daemon.wait_for("scheduler-0 leads", WAIT).await;

    // a and b score the same and a comes first by name: the volume decides
    pod(&ctx, "uses-data", name, "100m", claim("data")).await;
    assert_eq!(bound(&ctx, "uses-data").await, b, "{}", daemon.output());
    let data = client
        .persistent_volume_claims(&ns)
        .get("data")
        .await
        .unwrap();
    let selected = data
        .metadata
        .annotations
        .unwrap_or_default()
        .get("volume.kubernetes.io/selected-node")
        .cloned();
    assert_eq!(selected, Some(b.clone()));
    assert_eq!(data.spec.unwrap().volume_name.as_deref(), Some("pv-b"));

    // no volume left: kube-scheduler's message, then bound where a new volume appears
    pod(&ctx, "uses-more", name, "100m", claim("more")).await;
    assert_eq!(
        event_note(&ctx, "uses-more", "FailedScheduling").await,
        "0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind."
    );
    // a volume on no node of ours: the pod is retried and fails the same way, and its Event
    // becomes a series (the recorder patches the count)
    client
        .persistent_volumes()
        .create(&PostParams::default(), &volume("pv-x", "nowhere"))
        .await
        .unwrap();
    let events: Api<Event> = Api::namespaced(client.clone(), &ns);
    let deadline = Instant::now() + WAIT;
    loop {
        let list = events.list(&ListParams::default()).await.unwrap();
        let repeated = list.items.iter().any(|e| {
            e.reason.as_deref() == Some("FailedScheduling")
                && e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("uses-more")
                && e.series.as_ref().is_some_and(|s| s.count >= 2)
        });
        if repeated {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no FailedScheduling series\n{}",
            daemon.output()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client
        .persistent_volumes()
        .create(&PostParams::default(), &volume("pv-a", &a))
        .await
        .unwrap();
    assert_eq!(bound(&ctx, "uses-more").await, a, "{}", daemon.output());
    assert!(
        daemon.terminate(Duration::from_secs(10)).await,
        "{}",
        daemon.output()
    );

    // least privilege: all of this (leader election, binding, Events, the PodScheduled
    // condition, the selected-node annotation, the volume caches) is exactly what the
    // manifests grant, the test's namespace standing for theirs
    let usage = assert_exactly_granted(
        &server,
        "system:serviceaccount:kubeset-system:kubeset-scheduler",
        "examples/deploy/scheduler",
        &[
            ("\"wffc\"", "\"kubeset-system\""),
            (":wffc:", ":kubeset-system:"),
        ],
    )
    .await;
    assert!(usage.denied.is_empty(), "{:?}", usage.denied);
    drop(deployed);
}
