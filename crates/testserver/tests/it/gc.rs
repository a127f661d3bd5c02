//! Garbage collection: propagation policies on DELETE, the collector's work on dependents,
//! and deletecollection's answer.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, admin, namespace};

const CM: &str = "/api/v1/namespaces/gc/configmaps";

/// Polls `path` until `done` holds for the answer (status, body); panics after ~10 s.
async fn wait_until(
    server: &TestServer,
    path: &str,
    what: &str,
    done: impl Fn(u16, &Value) -> bool,
) -> Value {
    for _ in 0..200 {
        let a = admin(server, Method::GET, path, None).await;
        let body = a.json();
        if done(a.status.as_u16(), &body) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{path}: never {what}");
}

async fn wait_gone(server: &TestServer, path: &str) {
    wait_until(server, path, "deleted", |s, _| s == 404).await;
}

/// A DELETE without a body, as admin (options, if any, in the query of `path`).
async fn delete(server: &TestServer, path: &str) -> Answer {
    admin(server, Method::DELETE, path, None).await
}

async fn exists(server: &TestServer, path: &str) -> Value {
    let a = admin(server, Method::GET, path, None).await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.json());
    a.json()
}

/// Creates a ConfigMap in `gc`; returns its uid.
async fn configmap(server: &TestServer, name: &str, meta: Value) -> String {
    let mut m = meta;
    m["name"] = name.into();
    let a = admin(
        server,
        Method::POST,
        CM,
        Some(json!({"metadata": m, "data": {"k": "v"}})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    a.json()["metadata"]["uid"].as_str().unwrap().to_owned()
}

fn owned_by(name: &str, uid: &str, block: bool) -> Value {
    json!({"ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": name, "uid": uid, "blockOwnerDeletion": block}
    ]})
}

async fn server() -> TestServer {
    let server = TestServer::start().await.unwrap();
    namespace(&server, "gc").await;
    server
}

#[tokio::test]
async fn background_deletion_collects_dependents_and_their_dependents() {
    let server = server().await;
    let owner = configmap(&server, "owner", json!({})).await;
    let child = configmap(&server, "child", owned_by("owner", &owner, false)).await;
    configmap(&server, "grandchild", owned_by("child", &child, false)).await;
    let d = delete(&server, &format!("{CM}/owner?propagationPolicy=Background")).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.json()["kind"], "Status");
    wait_gone(&server, &format!("{CM}/child")).await;
    wait_gone(&server, &format!("{CM}/grandchild")).await;
}

