//! A minimal HTTPS client for the tests: one HTTP/1.1 connection per request.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use kubeset_testserver::{ClientCert, TestServer};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject};
use serde_json::Value;

/// Who a request is sent as.
pub(crate) enum Who<'a> {
    /// A client certificate.
    Cert(&'a ClientCert),
    /// A bearer token.
    Token(&'a str),
    /// Nothing.
    Anonymous,
}

/// An answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    /// The body as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A TLS client configuration trusting the server, presenting `cert` if given.
#[allow(
    deprecated,
    reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
)]
pub(crate) fn config(server: &TestServer, cert: Option<&ClientCert>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(server.ca_pem().as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match cert {
        Some(c) => {
            let chain = CertificateDer::pem_slice_iter(c.cert_pem.as_bytes())
                .map(|c| c.unwrap())
                .collect();
            let key = PrivateKeyDer::from_pem_slice(c.key_pem.expose().as_bytes()).unwrap();
            builder.with_client_auth_cert(chain, key).unwrap()
        }
        None => builder.with_no_client_auth(),
    };
    Arc::new(config)
}

/// Sends one request with a JSON body.
pub(crate) async fn send(
    server: &TestServer,
    who: Who<'_>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let body = body.map(|v| Bytes::from(serde_json::to_vec(&v).unwrap()));
    send_raw(server, &who, method, path, None, body, &[]).await
}

/// Sends one request with any body (`content_type` defaults to JSON) and extra headers.
pub(crate) async fn send_raw(
    server: &TestServer,
    who: &Who<'_>,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<Bytes>,
    headers: &[(&str, &str)],
) -> Answer {
    let cert = match who {
        Who::Cert(c) => Some(*c),
        Who::Token(_) | Who::Anonymous => None,
    };
    let connector = tokio_rustls::TlsConnector::from(config(server, cert));
    let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
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
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if body.is_some() {
        req = req.header("content-type", content_type.unwrap_or("application/json"));
    }
    let resp = sender
        .send_request(req.body(Full::new(body.unwrap_or_default())).unwrap())
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

/// Sends one request as admin.
pub(crate) async fn admin(
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    send(server, Who::Cert(server.admin_cert()), method, path, body).await
}

/// Creates a namespace and waits for its default ServiceAccount.
pub(crate) async fn namespace(server: &TestServer, name: &str) {
    let a = admin(
        server,
        Method::POST,
        "/api/v1/namespaces",
        Some(serde_json::json!({"metadata": {"name": name}})),
    )
    .await;
    assert_eq!(a.status, 201, "{:?}", a.json());
    for _ in 0..100 {
        let path = format!("/api/v1/namespaces/{name}/serviceaccounts/default");
        if admin(server, Method::GET, &path, None).await.status == 200 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no default ServiceAccount in {name}");
}

/// Sends a body with an explicit content type as admin.
pub(crate) async fn send_with_type(
    server: &TestServer,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Answer {
    raw(
        server,
        method,
        path,
        &[("content-type", content_type)],
        Bytes::from(body),
    )
    .await
}

/// GETs with an explicit Accept header as admin.
pub(crate) async fn send_accept(server: &TestServer, path: &str, accept: &str) -> Answer {
    raw(
        server,
        Method::GET,
        path,
        &[("accept", accept)],
        Bytes::new(),
    )
    .await
}

async fn raw(
    server: &TestServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Answer {
    let connector = tokio_rustls::TlsConnector::from(config(server, Some(server.admin_cert())));
    let tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = sender
        .send_request(req.body(Full::new(body)).unwrap())
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
