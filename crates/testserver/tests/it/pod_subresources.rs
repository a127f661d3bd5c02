//! pods/binding, pods/eviction (with PodDisruptionBudgets) and pods/log beyond the transcripts:
//! preconditions, dry run, budgets that allow or refuse, graceful eviction of bound pods, the
//! legacy `bindings` resource, the log answers for bound pods, and RBAC on each subresource.

mod binding;
mod eviction;
mod kubectl;
mod logs;
mod rbac;

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, Who, admin, namespace, send, send_with_type};

const NS: &str = "subres";

async fn server() -> TestServer {
    let server = TestServer::start().await.unwrap();
    namespace(&server, NS).await;
    server
}

fn pods_path(rest: &str) -> String {
    format!("/api/v1/namespaces/{NS}/pods{rest}")
}

#[track_caller]
fn check(a: &Answer, status: u16, message: &str) {
    let body = a.json();
    assert_eq!(a.status, status, "{body}");
    assert_eq!(body["message"], message, "{body}");
}

async fn create_pod(server: &TestServer, name: &str, labels: Value, containers: &[&str]) -> Value {
    let containers: Vec<Value> = containers
        .iter()
        .map(|c| json!({"name": c, "image": "registry.k8s.io/pause:3.10"}))
        .collect();
    let pod = json!({"metadata": {"name": name, "labels": labels},
                     "spec": {"containers": containers, "automountServiceAccountToken": false}});
    let a = admin(server, Method::POST, &pods_path(""), Some(pod)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    a.json()
}

async fn get_pod(server: &TestServer, name: &str) -> Answer {
    admin(server, Method::GET, &pods_path(&format!("/{name}")), None).await
}

async fn bind(server: &TestServer, pod: &str, body: Value) -> Answer {
    let path = pods_path(&format!("/{pod}/binding"));
    admin(server, Method::POST, &path, Some(body)).await
}

fn binding(pod: &str, node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": pod},
           "target": {"apiVersion": "v1", "kind": "Node", "name": node}})
}

async fn evict(server: &TestServer, pod: &str, extra: Value) -> Answer {
    let mut body = json!({"apiVersion": "policy/v1", "kind": "Eviction",
                          "metadata": {"name": pod, "namespace": NS}});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let path = pods_path(&format!("/{pod}/eviction"));
    admin(server, Method::POST, &path, Some(body)).await
}

async fn merge_patch(server: &TestServer, path: &str, patch: Value) -> Answer {
    let a = send_with_type(
        server,
        Method::PATCH,
        path,
        "application/merge-patch+json",
        serde_json::to_vec(&patch).unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.json());
    a
}

/// Makes the pod Running (and Ready or not), as a kubelet would report it.
async fn run(server: &TestServer, pod: &str, ready: bool) {
    let ready = if ready { "True" } else { "False" };
    let status = json!({"status": {"phase": "Running",
        "conditions": [{"type": "Ready", "status": ready}]}});
    merge_patch(server, &pods_path(&format!("/{pod}/status")), status).await;
}

async fn create_pdb(server: &TestServer, name: &str, app: &str) {
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": {"name": name},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}}});
    let path = format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets");
    let a = admin(server, Method::POST, &path, Some(pdb)).await;
    assert_eq!(a.status, 201, "{}", a.json());
}

/// Writes a budget's status, as a disruption controller would.
async fn pdb_status(server: &TestServer, name: &str, status: Value) {
    let path = format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/{name}/status");
    merge_patch(server, &path, json!({"status": status})).await;
}
