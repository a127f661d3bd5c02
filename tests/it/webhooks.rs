//! Admission webhooks as kube-apiserver calls them: a MutatingWebhookConfiguration's JSONPatch
//! lands in the stored object, a ValidatingWebhookConfiguration's refusal reaches the client
//! with the real message, warnings reach the client's warning handler, an unreachable webhook
//! fails the write or not as its `failurePolicy` says, a delete shows the webhook the stored
//! object, and a dry run is marked as one.
//!
//! The webhook is served by the test itself on 127.0.0.1 (see `server`), so a cluster these
//! tests run against must reach this machine's loopback (the in-process test server, or an API
//! server on this machine); each configuration selects the test's namespace only and is
//! deleted again.

mod own_runtime;
mod server;

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kubeset::clientset::{Api, Client, DeleteParams, PostParams};
use kubeset::transport::CollectWarnings;
use serde_json::{Value, json};

use crate::support::{admin_config, clean_up, setup};
use server::{WebhookServer, json_patch};

/// Whether the API server can reach a webhook on this machine's loopback.
fn loopback_reachable() -> bool {
    let host = admin_config().cluster_url.host().unwrap_or("").to_owned();
    matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

/// A stored webhook configuration, deleted when dropped.
struct Configuration {
    kind: &'static str,
    name: String,
}

impl Drop for Configuration {
    fn drop(&mut self) {
        let (kind, name) = (self.kind, self.name.clone());
        clean_up(
            admin_config(),
            "the webhook configuration clean-up",
            move |client| async move {
                let api = cluster_api(&client, kind).await;
                let _ = api.delete(&name, &DeleteParams::default()).await;
            },
        );
    }
}

async fn cluster_api(client: &Client, kind: &str) -> Api<Value> {
    let resource = client
        .resolve("admissionregistration.k8s.io", "v1", kind)
        .await
        .unwrap();
    Api::dynamic_cluster(client.clone(), &resource).unwrap()
}

/// A webhook on CREATE, UPDATE and DELETE of ConfigMaps in `ns` (only), calling `url`, with
/// `extra` fields over its defaults.
fn hook(ns: &str, name: &str, url: &str, ca_bundle: &str, extra: &Value) -> Value {
    let mut hook = json!({"name": name, "admissionReviewVersions": ["v1"], "sideEffects": "None",
        "clientConfig": {"url": url, "caBundle": ca_bundle},
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
        "rules": [{"operations": ["CREATE", "UPDATE", "DELETE"], "apiGroups": [""],
            "apiVersions": ["v1"], "resources": ["configmaps"]}]});
    for (k, v) in extra.as_object().into_iter().flatten() {
        hook[k] = v.clone();
    }
    hook
}

/// Stores a configuration of `kind` named after `ns` with `webhooks`.
async fn configure(
    client: &Client,
    ns: &str,
    kind: &'static str,
    webhooks: Vec<Value>,
) -> Configuration {
    let name = format!("{ns}.kubeset.test");
    let api = cluster_api(client, kind).await;
    api.create(
        &PostParams::default(),
        &json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
            "metadata": {"name": name}, "webhooks": webhooks}),
    )
    .await
    .unwrap();
    Configuration { kind, name }
}

