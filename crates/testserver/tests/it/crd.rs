//! CustomResourceDefinitions beyond the transcripts: several versions (one not served),
//! pruning of nested objects, defaulting on read of objects stored before a default existed,
//! status subresource isolation, printer columns and selectable fields, RBAC on a custom
//! resource, and a CRD's deletion taking its instances and discovery with it.

use std::time::{Duration, Instant};

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, Who, admin, namespace, send, send_accept};

const GROUP: &str = "it.example.com";

/// A namespaced `Widget` CRD served at v2 (storage) and v1, with v1beta1 defined but not
/// served.
fn widget_crd() -> Value {
    let schema = json!({"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "size": {"type": "integer"},
            "color": {"type": "string"},
            "parts": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"},
                "inner": {"type": "object", "properties": {"depth": {"type": "integer"}}},
            }}},
        }},
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
    }}});
    let version = |name: &str, served: bool, storage: bool| {
        json!({"name": name, "served": served, "storage": storage, "schema": schema,
        "subresources": {"status": {}},
        "selectableFields": [{"jsonPath": ".spec.color"}],
        "additionalPrinterColumns": [
            {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
            {"name": "Color", "type": "string", "jsonPath": ".spec.color", "priority": 1},
        ]})
    };
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("widgets.{GROUP}")},
        "spec": {"group": GROUP, "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [version("v2", true, true), version("v1", true, false), version("v1beta1", false, false)]}})
}

/// Repeats the GET until it answers `status`, for up to ten seconds.
async fn eventually(server: &TestServer, path: &str, status: u16) -> Answer {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let a = admin(server, Method::GET, path, None).await;
        if a.status == status || Instant::now() > deadline {
            assert_eq!(a.status, status, "{path}: {:?}", a.json());
            return a;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Creates `crd` and waits until its resource is served at `version`.
async fn establish(server: &TestServer, crd: &Value, version: &str) {
    let a = admin(
        server,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(crd.clone()),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let group = crd["spec"]["group"].as_str().unwrap();
    let plural = crd["spec"]["names"]["plural"].as_str().unwrap();
    eventually(server, &format!("/apis/{group}/{version}/{plural}"), 200).await;
}

fn widgets(version: &str, ns: &str) -> String {
    format!("/apis/{GROUP}/{version}/namespaces/{ns}/widgets")
}

#[tokio::test]
async fn versions_share_objects_and_an_unserved_version_is_not_found() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "vers").await;
    establish(&server, &widget_crd(), "v2").await;
    let a = admin(
        &server,
        Method::POST,
        &widgets("v1", "vers"),
        Some(
            json!({"apiVersion": format!("{GROUP}/v1"), "kind": "Widget",
            "metadata": {"name": "w"}, "spec": {"size": 1}}),
        ),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let got = admin(
        &server,
        Method::GET,
        &format!("{}/w", widgets("v2", "vers")),
        None,
    )
    .await;
    assert_eq!(got.json()["apiVersion"], format!("{GROUP}/v2"));
    assert_eq!(got.json()["spec"], json!({"size": 1}));
    let unserved = admin(&server, Method::GET, &widgets("v1beta1", "vers"), None).await;
    assert_eq!(unserved.status, 404);
    let group = admin(&server, Method::GET, &format!("/apis/{GROUP}"), None).await;
    assert_eq!(
        group.json()["versions"],
        json!([{"groupVersion": format!("{GROUP}/v2"), "version": "v2"},
            {"groupVersion": format!("{GROUP}/v1"), "version": "v1"}])
    );
    assert_eq!(group.json()["preferredVersion"]["version"], "v2");
}

#[tokio::test]
async fn unknown_fields_are_pruned_in_nested_objects_and_list_items() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "prune").await;
    establish(&server, &widget_crd(), "v2").await;
    let a = admin(
        &server,
        Method::POST,
        &widgets("v2", "prune"),
        Some(
            json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget",
            "metadata": {"name": "w"},
            "spec": {"parts": [{"name": "a", "junk": 1, "inner": {"depth": 2, "deeper": true}}]}}),
        ),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    assert_eq!(
        a.json()["spec"],
        json!({"parts": [{"name": "a", "inner": {"depth": 2}}]})
    );
    let warnings: Vec<&str> = a
        .headers
        .get_all("warning")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(
        warnings,
        [
            r#"299 - "unknown field \"spec.parts[0].inner.deeper\"""#,
            r#"299 - "unknown field \"spec.parts[0].junk\"""#,
        ]
    );
}

