//! pods/binding, pods/eviction (with PodDisruptionBudgets) and pods/log beyond the transcripts:
//! preconditions, dry run, budgets that allow or refuse, graceful eviction of bound pods, the
//! legacy `bindings` resource and the log answers for bound pods.

use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, admin, namespace, send_with_type};

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

#[tokio::test]
async fn eviction_of_pending_pods_ignores_budgets() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    create_pdb(&server, "pdb", "x").await;

    let dry = evict(&server, "p", json!({"deleteOptions": {"dryRun": ["All"]}})).await;
    assert_eq!(dry.status, 201, "{}", dry.json());
    let pod = get_pod(&server, "p").await.json();
    assert!(pod["metadata"]["uid"].is_string(), "{pod}");

    let stale = json!({"deleteOptions": {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}});
    check(
        &evict(&server, "p", stale).await,
        409,
        &format!(
            "Operation cannot be fulfilled on Pod \"p\": the UID in the precondition (00000000-0000-0000-0000-000000000000) does not match the UID in record ({}). The object might have been deleted and then recreated",
            pod["metadata"]["uid"].as_str().unwrap()
        ),
    );

    let a = evict(&server, "p", json!({})).await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.status, 404);
    check(
        &evict(&server, "p", json!({})).await,
        404,
        "pods \"p\" not found",
    );
}

#[tokio::test]
async fn eviction_is_refused_while_the_budget_is_unprocessed() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    run(&server, "p", true).await;
    create_pdb(&server, "pdb", "x").await;

    let a = evict(&server, "p", json!({})).await;
    check(
        &a,
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert_eq!(a.headers["retry-after"], "10");
    assert_eq!(
        a.json()["details"],
        json!({"causes": [{"reason": "DisruptionBudget",
            "message": "The disruption budget pdb is still being processed by the server."}],
            "retryAfterSeconds": 10})
    );
    assert_eq!(get_pod(&server, "p").await.status, 200);

    // processed, but no disruption left
    pdb_status(
        &server,
        "pdb",
        json!({"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 1,
               "desiredHealthy": 1, "expectedPods": 1}),
    )
    .await;
    let a = evict(&server, "p", json!({})).await;
    check(
        &a,
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert!(a.headers.get("retry-after").is_none());
    assert_eq!(
        a.json()["details"]["causes"][0]["message"],
        "The disruption budget pdb needs 1 healthy pods and has 1 currently"
    );
}

#[tokio::test]
async fn eviction_spends_a_disruption_and_deletes_gracefully() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    assert_eq!(bind(&server, "p", binding("p", "n1")).await.status, 201);
    run(&server, "p", true).await;
    create_pdb(&server, "pdb", "x").await;
    pdb_status(
        &server,
        "pdb",
        json!({"observedGeneration": 1, "disruptionsAllowed": 1, "currentHealthy": 2,
               "desiredHealthy": 1, "expectedPods": 2}),
    )
    .await;

    let dry = evict(&server, "p", json!({"deleteOptions": {"dryRun": ["All"]}})).await;
    assert_eq!(dry.status, 201, "{}", dry.json());
    let path = format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/pdb");
    let pdb = admin(&server, Method::GET, &path, None).await.json();
    assert_eq!(pdb["status"]["disruptionsAllowed"], 1, "{pdb}");

    let a = evict(&server, "p", json!({})).await;
    assert_eq!(a.status, 201, "{}", a.json());
    let pdb = admin(&server, Method::GET, &path, None).await.json();
    assert_eq!(pdb["status"]["disruptionsAllowed"], 0, "{pdb}");
    assert!(pdb["status"]["disruptedPods"]["p"].is_string(), "{pdb}");
    assert_eq!(pdb["status"]["conditions"][0]["reason"], "InsufficientPods");
    let managers: Vec<&str> = pdb["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"kube-apiserver"), "{managers:?}");

    // a bound pod is deleted gracefully and carries the DisruptionTarget condition meanwhile
    let pod = get_pod(&server, "p").await.json();
    assert!(pod["metadata"]["deletionTimestamp"].is_string(), "{pod}");
    assert_eq!(pod["metadata"]["deletionGracePeriodSeconds"], 30);
    let target = pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "DisruptionTarget")
        .cloned()
        .unwrap();
    assert_eq!(target["reason"], "EvictionByEvictionAPI");
    assert_eq!(target["message"], "Eviction API: evicting");

    // a terminating pod is evicted without its budget; gracePeriodSeconds=0 removes it
    let a = evict(
        &server,
        "p",
        json!({"deleteOptions": {"gracePeriodSeconds": 0}}),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.status, 404);
}