/// Waits until `ready` holds (a real API server picks a new configuration up after a moment).
async fn eventually(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready().await {
        assert!(Instant::now() < deadline, "{what} did not happen in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"k": "v"}})).unwrap()
}

/// A client in `ns` whose warning handler keeps every warning.
fn collecting(ns: &str) -> (Client, CollectWarnings) {
    let collected = CollectWarnings::default();
    let client = Client::builder(admin_config())
        .warning_handler(collected.clone())
        .deduplicate_warnings(false)
        .build()
        .unwrap()
        .with_default_namespace(ns.to_owned());
    (client, collected)
}

#[tokio::test]
async fn a_validating_webhook_refuses_with_its_message_and_warns() {
    if !loopback_reachable() {
        return;
    }
    let ctx = setup("webhook-validating").await;
    let server = WebhookServer::start(|request| {
        let name = request["object"]["metadata"]["name"].as_str().unwrap_or("");
        if name.starts_with("bad") {
            json!({"allowed": false, "warnings": ["looked at it"],
                "status": {"code": 403, "reason": "Forbidden", "message": "no bad names"}})
        } else {
            json!({"allowed": true, "warnings": ["looked at it"]})
        }
    })
    .await;
    let _config = configure(
        &ctx.client,
        &ctx.ns,
        "ValidatingWebhookConfiguration",
        vec![hook(
            &ctx.ns,
            "names.kubeset.test",
            &format!("{}/validate", server.url),
            &server.ca_bundle,
            &json!({}),
        )],
    )
    .await;
    let (client, warnings) = collecting(&ctx.ns);
    let maps: Api<ConfigMap> = Api::default_namespaced(client);
    let pp = PostParams::default();
    eventually("the webhook's first call", async || {
        let _ = maps
            .create(&PostParams::default().dry_run(), &config_map("probe"))
            .await;
        !server.requests().is_empty()
    })
    .await;
    warnings.take();

    let err = maps.create(&pp, &config_map("bad-one")).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.code, api.reason(), api.message()),
        (
            403,
            "Forbidden",
            "admission webhook \"names.kubeset.test\" denied the request: no bad names"
        )
    );
    maps.create(&pp, &config_map("good-one")).await.unwrap();
    let texts: Vec<String> = warnings.take().into_iter().map(|w| w.text).collect();
    assert_eq!(texts, ["looked at it", "looked at it"]);

    let review = server.requests().pop().unwrap();
    assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(review["path"], "/validate?timeout=10s");
    let request = &review["request"];
    assert_eq!(request["operation"], "CREATE");
    assert_eq!(request["namespace"], ctx.ns.as_str());
    assert_eq!(request["object"]["metadata"]["name"], "good-one");
    assert_eq!(
        request["kind"],
        json!({"group": "", "version": "v1", "kind": "ConfigMap"})
    );
    assert_eq!(
        request["resource"],
        json!({"group": "", "version": "v1", "resource": "configmaps"})
    );
    assert_eq!(request["requestKind"], request["kind"]);
    assert_eq!(request["dryRun"], false);
    assert_eq!(request["oldObject"], Value::Null);
    assert_eq!(request["options"]["kind"], "CreateOptions");
    assert!(
        request["userInfo"]["username"]
            .as_str()
            .is_some_and(|u| !u.is_empty())
    );
}

#[tokio::test]
async fn a_mutating_webhook_patches_what_is_stored() {
    if !loopback_reachable() {
        return;
    }
    let ctx = setup("webhook-mutating").await;
    let server = WebhookServer::start(|request| {
        if request["operation"] == "CREATE" {
            json_patch(&json!([{"op": "add", "path": "/metadata/labels",
                "value": {"patched-by": "webhook"}}]))
        } else {
            json!({"allowed": true})
        }
    })
    .await;
    let _config = configure(
        &ctx.client,
        &ctx.ns,
        "MutatingWebhookConfiguration",
        vec![hook(
            &ctx.ns,
            "labels.kubeset.test",
            &server.url,
            &server.ca_bundle,
            &json!({}),
        )],
    )
    .await;
    let maps: Api<ConfigMap> = Api::default_namespaced(ctx.client.clone());
    eventually("the webhook's first call", async || {
        let _ = maps
            .create(&PostParams::default().dry_run(), &config_map("probe"))
            .await;
        !server.requests().is_empty()
    })
    .await;
    let created = maps
        .create(&PostParams::default(), &config_map("m"))
        .await
        .unwrap();
    let labels = created.metadata.labels.unwrap_or_default();
    assert_eq!(
        labels.get("patched-by").map(String::as_str),
        Some("webhook")
    );
    let stored = maps.get("m").await.unwrap();
    assert_eq!(stored.metadata.labels, Some(labels));
}

