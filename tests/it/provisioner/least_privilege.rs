//! The provisioner's manifests grant exactly what its normal work uses: PVs created for
//! discovered volumes, a claim bound and released, the volume cleaned and its PV deleted and
//! created afresh, Events, a token rotation.

use std::time::Duration;

use kubeset::clientset::{DeleteParams, TokenParams};

use super::world::{NS, SA, World, eventually, phase, pv_name};
use crate::support::least_privilege::assert_exactly_granted;

#[tokio::test]
async fn the_manifests_grant_exactly_what_the_provisioner_uses() {
    let world = World::new(&[]).await;
    std::fs::create_dir(world.volume("vol1")).unwrap();
    let files = world.pod_files().await;
    let mut daemon = world.start(&files);
    let name = pv_name("vol1");
    let first = world.pv_where(&mut daemon, &name, |_| true).await;

    // the kubelet rotates the token file
    let token = world
        .admin
        .service_accounts(NS)
        .create_token(SA, &TokenParams::default().expiration_seconds(3600))
        .await
        .unwrap();
    files.write_token(token.token.expose());

    // a claim on the node binds, is deleted, and the released volume is cleaned and offered again
    let claims = world.claim_on_node().await;
    world.pv_where(&mut daemon, &name, phase("Bound")).await;
    claims
        .delete("data", &DeleteParams::default())
        .await
        .unwrap();
    let first_uid = first.metadata.uid.clone().unwrap();
    world
        .pv_where(&mut daemon, &name, |pv| {
            pv.metadata.uid.as_deref() != Some(first_uid.as_str())
        })
        .await;
    eventually(&mut daemon, "VolumeDeleted event", || async {
        (!world.events(&name, "VolumeDeleted").await.is_empty()).then_some(())
    })
    .await;

    // stopped, so its watches end and are logged
    daemon.terminate();
    let status = daemon.wait().await;
    assert!(status.success(), "{status}\n{}", daemon.output());
    tokio::time::sleep(Duration::ZERO).await;
    let usage = assert_exactly_granted(
        &world.server,
        &format!("system:serviceaccount:{NS}:{SA}"),
        "examples/deploy/local_provisioner",
        &[],
    )
    .await;
    assert!(usage.denied.is_empty(), "{:?}", usage.denied);
}
