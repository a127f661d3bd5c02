//! The faults that disrupt connections: cut and stalled answers, 429 storms, restarts, CA and
//! ServiceAccount file rotation; and that each counts how often it fired.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use kubeset_testserver::{Hits, TestServer};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject};
use serde_json::json;

use crate::support::admin;

/// What a request got: the status, then the body or why it could not be read.
type Got = (StatusCode, Result<Bytes, String>);

/// A TLS client trusting `ca_pem` (a bundle), presenting the admin certificate.
#[allow(
    deprecated,
    reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
)]
fn connector(server: &TestServer, ca_pem: &str) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let cert = server.admin_cert();
    let chain = CertificateDer::pem_slice_iter(cert.cert_pem.as_bytes())
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.expose().as_bytes()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(
        rustls::crypto::ring::default_provider().into(),
    )
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_client_auth_cert(chain, key)
    .unwrap();
    tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
}

/// An HTTP/1.1 connection to the server as admin, trusting `ca_pem`.
async fn connect(
    server: &TestServer,
    ca_pem: &str,
) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>, String> {
    let tcp = tokio::net::TcpStream::connect(server.addr())
        .await
        .map_err(|e| e.to_string())?;
    let tls = connector(server, ca_pem)
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Sends one request on `sender`; the body error, if any, is kept.
async fn request(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<Got, String> {
    let body = body.map_or_else(Bytes::new, |v| Bytes::from(v.to_string()));
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(body))
        .unwrap();
    let response = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| e.to_string());
    Ok((status, body))
}

/// One request on a connection of its own.
async fn once(
    server: &TestServer,
    ca_pem: &str,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<Got, String> {
    let mut sender = connect(server, ca_pem).await?;
    request(&mut sender, method, path, body).await
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[tokio::test]
async fn a_reset_answer_was_served_but_cannot_be_read() {
    let server = TestServer::start().await.unwrap();
    let ca = server.ca_pem().to_owned();
    server.faults().reset_next(1, Hits::Writes);
    // reads are not hit
    let (status, body) = once(&server, &ca, Method::GET, CMS, None).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_ok());
    let cm = json!({"metadata": {"name": "cut"}, "data": {"k": "v"}});
    let (status, body) = once(&server, &ca, Method::POST, CMS, Some(cm))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    assert!(body.is_err(), "the body is cut: {body:?}");
    // the create happened, and the next write is answered whole
    let (status, _) = once(&server, &ca, Method::GET, &format!("{CMS}/cut"), None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let (status, body) = once(&server, &ca, Method::DELETE, &format!("{CMS}/cut"), None)
        .await
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_ok());
    let counts = server.faults().counts();
    assert_eq!(counts.resets, 1);
    assert!(counts.requests >= 4, "{counts:?}");
}

#[tokio::test]
async fn a_stalled_answer_sends_its_headers_then_nothing() {
    let server = TestServer::start().await.unwrap();
    let ca = server.ca_pem().to_owned();
    server
        .faults()
        .stall_next(1, Duration::from_secs(30), Hits::Reads);
    let mut sender = connect(&server, &ca).await.unwrap();
    let req = Request::get(CMS)
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = tokio::time::timeout(Duration::from_secs(10), sender.send_request(req))
        .await
        .expect("the headers come at once")
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = tokio::time::timeout(Duration::from_millis(300), response.into_body().collect());
    assert!(body.await.is_err(), "the body stalls");
    assert_eq!(server.faults().counts().stalls, 1);
    // the stall was used up
    let (status, body) = once(&server, &ca, Method::GET, CMS, None).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_ok());
}

#[tokio::test]
async fn a_storm_throttles_every_request_until_it_ends() {
    let server = TestServer::start().await.unwrap();
    server.faults().throttle_for(Duration::from_millis(500), 1);
    let a = admin(&server, Method::GET, CMS, None).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.headers["retry-after"], "1");
    let b = admin(
        &server,
        Method::POST,
        CMS,
        Some(json!({"metadata": {"name": "x"}})),
    )
    .await;
    assert_eq!(b.status, StatusCode::TOO_MANY_REQUESTS);
    let deadline = Instant::now() + Duration::from_secs(10);
    while admin(&server, Method::GET, CMS, None).await.status != StatusCode::OK {
        assert!(Instant::now() < deadline, "the storm never ended");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let counts = server.faults().counts();
    assert!(counts.throttled >= 2, "{counts:?}");
    assert_eq!(counts.requests, counts.throttled + 1);
}

