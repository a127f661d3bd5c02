//! A canned HTTP server on 127.0.0.1 and a `Client` wired to it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use kubeset_clientset::Client;
use kubeset_transport::RequestBody;
use serde_json::Value;

/// A request the server saw.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: Method,
    pub(crate) uri: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Seen {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }
}

pub(crate) type Reply = Response<BoxBody<Bytes, Infallible>>;

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

pub(crate) struct Server {
    pub(crate) client: Client,
    pub(crate) addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Every request seen so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    /// The only request seen.
    pub(crate) fn one(&self) -> Seen {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "{seen:#?}");
        seen.into_iter().next().unwrap()
    }
}

/// Serves `handler` on 127.0.0.1 (HTTP/1.1 and HTTP/2) and returns a client for it.
pub(crate) async fn serve(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let task = {
        let seen = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let seen = Arc::clone(&seen);
                let handler = Arc::clone(&handler);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                        let seen = Arc::clone(&seen);
                        let handler = Arc::clone(&handler);
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            let request = Seen {
                                method: parts.method,
                                uri: parts.uri.to_string(),
                                headers: parts.headers,
                                body,
                            };
                            seen.lock().unwrap().push(request.clone());
                            Ok::<_, Infallible>(handler(&request))
                        }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        })
    };
    Server {
        client: client_for(addr),
        addr,
        seen,
        task,
    }
}

/// A client whose requests go to `addr` over plain HTTP/1.1.
pub(crate) fn client_for(addr: SocketAddr) -> Client {
    client_with(addr, false)
}

/// A client whose requests go to `addr` over plain HTTP, HTTP/2 only when `h2`.
pub(crate) fn client_with(addr: SocketAddr, h2: bool) -> Client {
    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .http2_only(h2)
        .build_http::<RequestBody>();
    let service = tower::service_fn(move |mut req: Request<RequestBody>| {
        let http = http.clone();
        async move {
            let uri = format!("http://{addr}{}", req.uri());
            *req.uri_mut() = uri.parse().unwrap();
            http.request(req).await
        }
    });
    Client::from_service(service)
}

/// A JSON answer.
pub(crate) fn json(status: u16, value: &Value) -> Reply {
    bytes(
        status,
        "application/json",
        Bytes::from(serde_json::to_vec(value).unwrap()),
    )
}

/// An answer with any body.
pub(crate) fn bytes(status: u16, content_type: &str, body: Bytes) -> Reply {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body).boxed())
        .unwrap()
}

/// A JSON answer sent as separate chunks.
pub(crate) fn chunked(status: u16, chunks: Vec<Bytes>) -> Reply {
    let frames = futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Frame::data(c))));
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(StreamBody::new(frames).boxed())
        .unwrap()
}

/// A Status answer.
pub(crate) fn status(code: u16, reason: &str, message: &str) -> Reply {
    json(
        code,
        &serde_json::json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}),
    )
}

/// A recorded kube-apiserver transcript, placeholders replaced by valid values.
pub(crate) fn transcript(name: &str) -> Value {
    let path = format!(
        "{}/../testserver/tests/transcripts/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text
        .replace("\"<time>\"", "\"2026-05-01T10:00:00Z\"")
        .replace("\"<rv>\"", "\"4242\"");
    serde_json::from_str(&text).unwrap()
}

/// The recorded answer body of the first step of `name` with this method and path.
pub(crate) fn recorded(name: &str, method: &str, path: &str) -> Value {
    let t = transcript(name);
    let steps = t["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["request"]["method"] == method && s["request"]["path"] == path)
        .unwrap_or_else(|| panic!("no {method} {path} in {name}"));
    let response = &step["response"];
    if response.get("events").is_some() {
        response["events"].clone()
    } else {
        response["body"].clone()
    }
}
