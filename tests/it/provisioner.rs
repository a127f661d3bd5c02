//! The `local_provisioner` example, deployed as its manifests say and run as a pod runs it.
//!
//! Each test starts a private test server with the PersistentVolume binder and the storage
//! protection controllers (claims bind and are released, PVs' finalizers removed, as in a
//! cluster), applies `examples/deploy/local_provisioner/*.yaml`, creates
//! a node, and runs the built example as a child process with exactly a pod's environment:
//! `KUBERNETES_SERVICE_HOST`/`PORT`, `NODE_NAME`, and the ServiceAccount's files (through the
//! example's documented `--service-account-dir` flag), so it has exactly the manifests' RBAC.
//!
//! These tests use a private server even when `KUBESET_TEST_KUBECONFIG` names a cluster: they
//! create a Node, cluster-wide RBAC and PVs of their own, and the faults (expired tokens,
//! closed watches) exist only on the test server.

mod least_privilege;
mod world;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use kubeset::clientset::{DeleteParams, ListParams, Permission, PostParams, TokenParams};
use serde_json::json;

use world::{
    CLASS, HOSTNAME, NODE, NS, SA, World, annotation, eventually, foreign_pv, phase, pv_name,
    unix_now,
};

#[tokio::test]
async fn provisioner_creates_a_pv_per_volume_and_touches_nothing_else() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    std::fs::write(world.volume("vol1/data"), "keep me").unwrap();
    // Not volumes: a file, and a symlink to a directory outside.
    std::fs::write(world.volume("notes.txt"), "x").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), world.volume("escape")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);

    let pv = world
        .pv_where(&mut daemon, &pv_name("vol1"), |_| true)
        .await;
    let node = world.admin.nodes().get(NODE).await.unwrap();
    let node_uid = node.metadata.uid.unwrap();
    let me = format!("local-volume-provisioner-{NODE}-{node_uid}");
    assert_eq!(
        annotation(&pv, "pv.kubernetes.io/provisioned-by"),
        Some(me.as_str())
    );
    assert_eq!(
        pv.metadata.labels,
        Some(BTreeMap::from([(
            "topology.kubernetes.io/zone".to_owned(),
            "zone-a".to_owned()
        )]))
    );
    let spec = pv.spec.as_ref().unwrap();
    let local = spec.local.as_ref().unwrap();
    assert_eq!(local.path, world.volume("vol1").display().to_string());
    assert_eq!(local.fs_type.as_deref(), Some("ext4"));
    assert_eq!(spec.storage_class_name.as_deref(), Some(CLASS));
    // The class says Delete.
    assert_eq!(
        spec.persistent_volume_reclaim_policy.as_deref(),
        Some("Delete")
    );
    assert_eq!(spec.volume_mode.as_deref(), Some("Filesystem"));
    assert_eq!(
        spec.access_modes.as_deref(),
        Some(&["ReadWriteOnce".to_owned()][..])
    );
    let affinity = serde_json::to_value(&spec.node_affinity).unwrap();
    assert_eq!(
        affinity,
        json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [HOSTNAME]}]}]}})
    );
    // The filesystem's size, rounded down to whole GiB or MiB.
    let stat = rustix::fs::statvfs(world.discovery.path()).unwrap();
    let size = stat.f_blocks * stat.f_frsize;
    let capacity: u64 = spec.capacity.as_ref().unwrap()["storage"]
        .0
        .parse()
        .unwrap();
    assert!(
        capacity <= size && capacity >= size - size / 10,
        "{capacity} of {size}"
    );
    eventually(&mut daemon, "Provisioned event", || async {
        let found = !world
            .events(&pv_name("vol1"), "Provisioned")
            .await
            .is_empty();
        found.then_some(())
    })
    .await;

    // Foreign PVs on the same directory, released for deletion: one made by another
    // provisioner on this node, one carrying our name but naming another node.
    std::fs::create_dir(world.volume("theirs")).unwrap();
    std::fs::write(world.volume("theirs/data"), "x").unwrap();
    let theirs = world.volume("theirs");
    for pv in [
        foreign_pv("foreign-1", &theirs, "someone-else", HOSTNAME),
        foreign_pv("foreign-2", &theirs, &me, "node-2.example"),
    ] {
        world
            .pvs()
            .create(&PostParams::default(), &pv)
            .await
            .unwrap();
    }
    // Their claims are gone: the binder releases them, and waits for their provisioner.
    for name in ["foreign-1", "foreign-2"] {
        world.pv_where(&mut daemon, name, phase("Released")).await;
    }
    // A new directory: a new PV (which proves a discovery pass ran after the foreign PVs).
    std::fs::create_dir(world.volume("vol2")).unwrap();
    world
        .pv_where(&mut daemon, &pv_name("vol2"), |_| true)
        .await;
    // The `theirs` entry is a volume of ours too, under our own name.
    world
        .pv_where(&mut daemon, &pv_name("theirs"), |_| true)
        .await;
    // Files and symlinks are no volumes.
    assert!(
        world
            .pvs()
            .get_opt(&pv_name("notes.txt"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        world
            .pvs()
            .get_opt(&pv_name("escape"))
            .await
            .unwrap()
            .is_none()
    );
    // A few more passes, then the foreign PVs and their data are as they were.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for name in ["foreign-1", "foreign-2"] {
        let pv = world.pvs().get(name).await.unwrap();
        assert_eq!(pv.status.and_then(|s| s.phase).as_deref(), Some("Released"));
    }
    assert!(world.volume("theirs/data").exists());
    assert!(world.volume("vol1/data").exists());

    // A vanished directory is reported, and its PV kept.
    std::fs::remove_dir_all(world.volume("vol2")).unwrap();
    let name = pv_name("vol2");
    eventually(&mut daemon, "VolumeMissing event", || async {
        let found = !world.events(&name, "VolumeMissing").await.is_empty();
        found.then_some(())
    })
    .await;
    assert!(daemon.output().contains(&format!(
        "volume directory {} of PV {name} is missing",
        world.volume("vol2").display()
    )));
    assert!(world.pvs().get_opt(&name).await.unwrap().is_some());
}

