//! The PersistentVolume binder (`TestServerBuilder::pv_binder`): static binding, its writes,
//! `WaitForFirstConsumer`, release and the reclaim policies, concurrency.

mod binding;
mod consumer;
mod release;

use std::time::Duration;

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{admin, namespace, send_with_type};

const PVS: &str = "/api/v1/persistentvolumes";

async fn server() -> TestServer {
    TestServer::builder()
        .pv_binder(Duration::from_millis(500))
        .start()
        .await
        .unwrap()
}

fn claims(ns: &str) -> String {
    format!("/api/v1/namespaces/{ns}/persistentvolumeclaims")
}

async fn create(server: &TestServer, path: &str, body: Value) -> Value {
    let a = admin(server, Method::POST, path, Some(body)).await;
    assert_eq!(a.status, 201, "{path}: {:?}", a.json());
    a.json()
}

async fn get(server: &TestServer, path: &str) -> Value {
    let a = admin(server, Method::GET, path, None).await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.json());
    a.json()
}

async fn merge_patch(server: &TestServer, path: &str, patch: Value) -> Value {
    let body = serde_json::to_vec(&patch).unwrap();
    let a = send_with_type(
        server,
        Method::PATCH,
        path,
        "application/merge-patch+json",
        body,
    )
    .await;
    assert_eq!(a.status, 200, "{path}: {:?}", a.json());
    a.json()
}

/// Polls `path` until `done` holds; panics after ~15 s.
async fn wait(server: &TestServer, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        let a = admin(server, Method::GET, path, None).await;
        last = a.json();
        if a.status == 200 && done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: never {what}; last: {last}");
}

fn phase(obj: &Value) -> &str {
    obj["status"]["phase"].as_str().unwrap_or("")
}

/// A volume: `capacity`, access modes, class (`None`: no `storageClassName`), extra spec.
fn volume(name: &str, capacity: &str, modes: &[&str], class: Option<&str>, extra: Value) -> Value {
    let mut spec = json!({
        "capacity": {"storage": capacity},
        "accessModes": modes,
        "persistentVolumeReclaimPolicy": "Retain",
        "local": {"path": format!("/mnt/disks/{name}")},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-a"]}]}]}},
    });
    if let Some(c) = class {
        spec["storageClassName"] = c.into();
    }
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        spec[k] = v;
    }
    json!({"metadata": {"name": name}, "spec": spec})
}

fn claim(name: &str, size: &str, modes: &[&str], class: Option<&str>, extra: Value) -> Value {
    let mut spec = json!({"accessModes": modes, "resources": {"requests": {"storage": size}}});
    if let Some(c) = class {
        spec["storageClassName"] = c.into();
    }
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        spec[k] = v;
    }
    json!({"metadata": {"name": name}, "spec": spec})
}

/// Waits for the claim to be Bound; returns it.
async fn bound(server: &TestServer, ns: &str, name: &str) -> Value {
    let path = format!("{}/{name}", claims(ns));
    wait(server, &path, "Bound", |c| phase(c) == "Bound").await
}

/// Waits for an Event in `ns` about `object` with `reason`; returns its message.
async fn event(server: &TestServer, ns: &str, object: &str, reason: &str) -> Value {
    let path = format!(
        "/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name%3D{object},reason%3D{reason}"
    );
    let list = wait(server, &path, reason, |l| {
        l["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    list["items"][0].clone()
}

async fn wait_available(server: &TestServer, name: &str) {
    let path = format!("{PVS}/{name}");
    wait(server, &path, "Available", |v| phase(v) == "Available").await;
}

/// Deletes a claim and removes its `kubernetes.io/pvc-protection` finalizer, as the
/// pvc-protection controller would once no pod uses it.
async fn delete_claim(server: &TestServer, ns: &str, name: &str) {
    let path = format!("{}/{name}", claims(ns));
    let a = admin(server, Method::DELETE, &path, None).await;
    assert_eq!(a.status, 200, "{:?}", a.json());
    merge_patch(server, &path, json!({"metadata": {"finalizers": null}})).await;
}

async fn wait_gone(server: &TestServer, path: &str) {
    for _ in 0..300 {
        if admin(server, Method::GET, path, None).await.status == 404 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: never deleted");
}