/// A container a webhook adds is defaulted as the decoder defaults what a client sends.
#[tokio::test]
async fn what_a_mutating_webhook_adds_is_defaulted() {
    if !loopback_reachable() {
        return;
    }
    let ctx = setup("webhook-defaults").await;
    let server = WebhookServer::start(|_| {
        json_patch(&json!([{"op": "add", "path": "/spec/containers/-",
            "value": {"name": "sidecar", "image": "registry.k8s.io/pause:3.10"}}]))
    })
    .await;
    let pods_rule = json!({"rules": [{"operations": ["CREATE"], "apiGroups": [""],
        "apiVersions": ["v1"], "resources": ["pods"]}]});
    let _config = configure(
        &ctx.client,
        &ctx.ns,
        "MutatingWebhookConfiguration",
        vec![hook(
            &ctx.ns,
            "sidecar.kubeset.test",
            &server.url,
            &server.ca_bundle,
            &pods_rule,
        )],
    )
    .await;
    let pods: Api<Pod> = Api::default_namespaced(ctx.client.clone());
    let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}}))
    .unwrap();
    let mut created = None;
    eventually("the sidecar's injection", async || {
        let made = pods
            .create(&PostParams::default().dry_run(), &pod)
            .await
            .unwrap();
        let injected = made.spec.as_ref().is_some_and(|s| s.containers.len() == 2);
        if injected {
            created = Some(made);
        }
        injected
    })
    .await;
    let spec = created.unwrap().spec.unwrap();
    let sidecar = &spec.containers[1];
    assert_eq!(
        (
            sidecar.name.as_str(),
            sidecar.termination_message_path.as_deref(),
            sidecar.termination_message_policy.as_deref(),
            sidecar.image_pull_policy.as_deref()
        ),
        (
            "sidecar",
            Some("/dev/termination-log"),
            Some("File"),
            Some("IfNotPresent")
        )
    );
}

/// An Event written through events.k8s.io/v1 reaches a webhook in that version, and, under
/// `matchPolicy: Equivalent`, one registered for core/v1 Events in the core version (`note`
/// is `message` there).
#[tokio::test]
async fn webhooks_see_the_object_in_the_version_they_matched() {
    if !loopback_reachable() {
        return;
    }
    let ctx = setup("webhook-versions").await;
    let server = WebhookServer::start(|_| json!({"allowed": true})).await;
    let rule = |group: &str| {
        json!({"rules": [{"operations": ["CREATE"], "apiGroups": [group], "apiVersions": ["v1"],
            "resources": ["events"]}], "matchPolicy": "Equivalent"})
    };
    let (url, ca) = (&server.url, &server.ca_bundle);
    let _config = configure(
        &ctx.client,
        &ctx.ns,
        "ValidatingWebhookConfiguration",
        vec![
            hook(
                &ctx.ns,
                "new.kubeset.test",
                &format!("{url}/new"),
                ca,
                &rule("events.k8s.io"),
            ),
            hook(
                &ctx.ns,
                "core.kubeset.test",
                &format!("{url}/core"),
                ca,
                &rule(""),
            ),
        ],
    )
    .await;
    let resource = ctx
        .client
        .resolve("events.k8s.io", "v1", "Event")
        .await
        .unwrap();
    let events = Api::<Value>::dynamic_namespaced(ctx.client.clone(), &resource, &ctx.ns).unwrap();
    let event = |name: &str| {
        json!({"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": name}, "eventTime": "2026-01-01T00:00:00.000000Z",
            "reportingController": "kubeset.test/c", "reportingInstance": "i", "action": "A",
            "reason": "R", "type": "Normal", "note": "hello",
            "regarding": {"kind": "Pod", "name": "p", "namespace": ctx.ns}})
    };
    eventually("the webhooks' calls", async || {
        let _ = events
            .create(&PostParams::default().dry_run(), &event("probe"))
            .await;
        server.requests().len() >= 2
    })
    .await;
    let seen = |path: &str| {
        server
            .requests()
            .into_iter()
            .rfind(|r| r["path"].as_str().is_some_and(|p| p.starts_with(path)))
            .unwrap()["request"]
            .clone()
    };
    let new = seen("/new");
    assert_eq!(
        new["kind"],
        json!({"group": "events.k8s.io", "version": "v1", "kind": "Event"})
    );
    assert_eq!(
        (&new["object"]["apiVersion"], &new["object"]["note"]),
        (&json!("events.k8s.io/v1"), &json!("hello"))
    );
    let core = seen("/core");
    assert_eq!(
        core["kind"],
        json!({"group": "", "version": "v1", "kind": "Event"})
    );
    assert_eq!(core["requestKind"], new["kind"]);
    assert_eq!(
        (&core["object"]["apiVersion"], &core["object"]["message"]),
        (&json!("v1"), &json!("hello"))
    );
}

