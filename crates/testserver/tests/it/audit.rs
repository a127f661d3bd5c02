//! The audit log over the wire: one `audit.k8s.io/v1` Event per request at `ResponseComplete`,
//! with the fields kube-apiserver writes at level `Metadata`.

use std::time::{Duration, Instant};

use http::Method;
use kubeset_testserver::TestServer;
use kubeset_testserver::audit::Event;
use serde_json::{Value, json};

use crate::rbac::sa_token;
use crate::support::{Who, admin, namespace, send_raw};

const NS: &str = "audited";

/// The event as JSON without what changes per run (IDs, times, token claims).
fn stable(event: &Event) -> Value {
    let mut v = serde_json::to_value(event).unwrap();
    let obj = v.as_object_mut().unwrap();
    for volatile in ["auditID", "requestReceivedTimestamp", "stageTimestamp"] {
        let value = obj.remove(volatile).unwrap();
        assert!(value.as_str().is_some_and(|s| !s.is_empty()), "{volatile}");
    }
    for user in ["user", "impersonatedUser"] {
        if let Some(u) = obj.get_mut(user).and_then(Value::as_object_mut) {
            u.remove("uid");
            u.remove("extra");
        }
    }
    v
}

/// Waits for the event of the request to `uri` (a watch's is written when it ends).
async fn event_for(server: &TestServer, uri: &str) -> Event {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(e) = server
            .audit_events()
            .into_iter()
            .rev()
            .find(|e| e.request_uri == uri)
        {
            return e;
        }
        assert!(Instant::now() < deadline, "no audit event for {uri}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[track_caller]
fn check(event: &Event, expected: Value) {
    assert_eq!(stable(event), expected);
}

fn admin_user() -> Value {
    json!({"username": "admin", "groups": ["system:masters", "system:authenticated"]})
}

fn allowed_by_masters() -> Value {
    json!({"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""})
}

#[tokio::test]
async fn a_get_records_who_what_and_the_answer() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, NS).await;
    let uri = format!("/api/v1/namespaces/{NS}/configmaps/kube-root-ca.crt");
    let a = admin(&server, Method::GET, &uri, None).await;
    assert_eq!(a.status, 200);
    let event = event_for(&server, &uri).await;
    assert_eq!(
        a.headers.get("audit-id").unwrap().to_str().unwrap(),
        event.audit_id
    );
    check(
        &event,
        json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "stage": "ResponseComplete", "requestURI": uri, "verb": "get",
            "user": admin_user(), "sourceIPs": ["127.0.0.1"], "userAgent": "kubeset-it/1.0",
            "objectRef": {"resource": "configmaps", "namespace": NS, "name": "kube-root-ca.crt",
                          "apiVersion": "v1"},
            "responseStatus": {"metadata": {}, "code": 200},
            "annotations": allowed_by_masters(),
        }),
    );
    // the field order is the Go struct's
    let line = serde_json::to_string(&event).unwrap();
    let order: Vec<usize> = [
        "\"kind\"",
        "\"level\"",
        "\"auditID\"",
        "\"stage\"",
        "\"requestURI\"",
        "\"verb\"",
        "\"user\"",
        "\"sourceIPs\"",
        "\"userAgent\"",
        "\"objectRef\"",
        "\"responseStatus\"",
        "\"requestReceivedTimestamp\"",
        "\"stageTimestamp\"",
        "\"annotations\"",
    ]
    .iter()
    .map(|k| line.find(k).unwrap())
    .collect();
    assert!(order.is_sorted(), "{line}");
}

#[tokio::test]
async fn a_denied_create_records_the_forbidden_status_and_decision() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, NS).await;
    let token = sa_token(&server, NS, "worker").await;
    let uri = format!("/api/v1/namespaces/{NS}/configmaps");
    let body = json!({"metadata": {"name": "c"}}).to_string();
    let a = send_raw(
        &server,
        &Who::Token(&token),
        Method::POST,
        &uri,
        None,
        Some(body.into()),
        &[],
    )
    .await;
    assert_eq!(a.status, 403);
    let user = format!("system:serviceaccount:{NS}:worker");
    let event = event_for(&server, &uri).await;
    assert_eq!(event.user.extra.len(), 1, "{:?}", event.user.extra);
    check(
        &event,
        json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "stage": "ResponseComplete", "requestURI": uri, "verb": "create",
            "user": {"username": user, "groups": ["system:serviceaccounts",
                     format!("system:serviceaccounts:{NS}"), "system:authenticated"]},
            "sourceIPs": ["127.0.0.1"], "userAgent": "kubeset-it/1.0",
            // a denied request's body is never decoded: no name from it
            "objectRef": {"resource": "configmaps", "namespace": NS, "apiVersion": "v1"},
            "responseStatus": {"metadata": {}, "status": "Failure",
                "message": format!("configmaps is forbidden: User \"{user}\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{NS}\""),
                "reason": "Forbidden", "details": {"kind": "configmaps"}, "code": 403},
            "annotations": {"authorization.k8s.io/decision": "forbid",
                            "authorization.k8s.io/reason": ""},
        }),
    );
    assert_eq!(server.audit_events_of(&user).len(), 1);
}

