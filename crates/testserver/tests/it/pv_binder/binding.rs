//! Static binding: the smallest fit by class, access modes and volume mode, selectors, the
//! empty and the default class, pre-binding both ways, claims left Pending, concurrency.

use http::Method;
use serde_json::json;

use super::*;

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
    // the smallest fitting volume among those offering exactly RWO (fit-wide is as small);
    // every volume is pinned to node-a, which does not exist: Immediate binding ignores nodes
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