#[tokio::test]
async fn an_unreachable_webhook_fails_the_write_unless_its_failures_are_ignored() {
    if !loopback_reachable() {
        return;
    }
    let ctx = setup("webhook-unreachable").await;
    // a port nothing listens on: bound, then closed
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("https://127.0.0.1:{port}/x");
    let _config = configure(
        &ctx.client,
        &ctx.ns,
        "ValidatingWebhookConfiguration",
        vec![
            hook(
                &ctx.ns,
                "ignored.kubeset.test",
                &url,
                "",
                &json!({"failurePolicy": "Ignore"}),
            ),
            hook(
                &ctx.ns,
                "closed.kubeset.test",
                &url,
                "",
                &json!({
                "objectSelector": {"matchLabels": {"strict": "yes"}}}),
            ),
        ],
    )
    .await;
    let maps: Api<ConfigMap> = Api::default_namespaced(ctx.client.clone());
    let mut strict = config_map("strict");
    strict.metadata.labels = Some([("strict".to_owned(), "yes".to_owned())].into());
    let mut refused = None;
    eventually("the failing webhook's refusal", async || {
        match maps.create(&PostParams::default().dry_run(), &strict).await {
            Err(e) if e.code() == Some(500) => {
                refused = Some(e);
                true
            }
            _ => false,
        }
    })
    .await;
    let err = refused.unwrap();
    let api = err.api().unwrap();
    let expected = format!(
        "Internal error occurred: failed calling webhook \"closed.kubeset.test\": failed to call webhook: Post \"https://127.0.0.1:{port}/x?timeout=10s\": dial tcp 127.0.0.1:{port}: connect: connection refused"
    );
    assert_eq!(
        (api.reason(), api.message()),
        ("InternalError", expected.as_str())
    );
    // the webhook that ignores failures lets the other objects through
    maps.create(&PostParams::default(), &config_map("lenient"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_delete_shows_the_stored_object_and_a_dry_run_says_so() {
    if !loopback_reachable() {
        return;
    }
    let ctx = setup("webhook-delete").await;
    let server = WebhookServer::start(|request| {
        let keep =
            request["operation"] == "DELETE" && request["oldObject"]["data"]["keep"] == "yes";
        json!({"allowed": !keep, "status": {"message": "it is kept"}})
    })
    .await;
    let maps: Api<ConfigMap> = Api::default_namespaced(ctx.client.clone());
    let mut kept = config_map("kept");
    kept.data = Some([("keep".to_owned(), "yes".to_owned())].into());
    maps.create(&PostParams::default(), &kept).await.unwrap();
    let _config = configure(
        &ctx.client,
        &ctx.ns,
        "ValidatingWebhookConfiguration",
        vec![hook(
            &ctx.ns,
            "keep.kubeset.test",
            &server.url,
            &server.ca_bundle,
            &json!({}),
        )],
    )
    .await;
    let mut refused = None;
    eventually("the webhook's refusal of the delete", async || {
        match maps.delete("kept", &DeleteParams::default()).await {
            Err(e) if e.code() == Some(400) => {
                refused = Some(e);
                true
            }
            _ => false,
        }
    })
    .await;
    let err = refused.unwrap();
    assert_eq!(
        err.api().unwrap().message(),
        "admission webhook \"keep.kubeset.test\" denied the request: it is kept"
    );
    let review = server.requests().pop().unwrap();
    assert_eq!(review["request"]["operation"], "DELETE");
    assert_eq!(review["request"]["object"], Value::Null);
    assert_eq!(review["request"]["options"]["kind"], "DeleteOptions");
    maps.get("kept").await.unwrap();

    // a dry run reaches the webhook (its sideEffects are None), marked as one
    let err = maps
        .delete("kept", &DeleteParams::default().dry_run())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(400));
    let review = server.requests().pop().unwrap();
    assert_eq!(review["request"]["dryRun"], true);
    assert_eq!(review["request"]["options"]["dryRun"], json!(["All"]));
}
