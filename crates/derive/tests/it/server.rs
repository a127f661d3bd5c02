//! `Foo::crd()` installed on the test server (which validates a CRD as kube-apiserver does),
//! then `Foo`s created, listed, watched and their status updated through `Api<Foo>`: the
//! generated schema is accepted, pruning keeps every field the Rust type has, and the
//! validation rules are enforced.

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubeset_clientset::{
    Api, ApiResource, Client, DynamicObject, ListParams, PostParams, WatchEvent, WatchParams,
};
use kubeset_config::kubeconfig::{Kubeconfig, Overrides};
use kubeset_testserver::TestServer;
use serde_json::json;

use crate::fixture::{Foo, FooSpec, FooStatus};

pub(crate) async fn client(server: &TestServer) -> Client {
    let kubeconfig = Kubeconfig::from_yaml(&server.kubeconfig(), Path::new("testserver")).unwrap();
    Client::new(kubeconfig.to_config(&Overrides::default()).unwrap()).unwrap()
}

/// Creates `crd` and waits (polling, with a deadline) until its `Established` condition is
/// `True`.
pub(crate) async fn install(client: &Client, crd: &CustomResourceDefinition) {
    let crds: Api<CustomResourceDefinition> = Api::cluster(client.clone());
    crds.create(&PostParams::default(), crd).await.unwrap();
    let name = crd.metadata.name.as_deref().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = crds.get(name).await.unwrap();
        let established = got
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .any(|c| c.type_ == "Established" && c.status == "True");
        if established {
            return;
        }
        assert!(Instant::now() < deadline, "{name} not established: {got:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(crate) async fn namespace(client: &Client, name: &str) {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    client
        .namespaces()
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

pub(crate) fn spec() -> FooSpec {
    serde_json::from_value(json!({
        "replicas": 2,
        "mode": "Fast",
        "maybeMode": "Slow",
        "inner": {"name": "a", "weight": 0.5},
        "maybeInner": {"name": "b"},
        "items": [{"name": "c", "weight": 1.5}],
        "labels": {"team": "blue"},
        "port": 8080,
        "maybePort": "http",
        "memory": "1Gi",
        "free": {"nested": {"any": ["thing", 1, true]}},
        "action": {"restart": {"afterSeconds": 30}},
        "source": {"type": "image", "image": "registry/x:1", "pull": true},
        "maybeAction": {"scale": {"to": 4}},
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_accepted_and_foos_round_trip_through_the_server() {
    let server = TestServer::start().await.unwrap();
    let client = client(&server).await;
    install(&client, &Foo::crd()).await;
    namespace(&client, "demo").await;
    let foos: Api<Foo> = Api::namespaced(client.clone(), "demo");

    // Created: every field the Rust type has survives pruning, exactly.
    let created = foos
        .create(&PostParams::default(), &Foo::new("one", spec()))
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&created.spec).unwrap(),
        serde_json::to_value(spec()).unwrap()
    );
    assert!(created.metadata.uid.is_some());

    // Listed.
    let list = foos.list(&ListParams::default()).await.unwrap();
    let names: Vec<_> = list
        .items
        .iter()
        .map(|f| f.metadata.name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["one"]);
    let rv = list.resource_version().unwrap().to_owned();

    // Watched: the status update below arrives as a modification.
    let mut events = foos
        .watch(&WatchParams::default().from_version(&rv))
        .await
        .unwrap();

    // Status through /status: kept, and the spec in the body is ignored there.
    let mut with_status = created.clone();
    with_status.status = Some(FooStatus {
        replicas: 2,
        message: Some("ready".into()),
    });
    with_status.spec.replicas = 9;
    let updated = foos
        .replace_status("one", &PostParams::default(), &with_status)
        .await
        .unwrap();
    let status = updated.status.as_ref().unwrap();
    assert_eq!(status.replicas, 2);
    assert_eq!(status.message.as_deref(), Some("ready"));
    assert_eq!(updated.spec.replicas, 2);

    let deadline = Duration::from_secs(10);
    let event = tokio::time::timeout(deadline, events.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match event {
        WatchEvent::Modified(foo) => {
            assert_eq!(foo.status.unwrap().message.as_deref(), Some("ready"));
        }
        other => panic!("expected a modification, got {other:?}"),
    }
}

/// The server applies the generated schema to what a client that is not the Rust type sends:
/// a value outside an `enum` is refused, an unknown field pruned, a missing field with a serde
/// default given that default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_enums_pruning_and_defaults_are_applied_by_the_server() {
    let server = TestServer::start().await.unwrap();
    let client = client(&server).await;
    install(&client, &Foo::crd()).await;
    namespace(&client, "demo").await;
    let resource = ApiResource::namespaced_of::<Foo>();
    let raw: Api<DynamicObject> = Api::dynamic_namespaced(client, &resource, "demo").unwrap();

    let mut spec = serde_json::to_value(spec()).unwrap();
    spec["mode"] = json!("Medium");
    let object = |name: &str, spec: &serde_json::Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Foo",
               "metadata": {"name": name}, "spec": spec})
    };
    let err = raw
        .create(&PostParams::default(), &object("medium", &spec))
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("Medium"), "{err:?}");

    spec["mode"] = json!("Fast");
    spec["unknown"] = json!("dropped");
    spec.as_object_mut().unwrap().remove("color");
    let created = raw
        .create(&PostParams::default(), &object("pruned", &spec))
        .await
        .unwrap();
    assert_eq!(created["spec"].get("unknown"), None);
    assert_eq!(created["spec"]["color"], "blue");
    assert_eq!(created["spec"]["free"], spec["free"]);
}

/// The derive's validation rules (`validation = ...` on the spec, schemars' `extend` on a
/// field) are `x-kubernetes-validations` the server evaluates, with its messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_validation_rules_are_enforced_by_the_server() {
    let server = TestServer::start().await.unwrap();
    let client = client(&server).await;
    install(&client, &Foo::crd()).await;
    namespace(&client, "rules").await;
    let foos: Api<Foo> = Api::namespaced(client, "rules");
    let pp = PostParams::default();

    let mut too_many = spec();
    too_many.replicas = 11;
    let err = foos
        .create(&pp, &Foo::new("many", too_many))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"spec: Invalid value: failed rule: self.replicas <= 10"#),
        "{err}"
    );

    let mut colorless = spec();
    colorless.color = String::new();
    let err = foos
        .create(&pp, &Foo::new("colorless", colorless))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"spec.color: Invalid value: "": failed rule: self != ''"#),
        "{err}"
    );

    foos.create(&pp, &Foo::new("fine", spec())).await.unwrap();
}
