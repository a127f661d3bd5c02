//! Measures listing 10k pods from the test server (run with `--release`).
//!
//! `cargo run --release -p kubeset-testserver --example list_10k_pods`

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::Request;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use kubeset_testserver::TestServer;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject};

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

#[allow(
    deprecated,
    reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
)]
async fn connect(server: &TestServer) -> Result<Sender, Box<dyn std::error::Error>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(server.ca_pem().as_bytes()) {
        roots.add(c?)?;
    }
    let cert = server.admin_cert();
    let chain =
        CertificateDer::pem_slice_iter(cert.cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.expose().as_bytes())?;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_client_auth_cert(chain, key)?;
    let tcp = tokio::net::TcpStream::connect(server.addr()).await?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost")?, tcp)
        .await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// One request on a fresh connection.
async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<Bytes, Box<dyn std::error::Error>> {
    let mut s = connect(server).await?;
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    Ok(s.send_request(req)
        .await?
        .into_body()
        .collect()
        .await?
        .to_bytes())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = TestServer::start().await?;
    let start = Instant::now();
    for i in 0..10_000 {
        let pod = format!(
            r#"{{"metadata":{{"name":"p{i:05}","labels":{{"app":"bench"}}}},"spec":{{"automountServiceAccountToken":false,"containers":[{{"name":"c","image":"pause"}}]}}}}"#
        );
        call(
            &server,
            "POST",
            "/api/v1/namespaces/default/pods",
            Some(pod),
        )
        .await?;
    }
    println!("created 10000 pods in {:?}", start.elapsed());
    for _ in 0..3 {
        let start = Instant::now();
        let body = call(&server, "GET", "/api/v1/namespaces/default/pods", None).await?;
        println!(
            "listed 10000 pods ({} bytes) in {:?}",
            body.len(),
            start.elapsed()
        );
    }
    let start = Instant::now();
    let body = call(
        &server,
        "GET",
        "/api/v1/pods?labelSelector=app%3Dbench&limit=500",
        None,
    )
    .await?;
    println!(
        "first page of 500 by label in {:?} ({} bytes)",
        start.elapsed(),
        body.len()
    );
    Ok(())
}
