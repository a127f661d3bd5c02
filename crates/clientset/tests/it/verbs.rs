//! The ordinary verbs: what they send and what they make of the answers.

use either::Either;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kubeset_clientset::{
    DeleteParams, FieldValidation, ListParams, Patch, PatchParams, PostParams, PropagationPolicy,
};
use serde_json::json;

use crate::support::{json, recorded, serve, status};

const NS: &str = "t-pods-create-defaults";

#[tokio::test]
async fn get_decodes_a_real_pod() {
    let path = format!("/api/v1/namespaces/{NS}/pods/p1");
    let body = recorded("pods-create-defaults", "GET", &path);
    let server = serve(move |_| json(200, &body)).await;
    let pod = server.client.pods(NS).get("p1").await.unwrap();
    assert_eq!(pod.metadata.name.as_deref(), Some("p1"));
    assert_eq!(pod.metadata.namespace.as_deref(), Some(NS));
    let spec = pod.spec.unwrap();
    assert_eq!(spec.containers[0].name, "c");
    let seen = server.one();
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.uri, path);
    assert_eq!(seen.header("accept"), "application/json");
}

#[tokio::test]
async fn get_opt_is_none_on_404_and_error_otherwise() {
    let server = serve(|seen| {
        if seen.uri.ends_with("/gone") {
            status(404, "NotFound", "configmaps \"gone\" not found")
        } else {
            status(403, "Forbidden", "no")
        }
    })
    .await;
    let cms = server.client.config_maps("a");
    assert!(cms.get_opt("gone").await.unwrap().is_none());
    let err = cms.get_opt("secret").await.unwrap_err();
    assert!(err.is_forbidden(), "{err}");
}

#[tokio::test]
async fn create_sends_the_object_and_write_options() {
    let server = serve(|seen| {
        let mut body = seen.json();
        body["metadata"]["uid"] = json!("u-1");
        json(201, &body)
    })
    .await;
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some("c".into());
    cm.data = Some([("k".to_string(), "v".to_string())].into());
    let pp = PostParams::default()
        .dry_run()
        .field_manager("me")
        .validation(FieldValidation::Strict);
    let created = server
        .client
        .config_maps("a")
        .create(&pp, &cm)
        .await
        .unwrap();
    assert_eq!(created.metadata.uid.as_deref(), Some("u-1"));
    let seen = server.one();
    assert_eq!(seen.method, "POST");
    assert_eq!(
        seen.uri,
        "/api/v1/namespaces/a/configmaps?dryRun=All&fieldManager=me&fieldValidation=Strict"
    );
    assert_eq!(seen.header("content-type"), "application/json");
    assert_eq!(
        seen.json(),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}})
    );
}

#[tokio::test]
async fn replace_and_replace_status_put_to_the_right_paths() {
    let server = serve(|seen| json(200, &seen.json())).await;
    let mut pod = Pod::default();
    pod.metadata.name = Some("p".into());
    pod.metadata.resource_version = Some("7".into());
    let pods = server.client.pods("a");
    pods.replace("p", &PostParams::default(), &pod)
        .await
        .unwrap();
    pods.replace_status("p", &PostParams::default(), &pod)
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].uri, "/api/v1/namespaces/a/pods/p");
    assert_eq!(seen[0].json()["metadata"]["resourceVersion"], "7");
    assert_eq!(seen[1].uri, "/api/v1/namespaces/a/pods/p/status");
}

#[tokio::test]
async fn patches_carry_their_content_types() {
    let pod = recorded(
        "pods-create-defaults",
        "GET",
        &format!("/api/v1/namespaces/{NS}/pods/p1"),
    );
    let server = serve(move |_| json(200, &pod)).await;
    let pods = server.client.pods(NS);
    let body = json!({"metadata": {"labels": {"a": "b"}}});
    #[track_caller]
    fn check(seen: &crate::support::Seen, uri: &str, content_type: &str) {
        assert_eq!(seen.method, "PATCH");
        assert_eq!(seen.uri, uri);
        assert_eq!(seen.header("content-type"), content_type);
    }
    let pp = PatchParams::default();
    pods.patch("p1", &pp, &Patch::Merge(&body)).await.unwrap();
    pods.patch("p1", &pp, &Patch::Strategic(&body))
        .await
        .unwrap();
    let ops = json!([{"op": "add", "path": "/metadata/labels/x", "value": "y"}]);
    pods.patch("p1", &pp, &Patch::Json(&ops)).await.unwrap();
    let apply = PatchParams::apply("ctl").force();
    pods.patch("p1", &apply, &Patch::Apply(&body))
        .await
        .unwrap();
    // `force` is dropped for non-apply patches: the server would reject it.
    pods.patch_status("p1", &apply, &Patch::Merge(&body))
        .await
        .unwrap();
    let seen = server.seen();
    let base = format!("/api/v1/namespaces/{NS}/pods/p1");
    check(&seen[0], &base, "application/merge-patch+json");
    check(&seen[1], &base, "application/strategic-merge-patch+json");
    check(&seen[2], &base, "application/json-patch+json");
    assert_eq!(seen[2].json(), ops);
    check(
        &seen[3],
        &format!("{base}?fieldManager=ctl&force=true"),
        "application/apply-patch+yaml",
    );
    check(
        &seen[4],
        &format!("{base}/status?fieldManager=ctl"),
        "application/merge-patch+json",
    );
}

