//! Hostile or broken servers and configuration files: each case ends in a clear error naming
//! the request or file, or in a logged fallback, never in a hang or unbounded memory.
//!
//! The servers are written for each test: TLS on 127.0.0.1 with rcgen certificates (the
//! support module's), speaking raw HTTP/1.1 where a well-behaved HTTP library would refuse to
//! misbehave.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;
use kubeset_config::{BearerToken, Config, Material, Secret};
use kubeset_transport::{BodyError, TlsFailure, TransportOptions, find_connect_error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::support::{Ca, Capture, Server, ServerTls, chain, get, ok, write};

type Stream = Box<dyn Io>;
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}
type Script = Arc<dyn Fn(Stream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A server on 127.0.0.1 that, for each connection, reads one HTTP/1.1 request head (over TLS
/// when `tls` is set, else nothing is read) and hands the connection to `script`.
struct RawServer {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RawServer {
    async fn start(tls: Option<ServerTls>, script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let acceptor = tls.map(|tls| tls.acceptor());
        let task = tokio::spawn({
            let accepted = accepted.clone();
            async move {
                while let Ok((tcp, _)) = listener.accept().await {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let (acceptor, script) = (acceptor.clone(), script.clone());
                    tokio::spawn(async move {
                        let stream: Stream = match acceptor {
                            Some(acceptor) => match acceptor.accept(tcp).await {
                                Ok(tls) => Box::new(tls),
                                Err(_) => return,
                            },
                            None => Box::new(tcp),
                        };
                        script(stream).await;
                    });
                }
            }
        });
        Self {
            addr,
            accepted,
            task,
        }
    }

    fn config(&self, ca: &std::path::Path) -> Config {
        let mut config = Config::new(format!("https://{}", self.addr).parse().unwrap());
        config.tls.root_certs = Some(Material::File(ca.to_owned()));
        config
    }
}

/// Reads up to the end of a request head.
async fn read_head(stream: &mut Stream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read_exact(&mut byte).await.is_err() {
            return;
        }
        head.push(byte[0]);
    }
}

/// An HTTP/1.1-only TLS server identity for 127.0.0.1, and the path of its CA file.
fn pki(dir: &std::path::Path) -> (ServerTls, std::path::PathBuf) {
    let ca = Ca::new("hostile CA");
    let ca_path = write(dir, "ca.crt", &ca.cert_pem);
    (ServerTls::http1(ca.server(&["127.0.0.1"])), ca_path)
}

fn options(edit: impl FnOnce(&mut TransportOptions)) -> TransportOptions {
    let mut options = TransportOptions::default();
    options.retry.max_attempts = 1;
    edit(&mut options);
    options
}

#[track_caller]
fn body_error(err: &kubeset_transport::BoxError) -> &BodyError {
    err.downcast_ref::<BodyError>()
        .unwrap_or_else(|| panic!("not a body error: {}", chain(&**err)))
}

#[tokio::test]
async fn a_body_over_the_limit_fails_naming_the_request_even_when_gzipped() {
    let big = format!(r#"{{"items":["{}"]}}"#, "x".repeat(4096));
    let zipped = {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![b' '; 8 << 20]).unwrap();
        encoder.finish().unwrap()
    };
    let server = Server::start(
        None,
        Arc::new(move |seen| {
            let mut response = Response::builder().status(StatusCode::OK);
            let body = if seen.uri.path().ends_with("/bomb") {
                response = response.header("content-encoding", "gzip");
                Bytes::from(zipped.clone())
            } else {
                Bytes::from(big.clone())
            };
            response.body(Full::new(body)).unwrap()
        }),
    )
    .await;
    let options = options(|o| o.body_limits.max_response_bytes = Some(1024));
    let service = kubeset_transport::connect_with(&Config::new(server.url()), &options).unwrap();

    let err = get(&service, "/api/v1/pods?limit=10").await.unwrap_err();
    assert!(matches!(
        body_error(&err),
        BodyError::TooLarge { limit: 1024, .. }
    ));
    assert_eq!(
        err.to_string(),
        format!(
            "GET {}api/v1/pods: the response body exceeds 1024 bytes (max_response_bytes)",
            server.url()
        )
    );
    // 8 MiB of spaces gzip to a few KiB; the decoded size is what counts.
    let err = get(&service, "/api/v1/bomb").await.unwrap_err();
    assert!(matches!(body_error(&err), BodyError::TooLarge { .. }));
}

/// Headers of a chunked 200 answer with a JSON content type.
const CHUNKED_JSON: &[u8] =
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";

#[tokio::test]
async fn a_watch_line_that_never_ends_is_cut_at_the_event_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, ca) = pki(dir.path());
    let written = Arc::new(AtomicUsize::new(0));
    let server = RawServer::start(
        Some(tls),
        Arc::new({
            let written = written.clone();
            move |mut stream| {
                let written = written.clone();
                Box::pin(async move {
                    read_head(&mut stream).await;
                    let _ = stream.write_all(CHUNKED_JSON).await;
                    let event = b"{\"type\":\"ADDED\",\"object\":{}}\n";
                    let _ = stream
                        .write_all(format!("{:x}\r\n", event.len()).as_bytes())
                        .await;
                    let _ = stream.write_all(event).await;
                    let _ = stream.write_all(b"\r\n").await;
                    // Then one event that never ends.
                    let chunk = [b'a'; 8192];
                    loop {
                        let head = format!("{:x}\r\n", chunk.len());
                        if stream.write_all(head.as_bytes()).await.is_err()
                            || stream.write_all(&chunk).await.is_err()
                            || stream.write_all(b"\r\n").await.is_err()
                        {
                            return;
                        }
                        written.fetch_add(chunk.len(), Ordering::SeqCst);
                    }
                })
            }
        }),
    )
    .await;
    let options = options(|o| o.body_limits.max_watch_event_bytes = Some(64 * 1024));
    let service = kubeset_transport::connect_with(&server.config(&ca), &options).unwrap();
    let err = get(&service, "/api/v1/pods?watch=true").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "GET https://{}/api/v1/pods: a watch event exceeds 65536 bytes without a newline (max_watch_event_bytes)",
            server.addr
        )
    );
    // The client stopped reading: the server could not push much past the limit (socket
    // buffers aside), let alone for ever.
    assert!(written.load(Ordering::SeqCst) < 64 << 20);
}

