//! `wait::crd_established` and `wait::await_condition` against the test server: a new CRD is
//! waited for until Established, an established one returns at once, a CRD whose names are
//! refused fails with the server's reason instead of timing out, and a missing one times out.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kubeset_clientset::{Api, DeleteParams, PostParams};
use kubeset_runtime::wait::{WaitError, await_condition, crd_established, is_crd_established};
use serde_json::json;

use crate::support::{cluster, meta};

const WAIT: Duration = Duration::from_secs(10);

/// A minimal CRD `<plural>.wait.example` with `short` as its short name.
fn crd(plural: &str, kind: &str, short: &str) -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "metadata": {"name": format!("{plural}.wait.example")},
        "spec": {
            "group": "wait.example",
            "scope": "Namespaced",
            "names": {"plural": plural, "kind": kind, "shortNames": [short]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object",
                    "x-kubernetes-preserve-unknown-fields": true}}}],
        },
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_crd_is_waited_for_until_established_then_returned_at_once() {
    let c = cluster("wait").await;
    let crds: Api<CustomResourceDefinition> = Api::cluster(c.client.clone());
    // the wait starts before the CRD exists
    let waiting = tokio::spawn({
        let crds = crds.clone();
        async move { crd_established(&crds, "gizmos.wait.example", WAIT).await }
    });
    crds.create(&PostParams::default(), &crd("gizmos", "Gizmo", "gz"))
        .await
        .unwrap();
    let established = waiting.await.unwrap().unwrap();
    assert!(is_crd_established(&established));
    // the kind is served now
    let served = c
        .client
        .get_raw("/apis/wait.example/v1/namespaces/wait/gizmos")
        .await;
    assert!(served.is_ok(), "{served:?}");

    // already established: answered from the list, well within a short timeout
    let again = crd_established(&crds, "gizmos.wait.example", Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(again.metadata.uid, established.metadata.uid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_whose_names_are_refused_fails_with_the_reason() {
    let c = cluster("wait").await;
    let crds: Api<CustomResourceDefinition> = Api::cluster(c.client.clone());
    crds.create(&PostParams::default(), &crd("gizmos", "Gizmo", "gz"))
        .await
        .unwrap();
    crd_established(&crds, "gizmos.wait.example", WAIT)
        .await
        .unwrap();
    // the same short name in the same group
    crds.create(&PostParams::default(), &crd("gadgets", "Gadget", "gz"))
        .await
        .unwrap();
    let err = crd_established(&crds, "gadgets.wait.example", WAIT)
        .await
        .unwrap_err();
    match &err {
        WaitError::Rejected { name, message, .. } => {
            assert_eq!(name, "gadgets.wait.example");
            assert!(message.contains("gz"), "{message}");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_that_never_comes_times_out() {
    let c = cluster("wait").await;
    let crds: Api<CustomResourceDefinition> = Api::cluster(c.client.clone());
    let err = crd_established(&crds, "nothings.wait.example", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Timeout { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn await_condition_sees_changes_and_deletion() {
    let c = cluster("wait").await;
    let cms: Api<ConfigMap> = c.client.config_maps(&c.ns);
    let has_b = |cm: Option<&ConfigMap>| {
        cm.and_then(|cm| cm.data.as_ref())
            .is_some_and(|d| d.contains_key("b"))
    };
    let waiting = tokio::spawn(await_condition(cms.clone(), "settings", has_b));
    let mut cm = ConfigMap {
        metadata: meta("settings"),
        data: Some([("a".to_owned(), "1".to_owned())].into()),
        ..ConfigMap::default()
    };
    cms.create(&PostParams::default(), &cm).await.unwrap();
    // another object with the condition met is not the one waited for
    let mut other = cm.clone();
    other.metadata = meta("other");
    other.data = Some([("b".to_owned(), "1".to_owned())].into());
    cms.create(&PostParams::default(), &other).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiting.is_finished(), "returned before the change");
    cm.data = Some([("b".to_owned(), "2".to_owned())].into());
    cms.replace("settings", &PostParams::default(), &cm)
        .await
        .unwrap();
    let seen = tokio::time::timeout(WAIT, waiting)
        .await
        .unwrap()
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(seen.data.unwrap()["b"], "2");

    let gone = tokio::spawn(await_condition(cms.clone(), "settings", |cm| cm.is_none()));
    cms.delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    let after = tokio::time::timeout(WAIT, gone)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(after.is_none());
}