#[tokio::test]
async fn delete_returns_the_object_or_the_status() {
    let server = serve(|seen| {
        if seen.uri.contains("/still-there") {
            json(
                200,
                &json!({"kind": "ConfigMap", "apiVersion": "v1",
                    "metadata": {"name": "still-there", "finalizers": ["x/y"]}}),
            )
        } else {
            json(
                200,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                    "details": {"name": "gone", "kind": "configmaps"}}),
            )
        }
    })
    .await;
    let cms = server.client.config_maps("a");
    match cms
        .delete("still-there", &DeleteParams::default())
        .await
        .unwrap()
    {
        Either::Left(cm) => assert_eq!(cm.metadata.finalizers, Some(vec!["x/y".to_string()])),
        Either::Right(status) => panic!("{status:?}"),
    }
    match cms.delete("gone", &DeleteParams::default()).await.unwrap() {
        Either::Right(status) => assert_eq!(status.status.as_deref(), Some("Success")),
        Either::Left(cm) => panic!("{cm:?}"),
    }
    let seen = server.seen();
    assert_eq!(seen[0].method, "DELETE");
    assert!(seen[0].body.is_empty(), "default options send no body");
}

#[tokio::test]
async fn delete_options_travel_in_the_body() {
    let server = serve(|_| {
        status(
            409,
            "Conflict",
            "the UID in the precondition does not match",
        )
    })
    .await;
    let dp = DeleteParams::default()
        .grace_period(0)
        .propagation(PropagationPolicy::Foreground)
        .precondition_uid("u-1")
        .precondition_version("9")
        .dry_run();
    let err = server.client.pods("a").delete("p", &dp).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    let seen = server.one();
    assert_eq!(seen.header("content-type"), "application/json");
    assert_eq!(
        seen.json(),
        json!({"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0,
            "propagationPolicy": "Foreground", "dryRun": ["All"],
            "preconditions": {"uid": "u-1", "resourceVersion": "9"}})
    );
}

#[tokio::test]
async fn delete_collection_decodes_the_deleted_list() {
    let server = serve(|_| {
        json(
            200,
            &json!({"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {"resourceVersion": "5"},
                "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]}),
        )
    })
    .await;
    let lp = ListParams::default().labels("job=x");
    let answer = server
        .client
        .config_maps("a")
        .delete_collection(&DeleteParams::default(), &lp)
        .await
        .unwrap();
    let Either::Left(list) = answer else {
        panic!("{answer:?}")
    };
    let names: Vec<_> = list
        .iter()
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    assert_eq!(names, ["a", "b"]);
    let seen = server.one();
    assert_eq!(seen.method, "DELETE");
    assert_eq!(
        seen.uri,
        "/api/v1/namespaces/a/configmaps?labelSelector=job%3Dx"
    );
}

#[tokio::test]
async fn metadata_only_reads_ask_for_partial_objects() {
    let server = serve(|seen| {
        if seen.uri.contains("/pods/") {
            json(
                200,
                &json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": {"name": "p", "labels": {"a": "b"}}}),
            )
        } else {
            json(
                200,
                &json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
                    "metadata": {"resourceVersion": "3"},
                    "items": [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "p"}}]}),
            )
        }
    })
    .await;
    let pods = server.client.pods("a");
    let meta = pods.get_metadata("p").await.unwrap();
    assert_eq!(meta.metadata.labels.unwrap()["a"], "b");
    let list = pods.list_metadata(&ListParams::default()).await.unwrap();
    assert_eq!(list.items[0].metadata.name.as_deref(), Some("p"));
    assert_eq!(list.resource_version(), Some("3"));
    let seen = server.seen();
    assert_eq!(
        seen[0].header("accept"),
        "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
    );
    assert_eq!(
        seen[1].header("accept"),
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    );
}

