//! `WaitForFirstConsumer`: Pending until a node is chosen, then a volume on that node.

use serde_json::json;

use super::*;

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