#[tokio::test]
async fn eviction_edge_cases() {
    let server = server().await;
    create_pod(&server, "p", json!({"app": "x"}), &["c"]).await;
    run(&server, "p", false).await;

    // two budgets: a Failure Status with code 500 inside a 201, the pod stays
    create_pdb(&server, "a", "x").await;
    create_pdb(&server, "b", "x").await;
    let a = evict(&server, "p", json!({})).await;
    assert_eq!(a.status, 201);
    assert_eq!(
        a.json(),
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            "code": 500})
    );
    let path = format!("/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/b");
    assert_eq!(
        admin(&server, Method::DELETE, &path, None).await.status,
        200
    );

    // an unready pod may go when the budget is otherwise met
    pdb_status(
        &server,
        "a",
        json!({"observedGeneration": 1, "disruptionsAllowed": 0, "currentHealthy": 2,
               "desiredHealthy": 2, "expectedPods": 3}),
    )
    .await;
    check(
        &evict(
            &server,
            "p",
            json!({"metadata": {"name": "q", "namespace": NS}}),
        )
        .await,
        400,
        "name in URL does not match name in Eviction object",
    );
    let wrong = json!({"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"}});
    let a = admin(
        &server,
        Method::POST,
        &pods_path("/p/eviction"),
        Some(wrong),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.json());
    // a failed precondition while deleting an unhealthy pod reads as a 429, as the real
    // registry turns any conflict of that delete into "still being processed"
    let a = evict(
        &server,
        "p",
        json!({"deleteOptions": {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}}}),
    )
    .await;
    check(
        &a,
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert_eq!(
        a.json()["details"]["causes"][0]["message"],
        "The disruption budget a is still being processed by the server."
    );
    // policy/v1beta1 Evictions are still accepted
    let v1beta1 = json!({"apiVersion": "policy/v1beta1", "kind": "Eviction",
                         "metadata": {"name": "p"}});
    let a = admin(
        &server,
        Method::POST,
        &pods_path("/p/eviction"),
        Some(v1beta1),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(get_pod(&server, "p").await.status, 404);
}

#[tokio::test]
async fn logs_without_a_kubelet() {
    let server = server().await;
    create_pod(&server, "one", json!({}), &["c"]).await;
    create_pod(&server, "two", json!({}), &["a", "b"]).await;

    let a = admin(
        &server,
        Method::GET,
        &pods_path("/one/log?follow=true"),
        None,
    )
    .await;
    assert_eq!(a.status, 204);
    assert!(a.body.is_empty());
    assert!(a.headers.get("content-type").is_none());
    check(
        &admin(&server, Method::GET, &pods_path("/two/log"), None).await,
        400,
        "a container name must be specified for pod two, choose one of: [a b]",
    );
    assert_eq!(
        admin(
            &server,
            Method::GET,
            &pods_path("/two/log?container=b"),
            None
        )
        .await
        .status,
        204
    );
    check(
        &admin(
            &server,
            Method::GET,
            &pods_path("/one/log?tailLines=x"),
            None,
        )
        .await,
        400,
        "strconv.ParseInt: parsing \"x\": invalid syntax",
    );
    let both = "/one/log?sinceSeconds=10&sinceTime=2024-01-01T00:00:00Z";
    let a = admin(&server, Method::GET, &pods_path(both), None).await;
    assert_eq!(a.status, 422, "{}", a.json());
    assert_eq!(a.json()["details"]["kind"], "PodLogOptions");
    // validation comes before the pod lookup
    check(
        &admin(
            &server,
            Method::GET,
            &pods_path("/nope/log?limitBytes=0"),
            None,
        )
        .await,
        422,
        "PodLogOptions \"nope\" is invalid: limitBytes: Invalid value: 0: must be greater than 0",
    );

    // bound to a node that does not exist: the node's 404
    assert_eq!(
        bind(&server, "one", binding("one", "ghost")).await.status,
        201
    );
    check(
        &admin(&server, Method::GET, &pods_path("/one/log"), None).await,
        404,
        "nodes \"ghost\" not found",
    );
    // bound to a node with an address: the kubelet does not answer
    let node = json!({"metadata": {"name": "n1"},
        "status": {"addresses": [{"type": "InternalIP", "address": "10.1.2.3"}]}});
    let a = admin(&server, Method::POST, "/api/v1/nodes", Some(node)).await;
    assert_eq!(a.status, 201, "{}", a.json());
    assert_eq!(bind(&server, "two", binding("two", "n1")).await.status, 201);
    check(
        &admin(
            &server,
            Method::GET,
            &pods_path("/two/log?container=a&tailLines=5"),
            None,
        )
        .await,
        500,
        &format!(
            "Get \"https://10.1.2.3:10250/containerLogs/{NS}/two/a?tailLines=5\": dial tcp 10.1.2.3:10250: connect: connection refused"
        ),
    );
}
