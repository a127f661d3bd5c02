//! A client in protobuf mode (`ClientBuilder::protobuf(true)`) against the server: gets,
//! lists (one request and in pages), creates and updates go in protobuf and give the same
//! objects a JSON client sees; patches stay JSON; errors still carry the server's Status.

use futures_util::TryStreamExt;
use http::header;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kubeset::clientset::{Client, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::objects::config_map;
use crate::support::{admin_config, setup};

fn protobuf_client(ns: &str) -> Client {
    Client::builder(admin_config())
        .protobuf(true)
        .build()
        .unwrap()
        .with_default_namespace(ns)
}

fn pod(name: &str) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": "pb"}, "annotations": {"a": ""}},
        "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1d"],
            "ports": [{"containerPort": 80}],
            "resources": {"limits": {"cpu": "250m", "memory": "64Mi"}}}],
            "terminationGracePeriodSeconds": 0}
    }))
    .unwrap()
}

#[tokio::test]
async fn get_list_create_and_replace_in_protobuf_see_what_json_sees() {
    let ctx = setup("protobuf-crud").await;
    let client = protobuf_client(&ctx.ns);
    assert!(client.protobuf());
    let pods = client.pods(&ctx.ns);
    let json_pods = ctx.client.pods(&ctx.ns);

    let created = pods
        .create(&PostParams::default(), &pod("p0"))
        .await
        .unwrap();
    assert!(created.metadata.uid.is_some(), "{:?}", created.metadata);
    assert_eq!(
        created.spec.as_ref().unwrap().containers[0]
            .image
            .as_deref(),
        Some("busybox")
    );
    for i in 1..5 {
        pods.create(&PostParams::default(), &pod(&format!("p{i}")))
            .await
            .unwrap();
    }

    let got = pods.get("p0").await.unwrap();
    let via_json = json_pods.get("p0").await.unwrap();
    assert_eq!(
        serde_json::to_value(&got).unwrap(),
        serde_json::to_value(&via_json).unwrap()
    );

    let list = pods.list(&ListParams::default()).await.unwrap();
    let json_list = json_pods.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.kind, "PodList");
    assert_eq!(list.items.len(), 5);
    // the revision is the server's, which other writers move between the two lists
    assert!(list.resource_version().is_some_and(|rv| !rv.is_empty()));
    assert_eq!(
        serde_json::to_value(&list.items).unwrap(),
        serde_json::to_value(&json_list.items).unwrap()
    );

    // In pages of two: continue tokens come through the protobuf ListMeta.
    let paged: Vec<Pod> = pods
        .list_all(&ListParams::default().limit(2))
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = paged
        .iter()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    assert_eq!(names, ["p0", "p1", "p2", "p3", "p4"]);

    let mut changed = got.clone();
    changed
        .metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("v".into(), "2".into());
    let replaced = pods
        .replace("p0", &PostParams::default(), &changed)
        .await
        .unwrap();
    assert_eq!(replaced.metadata.labels.unwrap()["v"], "2");

    // A stale update is the server's 409, decoded from its Status.
    let err = pods
        .replace("p0", &PostParams::default(), &changed)
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let err = pods.get("missing").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    // Patches stay JSON (there is no protobuf patch) and are answered in protobuf.
    let patched = pods
        .patch(
            "p0",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"v": "3"}}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.labels.unwrap()["v"], "3");
}

#[tokio::test]
async fn deployments_and_config_maps_round_trip_through_the_server() {
    let ctx = setup("protobuf-kinds").await;
    let client = protobuf_client(&ctx.ns);
    let deployment: Deployment = serde_json::from_value(json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}
    }))
    .unwrap();
    let deployments = client.deployments(&ctx.ns);
    let created = deployments
        .create(&PostParams::default(), &deployment)
        .await
        .unwrap();
    let spec = created.spec;
    assert_eq!(spec.replicas, Some(0), "a set zero survives protobuf");
    let rolling = spec.strategy.unwrap().rolling_update.unwrap();
    assert_eq!(
        serde_json::to_value(&rolling).unwrap(),
        json!({"maxSurge": "25%", "maxUnavailable": 1})
    );

    let cms = client.config_maps(&ctx.ns);
    let mut cm: ConfigMap = config_map("cfg", &[("app", "x")], &[("k", "v"), ("empty", "")]);
    cm.binary_data = Some([("b".to_owned(), k8s_openapi::ByteString(vec![0, 1, 255]))].into());
    cms.create(&PostParams::default(), &cm).await.unwrap();
    let got = cms.get("cfg").await.unwrap();
    assert_eq!(got.data.unwrap()["empty"], "");
    assert_eq!(got.binary_data.unwrap()["b"].0, [0, 1, 255]);
}

#[tokio::test]
async fn the_server_answers_protobuf_only_when_asked() {
    let ctx = setup("protobuf-raw").await;
    ctx.client
        .config_maps(&ctx.ns)
        .create(
            &PostParams::default(),
            &config_map("raw", &[], &[("k", "v")]),
        )
        .await
        .unwrap();
    let path = format!("/api/v1/namespaces/{}/configmaps/raw", ctx.ns);
    let ask = |accept: &'static str| {
        http::Request::get(path.as_str())
            .header(header::ACCEPT, accept)
            .body(kubeset::transport::RequestBody::default())
            .unwrap()
    };
    let response = ctx
        .client
        .send(ask("application/vnd.kubernetes.protobuf, application/json"))
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/vnd.kubernetes.protobuf"
    );
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(body.starts_with(b"k8s\0"));
    let response = ctx.client.send(ask("application/json")).await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
}