#[tokio::test]
async fn headers_then_silence_fails_after_the_body_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let (tls, ca) = pki(dir.path());
    let server = RawServer::start(
        Some(tls),
        Arc::new(|mut stream| {
            Box::pin(async move {
                read_head(&mut stream).await;
                let _ = stream.write_all(CHUNKED_JSON).await;
                let _ = stream.write_all(b"a\r\n{\"items\":[\r\n").await;
                let _ = stream.flush().await;
                // Hold the connection open and say nothing more.
                std::future::pending::<()>().await;
                drop(stream);
            })
        }),
    )
    .await;
    let options = options(|o| {
        o.body_limits.body_idle_timeout = Some(Duration::from_millis(300));
        // The headers came in time: the response timeout has nothing to say about a body.
        o.request_timeout = Some(Duration::from_secs(30));
    });
    let service = kubeset_transport::connect_with(&server.config(&ca), &options).unwrap();
    let err = tokio::time::timeout(Duration::from_secs(60), get(&service, "/api/v1/pods"))
        .await
        .expect("the stall is cut off")
        .unwrap_err();
    assert!(matches!(body_error(&err), BodyError::Stalled { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "GET https://{}/api/v1/pods: the server sent no body data for 300ms (body_idle_timeout)",
            server.addr
        )
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_so_credentials_stay_home() {
    let elsewhere = Server::start(None, ok()).await;
    let location = format!(
        "http://localhost:{}/api/v1/namespaces/default/secrets",
        elsewhere.addr.port()
    );
    let server = Server::start(
        None,
        Arc::new(move |_| {
            Response::builder()
                .status(StatusCode::TEMPORARY_REDIRECT)
                .header("location", location.as_str())
                .body(Full::default())
                .unwrap()
        }),
    )
    .await;
    let mut config = Config::new(server.url());
    config.auth.bearer = Some(BearerToken::Static(Secret::new(String::from("home-token"))));
    let service = kubeset_transport::connect(&config).unwrap();
    let (response, _) = get(&service, "/api/v1/namespaces/default/secrets")
        .await
        .unwrap();
    // The answer is handed to the caller as it is (the clientset makes it an error).
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(server.seen().len(), 1);
    assert_eq!(
        server.seen()[0].header("authorization"),
        Some("Bearer home-token")
    );
    assert!(elsewhere.seen().is_empty(), "the redirect was followed");
}

/// A TLS 1.1 ServerHello (RSA with AES-128-CBC-SHA, no extensions), as an old server sends it.
fn tls11_server_hello() -> Vec<u8> {
    let mut hello = vec![0x03, 0x02];
    hello.extend_from_slice(&[7u8; 32]); // random
    hello.push(0); // no session id
    hello.extend_from_slice(&[0x00, 0x2f]); // TLS_RSA_WITH_AES_128_CBC_SHA
    hello.push(0); // no compression
    let mut handshake = vec![0x02, 0, 0, u8::try_from(hello.len()).unwrap()];
    handshake.extend_from_slice(&hello);
    let mut record = vec![0x16, 0x03, 0x02, 0, u8::try_from(handshake.len()).unwrap()];
    record.extend_from_slice(&handshake);
    record
}

#[tokio::test]
async fn servers_offering_only_tls_1_1_or_refusing_1_2_are_refused_and_not_retried() {
    // One server answers the ClientHello with a TLS 1.1 ServerHello; the other refuses it
    // with a protocol_version alert, as a TLS 1.0-only server does.
    let alert = vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70];
    for answer in [tls11_server_hello(), alert] {
        let server = RawServer::start(
            None,
            Arc::new(move |mut stream| {
                let answer = answer.clone();
                Box::pin(async move {
                    let mut hello = [0u8; 5];
                    if stream.read_exact(&mut hello).await.is_err() {
                        return;
                    }
                    let _ = stream.write_all(&answer).await;
                    let mut rest = Vec::new();
                    let _ = stream.read_to_end(&mut rest).await;
                })
            }),
        )
        .await;
        let dir = tempfile::tempdir().unwrap();
        let (_, ca) = pki(dir.path());
        let mut options = TransportOptions::default();
        options.retry.initial_backoff = Duration::from_millis(1);
        let service = kubeset_transport::connect_with(&server.config(&ca), &options).unwrap();
        let err = get(&service, "/version").await.unwrap_err();
        let failure = find_connect_error(&*err).and_then(|e| e.tls_failure());
        assert_eq!(failure, Some(&TlsFailure::OldProtocol), "{}", chain(&*err));
        let text = chain(&*err);
        assert!(
            text.contains(&format!("GET https://{}/version", server.addr))
                && text.contains(
                    "the server offers only TLS versions older than 1.2, which are refused"
                ),
            "{text}"
        );
        assert_eq!(server.accepted.load(Ordering::SeqCst), 1, "{text}");
    }
}

#[tokio::test]
async fn a_server_without_alpn_gets_http1_over_verified_tls() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let mut tls = ServerTls::h2(ca.server(&["127.0.0.1"]));
    tls.alpn = Vec::new();
    let server = Server::start(Some(tls), ok()).await;
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path));
    let service = kubeset_transport::connect(&config).unwrap();
    assert_eq!(get(&service, "/version").await.unwrap().0.status(), 200);
    assert_eq!(server.seen()[0].version, http::Version::HTTP_11);

    // Without ALPN the certificate is still checked.
    let stranger = Ca::new("stranger");
    let stranger_path = write(dir.path(), "stranger.crt", &stranger.cert_pem);
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(stranger_path));
    let service = kubeset_transport::connect(&config).unwrap();
    let err = get(&service, "/version").await.unwrap_err();
    assert!(
        matches!(
            find_connect_error(&*err).and_then(|e| e.tls_failure()),
            Some(TlsFailure::UnknownCa { .. })
        ),
        "{}",
        chain(&*err)
    );
}

