//! Test fixtures: rcgen-made PKI, tiny hyper servers on loopback, proxies (`proxies.rs`), helpers.

#![allow(dead_code)] // Each test module uses a different part.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use kubeset_transport::{BoxError, BoxService, ResponseBody};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower::ServiceExt;

mod proxies;

pub use proxies::{ConnectProxy, Socks5Proxy};

/// A certificate authority for one test.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pub cert_pem: String,
}

/// A leaf certificate and its key, PEM.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert_pem = params.self_signed(&key).unwrap().pem();
        Self {
            params,
            key,
            cert_pem,
        }
    }

    fn issue(&self, mut params: CertificateParams, key: &KeyPair) -> String {
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let issuer = Issuer::from_params(&self.params, &self.key);
        params.signed_by(key, &issuer).unwrap().pem()
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server(&self, names: &[&str]) -> Leaf {
        self.server_with(names, |_| {})
    }

    /// A server certificate, with `edit` applied to its parameters.
    pub fn server_with(&self, names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        edit(&mut params);
        Leaf {
            cert_pem: self.issue(params, &key),
            key_pem: key.serialize_pem(),
        }
    }

    /// A client certificate for user `cn` with `key`'s public key.
    pub fn client(&self, cn: &str, key: &KeyPair) -> String {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params, key)
    }

    /// A fresh client key and certificate.
    pub fn client_leaf(&self, cn: &str) -> Leaf {
        let key = KeyPair::generate().unwrap();
        Leaf {
            cert_pem: self.client(cn, &key),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A fixture file under tests/it/fixtures.
pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// Writes `contents` to `dir/name`, replacing it atomically (as kubelet does), and returns the
/// path.
pub fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, contents).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// What the server saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub uri: Uri,
    pub version: Version,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// DER of the client certificate presented, if any.
    pub client_cert: Option<Vec<u8>>,
    /// Which accepted connection carried it (0-based).
    pub connection: usize,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync>;

/// A handler answering `200 {"ok":true}` to everything.
pub fn ok() -> Handler {
    Arc::new(|_| json(StatusCode::OK, r#"{"ok":true}"#))
}

pub fn json(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

/// TLS settings for a test server.
#[derive(Clone)]
pub struct ServerTls {
    pub leaf: Arc<Leaf>,
    /// ALPN protocols offered; empty means none (HTTP/1.1).
    pub alpn: Vec<Vec<u8>>,
    /// Ask for client certificates signed by this CA (optional for the client).
    pub client_ca: Option<String>,
}

impl ServerTls {
    pub fn h2(leaf: Leaf) -> Self {
        Self {
            leaf: Arc::new(leaf),
            alpn: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            client_ca: None,
        }
    }

    pub fn http1(leaf: Leaf) -> Self {
        Self {
            leaf: Arc::new(leaf),
            alpn: vec![b"http/1.1".to_vec()],
            client_ca: None,
        }
    }

    #[allow(
        deprecated,
        reason = "ring, our provider, is deprecated only for lacking post-quantum kx"
    )]
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = match &self.client_ca {
            Some(ca) => {
                let mut roots = rustls::RootCertStore::empty();
                for cert in CertificateDer::pem_slice_iter(ca.as_bytes()) {
                    roots.add(cert.unwrap()).unwrap();
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                    roots.into(),
                    provider,
                )
                .allow_unauthenticated()
                .build()
                .unwrap();
                builder.with_client_cert_verifier(verifier)
            }
            None => builder.with_no_client_auth(),
        };
        let certs = CertificateDer::pem_slice_iter(self.leaf.cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(self.leaf.key_pem.as_bytes()).unwrap();
        let mut config = builder.with_single_cert(certs, key).unwrap();
        config.alpn_protocols = self.alpn.clone();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

/// A tiny API server stand-in on loopback.
pub struct Server {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    tls: Arc<Mutex<Option<ServerTls>>>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
        self.drop_connections();
    }
}

impl Server {
    /// Starts on 127.0.0.1.
    pub async fn start(tls: Option<ServerTls>, handler: Handler) -> Self {
        Self::start_on("127.0.0.1:0", tls, handler).await
    }

    pub async fn start_on(bind: &str, tls: Option<ServerTls>, handler: Handler) -> Self {
        let listener = TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let tls = Arc::new(Mutex::new(tls));
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let accept = tokio::spawn({
            let (seen, connections, tls, tasks) = (
                seen.clone(),
                connections.clone(),
                tls.clone(),
                tasks.clone(),
            );
            async move {
                loop {
                    let Ok((tcp, _)) = listener.accept().await else {
                        return;
                    };
                    let id = connections.fetch_add(1, Ordering::SeqCst);
                    let acceptor = tls.lock().unwrap().as_ref().map(ServerTls::acceptor);
                    let (seen, handler) = (seen.clone(), handler.clone());
                    let task = tokio::spawn(async move {
                        match acceptor {
                            Some(acceptor) => {
                                let Ok(stream) = acceptor.accept(tcp).await else {
                                    return;
                                };
                                let cert = stream
                                    .get_ref()
                                    .1
                                    .peer_certificates()
                                    .and_then(|c| c.first())
                                    .map(|c| c.to_vec());
                                serve(TokioIo::new(stream), id, cert, seen, handler).await;
                            }
                            None => serve(TokioIo::new(tcp), id, None, seen, handler).await,
                        }
                    });
                    tasks.lock().unwrap().push(task);
                }
            }
        });
        Self {
            addr,
            seen,
            connections,
            tls,
            tasks,
            accept,
        }
    }

    pub fn url(&self) -> Uri {
        let scheme = if self.tls.lock().unwrap().is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr).parse().unwrap()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Serves new connections with `tls` from now on.
    pub fn set_tls(&self, tls: ServerTls) {
        *self.tls.lock().unwrap() = Some(tls);
    }

    /// Closes every open connection.
    pub fn drop_connections(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

async fn serve<I>(
    io: I,
    connection: usize,
    client_cert: Option<Vec<u8>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Handler,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let (seen, handler, client_cert) = (seen.clone(), handler.clone(), client_cert.clone());
        async move {
            let (parts, body) = req.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let entry = Seen {
                method: parts.method,
                uri: parts.uri,
                version: parts.version,
                headers: parts.headers,
                body,
                client_cert,
                connection,
            };
            let response = handler(&entry);
            seen.lock().unwrap().push(entry);
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
        .serve_connection(io, service)
        .await;
}

/// Sends a request through `service` and collects the body.
pub async fn send(
    service: &BoxService,
    request: Request<Full<Bytes>>,
) -> Result<(Response<()>, Bytes), BoxError> {
    let response = service.clone().oneshot(request).await?;
    let (parts, body) = response.into_parts();
    let body: ResponseBody = body;
    let bytes = body.collect().await?.to_bytes();
    Ok((Response::from_parts(parts, ()), bytes))
}

/// `GET path`.
pub async fn get(service: &BoxService, path: &str) -> Result<(Response<()>, Bytes), BoxError> {
    send(service, Request::get(path).body(Full::default()).unwrap()).await
}

/// `err` and its sources joined, as a user would see them.
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(" | ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// A `MakeWriter` collecting everything logged.
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}
