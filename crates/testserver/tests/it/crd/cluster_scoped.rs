//! The cluster-scoped `Gadget` CRD and what goes beyond one resource: the scale subresource,
//! server-side apply and its keyed lists, namespace deletion and garbage collection, formats
//! and embedded resources, a terminating CRD, and a kind accepted twice in a group.

use super::*;

/// A cluster-scoped `Gadget` CRD with the scale subresource.
fn gadget_crd() -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("gadgets.{GROUP}")},
        "spec": {"group": GROUP, "scope": "Cluster",
            "names": {"plural": "gadgets", "kind": "Gadget", "listKind": "GadgetCollection"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}, "note": {"type": "string"}}},
                    "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}},
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                    "statusReplicasPath": ".status.replicas"}}}]}})
}

#[tokio::test]
async fn scale_subresource_reads_and_writes_the_replicas_path() {
    let server = TestServer::start().await.unwrap();
    establish(&server, &gadget_crd(), "v1").await;
    let base = format!("/apis/{GROUP}/v1/gadgets");
    let a = admin(
        &server,
        Method::POST,
        &base,
        Some(
            json!({"apiVersion": format!("{GROUP}/v1"), "kind": "Gadget",
            "metadata": {"name": "g"}, "spec": {"replicas": 1, "note": "kept"}}),
        ),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let list = admin(&server, Method::GET, &base, None).await.json();
    assert_eq!(list["kind"], "GadgetCollection");
    let scale = admin(&server, Method::GET, &format!("{base}/g/scale"), None).await;
    assert_eq!(scale.json()["kind"], "Scale");
    assert_eq!(scale.json()["spec"], json!({"replicas": 1}));
    assert_eq!(scale.json()["status"], json!({"replicas": 0}));
    let patched = crate::support::send_with_type(
        &server,
        Method::PATCH,
        &format!("{base}/g/scale"),
        "application/merge-patch+json",
        br#"{"spec":{"replicas":4}}"#.to_vec(),
    )
    .await;
    assert_eq!(patched.status, 200, "{:?}", patched.json());
    assert_eq!(patched.json()["spec"], json!({"replicas": 4}));
    let obj = admin(&server, Method::GET, &format!("{base}/g"), None)
        .await
        .json();
    assert_eq!(obj["spec"], json!({"replicas": 4, "note": "kept"}));
    assert_eq!(obj["metadata"]["generation"], 2);
    let mut negative = patched.json();
    negative["spec"]["replicas"] = json!(-1);
    let refused = admin(
        &server,
        Method::PUT,
        &format!("{base}/g/scale"),
        Some(negative),
    )
    .await;
    assert_eq!(refused.status, 422, "{:?}", refused.json());
    let a = admin(
        &server,
        Method::POST,
        &base,
        Some(
            json!({"apiVersion": format!("{GROUP}/v1"), "kind": "Gadget",
            "metadata": {"name": "unscaled"}, "spec": {"note": "no replicas"}}),
        ),
    )
    .await;
    assert_eq!(a.status, 201);
    let missing = admin(
        &server,
        Method::GET,
        &format!("{base}/unscaled/scale"),
        None,
    )
    .await;
    assert_eq!(missing.status, 500);
    assert_eq!(
        missing.json()["message"],
        "Internal error occurred: the spec replicas field \".spec.replicas\" does not exist"
    );
    let discovery = admin(&server, Method::GET, &format!("/apis/{GROUP}/v1"), None)
        .await
        .json();
    let names: Vec<&Value> = discovery["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["name"])
        .collect();
    assert_eq!(
        names,
        [
            &json!("gadgets"),
            &json!("gadgets/status"),
            &json!("gadgets/scale")
        ]
    );
}

#[tokio::test]
async fn server_side_apply_tracks_owners_of_custom_fields() {
    let server = TestServer::start().await.unwrap();
    establish(&server, &gadget_crd(), "v1").await;
    let path = format!("/apis/{GROUP}/v1/gadgets/g?fieldManager=one");
    let apply = |manager: &str, note: &str| {
        format!(
            "apiVersion: {GROUP}/v1\nkind: Gadget\nmetadata:\n  name: g\nspec:\n  note: {note}\n  replicas: 1\n# {manager}\n"
        )
    };
    let a = crate::support::send_with_type(
        &server,
        Method::PATCH,
        &path,
        "application/apply-patch+yaml",
        apply("one", "first").into_bytes(),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let managed = &a.json()["metadata"]["managedFields"][0];
    assert_eq!(managed["manager"], "one");
    assert_eq!(managed["operation"], "Apply");
    assert_eq!(
        managed["fieldsV1"],
        json!({"f:spec": {"f:note": {}, "f:replicas": {}}})
    );
    let conflict = crate::support::send_with_type(
        &server,
        Method::PATCH,
        &format!("/apis/{GROUP}/v1/gadgets/g?fieldManager=two"),
        "application/apply-patch+yaml",
        apply("two", "second").into_bytes(),
    )
    .await;
    assert_eq!(conflict.status, 409, "{:?}", conflict.json());
}

#[tokio::test]
async fn namespace_deletion_and_garbage_collection_reach_custom_resources() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "owned").await;
    establish(&server, &widget_crd(), "v2").await;
    let owner = admin(
        &server,
        Method::POST,
        &widgets("v2", "owned"),
        Some(json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget", "metadata": {"name": "owner"}})),
    )
    .await
    .json();
    let dependent = json!({"metadata": {"name": "dep", "ownerReferences": [{
        "apiVersion": format!("{GROUP}/v2"), "kind": "Widget", "name": "owner",
        "uid": owner["metadata"]["uid"]}]}});
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/owned/configmaps",
        Some(dependent),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let a = admin(
        &server,
        Method::DELETE,
        &format!("{}/owner", widgets("v2", "owned")),
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    eventually(&server, "/api/v1/namespaces/owned/configmaps/dep", 404).await;
    let a = admin(
        &server,
        Method::POST,
        &widgets("v2", "owned"),
        Some(json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget", "metadata": {"name": "left"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let a = admin(&server, Method::DELETE, "/api/v1/namespaces/owned", None).await;
    assert_eq!(a.status, 200);
    eventually(&server, "/api/v1/namespaces/owned", 404).await;
    let left = admin(
        &server,
        Method::GET,
        &format!("/apis/{GROUP}/v2/widgets"),
        None,
    )
    .await;
    assert_eq!(left.json()["items"], json!([]));
}

#[tokio::test]
async fn formats_and_embedded_resources_are_validated() {
    let server = TestServer::start().await.unwrap();
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("things.{GROUP}")},
        "spec": {"group": GROUP, "scope": "Cluster", "names": {"plural": "things", "kind": "Thing"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
                    "properties": {
                        "when": {"type": "string", "format": "date-time"},
                        "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                            "x-kubernetes-preserve-unknown-fields": true}}}}}}}]}});
    establish(&server, &crd, "v1").await;
    let base = format!("/apis/{GROUP}/v1/things");
    let thing = |name: &str, spec: Value| json!({"apiVersion": format!("{GROUP}/v1"), "kind": "Thing", "metadata": {"name": name}, "spec": spec});
    let a = admin(
        &server,
        Method::POST,
        &base,
        Some(thing("bad-time", json!({"when": "yesterday"}))),
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json()["details"]["causes"],
        json!([{"reason": "FieldValueTypeInvalid", "field": "spec.when",
            "message": "Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\""}])
    );
    let a = admin(
        &server,
        Method::POST,
        &base,
        Some(thing(
            "bad-template",
            json!({"template": {"apiVersion": "v1", "metadata": {"name": "x"}}}),
        )),
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json()["details"]["causes"][0]["field"],
        "spec.template.kind"
    );
    let a = admin(
        &server,
        Method::POST,
        &base,
        Some(thing("good", json!({"when": "2026-01-02T03:04:05Z",
            "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}}}))),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        a.json()["spec"]["template"]["metadata"],
        json!({"name": "x"})
    );
}

#[tokio::test]
async fn a_terminating_crd_refuses_new_instances_until_its_last_one_is_gone() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "term").await;
    establish(&server, &widget_crd(), "v2").await;
    let widget = |name: &str| {
        json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget",
            "metadata": {"name": name, "finalizers": ["example.com/keep"]}})
    };
    let a = admin(
        &server,
        Method::POST,
        &widgets("v2", "term"),
        Some(widget("kept")),
    )
    .await;
    assert_eq!(a.status, 201);
    let crd_path =
        format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{GROUP}");
    assert_eq!(
        admin(&server, Method::DELETE, &crd_path, None).await.status,
        200
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        let a = admin(
            &server,
            Method::POST,
            &widgets("v2", "term"),
            Some(widget("late")),
        )
        .await;
        if a.status == 405 || Instant::now() > deadline {
            break a;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(refused.status, 405, "{:?}", refused.json());
    assert_eq!(
        refused.json()["message"],
        "create not allowed while custom resource definition is terminating"
    );
    // the CRD waits for its instance's finalizer
    assert_eq!(
        admin(&server, Method::GET, &crd_path, None).await.status,
        200
    );
    let a = crate::support::send_with_type(
        &server,
        Method::PATCH,
        &format!("{}/kept", widgets("v2", "term")),
        "application/merge-patch+json",
        br#"{"metadata":{"finalizers":null}}"#.to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    eventually(&server, &crd_path, 404).await;
}

#[tokio::test]
async fn a_kind_already_accepted_in_the_group_is_not_accepted_again() {
    let server = TestServer::start().await.unwrap();
    establish(&server, &gadget_crd(), "v1").await;
    let mut twin = gadget_crd();
    twin["metadata"]["name"] = json!(format!("twins.{GROUP}"));
    twin["spec"]["names"] =
        json!({"plural": "twins", "singular": "twin", "kind": "Gadget", "listKind": "TwinList"});
    let a = admin(
        &server,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(twin),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let path = format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/twins.{GROUP}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let conditions = loop {
        let crd = admin(&server, Method::GET, &path, None).await.json();
        if crd["status"]["conditions"].is_array() || Instant::now() > deadline {
            break crd["status"]["conditions"].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let brief: Vec<(Value, Value, Value)> = conditions
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["type"].clone(), c["status"].clone(), c["reason"].clone()))
        .collect();
    assert_eq!(
        brief,
        [
            (
                json!("NamesAccepted"),
                json!("False"),
                json!("KindConflict")
            ),
            (json!("Established"), json!("False"), json!("NotAccepted")),
        ]
    );
    let unserved = admin(
        &server,
        Method::GET,
        &format!("/apis/{GROUP}/v1/twins"),
        None,
    )
    .await;
    assert_eq!(unserved.status, 404);
}

#[tokio::test]
async fn apply_merges_keyed_lists_of_custom_resources_by_their_keys() {
    let server = TestServer::start().await.unwrap();
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("routers.{GROUP}")},
        "spec": {"group": GROUP, "scope": "Cluster", "names": {"plural": "routers", "kind": "Router"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
                    "properties": {"ports": {"type": "array", "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "properties": {"name": {"type": "string"},
                            "port": {"type": "integer"}}}}}}}}}}]}});
    establish(&server, &crd, "v1").await;
    for (manager, port) in [("one", "a"), ("two", "b")] {
        let body = format!(
            "apiVersion: {GROUP}/v1\nkind: Router\nmetadata:\n  name: r\nspec:\n  ports:\n  - name: {port}\n    port: 80\n"
        );
        let a = crate::support::send_with_type(
            &server,
            Method::PATCH,
            &format!("/apis/{GROUP}/v1/routers/r?fieldManager={manager}"),
            "application/apply-patch+yaml",
            body.into_bytes(),
        )
        .await;
        assert!(a.status == 200 || a.status == 201, "{:?}", a.json());
    }
    let r = admin(
        &server,
        Method::GET,
        &format!("/apis/{GROUP}/v1/routers/r"),
        None,
    )
    .await
    .json();
    assert_eq!(
        r["spec"]["ports"],
        json!([{"name": "a", "port": 80}, {"name": "b", "port": 80}])
    );
    let two = r["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == "two")
        .unwrap();
    assert_eq!(
        two["fieldsV1"],
        json!({"f:spec": {"f:ports": {"k:{\"name\":\"b\"}": {".": {}, "f:name": {}, "f:port": {}}}}})
    );
}