#[tokio::test]
async fn handles_build_the_right_paths() {
    let server = serve(|_| status(404, "NotFound", "x")).await;
    let c = &server.client;
    #[track_caller]
    fn check(path: &str, expected: &str) {
        assert_eq!(path, expected);
    }
    check(c.pods("a").collection_path(), "/api/v1/namespaces/a/pods");
    check(c.all_pods().collection_path(), "/api/v1/pods");
    check(
        c.default_pods().collection_path(),
        "/api/v1/namespaces/default/pods",
    );
    check(c.nodes().collection_path(), "/api/v1/nodes");
    check(
        c.persistent_volumes().collection_path(),
        "/api/v1/persistentvolumes",
    );
    check(
        c.persistent_volume_claims("a").collection_path(),
        "/api/v1/namespaces/a/persistentvolumeclaims",
    );
    check(
        c.storage_classes().collection_path(),
        "/apis/storage.k8s.io/v1/storageclasses",
    );
    check(c.namespaces().collection_path(), "/api/v1/namespaces");
    check(
        c.secrets("a").collection_path(),
        "/api/v1/namespaces/a/secrets",
    );
    check(
        c.service_accounts("a").collection_path(),
        "/api/v1/namespaces/a/serviceaccounts",
    );
    check(
        c.services("a").collection_path(),
        "/api/v1/namespaces/a/services",
    );
    check(
        c.events("a").collection_path(),
        "/api/v1/namespaces/a/events",
    );
    check(
        c.leases("a").collection_path(),
        "/apis/coordination.k8s.io/v1/namespaces/a/leases",
    );
    check(
        c.clone()
            .with_default_namespace("b")
            .default_leases()
            .collection_path(),
        "/apis/coordination.k8s.io/v1/namespaces/b/leases",
    );
    let err = c.pods("a").get("../x").await.unwrap_err();
    assert!(
        matches!(err, kubeset_clientset::Error::InvalidName { .. }),
        "{err}"
    );
    let err = c.pods("a").get("").await.unwrap_err();
    assert!(err.to_string().contains("not valid in a URL path"), "{err}");
    // `?` and `#` would otherwise turn the rest of the name into a query or a fragment.
    for name in ["web-0?watch=true", "web-0#x"] {
        let err = c.pods("a").get(name).await.unwrap_err();
        assert!(
            matches!(err, kubeset_clientset::Error::InvalidName { .. }),
            "{name}: {err}"
        );
    }
    assert!(
        server.seen().is_empty(),
        "invalid names never reach the server"
    );
}

/// A custom resource: any type with k8s-openapi's `Resource` and `Metadata` traits.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Widget {
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    spec: WidgetSpec,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct WidgetSpec {
    size: u32,
}

impl k8s_openapi::Resource for Widget {
    const API_VERSION: &'static str = "example.com/v1";
    const GROUP: &'static str = "example.com";
    const KIND: &'static str = "Widget";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "widgets";
    type Scope = k8s_openapi::NamespaceResourceScope;
}

impl k8s_openapi::Metadata for Widget {
    type Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    fn metadata(&self) -> &Self::Ty {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut Self::Ty {
        &mut self.metadata
    }
}

#[tokio::test]
async fn custom_resources_get_typed_handles() {
    let server = serve(|seen| {
        if seen.method == "GET" {
            json(
                200,
                &json!({"apiVersion": "example.com/v1", "kind": "Widget",
                "metadata": {"name": "w", "resourceVersion": "3"}, "spec": {"size": 3}}),
            )
        } else {
            json(201, &seen.json())
        }
    })
    .await;
    let widgets: kubeset_clientset::Api<Widget> =
        kubeset_clientset::Api::namespaced(server.client.clone(), "a");
    let w = widgets
        .get_with("w", &kubeset_clientset::GetParams::any_version())
        .await
        .unwrap();
    assert_eq!(w.spec.size, 3);
    widgets.create(&PostParams::default(), &w).await.unwrap();
    let uris: Vec<_> = server.seen().into_iter().map(|s| s.uri).collect();
    assert_eq!(
        uris,
        [
            "/apis/example.com/v1/namespaces/a/widgets/w?resourceVersion=0",
            "/apis/example.com/v1/namespaces/a/widgets",
        ]
    );
}

#[tokio::test]
async fn tables_are_what_kubectl_get_prints() {
    let empty = crate::support::transcript("errors-bad-requests")["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["request"]["headers"]["Accept"] == "application/json;as=Table;v=v1;g=meta.k8s.io"
        })
        .unwrap()["response"]["body"]
        .clone();
    let server = serve(move |seen| {
        if seen.uri.contains("labelSelector=none") {
            return json(200, &empty);
        }
        json(200, &json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "3"},
            "columnDefinitions": [
                {"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0},
                {"name": "Node", "type": "string", "format": "", "description": "", "priority": 1},
                {"name": "Age", "type": "string", "format": "", "description": "", "priority": 0}],
            "rows": [{"cells": ["p1", null, "5m"], "object": {"kind": "PartialObjectMetadata", "metadata": {"name": "p1"}}}]}))
    })
    .await;
    let pods = server.client.pods("a");
    let table = pods.list_table(&ListParams::default()).await.unwrap();
    assert_eq!(table.visible_columns(false).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(table.visible_columns(true).collect::<Vec<_>>(), [0, 1, 2]);
    let row = &table.rows[0];
    let cells: Vec<String> = (0..3).map(|c| row.cell_text(c)).collect();
    assert_eq!(cells, ["p1", "<none>", "5m"]);
    let empty = pods
        .list_table(&ListParams::default().labels("none"))
        .await
        .unwrap();
    let names: Vec<&str> = empty
        .column_definitions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Name", "Data", "Age"]);
    assert!(empty.rows.is_empty());
    let seen = server.seen();
    assert_eq!(
        seen[0].uri,
        "/api/v1/namespaces/a/pods?includeObject=Metadata"
    );
    assert_eq!(
        seen[0].header("accept"),
        "application/json;as=Table;v=v1;g=meta.k8s.io"
    );
}