#[tokio::test]
async fn defaults_added_later_show_on_read_of_objects_stored_before() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "defaults").await;
    let crd = widget_crd();
    establish(&server, &crd, "v2").await;
    let created = admin(
        &server,
        Method::POST,
        &widgets("v2", "defaults"),
        Some(
            json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget",
            "metadata": {"name": "old"}, "spec": {"size": 1}}),
        ),
    )
    .await;
    assert_eq!(created.status, 201);
    let crd_path =
        format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{GROUP}");
    let patch = json!([{"op": "add",
        "path": "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/color/default",
        "value": "green"}]);
    let a = crate::support::send_with_type(
        &server,
        Method::PATCH,
        &crd_path,
        "application/json-patch+json",
        serde_json::to_vec(&patch).unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    let path = format!("{}/old", widgets("v2", "defaults"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = admin(&server, Method::GET, &path, None).await.json();
        if got["spec"]["color"] == "green" {
            // the stored object did not change: defaulting happened on read
            assert_eq!(
                got["metadata"]["resourceVersion"],
                created.json()["metadata"]["resourceVersion"]
            );
            break;
        }
        assert!(Instant::now() < deadline, "never defaulted: {got}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn status_and_main_resource_writes_do_not_touch_each_other() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "iso").await;
    establish(&server, &widget_crd(), "v2").await;
    let base = widgets("v2", "iso");
    let a = admin(
        &server,
        Method::POST,
        &base,
        Some(
            json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget",
            "metadata": {"name": "w"}, "spec": {"size": 1}, "status": {"phase": "Dropped"}}),
        ),
    )
    .await;
    assert_eq!(a.json().get("status"), None);
    let mut obj = a.json();
    obj["status"] = json!({"phase": "Ready"});
    obj["spec"]["size"] = json!(7);
    obj["metadata"]["labels"] = json!({"via": "status"});
    let a = admin(&server, Method::PUT, &format!("{base}/w/status"), Some(obj)).await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    let after_status = a.json();
    assert_eq!(after_status["status"], json!({"phase": "Ready"}));
    assert_eq!(after_status["spec"], json!({"size": 1}));
    assert_eq!(after_status["metadata"].get("labels"), None);
    assert_eq!(after_status["metadata"]["generation"], 1);
    let mut obj = after_status.clone();
    obj["status"] = json!({"phase": "Overwritten"});
    obj["spec"]["size"] = json!(2);
    let a = admin(&server, Method::PUT, &format!("{base}/w"), Some(obj)).await;
    assert_eq!(a.json()["status"], json!({"phase": "Ready"}));
    assert_eq!(a.json()["spec"], json!({"size": 2}));
    assert_eq!(a.json()["metadata"]["generation"], 2);
}

#[tokio::test]
async fn printer_columns_and_selectable_fields() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "cols").await;
    establish(&server, &widget_crd(), "v2").await;
    let base = widgets("v2", "cols");
    for (name, color) in [("a", "red"), ("b", "blue")] {
        let a = admin(
            &server,
            Method::POST,
            &base,
            Some(
                json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget",
                "metadata": {"name": name}, "spec": {"size": 3, "color": color}}),
            ),
        )
        .await;
        assert_eq!(a.status, 201);
    }
    let selected = admin(
        &server,
        Method::GET,
        &format!("{base}?fieldSelector=spec.color%3Dblue"),
        None,
    )
    .await
    .json();
    let names: Vec<&Value> = selected["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["metadata"]["name"])
        .collect();
    assert_eq!(names, [&json!("b")]);
    let refused = admin(
        &server,
        Method::GET,
        &format!("{base}?fieldSelector=spec.size%3D3"),
        None,
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["message"],
        "field label not supported: spec.size"
    );
    let table = send_accept(
        &server,
        &base,
        "application/json;as=Table;v=v1;g=meta.k8s.io",
    )
    .await
    .json();
    let columns: Vec<&Value> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["name"])
        .collect();
    assert_eq!(columns, [&json!("Name"), &json!("Size"), &json!("Color")]);
    assert_eq!(table["rows"][0]["cells"], json!(["a", 3, "red"]));
}

