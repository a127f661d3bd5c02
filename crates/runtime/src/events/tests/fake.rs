//! An in-memory events API behind `tower::service_fn`: discovery of events.k8s.io/v1 (or its
//! absence), create and merge-patch of Events in either group, and switches for a failing or
//! hanging server.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use kubeset_clientset::Client;
use serde_json::{Value, json};

#[derive(Clone, Default)]
pub(crate) struct FakeEvents {
    /// Stored objects by path (`/apis/events.k8s.io/v1/namespaces/ns/events/name`).
    objects: Arc<Mutex<BTreeMap<String, Value>>>,
    /// `(method, path)` of every request.
    seen: Arc<Mutex<Vec<(String, String)>>>,
    pub(crate) no_events_v1: Arc<AtomicBool>,
    pub(crate) failing: Arc<AtomicBool>,
    pub(crate) hanging: Arc<AtomicBool>,
}

fn reply(code: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

fn status(code: u16, reason: &str) -> Response<Full<Bytes>> {
    let body = json!({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": reason, "code": code, "message": reason,
    });
    reply(code, &body)
}

impl FakeEvents {
    pub(crate) fn client(&self) -> Client {
        let fake = self.clone();
        Client::from_service(tower::service_fn(move |req: Request<Full<Bytes>>| {
            let fake = fake.clone();
            async move { Ok::<_, Infallible>(fake.answer(req).await) }
        }))
    }

    /// The stored Events (either group), in path order.
    pub(crate) fn objects(&self) -> Vec<(String, Value)> {
        let objects = self.objects.lock().unwrap();
        objects
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Forgets a stored Event, as the server's TTL would.
    pub(crate) fn expire_all(&self) {
        self.objects.lock().unwrap().clear();
    }

    /// How many requests used `method`.
    pub(crate) fn count(&self, method: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.iter().filter(|(m, _)| m == method).count()
    }

    async fn answer(&self, req: Request<Full<Bytes>>) -> Response<Full<Bytes>> {
        let (parts, body) = req.into_parts();
        let path = parts.uri.path().to_owned();
        let method = parts.method.as_str().to_owned();
        self.seen
            .lock()
            .unwrap()
            .push((method.clone(), path.clone()));
        if self.hanging.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if self.failing.load(Ordering::SeqCst) {
            return status(500, "InternalError");
        }
        let body = body.collect().await.unwrap().to_bytes();
        if path == "/apis/events.k8s.io/v1" {
            if self.no_events_v1.load(Ordering::SeqCst) {
                return status(404, "NotFound");
            }
            return reply(
                200,
                &json!({
                    "kind": "APIResourceList", "apiVersion": "v1",
                    "groupVersion": "events.k8s.io/v1",
                    "resources": [{"name": "events", "singularName": "event", "namespaced": true,
                        "kind": "Event", "verbs": ["create", "get", "list", "patch"]}],
                }),
            );
        }
        if path.starts_with("/apis/events.k8s.io/") && self.no_events_v1.load(Ordering::SeqCst) {
            return status(404, "NotFound");
        }
        let mut objects = self.objects.lock().unwrap();
        match method.as_str() {
            "POST" => {
                let object: Value = serde_json::from_slice(&body).unwrap();
                let name = object["metadata"]["name"].as_str().unwrap();
                let key = format!("{path}/{name}");
                if objects.contains_key(&key) {
                    return status(409, "AlreadyExists");
                }
                objects.insert(key, object.clone());
                reply(201, &object)
            }
            "PATCH" => {
                let Some(object) = objects.get_mut(&path) else {
                    return status(404, "NotFound");
                };
                let patch: Value = serde_json::from_slice(&body).unwrap();
                for (k, v) in patch.as_object().unwrap() {
                    object[k] = v.clone();
                }
                reply(200, object)
            }
            _ => status(405, "MethodNotAllowed"),
        }
    }
}
