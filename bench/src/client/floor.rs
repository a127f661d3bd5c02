//! The floors: what the same requests cost with bare hyper and no decoding, and what decoding
//! the same bodies costs with `serde_json` alone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use k8s_openapi::api::core::v1::Pod;

use super::{CREATES, EVENTS, PAGE, PAR_GETS, PODS, SEQ_GETS, TASKS, Workload, expect, names};
use crate::pods::{self, NAMESPACE};
use crate::server::{BoxError, TOKEN};

/// One connection: HTTP/1.1 or HTTP/2.
#[derive(Clone)]
enum Conn {
    H1(Arc<tokio::sync::Mutex<http1::SendRequest<Full<Bytes>>>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

struct Target {
    port: u16,
    tls: tokio_rustls::TlsConnector,
}

impl Target {
    fn from_env(h2: bool) -> Result<Self, BoxError> {
        let port = std::env::var("KUBESET_BENCH_PORT")?.parse()?;
        let ca = std::fs::read(std::env::var("KUBESET_BENCH_CA")?)?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&ca) {
            roots.add(cert?)?;
        }
        #[allow(
            deprecated,
            reason = "ring, as kubeset and kube-rs use it; deprecated only for lacking post-quantum kx"
        )]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![if h2 {
            b"h2".to_vec()
        } else {
            b"http/1.1".to_vec()
        }];
        Ok(Target {
            port,
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        })
    }

    async fn connect(&self, h2: bool) -> Result<Conn, BoxError> {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
        tcp.set_nodelay(true)?;
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1")?;
        let io = TokioIo::new(self.tls.connect(name, tcp).await?);
        if h2 {
            let (send, conn) = http2::handshake(TokioExecutor::new(), io).await?;
            tokio::spawn(conn);
            Ok(Conn::H2(send))
        } else {
            let (send, conn) = http1::handshake(io).await?;
            tokio::spawn(conn);
            Ok(Conn::H1(Arc::new(tokio::sync::Mutex::new(send))))
        }
    }
}

impl Conn {
    /// Sends a request and counts the response body's bytes without keeping them.
    async fn bytes(&self, method: Method, path: &str, body: Bytes) -> Result<usize, BoxError> {
        let req = Request::builder()
            .method(method)
            .uri(format!("https://127.0.0.1{path}"))
            .header(http::header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(body))?;
        let response = match self {
            Conn::H1(send) => {
                let mut send = send.lock().await;
                send.ready().await?;
                // HTTP/1.1 wants origin-form.
                let (mut parts, body) = req.into_parts();
                parts.uri = path.parse()?;
                parts.headers.insert(
                    http::header::HOST,
                    http::HeaderValue::from_static("127.0.0.1"),
                );
                send.send_request(Request::from_parts(parts, body)).await?
            }
            Conn::H2(send) => send.clone().send_request(req).await?,
        };
        if !response.status().is_success() {
            return Err(format!("{path}: {}", response.status()).into());
        }
        count(response.into_body()).await
    }
}

async fn count(mut body: Incoming) -> Result<usize, BoxError> {
    let mut total = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            total += data.len();
        }
    }
    Ok(total)
}