#[tokio::test]
async fn a_restart_drops_connections_and_keeps_address_and_store() {
    let server = TestServer::start().await.unwrap();
    let ca = server.ca_pem().to_owned();
    let cm = json!({"metadata": {"name": "kept"}});
    let (status, body) = once(&server, &ca, Method::POST, CMS, Some(cm))
        .await
        .unwrap();
    assert_eq!(status, StatusCode::CREATED);
    let created: serde_json::Value = serde_json::from_slice(&body.unwrap()).unwrap();
    let mut open = connect(&server, &ca).await.unwrap();
    let (status, _) = request(&mut open, Method::GET, CMS, None).await.unwrap();
    assert_eq!(status, StatusCode::OK);

    server.faults().restart(Duration::from_millis(300));
    let deadline = Instant::now() + Duration::from_secs(10);
    while request(&mut open, Method::GET, CMS, None).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "the open connection was not closed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let got = loop {
        if let Ok(got) = once(&server, &ca, Method::GET, &format!("{CMS}/kept"), None).await {
            break got;
        }
        assert!(Instant::now() < deadline, "the server did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(got.0, StatusCode::OK);
    let read: serde_json::Value = serde_json::from_slice(&got.1.unwrap()).unwrap();
    assert_eq!(
        read["metadata"]["resourceVersion"],
        created["metadata"]["resourceVersion"]
    );
    assert_eq!(server.faults().counts().restarts, 1);
}

#[tokio::test]
async fn a_ca_rotation_is_staged_then_served_to_new_connections() {
    let server = TestServer::start().await.unwrap();
    let old = server.ca_pem().to_owned();
    let bundle = server.faults().stage_ca().unwrap();
    assert!(bundle.ends_with(&old), "the bundle keeps the CA served now");
    // staged only: the old CA still verifies the server
    let (status, _) = once(&server, &old, Method::GET, CMS, None).await.unwrap();
    assert_eq!(status, StatusCode::OK);
    let mut before = connect(&server, &old).await.unwrap();

    let new = server.faults().switch_ca().unwrap().expect("a staged CA");
    assert!(bundle.starts_with(&new));
    assert_ne!(new, old);
    let refused = once(&server, &old, Method::GET, CMS, None).await;
    assert!(
        refused.is_err(),
        "the old CA no longer verifies new connections"
    );
    for trusted in [&new, &bundle] {
        // the admin certificate, issued by the old CA, is still accepted
        let (status, _) = once(&server, trusted, Method::GET, CMS, None)
            .await
            .unwrap();
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = request(&mut before, Method::GET, CMS, None).await.unwrap();
    assert_eq!(
        status,
        StatusCode::OK,
        "open connections keep their certificate"
    );
    assert_eq!(server.faults().switch_ca().unwrap(), None);
    assert_eq!(server.faults().counts().ca_rotations, 1);
}

#[tokio::test]
async fn service_account_files_are_swapped_as_the_kubelet_does() {
    let server = TestServer::start().await.unwrap();
    let mut env = server
        .service_account_env("default", "default")
        .await
        .unwrap();
    let token = env.dir().join("token");
    let link = std::fs::read_link(&token).unwrap();
    assert_eq!(link, std::path::Path::new("..data/token"));
    let version = std::fs::read_link(env.dir().join("..data")).unwrap();
    let first = std::fs::read_to_string(&token).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await; // a new `iat`
    env.rotate_token().unwrap();
    assert_ne!(std::fs::read_to_string(&token).unwrap(), first);
    assert_eq!(std::fs::read_link(&token).unwrap(), link, "the link stays");
    assert_ne!(
        std::fs::read_link(env.dir().join("..data")).unwrap(),
        version
    );
    env.write_ca("bundle").unwrap();
    assert_eq!(
        std::fs::read_to_string(env.dir().join("ca.crt")).unwrap(),
        "bundle"
    );
    assert_eq!(
        std::fs::read_to_string(&token).unwrap(),
        env.token().expose()
    );
    assert_eq!(server.faults().counts().token_rotations, 1);
}

#[tokio::test]
async fn clear_ends_the_answering_faults() {
    let server = TestServer::start().await.unwrap();
    server.faults().throttle_for(Duration::from_secs(600), 1);
    server.faults().reset_next(5, Hits::Any);
    assert_eq!(
        admin(&server, Method::GET, CMS, None).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    server.faults().clear();
    assert_eq!(
        admin(&server, Method::GET, CMS, None).await.status,
        StatusCode::OK
    );
    assert_eq!(server.faults().counts().resets, 0);
}

#[tokio::test]
async fn tokens_issued_before_a_rotation_are_rejected_and_later_ones_kept() {
    use crate::support::{Who, send};
    let server = TestServer::start().await.unwrap();
    let mut env = server
        .service_account_env("default", "default")
        .await
        .unwrap();
    let old = env.token().expose().to_owned();
    // the old token was issued before `before`, the new one in a later second
    let before = std::time::SystemTime::now();
    tokio::time::sleep(Duration::from_millis(1050)).await;
    env.rotate_token().unwrap();
    let new = env.token().expose().to_owned();
    server
        .faults()
        .expire_tokens_issued_before(before + Duration::from_secs(1));
    let status = |token: String| {
        let server = &server;
        async move {
            send(server, Who::Token(&token), Method::GET, "/api", None)
                .await
                .status
        }
    };
    assert_eq!(status(old).await, StatusCode::UNAUTHORIZED);
    assert_eq!(status(new).await, StatusCode::OK);
    assert_eq!(server.faults().counts().token_expiries, 1);
}
