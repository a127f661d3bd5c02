//! pods/binding: once only, preconditions, validation, dry run, the legacy collection.

use http::Method;
use serde_json::json;

use super::*;

#[tokio::test]
async fn binding_assigns_once_and_keeps_generation_and_managed_fields() {
    let server = server().await;
    let created = create_pod(&server, "p", json!({}), &["c"]).await;

    let a = bind(&server, "p", binding("p", "n1")).await;
    assert_eq!(a.status, 201);
    assert_eq!(
        a.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
    );
    let pod = get_pod(&server, "p").await.json();
    assert_eq!(pod["spec"]["nodeName"], "n1");
    assert_eq!(pod["status"]["conditions"][0]["type"], "PodScheduled");
    assert_eq!(pod["status"]["conditions"][0]["status"], "True");
    assert_eq!(
        pod["metadata"]["generation"],
        created["metadata"]["generation"]
    );
    assert_eq!(
        pod["metadata"]["managedFields"],
        created["metadata"]["managedFields"]
    );
    assert_ne!(
        pod["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );

    check(
        &bind(&server, "p", binding("p", "n2")).await,
        409,
        "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"n1\"",
    );
    check(
        &bind(&server, "nope", binding("nope", "n1")).await,
        404,
        "pods \"nope\" not found",
    );
    check(
        &bind(&server, "p", binding("other", "n1")).await,
        400,
        "name in URL does not match name in Binding object",
    );
}

#[tokio::test]
async fn binding_validation_preconditions_dry_run_and_annotations() {
    let server = server().await;
    let created = create_pod(&server, "p", json!({}), &["c"]).await;

    let mut pod_kind = binding("p", "n1");
    pod_kind["target"]["kind"] = "Pod".into();
    let a = bind(&server, "p", pod_kind).await;
    check(
        &a,
        500,
        "target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"",
    );
    assert!(a.json().get("reason").is_none(), "{}", a.json());
    let mut no_node = binding("p", "");
    no_node["target"]["kind"] = "".into();
    check(
        &bind(&server, "p", no_node).await,
        500,
        "target.name: Required value",
    );

    let mut wrong_uid = binding("p", "n1");
    wrong_uid["metadata"]["uid"] = "00000000-0000-0000-0000-000000000000".into();
    let a = bind(&server, "p", wrong_uid).await;
    let uid = created["metadata"]["uid"].as_str().unwrap();
    check(
        &a,
        409,
        &format!(
            "Operation cannot be fulfilled on pods \"p\": StorageError: invalid object, Code: 4, Key: /registry/pods/{NS}/p, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: {uid}"
        ),
    );

    let mut other_ns = binding("p", "n1");
    other_ns["metadata"]["namespace"] = "elsewhere".into();
    check(
        &bind(&server, "p", other_ns).await,
        400,
        "the namespace of the provided object does not match the namespace sent on the request",
    );

    let dry = admin(
        &server,
        Method::POST,
        &pods_path("/p/binding?dryRun=All"),
        Some(binding("p", "n1")),
    )
    .await;
    assert_eq!(dry.status, 201);
    assert!(get_pod(&server, "p").await.json()["spec"]["nodeName"].is_null());

    // the legacy collection takes the pod from the Binding's name and copies its annotations
    let mut annotated = binding("p", "n1");
    annotated["metadata"]["annotations"] = json!({"scheduler": "mine"});
    let path = format!("/api/v1/namespaces/{NS}/bindings");
    let a = admin(&server, Method::POST, &path, Some(annotated)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    let pod = get_pod(&server, "p").await.json();
    assert_eq!(pod["spec"]["nodeName"], "n1");
    assert_eq!(pod["metadata"]["annotations"], json!({"scheduler": "mine"}));
}

/// A length-delimited protobuf field (short payloads only).
fn field(n: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![n << 3 | 2, u8::try_from(bytes.len()).unwrap()];
    out.extend_from_slice(bytes);
    out
}

#[tokio::test]
async fn binding_in_protobuf_as_client_go_schedulers_send_it() {
    let server = server().await;
    create_pod(&server, "p", json!({}), &["c"]).await;
    let target = [field(1, b"Node"), field(3, b"n1")].concat();
    let raw = [field(1, &field(1, b"p")), field(2, &target)].concat();
    let type_meta = [field(1, b"v1"), field(2, b"Binding")].concat();
    let body = [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &raw)].concat();
    let a = send_with_type(
        &server,
        Method::POST,
        &pods_path("/p/binding"),
        "application/vnd.kubernetes.protobuf",
        body,
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.json()["spec"]["nodeName"], "n1");
}

#[tokio::test]
async fn a_watching_scheduler_sees_the_binding_as_modified() {
    let server = server().await;
    let created = create_pod(&server, "p", json!({}), &["c"]).await;
    let rv = created["metadata"]["resourceVersion"].as_str().unwrap();
    assert_eq!(bind(&server, "p", binding("p", "n1")).await.status, 201);
    let path = pods_path(&format!(
        "?watch=1&resourceVersion={rv}&fieldSelector=spec.nodeName%3Dn1&timeoutSeconds=1"
    ));
    let events = watch(&server, &path).await;
    // the pod enters the node's field selection: an informer on spec.nodeName sees ADDED
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(events[0]["object"]["spec"]["nodeName"], "n1");
    let path = pods_path(&format!("?watch=1&resourceVersion={rv}&timeoutSeconds=1"));
    let events = watch(&server, &path).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["type"], "MODIFIED");
    assert_eq!(
        events[0]["object"]["status"]["conditions"][0]["type"],
        "PodScheduled"
    );
}

/// The events of a watch that ends by its `timeoutSeconds`.
async fn watch(server: &TestServer, path: &str) -> Vec<serde_json::Value> {
    let a = admin(server, Method::GET, path, None).await;
    a.body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

#[tokio::test]
async fn binding_copies_the_node_topology_labels() {
    let server = server().await;
    let node = json!({"metadata": {"name": "zoned", "labels": {
        "topology.k8s.io/zone": "z1", "topology.k8s.io/region": "r1", "other": "x"}}});
    let a = admin(&server, Method::POST, "/api/v1/nodes", Some(node)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    create_pod(&server, "p", json!({"app": "web"}), &["c"]).await;
    assert_eq!(bind(&server, "p", binding("p", "zoned")).await.status, 201);
    assert_eq!(
        get_pod(&server, "p").await.json()["metadata"]["labels"],
        json!({"app": "web", "topology.k8s.io/zone": "z1", "topology.k8s.io/region": "r1"})
    );
    // the plugin admits pods/binding only: the legacy bindings collection copies nothing
    create_pod(&server, "legacy", json!({"app": "web"}), &["c"]).await;
    let path = format!("/api/v1/namespaces/{NS}/bindings");
    let a = admin(
        &server,
        Method::POST,
        &path,
        Some(binding("legacy", "zoned")),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(
        get_pod(&server, "legacy").await.json()["metadata"]["labels"],
        json!({"app": "web"})
    );
}