#[tokio::test]
async fn an_allowed_create_takes_the_name_from_its_body() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, NS).await;
    let uri = format!("/api/v1/namespaces/{NS}/configmaps");
    let a = admin(
        &server,
        Method::POST,
        &uri,
        Some(json!({"metadata": {"name": "made"}})),
    )
    .await;
    assert_eq!(a.status, 201);
    let event = event_for(&server, &uri).await;
    assert_eq!(
        stable(&event)["objectRef"],
        json!({"resource": "configmaps", "namespace": NS, "name": "made", "apiVersion": "v1"})
    );
    assert_eq!(event.code(), 201);
}

#[tokio::test]
async fn a_watch_is_recorded_when_it_ends() {
    let server = TestServer::start().await.unwrap();
    let uri = "/apis/storage.k8s.io/v1/storageclasses?watch=true&timeoutSeconds=1";
    let a = admin(&server, Method::GET, uri, None).await;
    assert_eq!(a.status, 200);
    let event = event_for(&server, uri).await;
    check(
        &event,
        json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "stage": "ResponseComplete", "requestURI": uri, "verb": "watch",
            "user": admin_user(), "sourceIPs": ["127.0.0.1"], "userAgent": "kubeset-it/1.0",
            "objectRef": {"resource": "storageclasses", "apiGroup": "storage.k8s.io",
                          "apiVersion": "v1"},
            "responseStatus": {"metadata": {}, "code": 200},
            "annotations": allowed_by_masters(),
        }),
    );
    assert!(event.stage_timestamp > event.request_received_timestamp);
}

#[tokio::test]
async fn a_binding_names_its_subresource() {
    let server = TestServer::start().await.unwrap();
    namespace(&server, NS).await;
    let pods = format!("/api/v1/namespaces/{NS}/pods");
    let pod = json!({"metadata": {"name": "p"}, "spec": {"automountServiceAccountToken": false,
        "containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}});
    assert_eq!(
        admin(&server, Method::POST, &pods, Some(pod)).await.status,
        201
    );
    let uri = format!("{pods}/p/binding");
    let binding = json!({"metadata": {"name": "p"},
        "target": {"apiVersion": "v1", "kind": "Node", "name": "n1"}});
    assert_eq!(
        admin(&server, Method::POST, &uri, Some(binding))
            .await
            .status,
        201
    );
    let event = event_for(&server, &uri).await;
    assert_eq!(event.verb, "create");
    assert_eq!(
        stable(&event)["objectRef"],
        json!({"resource": "pods", "namespace": NS, "name": "p", "apiVersion": "v1",
               "subresource": "binding"})
    );
    assert_eq!(
        stable(&event)["responseStatus"],
        json!({"metadata": {}, "status": "Success", "code": 201})
    );
}

#[tokio::test]
async fn a_non_resource_url_has_the_http_verb_and_no_object() {
    let server = TestServer::start().await.unwrap();
    let token = sa_token(&server, "default", "reader").await;
    let a = send_raw(
        &server,
        &Who::Token(&token),
        Method::GET,
        "/version",
        None,
        None,
        &[],
    )
    .await;
    assert_eq!(a.status, 200);
    let event = event_for(&server, "/version").await;
    let v = stable(&event);
    assert_eq!(v["verb"], "get");
    assert!(v.get("objectRef").is_none(), "{v}");
    assert_eq!(v["responseStatus"], json!({"metadata": {}, "code": 200}));
    assert_eq!(
        v["annotations"],
        json!({"authorization.k8s.io/decision": "allow",
               "authorization.k8s.io/reason": "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\""})
    );
}

#[tokio::test]
async fn an_impersonated_request_names_both_users() {
    let server = TestServer::start().await.unwrap();
    let uri = "/api/v1/nodes";
    let a = send_raw(
        &server,
        &Who::Cert(server.admin_cert()),
        Method::GET,
        uri,
        None,
        None,
        &[("Impersonate-User", "jane"), ("Impersonate-Group", "devs")],
    )
    .await;
    assert_eq!(a.status, 403);
    let event = event_for(&server, uri).await;
    let v = stable(&event);
    assert_eq!(v["user"], admin_user());
    assert_eq!(
        v["impersonatedUser"],
        json!({"username": "jane", "groups": ["devs", "system:authenticated"]})
    );
    assert_eq!(v["annotations"]["authorization.k8s.io/decision"], "forbid");
    assert_eq!(server.audit_events_of("jane").len(), 1);
    assert!(
        server
            .audit_events_of("admin")
            .iter()
            .all(|e| e.impersonated_user.is_none())
    );
}

#[tokio::test]
async fn the_log_file_gets_one_json_line_per_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let server = TestServer::builder()
        .audit_log_path(&path)
        .start()
        .await
        .unwrap();
    assert_eq!(
        admin(&server, Method::GET, "/api/v1/namespaces", None)
            .await
            .status,
        200
    );
    let in_memory = server.audit_events();
    let text = std::fs::read_to_string(&path).unwrap();
    let from_file: Vec<Event> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(from_file, in_memory);
    assert_eq!(from_file.last().unwrap().verb, "list");
}
