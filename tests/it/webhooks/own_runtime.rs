//! A server of the test's own, on the test's single-threaded runtime, which also serves the
//! webhooks: what only an in-process server can show (its audit events, a Service that names
//! `localhost`).

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kubeset::clientset::{Api, Client, PostParams};
use serde_json::{Value, json};

use super::server::{WebhookServer, json_patch};
use super::{cluster_api, config_map};

/// A server of the test's own, on the test's single-threaded runtime, which also serves the
/// webhook: the server must answer its webhook call while the runtime waits for the write.
/// Also: a Service `clientConfig` (an ExternalName Service naming `localhost`), a webhook slower
/// than its `timeoutSeconds`, reinvocation, and the audit annotations of a mutating webhook.
#[tokio::test]
async fn a_server_on_the_test_runtime_calls_a_webhook_on_it_too() {
    use kubeset::config::Config;
    use kubeset::config::kubeconfig::Overrides;
    use kubeset_testserver::TestServer;

    let test_server = TestServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    test_server.write_kubeconfig(&path).unwrap();
    let config = Config::from_kubeconfig_with(
        Some(&path),
        &crate::support::no_env(),
        &Overrides::default(),
    )
    .unwrap();
    let client = Client::new(config)
        .unwrap()
        .with_default_namespace("default".to_owned());
    let quick = WebhookServer::start_with(&["hook.default.svc"], Duration::ZERO, |request| {
        // adds a label once; called again (IfNeeded) after the second webhook's change
        if request["object"]["metadata"]["labels"]["first"].is_null() {
            json_patch(&json!([{"op": "add", "path": "/metadata/labels", "value": {"first": "1"}}]))
        } else {
            json!({"allowed": true, "auditAnnotations": {"seen": "again"}})
        }
    })
    .await;
    let port: u16 = quick.url.rsplit(':').next().unwrap().parse().unwrap();
    let second = WebhookServer::start(|_| {
        json_patch(&json!([{"op": "add", "path": "/data/second", "value": "2"}]))
    })
    .await;
    let slow =
        WebhookServer::start_with(&[], Duration::from_secs(3), |_| json!({"allowed": true})).await;
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::default_namespaced(client.clone());
    let service = serde_json::from_value(json!({"metadata": {"name": "hook"},
        "spec": {"type": "ExternalName", "externalName": "localhost"}}))
    .unwrap();
    services
        .create(&PostParams::default(), &service)
        .await
        .unwrap();
    let on = |name: &str| {
        json!({"name": name, "admissionReviewVersions": ["v1beta1", "v1"],
        "sideEffects": "None",
        "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
            "resources": ["configmaps"]}]})
    };
    let mut first = on("first.kubeset.test");
    first["reinvocationPolicy"] = json!("IfNeeded");
    first["clientConfig"] = json!({"caBundle": quick.ca_bundle,
        "service": {"namespace": "default", "name": "hook", "port": port, "path": "/first"}});
    let mut then = on("second.kubeset.test");
    then["clientConfig"] = json!({"url": second.url, "caBundle": second.ca_bundle});
    let mutating = cluster_api(&client, "MutatingWebhookConfiguration").await;
    mutating
        .create(
            &PostParams::default(),
            &json!({"metadata": {"name": "a"}, "webhooks": [first, then]}),
        )
        .await
        .unwrap();
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let created = maps
        .create(&PostParams::default(), &config_map("m"))
        .await
        .unwrap();
    assert_eq!(
        created
            .metadata
            .labels
            .unwrap_or_default()
            .get("first")
            .map(String::as_str),
        Some("1")
    );
    assert_eq!(
        created
            .data
            .unwrap_or_default()
            .get("second")
            .map(String::as_str),
        Some("2")
    );
    let paths: Vec<Value> = quick.requests().iter().map(|r| r["path"].clone()).collect();
    assert_eq!(
        paths,
        [json!("/first?timeout=10s"), json!("/first?timeout=10s")]
    );
    assert_eq!(
        quick.requests()[0]["apiVersion"],
        "admission.k8s.io/v1beta1"
    );
    assert_eq!(second.requests().len(), 1);
    let event = test_server
        .audit_events()
        .into_iter()
        .rfind(|e| e.verb == "create" && e.request_uri.ends_with("/configmaps"))
        .unwrap();
    let annotation = |key: &str| event.annotations.get(key).cloned();
    assert_eq!(
        annotation("mutation.webhook.admission.k8s.io/round_0_index_1").as_deref(),
        Some(r#"{"configuration":"a","webhook":"second.kubeset.test","mutated":true}"#)
    );
    assert_eq!(
        annotation("first.kubeset.test/seen").as_deref(),
        Some("again")
    );

    // a validating webhook that cannot be reached, failing open: its annotation counts the
    // matching validating webhooks only
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut lenient = on("lenient.kubeset.test");
    lenient["failurePolicy"] = json!("Ignore");
    lenient["clientConfig"] = json!({"url": format!("https://127.0.0.1:{closed}/")});
    let mut unmatched = on("unmatched.kubeset.test");
    unmatched["clientConfig"] = lenient["clientConfig"].clone();
    unmatched["rules"][0]["resources"] = json!(["pods"]);
    cluster_api(&client, "ValidatingWebhookConfiguration")
        .await
        .create(
            &PostParams::default(),
            &json!({"metadata": {"name": "lenient"}, "webhooks": [unmatched, lenient]}),
        )
        .await
        .unwrap();
    maps.create(&PostParams::default(), &config_map("n"))
        .await
        .unwrap();
    let event = test_server
        .audit_events()
        .into_iter()
        .rfind(|e| e.verb == "create" && e.request_uri.ends_with("/configmaps"))
        .unwrap();
    assert_eq!(
        event
            .annotations
            .get("failed-open.validating.webhook.admission.k8s.io/round_0_index_0")
            .map(String::as_str),
        Some("lenient.kubeset.test")
    );

    let mut slow_hook = on("slow.kubeset.test");
    slow_hook["timeoutSeconds"] = json!(1);
    slow_hook["clientConfig"] = json!({"url": slow.url, "caBundle": slow.ca_bundle});
    slow_hook["rules"][0]["resources"] = json!(["secrets"]);
    let validating = cluster_api(&client, "ValidatingWebhookConfiguration").await;
    validating
        .create(
            &PostParams::default(),
            &json!({"metadata": {"name": "slow"}, "webhooks": [slow_hook]}),
        )
        .await
        .unwrap();
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::default_namespaced(client);
    let secret = serde_json::from_value(json!({"metadata": {"name": "s"}})).unwrap();
    let err = secrets
        .create(&PostParams::default(), &secret)
        .await
        .unwrap_err();
    assert_eq!(
        err.api().unwrap().message(),
        format!(
            "Internal error occurred: failed calling webhook \"slow.kubeset.test\": failed to call webhook: Post \"{}/?timeout=1s\": context deadline exceeded",
            slow.url
        )
    );
}