#[test]
fn a_missing_or_unreadable_ca_file_fails_the_build_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // A directory cannot be read as a file, whoever runs the test (root reads mode 000 files).
    for path in [dir.path().join("missing.crt"), dir.path().to_owned()] {
        let mut config = Config::new("https://127.0.0.1:6443".parse().unwrap());
        config.tls.root_certs = Some(Material::File(path.clone()));
        let err = kubeset_transport::connect(&config).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!("could not read CA certificate file {}", path.display())
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "the I/O cause is kept"
        );
    }
}

/// Runs `f` with a subscriber capturing `warn` and above on this thread.
fn capturing_warnings() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    (capture, guard)
}

#[tokio::test]
async fn a_token_file_that_disappears_keeps_the_last_token_and_warns() {
    let (capture, _guard) = capturing_warnings();
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "token", "last-good-token");
    let server = Server::start(None, ok()).await;
    let mut config = Config::new(server.url());
    config.auth.bearer = Some(BearerToken::File {
        path: path.clone(),
        initial: None,
    });
    let mut options = TransportOptions::default();
    options.token_check_interval = Duration::ZERO;
    let service = kubeset_transport::connect_with(&config, &options).unwrap();
    get(&service, "/").await.unwrap();
    std::fs::remove_file(&path).unwrap();
    get(&service, "/").await.unwrap();
    get(&service, "/").await.unwrap();
    for seen in server.seen() {
        assert_eq!(seen.header("authorization"), Some("Bearer last-good-token"));
    }
    let logs = capture.text();
    assert!(
        logs.contains("WARN") && logs.contains("keeping the last good token"),
        "{logs}"
    );
    assert!(logs.contains(&path.display().to_string()), "{logs}");
    assert!(!logs.contains("last-good-token"), "{logs}");
}

#[tokio::test]
async fn a_ca_file_that_turns_to_garbage_keeps_the_last_roots_and_warns() {
    let (capture, _guard) = capturing_warnings();
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("CA");
    let ca_path = write(dir.path(), "ca.crt", &ca.cert_pem);
    let server = Server::start(Some(ServerTls::h2(ca.server(&["127.0.0.1"]))), ok()).await;
    let mut config = Config::new(server.url());
    config.tls.root_certs = Some(Material::File(ca_path.clone()));
    let service = kubeset_transport::connect(&config).unwrap();
    get(&service, "/").await.unwrap();

    write(
        dir.path(),
        "ca.crt",
        "-----BEGIN CERTIFICATE-----\ngarbage\n",
    );
    server.drop_connections();
    // A new connection, verified with the last good roots.
    assert_eq!(get(&service, "/").await.unwrap().0.status(), 200);
    assert!(server.connections() >= 2);
    let logs = capture.text();
    assert!(
        logs.contains("WARN")
            && logs.contains("keeping the last good one")
            && logs.contains(&ca_path.display().to_string()),
        "{logs}"
    );
}