#[tokio::test]
async fn a_released_volume_is_cleaned_and_its_pv_created_afresh() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let name = pv_name("vol1");
    let first = world.pv_where(&mut daemon, &name, |_| true).await;

    // A claim on the node (the scheduler's selected-node annotation: WaitForFirstConsumer).
    let claims = world.claim_on_node().await;
    world.pv_where(&mut daemon, &name, phase("Bound")).await;
    // The pod writes its data, including a symlink out of the volume.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("precious"), "x").unwrap();
    std::fs::create_dir_all(world.volume("vol1/db/wal")).unwrap();
    std::fs::write(world.volume("vol1/db/wal/0001"), "x").unwrap();
    std::fs::write(world.volume("vol1/.hidden"), "x").unwrap();
    std::os::unix::fs::symlink(outside.path(), world.volume("vol1/link")).unwrap();

    claims
        .delete("data", &DeleteParams::default())
        .await
        .unwrap();
    let first_uid = first.metadata.uid.clone().unwrap();
    let again = world
        .pv_where(&mut daemon, &name, |pv| {
            pv.metadata.uid.as_deref() != Some(first_uid.as_str())
        })
        .await;
    assert_eq!(
        again.status.and_then(|s| s.phase).as_deref(),
        Some("Available")
    );
    assert!(world.volume("vol1").is_dir());
    assert_eq!(std::fs::read_dir(world.volume("vol1")).unwrap().count(), 0);
    assert!(outside.path().join("precious").exists());
    eventually(&mut daemon, "VolumeDeleted event", || async {
        (!world.events(&name, "VolumeDeleted").await.is_empty()).then_some(())
    })
    .await;
    assert!(
        daemon
            .output()
            .contains(&format!("cleaned and deleted PV {name}"))
    );
}