pub async fn run(workload: Workload, started: Instant, h2: bool) -> Result<Duration, BoxError> {
    let target = Target::from_env(h2)?;
    let conn = target.connect(h2).await?;
    let collection = format!("/api/v1/namespaces/{NAMESPACE}/pods");
    let item = |name: &str| format!("{collection}/{name}");
    conn.bytes(Method::GET, &item(&pods::name(0)), Bytes::new())
        .await?;
    if workload == Workload::Startup {
        return Ok(started.elapsed());
    }
    let template = Bytes::from(serde_json::to_vec(&super::create_template()?)?);
    let names = names(SEQ_GETS.max(PAR_GETS).max(CREATES));
    let begin = Instant::now();
    match workload {
        Workload::Startup => {}
        Workload::List => {
            conn.bytes(Method::GET, &collection, Bytes::new()).await?;
        }
        Workload::Pages => {
            for start in (0..PODS).step_by(PAGE) {
                let path = if start == 0 {
                    format!("{collection}?limit={PAGE}")
                } else {
                    format!("{collection}?limit={PAGE}&continue={start}")
                };
                conn.bytes(Method::GET, &path, Bytes::new()).await?;
            }
        }
        Workload::GetSeq => {
            for name in &names[..SEQ_GETS] {
                conn.bytes(Method::GET, &item(name), Bytes::new()).await?;
            }
        }
        Workload::Get64 => {
            let names = Arc::new(names);
            let target = Arc::new(target);
            let mut tasks = Vec::with_capacity(TASKS);
            for t in 0..TASKS {
                let names = names.clone();
                let target = target.clone();
                let shared = conn.clone();
                let collection = collection.clone();
                tasks.push(tokio::spawn(async move {
                    // HTTP/1.1: a connection per task, as a pool would open; HTTP/2: one.
                    let conn = if h2 {
                        shared
                    } else {
                        target.connect(false).await?
                    };
                    let mut done = 0;
                    for name in names[..PAR_GETS].iter().skip(t).step_by(TASKS) {
                        conn.bytes(Method::GET, &format!("{collection}/{name}"), Bytes::new())
                            .await?;
                        done += 1;
                    }
                    Ok::<usize, BoxError>(done)
                }));
            }
            let mut done = 0;
            for task in tasks {
                done += task.await??;
            }
            expect("GETs", done, PAR_GETS)?;
        }
        Workload::Create => {
            for _ in 0..CREATES {
                conn.bytes(Method::POST, &collection, template.clone())
                    .await?;
            }
        }
        Workload::Watch => {
            conn.bytes(
                Method::GET,
                &format!("{collection}?watch=true"),
                Bytes::new(),
            )
            .await?;
        }
    }
    Ok(begin.elapsed())
}

/// `serde_json` decoding the bodies the server sends, from memory, on one core.
pub fn serde(workload: Workload) -> Result<Duration, BoxError> {
    let items: Vec<Bytes> = (0..PODS)
        .map(|i| serde_json::to_vec(&pods::pod(i)).map(Bytes::from))
        .collect::<Result<_, _>>()?;
    let elapsed = match workload {
        Workload::List => {
            let body = pods::list_body(&items, None, 0);
            let begin = Instant::now();
            let list: k8s_openapi::List<Pod> = serde_json::from_slice(&body)?;
            let elapsed = begin.elapsed();
            expect("pods decoded", list.items.len(), PODS)?;
            elapsed
        }
        Workload::Pages => {
            let bodies: Vec<Vec<u8>> = items
                .chunks(PAGE)
                .map(|page| pods::list_body(page, Some("next"), 0))
                .collect();
            let begin = Instant::now();
            let mut seen = 0;
            for body in &bodies {
                let list: k8s_openapi::List<Pod> = serde_json::from_slice(body)?;
                seen += list.items.len();
            }
            let elapsed = begin.elapsed();
            expect("pods decoded", seen, PODS)?;
            elapsed
        }
        Workload::GetSeq => {
            let begin = Instant::now();
            for i in 0..SEQ_GETS {
                let _pod: Pod = serde_json::from_slice(&items[i % PODS])?;
            }
            begin.elapsed()
        }
        Workload::Watch => {
            let lines: Vec<Vec<u8>> = items
                .iter()
                .map(|pod| [b"{\"type\":\"ADDED\",\"object\":".as_slice(), pod, b"}"].concat())
                .collect();
            let begin = Instant::now();
            for k in 0..EVENTS {
                let _event: k8s_openapi::apimachinery::pkg::apis::meta::v1::WatchEvent<Pod> =
                    serde_json::from_slice(&lines[k % PODS])?;
            }
            begin.elapsed()
        }
        _ => Duration::ZERO,
    };
    Ok(elapsed)
}
