//! The canned API server: TLS on 127.0.0.1 (ALPN h2 and http/1.1), a bearer token, and
//! precomputed bodies, so its cost per request is as small as we can make it and the same for
//! every client.
//!
//! Routes, all under `/api/v1/namespaces/bench/pods`:
//! - `GET` the collection: the whole list, or a page with `limit` and `continue`;
//! - `GET ?watch=true`: `ADDED` events, one per frame as kube-apiserver flushes them, cycling
//!   over the pods until `events` were sent, then the stream ends;
//! - `GET {name}`: one pod; `POST` the collection: 201 with the posted object echoed back.

mod pki;
mod stats;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use pki::{BoxError, Pki, TOKEN};
pub use stats::{Counts, Stats};

use crate::pods;

type Body = BoxBody<Bytes, Infallible>;

/// The precomputed bodies.
pub struct Canned {
    /// Each pod's JSON.
    pub pods: Vec<Bytes>,
    /// The whole list.
    pub list: Bytes,
    /// Each pod's `ADDED` event line.
    pub events: Vec<Bytes>,
    /// How many events a watch sends.
    pub watch_events: usize,
}

impl Canned {
    pub fn new(count: usize, watch_events: usize) -> Self {
        let pods: Vec<Bytes> = (0..count)
            .map(|i| Bytes::from(serde_json::to_vec(&pods::pod(i)).unwrap_or_default()))
            .collect();
        let list = Bytes::from(pods::list_body(&pods, None, 0));
        let events = pods
            .iter()
            .map(|pod| {
                let mut line = Vec::with_capacity(pod.len() + 32);
                line.extend_from_slice(b"{\"type\":\"ADDED\",\"object\":");
                line.extend_from_slice(pod);
                line.extend_from_slice(b"}\n");
                Bytes::from(line)
            })
            .collect();
        Canned {
            pods,
            list,
            events,
            watch_events,
        }
    }
}

/// A running server.
pub struct Server {
    pub port: u16,
    pub stats: Arc<Stats>,
}

/// Binds 127.0.0.1 on a free port and serves until the runtime stops.
pub async fn start(pki: &Pki, canned: Arc<Canned>) -> Result<Server, BoxError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let stats = Arc::new(Stats::default());
    let acceptor = TlsAcceptor::from(pki.server.clone());
    let counting = stats.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let canned = canned.clone();
            let stats = counting.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                stats.connection(tls.get_ref().1.alpn_protocol() == Some(b"h2"));
                let service = hyper::service::service_fn(move |req| {
                    stats.request();
                    let answer = answer(canned.clone(), stats.clone(), req);
                    async move { Ok::<_, Infallible>(answer.await) }
                });
                let mut builder = auto::Builder::new(TokioExecutor::new());
                // kube-apiserver's --http2-max-streams-per-connection default.
                builder.http2().max_concurrent_streams(1000);
                let _ = builder.serve_connection(TokioIo::new(tls), service).await;
            });
        }
    });
    Ok(Server { port, stats })
}

/// Reads a request body frame by frame, counting its frames and the wait for its end.
async fn read_body(mut body: Incoming, stats: &Stats) -> Option<Bytes> {
    let begin = std::time::Instant::now();
    let (mut frames, mut empty) = (0, 0);
    let mut buf = bytes::BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.ok()?.into_data() else {
            continue;
        };
        frames += 1;
        if data.is_empty() {
            empty += 1;
        }
        buf.extend_from_slice(&data);
    }
    stats.body(frames, empty, begin.elapsed().as_nanos() as u64);
    Some(buf.freeze())
}

async fn answer(canned: Arc<Canned>, stats: Arc<Stats>, req: Request<Incoming>) -> Response<Body> {
    {
        let authorized = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
            == Some(TOKEN.as_bytes());
        if !authorized {
            return status(StatusCode::UNAUTHORIZED, "Unauthorized");
        }
        let collection = format!("/api/v1/namespaces/{}/pods", pods::NAMESPACE);
        let path = req.uri().path();
        let query = req.uri().query().unwrap_or("");
        if path == collection {
            match *req.method() {
                Method::GET if param(query, "watch").is_some_and(|w| w == "true" || w == "1") => {
                    watch(&canned)
                }
                Method::GET => list(&canned, query),
                Method::POST => match read_body(req.into_body(), &stats).await {
                    Some(body) => json(StatusCode::CREATED, body),
                    None => status(StatusCode::BAD_REQUEST, "unreadable body"),
                },
                _ => status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
            }
        } else if let Some(name) = path
            .strip_prefix(&collection)
            .and_then(|p| p.strip_prefix('/'))
        {
            match index_of(name).and_then(|i| canned.pods.get(i)) {
                Some(pod) if req.method() == Method::GET => json(StatusCode::OK, pod.clone()),
                _ => status(StatusCode::NOT_FOUND, "NotFound"),
            }
        } else {
            status(StatusCode::NOT_FOUND, "NotFound")
        }
    }
}

fn list(canned: &Canned, query: &str) -> Response<Body> {
    let Some(limit) = param(query, "limit").and_then(|l| l.parse::<usize>().ok()) else {
        return json(StatusCode::OK, canned.list.clone());
    };
    let start = param(query, "continue")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(0)
        .min(canned.pods.len());
    let end = (start + limit.max(1)).min(canned.pods.len());
    let next = (end < canned.pods.len()).then(|| end.to_string());
    let body = pods::list_body(
        &canned.pods[start..end],
        next.as_deref(),
        canned.pods.len() - end,
    );
    json(StatusCode::OK, Bytes::from(body))
}

fn watch(canned: &Arc<Canned>) -> Response<Body> {
    let canned = canned.clone();
    let count = canned.watch_events;
    let frames = futures_util::stream::iter((0..count).map(move |k| {
        Ok::<_, Infallible>(Frame::data(canned.events[k % canned.events.len()].clone()))
    }));
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn json(code: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = Response::new(BodyExt::boxed(Full::new(body)));
    *response.status_mut() = code;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn status(code: StatusCode, reason: &str) -> Response<Body> {
    let body = format!(
        "{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\"message\":\"{reason}\",\"reason\":\"{reason}\",\"code\":{}}}",
        code.as_u16()
    );
    json(code, Bytes::from(body))
}

fn param<'q>(query: &'q str, key: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The index in a pod name made by [`pods::name`].
fn index_of(name: &str) -> Option<usize> {
    name.rsplit('-').next()?.parse().ok()
}
