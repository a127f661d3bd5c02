//! `Client::builder` against the cluster: a user can tell apart a broken kubeconfig, a refused
//! connection, a TLS failure and an error status, and the server's warnings reach a handler,
//! deduplicated per client.

use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use kubeset::clientset::{Api, Client, DeleteParams, Error, PostParams};
use kubeset::config::Config;
use kubeset::config::kubeconfig::Overrides;
use kubeset::transport::{CollectWarnings, ConnectError, RequestError, RetryPolicy, TlsFailure};

use crate::support::{admin_config, no_env, setup};

/// The first error in `err`'s source chain of type `T`.
fn source_of<T: std::error::Error + 'static>(err: &Error) -> Option<&T> {
    let mut current = std::error::Error::source(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[test]
fn a_broken_kubeconfig_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "apiVersion: v1\nclusters: [oops\n").unwrap();

    let loaded = Config::from_kubeconfig_with(Some(&path), &no_env(), &Overrides::default());
    let err = Error::from(loaded.unwrap_err());
    assert!(err.is_config(), "{err:?}");
    assert!(!err.is_connect() && !err.is_tls() && err.api().is_none());
    assert!(
        source_of::<kubeset::config::KubeconfigConfigError>(&err).is_some(),
        "{err:?}"
    );

    // The same through `Config::infer`, as `Client::infer` resolves it.
    let env = std::collections::BTreeMap::from([("KUBECONFIG", path.to_str().unwrap())]);
    let inferred = Config::infer_with(&env, &dir.path().join("no-serviceaccount"));
    let err = Error::from(inferred.unwrap_err());
    assert!(err.is_config(), "{err:?}");
    assert!(
        matches!(
            source_of::<kubeset::config::InferError>(&err),
            Some(kubeset::config::InferError::Kubeconfig { .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut retry = RetryPolicy::default();
    retry.max_attempts = 2;
    retry.initial_backoff = Duration::from_millis(1);
    let client = Client::builder(Config::new(format!("https://{addr}").parse().unwrap()))
        .retry(retry)
        .build()
        .unwrap();
    let err = client.apiserver_version().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.is_tls() && !err.is_config() && !err.is_exec() && err.api().is_none());
    assert!(
        matches!(err.connect_error(), Some(ConnectError::Tcp { address, .. }) if *address == addr.to_string()),
        "{err:?}"
    );
    assert!(
        matches!(
            err.request_error(),
            Some(RequestError::RetriesExhausted { attempts: 2, .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_connect_timeout_covers_a_stalled_tls_handshake() {
    // Accepts connections and never says a word, so the TLS handshake cannot finish.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Client::builder(Config::new(format!("https://{addr}").parse().unwrap()))
        .connect_timeout(Duration::from_millis(200))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(30), client.apiserver_version()).await;
    let err = answer
        .expect("the connect timeout never fired")
        .unwrap_err();
    assert!(err.is_connect() && !err.is_tls(), "{err:?}");
    assert!(
        matches!(err.connect_error(), Some(ConnectError::Timeout { after, .. }) if *after == Duration::from_millis(200)),
        "{err:?}"
    );
    silent.abort();
}

#[tokio::test]
async fn a_server_certificate_from_an_unknown_ca_is_a_tls_error() {
    let mut config = admin_config();
    if config.cluster_url.scheme_str() != Some("https") {
        return; // A plain-HTTP cluster has no TLS to fail.
    }
    // Trust only the platform roots, which never signed the test cluster's certificate.
    config.tls.root_certs = None;
    config.tls.root_certs_problem = None;
    let client = Client::builder(config).build().unwrap();
    let err = client.apiserver_version().await.unwrap_err();
    assert!(err.is_tls(), "{err:?}");
    assert!(err.is_connect() && !err.is_config() && err.api().is_none());
    assert!(
        matches!(err.tls_failure(), Some(TlsFailure::UnknownCa { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_error_status_is_an_api_error() {
    let ctx = setup("builder-404").await;
    let client = Client::builder(admin_config())
        .user_agent("kubeset-e2e/builder")
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
        .with_default_namespace(ctx.ns.clone());
    let err = client.default_pods().get("missing").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.code(), Some(404));
    assert!(!err.is_connect() && !err.is_tls() && !err.is_config() && !err.is_exec());
    assert!(err.request_error().is_none(), "{err:?}");
}

fn job(name: &str) -> Job {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "spec": {"template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}],
        }}},
    }))
    .unwrap()
}

#[tokio::test]
async fn server_warnings_reach_the_handler_once_per_client() {
    let ctx = setup("builder-warnings").await;
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ctx.ns);
    let names = ["j1", "j2", "j3"];
    for name in names {
        jobs.create(&PostParams::default(), &job(name))
            .await
            .unwrap();
    }

    // Deleting a batch/v1 Job without a propagation policy earns a deprecation-style warning.
    let collected = CollectWarnings::default();
    let client = Client::builder(admin_config())
        .warning_handler(collected.clone())
        .build()
        .unwrap();
    let deduplicated: Api<Job> = Api::namespaced(client, &ctx.ns);
    for name in &names[..2] {
        deduplicated
            .delete(name, &DeleteParams::default())
            .await
            .unwrap();
    }
    let warnings = collected.take();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = &warnings[0];
    assert_eq!(warning.code, 299);
    assert!(
        warning
            .text
            .starts_with("child pods are preserved by default"),
        "{warning:?}"
    );
    assert_eq!(warning.method, http::Method::DELETE);
    assert!(
        warning
            .path
            .ends_with(&format!("/apis/batch/v1/namespaces/{}/jobs/j1", ctx.ns)),
        "{warning:?}"
    );

    // A fresh client reports the text again: deduplication is per client.
    let other = Client::builder(admin_config())
        .warning_handler(collected.clone())
        .build()
        .unwrap();
    Api::<Job>::namespaced(other, &ctx.ns)
        .delete("j3", &DeleteParams::default())
        .await
        .unwrap();
    let warnings = collected.take();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].path.ends_with("/jobs/j3"), "{warnings:?}");
}
