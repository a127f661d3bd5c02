//! The PersistentVolume binder (`TestServerBuilder::pv_binder`): static binding, its writes,
//! `WaitForFirstConsumer`, release and the reclaim policies, concurrency.

use std::time::Duration;

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{admin, namespace, send_with_type};

const PVS: &str = "/api/v1/persistentvolumes";

async fn server() -> TestServer {
    TestServer::builder()
        .pv_binder(Duration::from_millis(500))
        .start()
        .await
        .unwrap()
}

fn claims(ns: &str) -> String {
    format!("/api/v1/namespaces/{ns}/persistentvolumeclaims")
}

async fn create(server: &TestServer, path: &str, body: Value) -> Value {
    let a = admin(server, Method::POST, path, Some(body)).await;
    assert_eq!(a.status, 201, "{path}: {:?}", a.json());
    a.json()
}

async fn get(server: &TestServer, path: &str) -> Value {
    let a = admin(server, Method::GET, path, None).await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.json());
    a.json()
}

async fn merge_patch(server: &TestServer, path: &str, patch: Value) -> Value {
    let body = serde_json::to_vec(&patch).unwrap();
    let a = send_with_type(
        server,
        Method::PATCH,
        path,
        "application/merge-patch+json",
        body,
    )
    .await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.json());
    a.json()
}

/// Polls `path` until `done` holds; panics after ~15 s.
async fn wait(server: &TestServer, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        let a = admin(server, Method::GET, path, None).await;
        last = a.json();
        if a.status == 200 && done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: never {what}; last: {last}");
}

fn phase(obj: &Value) -> &str {
    obj["status"]["phase"].as_str().unwrap_or("")
}

/// A volume: `capacity`, access modes, class (`None`: no `storageClassName`), extra spec.
fn volume(name: &str, capacity: &str, modes: &[&str], class: Option<&str>, extra: Value) -> Value {
    let mut spec = json!({
        "capacity": {"storage": capacity},
        "accessModes": modes,
        "persistentVolumeReclaimPolicy": "Retain",
        "local": {"path": format!("/mnt/disks/{name}")},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-a"]}]}]}},
    });
    if let Some(c) = class {
        spec["storageClassName"] = c.into();
    }
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        spec[k] = v;
    }
    json!({"metadata": {"name": name}, "spec": spec})
}

fn claim(name: &str, size: &str, modes: &[&str], class: Option<&str>, extra: Value) -> Value {
    let mut spec = json!({"accessModes": modes, "resources": {"requests": {"storage": size}}});
    if let Some(c) = class {
        spec["storageClassName"] = c.into();
    }
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        spec[k] = v;
    }
    json!({"metadata": {"name": name}, "spec": spec})
}

/// Waits for the claim to be Bound; returns it.
async fn bound(server: &TestServer, ns: &str, name: &str) -> Value {
    let path = format!("{}/{name}", claims(ns));
    wait(server, &path, "Bound", |c| phase(c) == "Bound").await
}

