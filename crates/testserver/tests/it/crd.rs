//! CustomResourceDefinitions beyond the transcripts: several versions (one not served),
//! pruning of nested objects, defaulting on read of objects stored before a default existed,
//! status subresource isolation, printer columns and selectable fields, RBAC on a custom
//! resource, and a CRD's deletion taking its instances and discovery with it.

use std::time::{Duration, Instant};

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, Who, admin, namespace, send, send_accept};

mod cluster_scoped;

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
