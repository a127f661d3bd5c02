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
    /// Each pod's protobuf message bytes (no envelope): list items.
    pub pb_items: Vec<Bytes>,
    /// Each pod as a protobuf object (`k8s\0` envelope): GET answers.
    pub pb_pods: Vec<Bytes>,
    /// The whole list in protobuf.
    pub pb_list: Bytes,
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
        let pb_pods: Vec<Bytes> = (0..count)
            .map(|i| {
                Bytes::from(
                    kubeset_protobuf::to_vec(&pods::pod(i), "v1", "Pod").unwrap_or_default(),
                )
            })
            .collect();
        let pb_items: Vec<Bytes> = pb_pods
            .iter()
            .map(|pod| match kubeset_protobuf::Envelope::read(pod) {
                Ok(envelope) => Bytes::copy_from_slice(envelope.raw),
                Err(_) => Bytes::new(),
            })
            .collect();
        let pb_list = Bytes::from(pb_list_body(&pb_items, None, 0));
        Canned {
            pods,
            list,
            events,
            watch_events,
            pb_items,
            pb_pods,
            pb_list,
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
    let protobuf = req.headers().get(http::header::ACCEPT).is_some_and(|a| {
        a.as_bytes()
            .starts_with(kubeset_protobuf::CONTENT_TYPE.as_bytes())
    });
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
                Method::GET => list(&canned, query, protobuf),
                Method::POST => match read_body(req.into_body(), &stats).await {
                    Some(body) if protobuf => pb(StatusCode::CREATED, body),
                    Some(body) => json(StatusCode::CREATED, body),
                    None => status(StatusCode::BAD_REQUEST, "unreadable body"),
                },
                _ => status(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
            }
        } else if let Some(name) = path
            .strip_prefix(&collection)
            .and_then(|p| p.strip_prefix('/'))
        {
            let pods = if protobuf {
                &canned.pb_pods
            } else {
                &canned.pods
            };
            match index_of(name).and_then(|i| pods.get(i)) {
                Some(pod) if req.method() == Method::GET && protobuf => {
                    pb(StatusCode::OK, pod.clone())
                }
                Some(pod) if req.method() == Method::GET => json(StatusCode::OK, pod.clone()),
                _ => status(StatusCode::NOT_FOUND, "NotFound"),
            }
        } else {
            status(StatusCode::NOT_FOUND, "NotFound")
        }
    }
}

fn list(canned: &Canned, query: &str, protobuf: bool) -> Response<Body> {
    let Some(limit) = param(query, "limit").and_then(|l| l.parse::<usize>().ok()) else {
        if protobuf {
            return pb(StatusCode::OK, canned.pb_list.clone());
        }
        return json(StatusCode::OK, canned.list.clone());
    };
    let start = param(query, "continue")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(0)
        .min(canned.pods.len());
    let end = (start + limit.max(1)).min(canned.pods.len());
    let next = (end < canned.pods.len()).then(|| end.to_string());
    if protobuf {
        let body = pb_list_body(
            &canned.pb_items[start..end],
            next.as_deref(),
            canned.pods.len() - end,
        );
        return pb(StatusCode::OK, Bytes::from(body));
    }
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

fn pb(code: StatusCode, body: Bytes) -> Response<Body> {
    let mut response = json(code, body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/vnd.kubernetes.protobuf"),
    );
    response
}

/// A `PodList` in protobuf, as [`pods::list_body`] writes it in JSON: `metadata` (1) with
/// `resourceVersion` (2), `continue` (3), `remainingItemCount` (4), then each item (2).
fn pb_list_body(items: &[Bytes], continue_token: Option<&str>, remaining: usize) -> Vec<u8> {
    fn put_len(out: &mut Vec<u8>, key: u8, bytes: &[u8]) {
        out.push(key);
        let mut n = bytes.len() as u64;
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
        out.extend_from_slice(bytes);
    }
    let mut meta = Vec::new();
    put_len(&mut meta, 0x12, b"200000");
    if let Some(token) = continue_token {
        put_len(&mut meta, 0x1a, token.as_bytes());
        meta.push(0x20);
        let mut n = remaining as u64;
        while n >= 0x80 {
            meta.push((n as u8) | 0x80);
            n >>= 7;
        }
        meta.push(n as u8);
    }
    let size: usize = items.iter().map(|b| b.len() + 4).sum();
    let mut raw = Vec::with_capacity(size + 64);
    put_len(&mut raw, 0x0a, &meta);
    for item in items {
        put_len(&mut raw, 0x12, item);
    }
    kubeset_protobuf::Envelope::write("v1", "PodList", &raw)
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
