//! An in-memory Lease API behind `tower::service_fn`: GET, POST and PUT of one Lease with
//! resourceVersion checks, per-client failure switches and a shared latency.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full};
use k8s_openapi::api::coordination::v1::Lease;
use kubeset_clientset::{Api, Client};
use serde_json::{Value, json};

pub(crate) const NAMESPACE: &str = "ns";
pub(crate) const NAME: &str = "lock";

/// The shared "server".
#[derive(Clone, Default)]
pub(crate) struct FakeLeases {
    lease: Arc<Mutex<Option<Value>>>,
    revision: Arc<AtomicU64>,
    latency_ms: Arc<AtomicU64>,
}

/// How one client's requests fare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Answered by the store.
    Served = 0,
    /// 500 InternalError, never reaching the store.
    ServerError = 1,
    /// No connection (a transport error), never reaching the store.
    Unreachable = 2,
}

/// Sets the [`Fate`] of one client's requests.
#[derive(Clone, Default)]
pub(crate) struct Breaker(Arc<AtomicU8>);

impl Breaker {
    /// Every request fails with a 500 (`true`) or is served again (`false`).
    pub(crate) fn set(&self, broken: bool) {
        self.fate(if broken {
            Fate::ServerError
        } else {
            Fate::Served
        });
    }

    pub(crate) fn fate(&self, fate: Fate) {
        self.0.store(fate as u8, Ordering::SeqCst);
    }
}

fn status(code: u16, reason: &str) -> Response<Full<Bytes>> {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": reason, "code": code, "message": reason,
    });
    reply(code, &body)
}

fn reply(code: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

impl FakeLeases {
    /// A Lease handle whose requests go to this fake, failing while `breaker` is set.
    pub(crate) fn api(&self, breaker: &Breaker) -> Api<Lease> {
        let fake = self.clone();
        let breaker = breaker.clone();
        let client = Client::from_service(tower::service_fn(move |req: Request<Full<Bytes>>| {
            let fake = fake.clone();
            let breaker = breaker.clone();
            async move { fake.answer(req, &breaker).await }
        }));
        Api::namespaced(client, NAMESPACE)
    }

    /// Delays every request by `latency` before it is handled and again before it is answered.
    pub(crate) fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    /// The stored Lease.
    pub(crate) fn lease(&self) -> Option<Lease> {
        let lease = self.lease.lock().unwrap().clone()?;
        Some(serde_json::from_value(lease).unwrap())
    }

    /// The holder the stored Lease names.
    pub(crate) fn holder(&self) -> Option<String> {
        self.lease()?.spec?.holder_identity
    }

    async fn answer(
        &self,
        req: Request<Full<Bytes>>,
        breaker: &Breaker,
    ) -> Result<Response<Full<Bytes>>, std::io::Error> {
        let latency = Duration::from_millis(self.latency_ms.load(Ordering::SeqCst));
        tokio::time::sleep(latency).await;
        // A broken client's requests never reach the store.
        let answer = match breaker.0.load(Ordering::SeqCst) {
            1 => status(500, "InternalError"),
            2 => return Err(std::io::ErrorKind::ConnectionRefused.into()),
            _ => {
                let (parts, body) = req.into_parts();
                let body = body.collect().await.unwrap().to_bytes();
                self.handle(&parts.method, parts.uri.path(), &body)
            }
        };
        tokio::time::sleep(latency).await;
        Ok(answer)
    }

    fn handle(&self, method: &Method, path: &str, body: &[u8]) -> Response<Full<Bytes>> {
        let collection = format!("/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases");
        let item = format!("{collection}/{NAME}");
        let mut stored = self.lease.lock().unwrap();
        match (method.as_str(), path) {
            ("GET", p) if p == item => match &*stored {
                Some(lease) => reply(200, lease),
                None => status(404, "NotFound"),
            },
            ("POST", p) if p == collection => {
                if stored.is_some() {
                    return status(409, "AlreadyExists");
                }
                let mut lease: Value = serde_json::from_slice(body).unwrap();
                self.stamp(&mut lease);
                *stored = Some(lease.clone());
                reply(201, &lease)
            }
            ("PUT", p) if p == item => {
                let Some(current) = &*stored else {
                    return status(404, "NotFound");
                };
                let mut lease: Value = serde_json::from_slice(body).unwrap();
                if lease.pointer("/metadata/resourceVersion")
                    != current.pointer("/metadata/resourceVersion")
                {
                    return status(409, "Conflict");
                }
                self.stamp(&mut lease);
                *stored = Some(lease.clone());
                reply(200, &lease)
            }
            _ => status(404, "NotFound"),
        }
    }

    fn stamp(&self, lease: &mut Value) {
        let rv = self.revision.fetch_add(1, Ordering::SeqCst) + 1;
        lease["metadata"]["resourceVersion"] = json!(rv.to_string());
        lease["metadata"]["namespace"] = json!(NAMESPACE);
        lease["apiVersion"] = json!("coordination.k8s.io/v1");
        lease["kind"] = json!("Lease");
    }
}
