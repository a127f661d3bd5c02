//! The `priority-and-fairness-config-producer` keeping the bootstrap FlowSchemas and
//! PriorityLevelConfigurations, run here every 100 ms instead of every minute
//! (`TestServerBuilder::flow_control_period`).

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Who, admin, send_raw};

const SCHEMAS: &str = "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas";
const AUTO_UPDATE: &str = "apf.kubernetes.io/autoupdate-spec";

async fn server() -> TestServer {
    TestServer::builder()
        .flow_control_period(Duration::from_millis(100))
        .start()
        .await
        .unwrap()
}

/// Polls `check` until it gives `Some`, for at most ten seconds.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not within ten seconds");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn schema(server: &TestServer, name: &str) -> Option<Value> {
    let a = admin(server, Method::GET, &format!("{SCHEMAS}/{name}"), None).await;
    (a.status == 200).then(|| a.json())
}

async fn merge_patch(server: &TestServer, name: &str, patch: Value) {
    let a = send_raw(
        server,
        &Who::Cert(server.admin_cert()),
        Method::PATCH,
        &format!("{SCHEMAS}/{name}"),
        Some("application/merge-patch+json"),
        Some(Bytes::from(patch.to_string())),
        &[],
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
}

/// Deletes `probes` and waits until the producer made it again: a round has run since.
async fn one_round(server: &TestServer) {
    let a = admin(server, Method::DELETE, &format!("{SCHEMAS}/probes"), None).await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    eventually("probes again", || schema(server, "probes")).await;
}

fn annotation(obj: &Value) -> &str {
    obj["metadata"]["annotations"][AUTO_UPDATE]
        .as_str()
        .unwrap_or("<none>")
}

#[tokio::test]
async fn deleted_bootstrap_objects_come_back() {
    let server = server().await;
    let level = "/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations/catch-all";
    for path in [format!("{SCHEMAS}/catch-all"), level.to_owned()] {
        let before = admin(&server, Method::GET, &path, None).await.json();
        let a = admin(&server, Method::DELETE, &path, None).await;
        assert_eq!(a.status, 200, "{:?}", a.json());
        let again = eventually("created again", || async {
            let a = admin(&server, Method::GET, &path, None).await;
            (a.status == 200).then(|| a.json())
        })
        .await;
        assert_ne!(again["metadata"]["uid"], before["metadata"]["uid"]);
        assert_eq!(again["spec"], before["spec"]);
        assert_eq!(annotation(&again), "true");
    }
    // the Dangling condition follows the level's absence and return
    let fs = eventually("catch-all Found", || async {
        schema(&server, "catch-all")
            .await
            .filter(|fs| fs["status"]["conditions"][0]["reason"] == "Found")
    })
    .await;
    assert_eq!(fs["status"]["conditions"][0]["status"], "False");
}

#[tokio::test]
async fn mandatory_annotations_and_edited_suggested_specs_are_restored() {
    let server = server().await;
    merge_patch(
        &server,
        "exempt",
        json!({"metadata": {"annotations": {AUTO_UPDATE: "false"}}}),
    )
    .await;
    eventually("exempt annotated true again", || async {
        schema(&server, "exempt")
            .await
            .filter(|fs| annotation(fs) == "true")
    })
    .await;
    // a suggested schema that says "true" gets its spec back
    merge_patch(
        &server,
        "global-default",
        json!({"spec": {"matchingPrecedence": 9800}}),
    )
    .await;
    let restored = eventually("global-default restored", || async {
        schema(&server, "global-default")
            .await
            .filter(|fs| fs["spec"]["matchingPrecedence"] == 9900)
    })
    .await;
    assert_eq!(annotation(&restored), "true");
    // one that says "false" keeps the operator's
    merge_patch(
        &server,
        "global-default",
        json!({"metadata": {"annotations": {AUTO_UPDATE: "false"}},
            "spec": {"matchingPrecedence": 9800}}),
    )
    .await;
    one_round(&server).await;
    let kept = schema(&server, "global-default").await.unwrap();
    assert_eq!(kept["spec"]["matchingPrecedence"], 9800);
    assert_eq!(annotation(&kept), "false");
    // without the annotation, an edited one is marked "false" and kept
    merge_patch(
        &server,
        "service-accounts",
        json!({"metadata": {"annotations": {AUTO_UPDATE: null}},
            "spec": {"matchingPrecedence": 8000}}),
    )
    .await;
    let marked = eventually("service-accounts marked false", || async {
        schema(&server, "service-accounts")
            .await
            .filter(|fs| annotation(fs) == "false")
    })
    .await;
    assert_eq!(marked["spec"]["matchingPrecedence"], 8000);
}

#[tokio::test]
async fn other_objects_annotated_for_auto_update_are_removed() {
    let server = server().await;
    let spec = json!({"priorityLevelConfiguration": {"name": "global-default"},
        "matchingPrecedence": 5000,
        "rules": [{"subjects": [{"kind": "User", "user": {"name": "nobody"}}],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/nothing"]}]}]});
    for (name, value) in [("mine", None), ("managed", Some("true"))] {
        let mut fs = json!({"metadata": {"name": name}, "spec": spec});
        if let Some(v) = value {
            fs["metadata"]["annotations"] = json!({AUTO_UPDATE: v});
        }
        let a = admin(&server, Method::POST, SCHEMAS, Some(fs)).await;
        assert_eq!(a.status, 201, "{:?}", a.json());
    }
    eventually("managed removed", || async {
        schema(&server, "managed").await.is_none().then_some(())
    })
    .await;
    one_round(&server).await;
    assert!(schema(&server, "mine").await.is_some());
}
