//! One HTTPS POST of an AdmissionReview to a webhook: TLS verified against the webhook's
//! `caBundle` (rustls on ring, no system roots: a webhook without a `caBundle` cannot be
//! verified here), HTTP/1.1, the whole call bounded by `timeoutSeconds`, as Go's REST client
//! with `?timeout=<n>s` sends it.
//!
//! Errors carry the text Go's client would put after `failed to call webhook: ` for the common
//! cases (connection refused, deadline exceeded, unknown certificate authority); others keep
//! the Rust library's wording.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use serde_json::Value;

use super::endpoint::Endpoint;

/// The most of a webhook's answer read (kube-apiserver reads any size; a test webhook's answer
/// is small).
const MAX_ANSWER: usize = 3 * 1024 * 1024;

/// A call that did not complete: the text after `failed to call webhook: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct CallFailed {
    /// Go's error text.
    pub(crate) message: String,
}

/// The URL as Go's client sends it: the webhook's URL with `timeout=<n>s` added.
pub(crate) fn url_with_timeout(url: &str, seconds: u64) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}timeout={seconds}s")
}

/// POSTs `body` to `endpoint`, trusting `ca_bundle` (PEM), within `timeout_seconds`; returns
/// the status code and the answer's body.
pub(crate) async fn post(
    endpoint: &Endpoint,
    ca_bundle: &[u8],
    timeout_seconds: u64,
    body: &Value,
) -> Result<(u16, Bytes), CallFailed> {
    let url = url_with_timeout(&endpoint.url, timeout_seconds);
    let fail = |why: String| CallFailed {
        message: format!("Post \"{url}\": {why}"),
    };
    let call = exchange(endpoint, ca_bundle, timeout_seconds, body);
    match tokio::time::timeout(Duration::from_secs(timeout_seconds), call).await {
        Ok(answer) => answer.map_err(fail),
        Err(_) => Err(fail("context deadline exceeded".into())),
    }
}

async fn exchange(
    endpoint: &Endpoint,
    ca_bundle: &[u8],
    timeout_seconds: u64,
    body: &Value,
) -> Result<(u16, Bytes), String> {
    let config = tls_config(ca_bundle)?;
    let server_name = ServerName::try_from(endpoint.server_name.clone())
        .map_err(|e| format!("invalid server name: {e}"))?;
    let tcp = tokio::net::TcpStream::connect(endpoint.address)
        .await
        .map_err(|e| dial_error(endpoint, &e))?;
    let tls = tokio_rustls::TlsConnector::from(config)
        .connect(server_name, tcp)
        .await
        .map_err(|e| tls_error(&e))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(conn);
    let payload = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let path = url_with_timeout(&endpoint.path, timeout_seconds);
    let request = http::Request::post(path)
        .header(http::header::HOST, host_header(endpoint))
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json, */*")
        .body(Full::new(Bytes::from(payload)))
        .map_err(|e| e.to_string())?;
    let answer = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string());
    let out = match answer {
        Ok(answer) => {
            let code = answer.status().as_u16();
            let bytes = Limited::new(answer.into_body(), MAX_ANSWER)
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok((code, bytes))
        }
        Err(e) => Err(e),
    };
    driver.abort();
    out
}

fn host_header(endpoint: &Endpoint) -> String {
    let host = if endpoint.server_name.contains(':') {
        format!("[{}]", endpoint.server_name)
    } else {
        endpoint.server_name.clone()
    };
    format!("{host}:{}", endpoint.address.port())
}

#[allow(
    deprecated,
    reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
)]
fn tls_config(ca_bundle: &[u8]) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_bundle) {
        let cert = cert.map_err(|e| format!("unable to load root certificates: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("unable to load root certificates: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Go's `dial tcp <addr>: connect: connection refused` and the like.
fn dial_error(endpoint: &Endpoint, e: &std::io::Error) -> String {
    let why = match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        _ => e.to_string(),
    };
    format!("dial tcp {}: connect: {why}", endpoint.address)
}

/// Go's `tls: failed to verify certificate: x509: ...` for the verification failures.
fn tls_error(e: &std::io::Error) -> String {
    use rustls::{CertificateError, Error};
    let inner = e.get_ref().and_then(|inner| inner.downcast_ref::<Error>());
    match inner {
        Some(Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
            "tls: failed to verify certificate: x509: certificate signed by unknown authority"
                .into()
        }
        Some(Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => {
            "tls: failed to verify certificate: x509: certificate is not valid for the requested name"
                .into()
        }
        Some(Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. },
        )) => {
            "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
                .into()
        }
        _ => e.to_string(),
    }
}