#[tokio::test]
async fn rbac_applies_to_the_custom_group_and_resource() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "authz").await;
    establish(&server, &widget_crd(), "v2").await;
    let role = json!({"metadata": {"name": "widget-reader"}, "rules": [
        {"apiGroups": [GROUP], "resources": ["widgets"], "verbs": ["get"]}]});
    let binding = json!({"metadata": {"name": "widget-reader"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "widget-reader"},
        "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": "authz"}]});
    for (path, body) in [
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/authz/roles",
            role,
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/authz/rolebindings",
            binding,
        ),
    ] {
        assert_eq!(
            admin(&server, Method::POST, path, Some(body)).await.status,
            201
        );
    }
    let a = admin(
        &server,
        Method::POST,
        &widgets("v2", "authz"),
        Some(json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget", "metadata": {"name": "w"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let token = crate::rbac::sa_token(&server, "authz", "reader").await;
    let who = || Who::Token(&token);
    let get = send(
        &server,
        who(),
        Method::GET,
        &format!("{}/w", widgets("v2", "authz")),
        None,
    )
    .await;
    assert_eq!(get.status, 200, "{:?}", get.json());
    let list = send(&server, who(), Method::GET, &widgets("v2", "authz"), None).await;
    assert_eq!(list.status, 403);
    assert_eq!(
        list.json()["message"],
        format!(
            "widgets.{GROUP} is forbidden: User \"system:serviceaccount:authz:reader\" cannot list resource \"widgets\" in API group \"{GROUP}\" in the namespace \"authz\""
        )
    );
}

#[tokio::test]
async fn deleting_the_crd_deletes_its_instances_and_its_discovery() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "gone").await;
    let crd = widget_crd();
    establish(&server, &crd, "v2").await;
    let a = admin(
        &server,
        Method::POST,
        &widgets("v2", "gone"),
        Some(json!({"apiVersion": format!("{GROUP}/v2"), "kind": "Widget", "metadata": {"name": "w"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let crd_path =
        format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.{GROUP}");
    let a = admin(&server, Method::DELETE, &crd_path, None).await;
    assert_eq!(a.status, 200);
    eventually(&server, &crd_path, 404).await;
    let group = eventually(&server, &format!("/apis/{GROUP}"), 404).await;
    assert_eq!(&group.body[..], b"404 page not found\n");
    let groups = admin(&server, Method::GET, "/apis", None).await.json();
    assert!(
        !groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == GROUP)
    );
    // the instance was deleted, not hidden: a new CRD of the same name finds none
    establish(&server, &crd, "v2").await;
    let list = admin(&server, Method::GET, &widgets("v2", "gone"), None).await;
    assert_eq!(list.json()["items"], json!([]));
}

#[tokio::test]
async fn invalid_crds_are_refused_with_the_real_field_paths() {
    let server = TestServer::start().await.unwrap();
    let mut crd = widget_crd();
    crd["spec"]["versions"][1]["storage"] = json!(true);
    let a = admin(
        &server,
        Method::POST,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        Some(crd),
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(
        a.json()["details"]["causes"][0]["field"],
        "spec.versions",
        "{:?}",
        a.json()
    );
    assert_eq!(
        a.json()["details"]["causes"][0]["message"],
        "Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version"
    );
}

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
