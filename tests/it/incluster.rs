//! In-cluster configuration end to end: a pod's ServiceAccount files and environment, loaded
//! by `kubeset_config` from an overridden directory and environment (the process environment
//! is never touched), reach the server with the ServiceAccount's token; a rotated token file
//! is used within the token file's check interval (one second), without a new client.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ServiceAccount;
use kubeset::clientset::{Client, DeleteParams, PostParams, TokenParams};
use kubeset::config::{Config, incluster};
use serde_json::json;

use crate::support::{Ctx, ServiceAccountFiles, setup};

async fn pod_identity(ctx: &Ctx) -> ServiceAccountFiles {
    let sa: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"name": "pod-sa"}})).unwrap();
    ctx.client
        .service_accounts(&ctx.ns)
        .create(&PostParams::default(), &sa)
        .await
        .unwrap();
    ServiceAccountFiles::new(ctx, "pod-sa").await
}

#[tokio::test]
async fn in_cluster_config_reaches_the_server_as_the_service_account() {
    let ctx = setup("incluster-load").await;
    let files = pod_identity(&ctx).await;
    let config = incluster::load_from(&files.env(), files.dir()).unwrap();
    assert_eq!(config.default_namespace, ctx.ns);
    let client = Client::new(config).unwrap();
    assert_eq!(client.default_namespace(), ctx.ns);
    let me = client.whoami().await.unwrap();
    assert_eq!(
        me.username.as_deref(),
        Some(format!("system:serviceaccount:{}:pod-sa", ctx.ns).as_str())
    );

    // Without a kubeconfig, inference finds the same identity.
    let inferred = Config::infer_with(&files.env(), files.dir()).unwrap();
    let me = Client::new(inferred).unwrap().whoami().await.unwrap();
    assert_eq!(
        me.username.as_deref(),
        Some(format!("system:serviceaccount:{}:pod-sa", ctx.ns).as_str())
    );
}

/// What a daemon can count on: a token the kubelet rotated into the file is used by the
/// client's requests within about a second of the write (the file is checked at most once a
/// second; a 401 makes the client re-read it at once).
///
/// The request right after the write may still carry the old token, and the API server may
/// still accept it: kube-apiserver remembers a successful token authentication for ten
/// seconds, even one of a ServiceAccount deleted since (the test server does the same). So
/// the test polls, and checks that every answer is one of the two identities.
#[tokio::test]
async fn a_rotated_token_file_is_used_within_a_second() {
    let ctx = setup("incluster-rotate").await;
    let files = pod_identity(&ctx).await;
    let client = Client::new(incluster::load_from(&files.env(), files.dir()).unwrap()).unwrap();
    let before = client.whoami().await.unwrap();

    // The ServiceAccount is recreated (a new uid), so the token the client holds names an
    // account that is gone; the kubelet writes a token of the new ServiceAccount into the file.
    let sas = ctx.client.service_accounts(&ctx.ns);
    sas.delete("pod-sa", &DeleteParams::default())
        .await
        .unwrap();
    let sa: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"name": "pod-sa"}})).unwrap();
    let recreated = sas.create(&PostParams::default(), &sa).await.unwrap();
    let token = sas
        .create_token("pod-sa", &TokenParams::default())
        .await
        .unwrap();
    files.write_token(token.token.expose());
    let written = Instant::now();

    // The same client (no rebuild) moves to the new token. The deadline is generous for a
    // slow machine; the bound itself is the check interval.
    let deadline = written + Duration::from_secs(20);
    let after = loop {
        let me = client.whoami().await.unwrap();
        assert_eq!(me.username, before.username);
        assert!(
            me.uid == before.uid || me.uid == recreated.metadata.uid,
            "authenticated as neither the old nor the new ServiceAccount: {:?}",
            me.uid
        );
        if me.uid == recreated.metadata.uid {
            break me;
        }
        assert!(
            Instant::now() < deadline,
            "the rotated token was not used within {:?}",
            written.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_ne!(after.uid, before.uid);
}

#[tokio::test]
async fn a_missing_token_file_is_a_clear_error() {
    let ctx = setup("incluster-missing").await;
    let files = pod_identity(&ctx).await;
    std::fs::remove_file(files.dir().join("token")).unwrap();
    let err = incluster::load_from(&files.env(), files.dir()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("token"), "{text}");
    assert!(
        text.contains(&files.dir().display().to_string()),
        "names the file: {text}"
    );
}