#[tokio::test]
async fn a_missing_rbac_rule_is_named_at_start_up() {
    let world = World::new(&["ClusterRoleBinding/local-storage-provisioner-node-binding"]).await;
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let status = daemon.wait().await;
    assert!(!status.success(), "{}", daemon.output());
    let out = daemon.output();
    assert!(
        out.contains(&format!(
            "system:serviceaccount:{NS}:{SA} lacks 1 permission"
        )),
        "{out}"
    );
    // Exactly the missing permission, and the rule that would allow it, as YAML.
    let missing = Permission::new("get", "nodes").name(NODE);
    assert!(
        out.contains(&format!("- {missing}; a rule that allows it:")),
        "{out}"
    );
    assert!(out.contains(&missing.rule_yaml()), "{out}");
    assert!(out.contains("verbs:") && out.contains("nodes"), "{out}");
    assert!(
        !out.contains("persistentvolumes"),
        "only the missing rule: {out}"
    );
    // Nothing was created.
    assert!(
        world
            .pvs()
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn provisioner_survives_token_rotation_and_a_server_restart_and_stops_on_sigterm() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let first = world
        .pv_where(&mut daemon, &pv_name("vol1"), |_| true)
        .await;

    // The old token is rejected from now on (tokens issued in this second too), and the
    // kubelet rotates the file with a token issued after that.
    world.server.faults().expire_tokens();
    let expired_at = unix_now();
    while unix_now() <= expired_at + 1 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = world
        .admin
        .service_accounts(NS)
        .create_token(SA, &TokenParams::default().expiration_seconds(3600))
        .await
        .unwrap();
    files.write_token(token.token.expose());
    // The API server goes away and comes back: every watch is cut, requests fail a while.
    world.server.faults().close_watches();
    world.server.faults().fail_next(3, 503);

    // Writes go on with the new token...
    std::fs::create_dir(world.volume("vol2")).unwrap();
    world
        .pv_where(&mut daemon, &pv_name("vol2"), |_| true)
        .await;
    // ...and the watch resumed: a PV deleted behind its back leaves its cache, and the
    // next discovery creates it again.
    world
        .pvs()
        .delete(&pv_name("vol1"), &DeleteParams::default())
        .await
        .unwrap();
    let uid = first.metadata.uid.unwrap();
    world
        .pv_where(&mut daemon, &pv_name("vol1"), |pv| {
            pv.metadata.uid.as_deref() != Some(uid.as_str())
        })
        .await;

    // SIGTERM: it stops within the wait's deadline (a pod's default grace period), exit 0.
    daemon.terminate();
    let status = daemon.wait().await;
    assert!(status.success(), "{status}\n{}", daemon.output());
    assert!(daemon.output().contains("stopped"), "{}", daemon.output());
}

#[test]
fn the_daemonset_runs_the_program_as_these_tests_do() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/deploy/local_provisioner/daemonset.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let docs = serde_saphyr::from_multiple::<serde_json::Value>(&text).unwrap();
    let ds = docs.iter().find(|d| d["kind"] == "DaemonSet").unwrap();
    let ds: k8s_openapi::api::apps::v1::DaemonSet = serde_json::from_value(ds.clone()).unwrap();
    let pod = ds.spec.template.spec.unwrap();
    assert_eq!(pod.service_account_name.as_deref(), Some(SA));
    let container = &pod.containers[0];
    // NODE_NAME from the downward API.
    let env = container.env.as_ref().unwrap();
    let node_name = env.iter().find(|e| e.name == "NODE_NAME").unwrap();
    let field = node_name
        .value_from
        .as_ref()
        .unwrap()
        .field_ref
        .as_ref()
        .unwrap();
    assert_eq!(field.field_path, "spec.nodeName");
    // The config flag names a file in the ConfigMap's mount; the discovery directory of the
    // configuration is mounted from the same host path.
    let args = container.args.as_ref().unwrap();
    let config = &args[args.iter().position(|a| a == "--config").unwrap() + 1];
    let mounts = container.volume_mounts.as_ref().unwrap();
    let config_mount = mounts.iter().find(|m| m.name == "config").unwrap();
    assert!(config.starts_with(&format!("{}/", config_mount.mount_path)));
    let discovery = mounts.iter().find(|m| m.name == "discovery").unwrap();
    let cm = docs.iter().find(|d| d["kind"] == "ConfigMap").unwrap();
    let config_yaml = cm["data"]["config.yaml"].as_str().unwrap();
    assert!(config_yaml.contains(&format!("mountDir: {}", discovery.mount_path)));
    let volumes = pod.volumes.unwrap();
    let host = volumes.iter().find(|v| v.name == "discovery").unwrap();
    let host_path = &host.host_path.as_ref().unwrap().path;
    assert!(config_yaml.contains(&format!("hostDir: {host_path}")));
    // Requests are set, so the scheduler accounts for it on every node.
    let requests = container
        .resources
        .as_ref()
        .unwrap()
        .requests
        .as_ref()
        .unwrap();
    assert!(requests.contains_key("cpu") && requests.contains_key("memory"));
}
