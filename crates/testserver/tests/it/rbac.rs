//! RBAC over the wire: escalation prevention on every write path, the clusterrole-aggregation
//! controller, and decisions per rule feature and subject kind with the exact 403s.

mod aggregation;
mod decisions;
mod escalation;
mod impersonation;
mod reviews;

use bytes::Bytes;
use http::Method;
use kubeset_testserver::TestServer;
use serde_json::{Value, json};

use crate::support::{Answer, Who, admin, send_raw};

/// `Content-Type` of a JSON merge patch.
const MERGE: &str = "application/merge-patch+json";
/// `Content-Type` of a server-side apply.
const APPLY: &str = "application/apply-patch+yaml";

/// Sends one request as `who` with an explicit content type (JSON when `None`).
async fn call(
    server: &TestServer,
    who: &Who<'_>,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<String>,
) -> Answer {
    call_with(server, who, method, path, content_type, body, &[]).await
}

/// [`call`] with extra request headers.
async fn call_with(
    server: &TestServer,
    who: &Who<'_>,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Answer {
    let body = body.map(Bytes::from);
    send_raw(server, who, method, path, content_type, body, headers).await
}

/// POSTs JSON as `who`.
async fn post(server: &TestServer, who: &Who<'_>, path: &str, body: Value) -> Answer {
    call(
        server,
        who,
        Method::POST,
        path,
        None,
        Some(body.to_string()),
    )
    .await
}

/// Creates an object as admin, which must succeed.
#[track_caller]
fn created(answer: &Answer) {
    assert_eq!(
        answer.status,
        201,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
}

/// Creates objects as admin at `path` (each must be created).
async fn admin_create(server: &TestServer, path: &str, objects: &[Value]) {
    for o in objects {
        let a = admin(server, Method::POST, path, Some(o.clone())).await;
        created(&a);
    }
}

/// A ServiceAccount token: creates the ServiceAccount and asks for a token as admin.
pub(crate) async fn sa_token(server: &TestServer, ns: &str, name: &str) -> String {
    let path = format!("/api/v1/namespaces/{ns}/serviceaccounts");
    let a = admin(
        server,
        Method::POST,
        &path,
        Some(json!({"metadata": {"name": name}})),
    )
    .await;
    assert!(a.status == 201 || a.status == 409, "{:?}", a.json());
    let a = admin(
        server,
        Method::POST,
        &format!("{path}/{name}/token"),
        Some(json!({"spec": {"expirationSeconds": 3600}})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    a.json()["status"]["token"].as_str().unwrap().to_owned()
}

/// The 403 `Status` the real server writes.
fn forbidden_status(message: &str, details: Value) -> Value {
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": "Forbidden", "details": details, "code": 403,
    })
}

/// Asserts a 403 with exactly this message and details.
#[track_caller]
fn assert_forbidden(answer: &Answer, message: &str, details: Value) {
    assert_eq!(
        answer.status,
        403,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.json(), forbidden_status(message, details));
}

/// A rule as JSON.
fn rule(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Value {
    json!({"apiGroups": groups, "resources": resources, "verbs": verbs})
}

/// A Role (`namespace` non-empty) or ClusterRole.
fn role(namespace: &str, name: &str, rules: Value) -> Value {
    if namespace.is_empty() {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": name}, "rules": rules})
    } else {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
               "metadata": {"name": name, "namespace": namespace}, "rules": rules})
    }
}

/// A RoleBinding (`namespace` non-empty) or ClusterRoleBinding.
fn binding(namespace: &str, name: &str, role_kind: &str, role: &str, subjects: Value) -> Value {
    let role_ref =
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role});
    if namespace.is_empty() {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": name}, "roleRef": role_ref, "subjects": subjects})
    } else {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": name, "namespace": namespace}, "roleRef": role_ref,
               "subjects": subjects})
    }
}

/// The collection path of an RBAC resource (`namespace` empty for the cluster-scoped kinds).
fn rbac_path(namespace: &str, resource: &str) -> String {
    if namespace.is_empty() {
        format!("/apis/rbac.authorization.k8s.io/v1/{resource}")
    } else {
        format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/{resource}")
    }
}

/// The message of a denied resource request.
fn denied(user: &str, verb: &str, resource: &str, group: &str, namespace: &str) -> String {
    let scope = if namespace.is_empty() {
        "at the cluster scope".to_owned()
    } else {
        format!("in the namespace \"{namespace}\"")
    };
    format!(
        "User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}"
    )
}
