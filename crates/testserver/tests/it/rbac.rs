//! RBAC over the wire: escalation prevention on every write path, the clusterrole-aggregation
//! controller, and decisions per rule feature and subject kind with the exact 403s.

mod aggregation;
mod decisions;
mod escalation;

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use kubeset_testserver::TestServer;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject};
use serde_json::{Value, json};

use crate::support::{Answer, Who, admin};

/// `Content-Type` of a JSON merge patch.
const MERGE: &str = "application/merge-patch+json";
/// `Content-Type` of a server-side apply.
const APPLY: &str = "application/apply-patch+yaml";

fn tls(server: &TestServer, who: &Who<'_>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(server.ca_pem().as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    Arc::new(match who {
        Who::Cert(c) => {
            let chain = CertificateDer::pem_slice_iter(c.cert_pem.as_bytes())
                .map(|c| c.unwrap())
                .collect();
            let key = PrivateKeyDer::from_pem_slice(c.key_pem.expose().as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        _ => builder.with_no_client_auth(),
    })
}

/// Sends one request as `who` with an explicit content type (JSON when `None`).
async fn call(
    server: &TestServer,
    who: &Who<'_>,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<String>,
) -> Answer {
    let connector = tokio_rustls::TlsConnector::from(tls(server, who));
    let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let stream = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("user-agent", "kubeset-it/1.0");
    if let Who::Token(t) = who {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header("content-type", content_type.unwrap_or("application/json"));
    }
    let resp = sender
        .send_request(
            req.body(Full::new(Bytes::from(body.unwrap_or_default())))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body,
    }
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
async fn sa_token(server: &TestServer, ns: &str, name: &str) -> String {
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
