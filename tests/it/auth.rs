//! Identity and authorization: TokenRequest, whoami, can_i, and what a 403 says.

use k8s_openapi::api::core::v1::ServiceAccount;
use kubeset::clientset::{Client, ListParams, PostParams, TokenParams};
use kubeset::config::{BearerToken, Config, Secret};
use serde_json::json;

use crate::support::{Ctx, admin_config, setup};

/// Creates ServiceAccount `name` in the test's namespace.
async fn service_account(ctx: &Ctx, name: &str) {
    let sa: ServiceAccount = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    ctx.client
        .service_accounts(&ctx.ns)
        .create(&PostParams::default(), &sa)
        .await
        .unwrap();
}

/// A client for the cluster that authenticates with `token` only.
fn token_client(token: String) -> Client {
    let admin = admin_config();
    let mut config = Config::new(admin.cluster_url.clone());
    config.tls = admin.tls.clone();
    config.tls.client_cert = None;
    config.tls.client_key = None;
    config.auth.bearer = Some(BearerToken::Static(Secret::new(token)));
    Client::new(config).unwrap()
}

#[tokio::test]
async fn whoami_names_the_admin() {
    let ctx = setup("auth-whoami").await;
    let me = ctx.client.whoami().await.unwrap();
    assert!(
        me.username.as_deref().is_some_and(|u| !u.is_empty()),
        "{me:?}"
    );
    let groups = me.groups.unwrap_or_default();
    assert!(
        groups.iter().any(|g| g == "system:authenticated"),
        "{groups:?}"
    );
}

#[tokio::test]
async fn a_requested_token_authenticates_as_the_service_account() {
    let ctx = setup("auth-token").await;
    service_account(&ctx, "robot").await;
    let issued = ctx
        .client
        .service_accounts(&ctx.ns)
        .create_token("robot", &TokenParams::default().expiration_seconds(3600))
        .await
        .unwrap();
    let token = issued.token.expose().clone();
    assert_eq!(token.split('.').count(), 3, "a JWT has three parts");
    assert!(issued.expiration_timestamp.is_some());
    assert!(
        !format!("{issued:?}").contains(&token),
        "the token leaks in Debug"
    );

    let robot = token_client(token);
    let me = robot.whoami().await.unwrap();
    assert_eq!(
        me.username.as_deref(),
        Some(format!("system:serviceaccount:{}:robot", ctx.ns).as_str())
    );
    let groups = me.groups.unwrap_or_default();
    assert!(
        groups.iter().any(|g| g == "system:serviceaccounts"),
        "{groups:?}"
    );

    let err = ctx
        .client
        .service_accounts(&ctx.ns)
        .create_token("nobody", &TokenParams::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn can_i_answers_for_admin_and_service_account() {
    let ctx = setup("auth-can-i").await;
    let allowed = ctx
        .client
        .can_i("create", "pods")
        .namespace(&ctx.ns)
        .await
        .unwrap();
    assert!(allowed.allowed, "{allowed:?}");
    let allowed = ctx
        .client
        .can_i("patch", "nodes")
        .subresource("status")
        .await
        .unwrap();
    assert!(allowed.allowed, "{allowed:?}");

    service_account(&ctx, "weak").await;
    let issued = ctx
        .client
        .service_accounts(&ctx.ns)
        .create_token("weak", &TokenParams::default())
        .await
        .unwrap();
    let weak = token_client(issued.token.expose().clone());
    let denied = weak
        .can_i("list", "secrets")
        .namespace(&ctx.ns)
        .await
        .unwrap();
    assert!(!denied.allowed, "{denied:?}");

    // non-resource URLs: system:public-info-viewer and system:discovery allow these to everyone
    // authenticated; /metrics needs a rule the ServiceAccount lacks
    assert!(weak.can_i_url("get", "/healthz").await.unwrap().allowed);
    assert!(weak.can_i_url("get", "/version").await.unwrap().allowed);
    let metrics = weak.can_i_url("get", "/metrics").await.unwrap();
    assert!(!metrics.allowed, "{metrics:?}");
    assert!(
        ctx.client
            .can_i_url("get", "/metrics")
            .await
            .unwrap()
            .allowed
    );
}

#[tokio::test]
async fn a_forbidden_list_says_who_what_and_which_rule() {
    let ctx = setup("auth-forbidden").await;
    service_account(&ctx, "weak").await;
    let issued = ctx
        .client
        .service_accounts(&ctx.ns)
        .create_token("weak", &TokenParams::default())
        .await
        .unwrap();
    let weak = token_client(issued.token.expose().clone());
    let err = weak
        .secrets(&ctx.ns)
        .list(&ListParams::default())
        .await
        .unwrap_err();
    assert!(err.is_forbidden(), "{err}");
    let text = err.to_string();
    let who = format!("system:serviceaccount:{}:weak", ctx.ns);
    assert!(text.contains(&who), "names the caller: {text}");
    assert!(text.contains("secrets"), "names the resource: {text}");
    assert!(text.contains("list"), "names the verb: {text}");
}