#[tokio::test]
async fn foreground_deletion_waits_for_blocking_dependents() {
    let server = server().await;
    let owner = configmap(&server, "owner", json!({})).await;
    // a blocking dependent held by a finalizer of its own, and a non-blocking one
    let mut held = owned_by("owner", &owner, true);
    held["finalizers"] = json!(["example.com/hold"]);
    configmap(&server, "held", held).await;
    configmap(&server, "free", owned_by("owner", &owner, false)).await;
    let d = admin(
        &server,
        Method::DELETE,
        &format!("{CM}/owner"),
        Some(
            json!({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}),
        ),
    )
    .await;
    assert_eq!(d.status, 200);
    let o = d.json();
    assert_eq!(o["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    assert_eq!(o["metadata"]["deletionGracePeriodSeconds"], 0);
    assert!(o["metadata"]["deletionTimestamp"].is_string());
    // the collector deletes every dependent; the held one lingers in deletion
    wait_gone(&server, &format!("{CM}/free")).await;
    wait_until(&server, &format!("{CM}/held"), "marked deleted", |_, b| {
        b["metadata"]["deletionTimestamp"].is_string()
    })
    .await;
    // ... and keeps the owner: its finalizer stays while a blocking dependent exists
    let o = exists(&server, &format!("{CM}/owner")).await;
    assert_eq!(o["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    let p = crate::support::send_with_type(
        &server,
        Method::PATCH,
        &format!("{CM}/held"),
        "application/merge-patch+json",
        br#"{"metadata": {"finalizers": null}}"#.to_vec(),
    )
    .await;
    assert_eq!(p.status, 200, "{:?}", p.json());
    wait_gone(&server, &format!("{CM}/held")).await;
    wait_gone(&server, &format!("{CM}/owner")).await;
}

#[tokio::test]
async fn orphan_deletion_strips_the_owner_from_dependents() {
    let server = server().await;
    let owner = configmap(&server, "owner", json!({})).await;
    let other = configmap(&server, "other", json!({})).await;
    let mut two = owned_by("owner", &owner, true);
    two["ownerReferences"]
        .as_array_mut()
        .unwrap()
        .push(json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "other", "uid": other}));
    configmap(&server, "two", two).await;
    configmap(&server, "one", owned_by("owner", &owner, false)).await;
    let d = delete(&server, &format!("{CM}/owner?propagationPolicy=Orphan")).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.json()["metadata"]["finalizers"], json!(["orphan"]));
    wait_gone(&server, &format!("{CM}/owner")).await;
    let one = exists(&server, &format!("{CM}/one")).await;
    assert!(one["metadata"].get("ownerReferences").is_none(), "{one}");
    let two = exists(&server, &format!("{CM}/two")).await;
    assert_eq!(two["metadata"]["ownerReferences"][0]["name"], "other");
    assert_eq!(
        two["metadata"]["ownerReferences"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn legacy_orphan_dependents_option() {
    let server = server().await;
    let owner = configmap(&server, "owner", json!({})).await;
    configmap(&server, "dep", owned_by("owner", &owner, false)).await;
    let d = delete(&server, &format!("{CM}/owner?orphanDependents=true")).await;
    assert_eq!(d.json()["metadata"]["finalizers"], json!(["orphan"]));
    wait_gone(&server, &format!("{CM}/owner")).await;
    let dep = exists(&server, &format!("{CM}/dep")).await;
    assert!(dep["metadata"].get("ownerReferences").is_none());

    // orphanDependents=false on an object a finalizer keeps: 202 Accepted
    configmap(&server, "kept", json!({"finalizers": ["example.com/x"]})).await;
    let d = delete(&server, &format!("{CM}/kept?orphanDependents=false")).await;
    assert_eq!(d.status, 202);
    assert_eq!(d.json()["metadata"]["finalizers"], json!(["example.com/x"]));

    // both options: 422
    let d = delete(
        &server,
        &format!("{CM}/dep?orphanDependents=true&propagationPolicy=Foreground"),
    )
    .await;
    assert_eq!(d.status, 422);
    assert_eq!(
        d.json()["message"],
        "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: \"Foreground\": orphanDependents and deletionPropagation cannot be both set"
    );
}

#[tokio::test]
async fn dangling_and_mismatched_owners() {
    let server = server().await;
    // a UID no object ever had
    configmap(
        &server,
        "dangling",
        owned_by("ghost", "00000000-0000-0000-0000-000000000000", false),
    )
    .await;
    // an owner with that name exists, but with another UID
    configmap(&server, "owner", json!({})).await;
    configmap(
        &server,
        "mismatch",
        owned_by("owner", "00000000-0000-0000-0000-000000000001", false),
    )
    .await;
    // one solid and one dangling owner: only the dangling reference goes
    let owner = exists(&server, &format!("{CM}/owner")).await["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut both = owned_by("owner", &owner, false);
    both["ownerReferences"].as_array_mut().unwrap().push(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost", "uid": "00000000-0000-0000-0000-000000000002"}),
    );
    configmap(&server, "both", both).await;
    wait_gone(&server, &format!("{CM}/dangling")).await;
    wait_gone(&server, &format!("{CM}/mismatch")).await;
    let both = wait_until(&server, &format!("{CM}/both"), "trimmed", |_, b| {
        b["metadata"]["ownerReferences"].as_array().map(Vec::len) == Some(1)
    })
    .await;
    assert_eq!(
        both["metadata"]["ownerReferences"][0]["uid"],
        owner.as_str()
    );
}

#[tokio::test]
async fn cluster_scoped_owners_and_the_invalid_namespaced_owner_of_a_cluster_object() {
    let server = server().await;
    // a cluster-scoped object naming a namespaced owner: never collected
    let a = admin(
        &server,
        Method::POST,
        "/apis/scheduling.k8s.io/v1/priorityclasses",
        Some(json!({"metadata": {"name": "invalid-owner", "ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "00000000-0000-0000-0000-000000000003"}
        ]}, "value": 10})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    // a namespaced dependent of a cluster-scoped owner
    let a = admin(
        &server,
        Method::POST,
        "/apis/scheduling.k8s.io/v1/priorityclasses",
        Some(json!({"metadata": {"name": "owner"}, "value": 11})),
    )
    .await;
    let pc = a.json()["metadata"]["uid"].as_str().unwrap().to_owned();
    configmap(
        &server,
        "dep",
        json!({"ownerReferences": [{"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "name": "owner", "uid": pc}]}),
    )
    .await;
    // a later dangling dependent proves the collector has looked at everything above
    configmap(
        &server,
        "sentinel",
        owned_by("ghost", "00000000-0000-0000-0000-000000000004", false),
    )
    .await;
    wait_gone(&server, &format!("{CM}/sentinel")).await;
    exists(&server, &format!("{CM}/dep")).await;
    exists(
        &server,
        "/apis/scheduling.k8s.io/v1/priorityclasses/invalid-owner",
    )
    .await;
    delete(&server, "/apis/scheduling.k8s.io/v1/priorityclasses/owner").await;
    wait_gone(&server, &format!("{CM}/dep")).await;
}

#[tokio::test]
async fn events_take_no_gc_finalizers() {
    let server = server().await;
    let a = admin(
        &server,
        Method::POST,
        "/api/v1/namespaces/gc/events",
        Some(json!({"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": "gc"},
            "reason": "R", "message": "m", "type": "Normal"})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    let d = delete(
        &server,
        "/api/v1/namespaces/gc/events/e?propagationPolicy=Foreground",
    )
    .await;
    assert_eq!(d.status, 200);
    assert_eq!(d.json()["kind"], "Status", "deleted at once");
}

#[tokio::test]
async fn deletecollection_answers_the_objects_as_listed() {
    let server = server().await;
    for name in ["a", "b", "c"] {
        configmap(&server, name, json!({"labels": {"set": "x"}})).await;
    }
    configmap(
        &server,
        "held",
        json!({"labels": {"set": "x"}, "finalizers": ["example.com/hold"]}),
    )
    .await;
    configmap(&server, "other", json!({"labels": {"set": "y"}})).await;
    // a page of two
    let d = delete(&server, &format!("{CM}?labelSelector=set%3Dx&limit=2")).await;
    assert_eq!(d.status, 200);
    let list = d.json();
    assert_eq!(list["kind"], "ConfigMapList");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(list["metadata"]["continue"].is_string());
    assert!(
        list["items"][0].get("kind").is_none(),
        "list items carry no kind"
    );
    exists(&server, &format!("{CM}/c")).await;
    // the rest, from the continue token
    let token = list["metadata"]["continue"].as_str().unwrap();
    let d = delete(
        &server,
        &format!("{CM}?labelSelector=set%3Dx&continue={token}"),
    )
    .await;
    let list = d.json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c", "held"]);
    // as listed: the held object shows no deletionTimestamp in the answer ...
    assert!(
        list["items"][1]["metadata"]
            .get("deletionTimestamp")
            .is_none()
    );
    // ... but its finalizer keeps it, marked deleted
    let held = exists(&server, &format!("{CM}/held")).await;
    assert!(held["metadata"]["deletionTimestamp"].is_string());
    let left = admin(
        &server,
        Method::GET,
        &format!("{CM}?labelSelector=set"),
        None,
    )
    .await
    .json();
    let names: Vec<&str> = left["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["held", "other"]);
}

#[tokio::test]
async fn batch_v1_jobs_orphan_by_default_with_a_warning() {
    let server = server().await;
    let jobs = "/apis/batch/v1/namespaces/gc/jobs";
    for name in ["j1", "j2"] {
        let a = admin(
            &server,
            Method::POST,
            jobs,
            Some(
                json!({"metadata": {"name": name}, "spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}),
            ),
        )
        .await;
        assert_eq!(a.status, 201, "{:?}", a.json());
    }
    let d = admin(&server, Method::DELETE, &format!("{jobs}/j1"), None).await;
    assert_eq!(d.status, 200);
    assert_eq!(
        d.headers.get("warning").unwrap(),
        "299 - \"child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning\""
    );
    assert_eq!(d.json()["metadata"]["finalizers"], json!(["orphan"]));
    wait_gone(&server, &format!("{jobs}/j1")).await;
    let d = delete(&server, &format!("{jobs}/j2?propagationPolicy=Background")).await;
    assert!(d.headers.get("warning").is_none());
    assert_eq!(d.json()["kind"], "Status");
}

#[tokio::test]
async fn a_namespace_deleted_in_the_foreground_goes_once_its_dependents_are_gone() {
    let server = server().await;
    namespace(&server, "fg").await;
    let ns = exists(&server, "/api/v1/namespaces/fg").await;
    let uid = ns["metadata"]["uid"].as_str().unwrap().to_owned();
    // an object (in another namespace) owned by the cluster-scoped namespace
    configmap(
        &server,
        "dep",
        json!({"ownerReferences": [{"apiVersion": "v1", "kind": "Namespace", "name": "fg", "uid": uid, "blockOwnerDeletion": true}]}),
    )
    .await;
    let d = delete(
        &server,
        "/api/v1/namespaces/fg?propagationPolicy=Foreground",
    )
    .await;
    assert_eq!(d.status, 200);
    let d = d.json();
    assert_eq!(d["metadata"]["finalizers"], json!(["foregroundDeletion"]));
    assert_eq!(d["status"]["phase"], "Terminating");
    wait_gone(&server, &format!("{CM}/dep")).await;
    wait_gone(&server, "/api/v1/namespaces/fg").await;
}

#[tokio::test]
async fn foreground_deletion_cascades_through_generations() {
    let server = server().await;
    let owner = configmap(&server, "owner", json!({})).await;
    let child = configmap(&server, "child", owned_by("owner", &owner, true)).await;
    let mut many = Vec::new();
    for i in 0..20 {
        let name = format!("grandchild-{i}");
        configmap(&server, &name, owned_by("child", &child, true)).await;
        many.push(name);
    }
    let d = delete(&server, &format!("{CM}/owner?propagationPolicy=Foreground")).await;
    assert_eq!(d.status, 200);
    wait_gone(&server, &format!("{CM}/owner")).await;
    // the owner went last: nothing it (transitively) blocked on is left
    for name in many {
        let a = admin(&server, Method::GET, &format!("{CM}/{name}"), None).await;
        assert_eq!(a.status, 404, "{name}");
    }
    let a = admin(&server, Method::GET, &format!("{CM}/child"), None).await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn deletecollection_at_resource_version_0_deletes_every_object_it_lists() {
    // resourceVersion=0 lets the server ignore the limit: the answer lists everything, and
    // everything it lists is deleted (not only the first `limit` objects)
    let server = server().await;
    for name in ["a", "b", "c"] {
        configmap(&server, name, json!({"labels": {"set": "x"}})).await;
    }
    let d = delete(
        &server,
        &format!("{CM}?labelSelector=set%3Dx&limit=1&resourceVersion=0"),
    )
    .await;
    assert_eq!(d.status, 200, "{:?}", d.json());
    let listed = d.json()["items"].as_array().map_or(0, Vec::len);
    assert_eq!(listed, 3, "{:?}", d.json());
    let left = admin(
        &server,
        Method::GET,
        &format!("{CM}?labelSelector=set"),
        None,
    )
    .await
    .json();
    assert_eq!(left["items"], json!([]), "{left}");
}