/// Waits for an Event in `ns` about `object` with `reason`; returns its message.
async fn event(server: &TestServer, ns: &str, object: &str, reason: &str) -> Value {
    let path = format!(
        "/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name%3D{object},reason%3D{reason}"
    );
    let list = wait(server, &path, reason, |l| {
        l["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    list["items"][0].clone()
}

async fn wait_available(server: &TestServer, name: &str) {
    let path = format!("{PVS}/{name}");
    wait(server, &path, "Available", |v| phase(v) == "Available").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_bind_the_smallest_volume_that_fits_class_modes_and_volume_mode() {
    let server = server().await;
    namespace(&server, "pvb-fit").await;
    let rwo = ["ReadWriteOnce"];
    for v in [
        volume("fit-small", "1Gi", &rwo, Some("fast"), json!({})),
        volume("fit-exact", "2Gi", &rwo, Some("fast"), json!({})),
        volume("fit-big", "5Gi", &rwo, Some("fast"), json!({})),
        volume(
            "fit-wide",
            "2Gi",
            &["ReadWriteOnce", "ReadOnlyMany"],
            Some("fast"),
            json!({}),
        ),
        volume("fit-slow", "2Gi", &rwo, Some("slow"), json!({})),
        volume(
            "fit-block",
            "2Gi",
            &rwo,
            Some("fast"),
            json!({"volumeMode": "Block"}),
        ),
    ] {
        let name = v["metadata"]["name"].as_str().unwrap().to_owned();
        create(&server, PVS, v).await;
        wait_available(&server, &name).await;
    }
    let rv0 = get(&server, PVS).await["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = create(
        &server,
        &claims("pvb-fit"),
        claim("data", "1500Mi", &rwo, Some("fast"), json!({})),
    )
    .await;
    let uid = c["metadata"]["uid"].as_str().unwrap().to_owned();
    let c = bound(&server, "pvb-fit", "data").await;
    // the smallest fitting volume among those offering exactly RWO (fit-wide is as small)
    assert_eq!(c["spec"]["volumeName"], "fit-exact");
    assert_eq!(
        c["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"],
        "yes"
    );
    assert_eq!(
        c["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"],
        "yes"
    );
    assert_eq!(c["status"]["accessModes"], json!(["ReadWriteOnce"]));
    assert_eq!(c["status"]["capacity"], json!({"storage": "2Gi"}));
    let v = wait(&server, &format!("{PVS}/fit-exact"), "Bound", |v| {
        phase(v) == "Bound"
    })
    .await;
    let r = &v["spec"]["claimRef"];
    assert_eq!(r["kind"], "PersistentVolumeClaim");
    assert_eq!(r["apiVersion"], "v1");
    assert_eq!(r["namespace"], "pvb-fit");
    assert_eq!(r["name"], "data");
    assert_eq!(r["uid"], uid.as_str());
    assert!(r["resourceVersion"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(
        v["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"],
        "yes"
    );
    let managers: Vec<&str> = v["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(
        managers.contains(&"kube-controller-manager"),
        "{managers:?}"
    );

    // the four writes, in the controller's order
    let mut writes = Vec::new();
    for (path, name) in [(PVS.to_owned(), "fit-exact"), (claims("pvb-fit"), "data")] {
        let w = admin(
            &server,
            Method::GET,
            &format!("{path}?watch=1&resourceVersion={rv0}&timeoutSeconds=1"),
            None,
        )
        .await;
        for line in std::str::from_utf8(&w.body).unwrap().lines() {
            let e: Value = serde_json::from_str(line).unwrap();
            let o = &e["object"];
            if e["type"] == "MODIFIED" && o["metadata"]["name"] == name {
                let rv: u64 = o["metadata"]["resourceVersion"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let what = match (o["kind"].as_str().unwrap(), phase(o)) {
                    ("PersistentVolume", "Bound") => "volume phase",
                    ("PersistentVolume", _) => "volume claimRef",
                    (_, "Bound") => "claim status",
                    _ => "claim volumeName",
                };
                writes.push((rv, what));
            }
        }
    }
    writes.sort();
    let order: Vec<&str> = writes.iter().map(|(_, w)| *w).collect();
    assert_eq!(
        order,
        [
            "volume claimRef",
            "volume phase",
            "claim volumeName",
            "claim status"
        ]
    );

    // ReadOnlyMany only in the wider set; Block only on the Block volume
    create(
        &server,
        &claims("pvb-fit"),
        claim("shared", "1Gi", &["ReadOnlyMany"], Some("fast"), json!({})),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-fit", "shared").await["spec"]["volumeName"],
        "fit-wide"
    );
    create(
        &server,
        &claims("pvb-fit"),
        claim(
            "raw",
            "1Gi",
            &rwo,
            Some("fast"),
            json!({"volumeMode": "Block"}),
        ),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-fit", "raw").await["spec"]["volumeName"],
        "fit-block"
    );
    create(
        &server,
        &claims("pvb-fit"),
        claim("slow", "1Gi", &rwo, Some("slow"), json!({})),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-fit", "slow").await["spec"]["volumeName"],
        "fit-slow"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selectors_and_the_empty_class_choose_among_volumes() {
    let server = server().await;
    namespace(&server, "pvb-sel").await;
    let rwo = ["ReadWriteOnce"];
    let mut gold = volume("sel-gold", "8Gi", &rwo, Some("fast"), json!({}));
    gold["metadata"]["labels"] = json!({"tier": "gold"});
    for v in [
        volume("sel-plain", "1Gi", &rwo, Some("fast"), json!({})),
        gold,
        volume("sel-classless", "4Gi", &rwo, None, json!({})),
    ] {
        let name = v["metadata"]["name"].as_str().unwrap().to_owned();
        create(&server, PVS, v).await;
        wait_available(&server, &name).await;
    }
    let selector = json!({"selector": {"matchLabels": {"tier": "gold"}}});
    create(
        &server,
        &claims("pvb-sel"),
        claim("gold", "1Gi", &rwo, Some("fast"), selector),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-sel", "gold").await["spec"]["volumeName"],
        "sel-gold"
    );
    // "" is the empty class: only a volume without a class fits, however small the others
    create(
        &server,
        &claims("pvb-sel"),
        claim("none", "1Gi", &rwo, Some(""), json!({})),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-sel", "none").await["spec"]["volumeName"],
        "sel-classless"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_bound_claims_and_volumes_bind_to_each_other_only() {
    let server = server().await;
    namespace(&server, "pvb-pre").await;
    let rwo = ["ReadWriteOnce"];
    let reserved = volume(
        "pre-reserved",
        "1Gi",
        &rwo,
        Some("fast"),
        json!({"claimRef": {"namespace": "pvb-pre", "name": "owner"}}),
    );
    for v in [
        reserved,
        volume("pre-named", "9Gi", &rwo, Some("fast"), json!({})),
        volume("pre-tiny", "1Mi", &rwo, Some("fast"), json!({})),
        volume("pre-other", "5Gi", &rwo, Some("fast"), json!({})),
    ] {
        let name = v["metadata"]["name"].as_str().unwrap().to_owned();
        create(&server, PVS, v).await;
        // a claimRef without a UID is still Available
        wait_available(&server, &name).await;
    }
    // a claim naming a volume gets that one, not the smaller fitting one
    create(
        &server,
        &claims("pvb-pre"),
        claim(
            "named",
            "1Gi",
            &rwo,
            Some("fast"),
            json!({"volumeName": "pre-named"}),
        ),
    )
    .await;
    let c = bound(&server, "pvb-pre", "named").await;
    assert_eq!(c["spec"]["volumeName"], "pre-named");
    let ann = &c["metadata"]["annotations"];
    assert!(
        ann.get("pv.kubernetes.io/bound-by-controller").is_none(),
        "{ann}"
    );
    assert_eq!(ann["pv.kubernetes.io/bind-completed"], "yes");
    let v = get(&server, &format!("{PVS}/pre-named")).await;
    assert_eq!(
        v["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"],
        "yes"
    );

    // the reserved volume is not given to another claim that fits it
    create(
        &server,
        &claims("pvb-pre"),
        claim("stranger", "1Gi", &rwo, Some("fast"), json!({})),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-pre", "stranger").await["spec"]["volumeName"],
        "pre-other"
    );
    let c = create(
        &server,
        &claims("pvb-pre"),
        claim("owner", "1Gi", &rwo, Some("fast"), json!({})),
    )
    .await;
    let c2 = bound(&server, "pvb-pre", "owner").await;
    assert_eq!(c2["spec"]["volumeName"], "pre-reserved");
    assert_eq!(
        c2["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"],
        "yes"
    );
    let v = get(&server, &format!("{PVS}/pre-reserved")).await;
    assert_eq!(v["spec"]["claimRef"]["uid"], c["metadata"]["uid"]);
    assert!(
        v["metadata"]["annotations"]
            .get("pv.kubernetes.io/bound-by-controller")
            .is_none()
    );

    // a named volume that does not fit: Pending with the controller's Event
    create(
        &server,
        &claims("pvb-pre"),
        claim(
            "toobig",
            "1Gi",
            &rwo,
            Some("fast"),
            json!({"volumeName": "pre-tiny"}),
        ),
    )
    .await;
    let e = event(&server, "pvb-pre", "toobig", "VolumeMismatch").await;
    assert_eq!(e["type"], "Warning");
    assert_eq!(
        e["message"],
        "Cannot bind to requested volume \"pre-tiny\": requested PV is too small"
    );
    assert_eq!(e["source"]["component"], "persistentvolume-controller");
    let c = get(&server, &format!("{}/toobig", claims("pvb-pre"))).await;
    assert_eq!(phase(&c), "Pending");
    assert!(
        c["metadata"]["annotations"]
            .get("pv.kubernetes.io/bind-completed")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_without_a_match_stay_pending_with_the_controllers_events() {
    let server = server().await;
    namespace(&server, "pvb-none").await;
    let rwo = ["ReadWriteOnce"];
    create(
        &server,
        "/apis/storage.k8s.io/v1/storageclasses",
        json!({"metadata": {"name": "pvb-none-local"}, "provisioner": "kubernetes.io/no-provisioner"}),
    )
    .await;
    create(
        &server,
        PVS,
        volume("none-small", "1Gi", &rwo, Some(""), json!({})),
    )
    .await;
    let cases = [
        (
            "noclass",
            Some(""),
            "FailedBinding",
            "Normal",
            "no persistent volumes available for this claim and no storage class is set",
        ),
        (
            "missing",
            Some("pvb-none-missing"),
            "ProvisioningFailed",
            "Warning",
            "storageclass.storage.k8s.io \"pvb-none-missing\" not found",
        ),
        (
            "static",
            Some("pvb-none-local"),
            "ProvisioningFailed",
            "Warning",
            "no volume plugin matched name: kubernetes.io/no-provisioner",
        ),
    ];
    for (name, class, ..) in cases {
        create(
            &server,
            &claims("pvb-none"),
            claim(name, "2Gi", &rwo, class, json!({})),
        )
        .await;
    }
    for (name, _, reason, kind, message) in cases {
        let e = event(&server, "pvb-none", name, reason).await;
        assert_eq!(e["message"], message);
        assert_eq!(e["type"], kind);
        assert_eq!(e["involvedObject"]["kind"], "PersistentVolumeClaim");
        let c = get(&server, &format!("{}/{name}", claims("pvb-none"))).await;
        assert_eq!(phase(&c), "Pending", "{c}");
        assert!(c["spec"].get("volumeName").is_none(), "{c}");
    }
    let v = get(&server, &format!("{PVS}/none-small")).await;
    assert_eq!(phase(&v), "Available");
    assert!(v["spec"].get("claimRef").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_first_consumer_binds_a_volume_on_the_selected_node() {
    let server = server().await;
    namespace(&server, "pvb-wffc").await;
    create(
        &server,
        "/apis/storage.k8s.io/v1/storageclasses",
        json!({"metadata": {"name": "pvb-wffc"}, "provisioner": "kubernetes.io/no-provisioner",
               "volumeBindingMode": "WaitForFirstConsumer"}),
    )
    .await;
    for node in ["wffc-a", "wffc-b"] {
        create(
            &server,
            "/api/v1/nodes",
            json!({"metadata": {"name": node, "labels": {"kubernetes.io/hostname": node}}}),
        )
        .await;
    }
    let on = |name: &str, size: &str, node: &str| {
        volume(
            name,
            size,
            &["ReadWriteOnce"],
            Some("pvb-wffc"),
            json!({"nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}}),
        )
    };
    for v in [
        on("wffc-on-a", "2Gi", "wffc-a"),
        on("wffc-b-big", "20Gi", "wffc-b"),
        on("wffc-b-small", "5Gi", "wffc-b"),
    ] {
        let name = v["metadata"]["name"].as_str().unwrap().to_owned();
        create(&server, PVS, v).await;
        wait_available(&server, &name).await;
    }
    create(
        &server,
        &claims("pvb-wffc"),
        claim(
            "data",
            "1Gi",
            &["ReadWriteOnce"],
            Some("pvb-wffc"),
            json!({}),
        ),
    )
    .await;
    let e = event(&server, "pvb-wffc", "data", "WaitForFirstConsumer").await;
    assert_eq!(
        e["message"],
        "waiting for first consumer to be created before binding"
    );
    // a pod that uses the claim and is not scheduled yet is named at the next sync
    create(
        &server,
        "/api/v1/namespaces/pvb-wffc/pods",
        json!({"metadata": {"name": "web"}, "spec": {
            "containers": [{"name": "c", "image": "busybox"}],
            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]}}),
    )
    .await;
    let e = event(&server, "pvb-wffc", "data", "WaitForPodScheduled").await;
    assert_eq!(e["message"], "waiting for pod web to be scheduled");
    let path = format!("{}/data", claims("pvb-wffc"));
    let c = get(&server, &path).await;
    assert_eq!(phase(&c), "Pending");
    assert!(c["spec"].get("volumeName").is_none());

    // the scheduler picks node wffc-b: the smallest volume there
    merge_patch(
        &server,
        &path,
        json!({"metadata": {"annotations": {"volume.kubernetes.io/selected-node": "wffc-b"}}}),
    )
    .await;
    let c = bound(&server, "pvb-wffc", "data").await;
    assert_eq!(c["spec"]["volumeName"], "wffc-b-small");
    let v = get(&server, &format!("{PVS}/wffc-b-small")).await;
    assert_eq!(phase(&v), "Bound");
    assert_eq!(v["spec"]["claimRef"]["uid"], c["metadata"]["uid"]);
    let managers: Vec<&str> = v["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"kube-scheduler"), "{managers:?}");
    for other in ["wffc-on-a", "wffc-b-big"] {
        assert_eq!(
            phase(&get(&server, &format!("{PVS}/{other}")).await),
            "Available"
        );
    }
}

/// Deletes a claim and removes its `kubernetes.io/pvc-protection` finalizer, as the
/// pvc-protection controller would once no pod uses it.
async fn delete_claim(server: &TestServer, ns: &str, name: &str) {
    let path = format!("{}/{name}", claims(ns));
    let a = admin(server, Method::DELETE, &path, None).await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    merge_patch(server, &path, json!({"metadata": {"finalizers": null}})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn released_volumes_follow_their_reclaim_policy() {
    let server = server().await;
    namespace(&server, "pvb-rel").await;
    let rwo = ["ReadWriteOnce"];
    let mut provisioned = volume(
        "rel-provisioned",
        "1Gi",
        &rwo,
        Some("provisioned"),
        json!({"persistentVolumeReclaimPolicy": "Delete"}),
    );
    provisioned["metadata"]["annotations"] =
        json!({"pv.kubernetes.io/provisioned-by": "local-volume-provisioner-node-a-1234"});
    for v in [
        volume("rel-retain", "1Gi", &rwo, Some("retain"), json!({})),
        volume(
            "rel-delete",
            "1Gi",
            &rwo,
            Some("delete"),
            json!({"persistentVolumeReclaimPolicy": "Delete"}),
        ),
        volume(
            "rel-recycle",
            "1Gi",
            &rwo,
            Some("recycle"),
            json!({"persistentVolumeReclaimPolicy": "Recycle"}),
        ),
        provisioned,
    ] {
        let name = v["metadata"]["name"].as_str().unwrap().to_owned();
        create(&server, PVS, v).await;
        wait_available(&server, &name).await;
    }
    for class in ["retain", "delete", "recycle", "provisioned"] {
        create(
            &server,
            &claims("pvb-rel"),
            claim(class, "1Gi", &rwo, Some(class), json!({})),
        )
        .await;
        bound(&server, "pvb-rel", class).await;
        delete_claim(&server, "pvb-rel", class).await;
    }
    // Delete without a deleter plugin: Failed, with the deleter's error
    let v = wait(&server, &format!("{PVS}/rel-delete"), "Failed", |v| {
        phase(v) == "Failed"
    })
    .await;
    let msg =
        "error getting deleter volume plugin for volume \"rel-delete\": no volume plugin matched";
    assert_eq!(v["status"]["message"], msg);
    let e = event(&server, "default", "rel-delete", "VolumeFailedDelete").await;
    assert_eq!(e["message"], msg);
    assert_eq!(e["involvedObject"]["kind"], "PersistentVolume");
    // Recycle without a recycler: Failed
    let v = wait(&server, &format!("{PVS}/rel-recycle"), "Failed", |v| {
        phase(v) == "Failed"
    })
    .await;
    assert_eq!(
        v["status"]["message"],
        "No recycler plugin found for the volume!"
    );
    // Retain, and Delete of an externally provisioned volume: Released, claimRef kept
    for name in ["rel-retain", "rel-provisioned"] {
        let v = wait(&server, &format!("{PVS}/{name}"), "Released", |v| {
            phase(v) == "Released"
        })
        .await;
        assert_eq!(
            v["spec"]["claimRef"]["name"],
            name.trim_start_matches("rel-")
        );
    }
    // a volume created now is synced after the releases above: they are settled
    create(
        &server,
        PVS,
        volume("rel-probe", "1Gi", &rwo, Some("probe"), json!({})),
    )
    .await;
    wait_available(&server, "rel-probe").await;
    for name in ["rel-retain", "rel-provisioned"] {
        let v = get(&server, &format!("{PVS}/{name}")).await;
        assert_eq!(phase(&v), "Released", "{v}");
        assert!(v["status"].get("message").is_none(), "{v}");
    }
    // an administrator clears the claimRef of the retained volume: Available again, bindable
    merge_patch(
        &server,
        &format!("{PVS}/rel-retain"),
        json!({"spec": {"claimRef": null}}),
    )
    .await;
    wait_available(&server, "rel-retain").await;
    create(
        &server,
        &claims("pvb-rel"),
        claim("again", "1Gi", &rwo, Some("retain"), json!({})),
    )
    .await;
    assert_eq!(
        bound(&server, "pvb-rel", "again").await["spec"]["volumeName"],
        "rel-retain"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_never_share_a_volume() {
    let server = std::sync::Arc::new(server().await);
    namespace(&server, "pvb-race").await;
    let rwo = ["ReadWriteOnce"];
    for i in 0..4 {
        let name = format!("race-{i}");
        create(
            &server,
            PVS,
            volume(&name, "1Gi", &rwo, Some("race"), json!({})),
        )
        .await;
        wait_available(&server, &name).await;
    }
    let mut tasks = Vec::new();
    for i in 0..7 {
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let body = claim(
                &format!("c{i}"),
                "1Gi",
                &["ReadWriteOnce"],
                Some("race"),
                json!({}),
            );
            create(&server, &claims("pvb-race"), body).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // four claims get the four volumes; each volume points back at its one claim
    let list = wait(&server, &claims("pvb-race"), "four bound", |l| {
        l["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| phase(c) == "Bound")
            .count()
            == 4
    })
    .await;
    let mut names: Vec<String> = Vec::new();
    for c in list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| phase(c) == "Bound")
    {
        let v = c["spec"]["volumeName"].as_str().unwrap().to_owned();
        let pv = wait(&server, &format!("{PVS}/{v}"), "Bound", |v| {
            phase(v) == "Bound"
        })
        .await;
        assert_eq!(pv["spec"]["claimRef"]["uid"], c["metadata"]["uid"]);
        names.push(v);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 4, "{names:?}");
    // the other three wait (the class does not exist: the provisioning failure is the signal)
    for c in list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| phase(c) != "Bound")
    {
        let name = c["metadata"]["name"].as_str().unwrap();
        event(&server, "pvb-race", name, "ProvisioningFailed").await;
        let c = get(&server, &format!("{}/{name}", claims("pvb-race"))).await;
        assert_eq!(phase(&c), "Pending");
        assert!(c["spec"].get("volumeName").is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_without_a_class_gets_the_default_class_once_there_is_one() {
    let server = server().await;
    namespace(&server, "pvb-default").await;
    let rwo = ["ReadWriteOnce"];
    create(
        &server,
        PVS,
        volume("default-std", "1Gi", &rwo, Some("pvb-std"), json!({})),
    )
    .await;
    wait_available(&server, "default-std").await;
    // no default class yet: the claim names none and no class-less volume exists
    create(
        &server,
        &claims("pvb-default"),
        claim("data", "1Gi", &rwo, None, json!({})),
    )
    .await;
    event(&server, "pvb-default", "data", "FailedBinding").await;
    let path = format!("{}/data", claims("pvb-default"));
    assert!(
        get(&server, &path).await["spec"]
            .get("storageClassName")
            .is_none()
    );
    create(
        &server,
        "/apis/storage.k8s.io/v1/storageclasses",
        json!({"metadata": {"name": "pvb-std",
                            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
               "provisioner": "kubernetes.io/no-provisioner"}),
    )
    .await;
    let c = bound(&server, "pvb-default", "data").await;
    assert_eq!(c["spec"]["storageClassName"], "pvb-std");
    assert_eq!(c["spec"]["volumeName"], "default-std");
}

async fn wait_gone(server: &TestServer, path: &str) {
    for _ in 0..300 {
        if admin(server, Method::GET, path, None).await.status == 404 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: never deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protection_finalizers_go_when_nothing_uses_the_claim_or_volume() {
    let server = TestServer::builder()
        .pv_binder(Duration::from_millis(500))
        .storage_protection()
        .start()
        .await
        .unwrap();
    namespace(&server, "pvb-prot").await;
    let rwo = ["ReadWriteOnce"];
    let mut pv = volume(
        "prot-local",
        "1Gi",
        &rwo,
        Some("prot"),
        json!({"persistentVolumeReclaimPolicy": "Delete"}),
    );
    pv["metadata"]["annotations"] =
        json!({"pv.kubernetes.io/provisioned-by": "local-volume-provisioner-node-a-1"});
    create(&server, PVS, pv).await;
    create(
        &server,
        PVS,
        volume("prot-other", "1Gi", &rwo, Some("prot-other"), json!({})),
    )
    .await;
    for (name, class) in [("used", "prot"), ("unused", "prot-other")] {
        create(
            &server,
            &claims("pvb-prot"),
            claim(name, "1Gi", &rwo, Some(class), json!({})),
        )
        .await;
        bound(&server, "pvb-prot", name).await;
    }
    create(
        &server,
        "/api/v1/namespaces/pvb-prot/pods",
        json!({"metadata": {"name": "web"}, "spec": {"nodeName": "node-a",
            "containers": [{"name": "c", "image": "busybox"}],
            "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "used"}}]}}),
    )
    .await;
    // a bound volume deleted by mistake stays while bound
    let a = admin(&server, Method::DELETE, &format!("{PVS}/prot-other"), None).await;
    assert_eq!(a.status, 200);
    for name in ["used", "unused"] {
        let a = admin(
            &server,
            Method::DELETE,
            &format!("{}/{name}", claims("pvb-prot")),
            None,
        )
        .await;
        assert_eq!(a.status, 200);
    }
    // the unused claim goes; its deleted volume, now Released, goes too
    wait_gone(&server, &format!("{}/unused", claims("pvb-prot"))).await;
    wait_gone(&server, &format!("{PVS}/prot-other")).await;
    // the claim a running pod uses stays, and so its volume stays Bound
    let c = get(&server, &format!("{}/used", claims("pvb-prot"))).await;
    assert!(c["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(
        c["metadata"]["finalizers"],
        json!(["kubernetes.io/pvc-protection"])
    );
    assert_eq!(
        phase(&get(&server, &format!("{PVS}/prot-local")).await),
        "Bound"
    );
    // the pod finishes: the claim goes, the volume is Released for its provisioner, which
    // deletes it (as a local static provisioner does) and sees it gone
    merge_patch(
        &server,
        "/api/v1/namespaces/pvb-prot/pods/web/status",
        json!({"status": {"phase": "Succeeded"}}),
    )
    .await;
    wait_gone(&server, &format!("{}/used", claims("pvb-prot"))).await;
    wait(&server, &format!("{PVS}/prot-local"), "Released", |v| {
        phase(v) == "Released"
    })
    .await;
    let a = admin(&server, Method::DELETE, &format!("{PVS}/prot-local"), None).await;
    assert_eq!(a.status, 200);
    wait_gone(&server, &format!("{PVS}/prot-local")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduler_that_reserves_a_volume_itself_gets_the_bind_completed() {
    let server = server().await;
    namespace(&server, "pvb-sched").await;
    create(
        &server,
        "/apis/storage.k8s.io/v1/storageclasses",
        json!({"metadata": {"name": "pvb-sched"}, "provisioner": "kubernetes.io/no-provisioner",
               "volumeBindingMode": "WaitForFirstConsumer"}),
    )
    .await;
    let rwo = ["ReadWriteOnce"];
    create(
        &server,
        PVS,
        volume("sched-a", "1Gi", &rwo, Some("pvb-sched"), json!({})),
    )
    .await;
    wait_available(&server, "sched-a").await;
    let c = create(
        &server,
        &claims("pvb-sched"),
        claim("data", "1Gi", &rwo, Some("pvb-sched"), json!({})),
    )
    .await;
    event(&server, "pvb-sched", "data", "WaitForFirstConsumer").await;
    // kube-scheduler's BindPodVolumes: the volume's claimRef and bound-by-controller
    merge_patch(
        &server,
        &format!("{PVS}/sched-a"),
        json!({"metadata": {"annotations": {"pv.kubernetes.io/bound-by-controller": "yes"}},
               "spec": {"claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                   "namespace": "pvb-sched", "name": "data", "uid": c["metadata"]["uid"]}}}),
    )
    .await;
    let c = bound(&server, "pvb-sched", "data").await;
    assert_eq!(c["spec"]["volumeName"], "sched-a");
    assert_eq!(
        c["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"],
        "yes"
    );
    assert_eq!(
        c["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"],
        "yes"
    );
    assert_eq!(
        phase(&get(&server, &format!("{PVS}/sched-a")).await),
        "Bound"
    );
}
