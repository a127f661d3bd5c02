//! A claim goes away: `Released`, the reclaim policies, the protection finalizers.

use std::time::Duration;

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::json;

use super::*;

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
