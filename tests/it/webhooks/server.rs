//! A webhook server for the tests: HTTPS on 127.0.0.1 with a CA of its own, answering every
//! AdmissionReview with what the test's function makes of it, and keeping the requests.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
use serde_json::{Value, json};

/// What the webhook answers to one request: `response` fields besides `uid`.
pub(crate) type Decide = dyn Fn(&Value) -> Value + Send + Sync;

/// A running webhook; it stops when the test's runtime ends.
pub(crate) struct WebhookServer {
    /// `https://127.0.0.1:<port>`.
    pub(crate) url: String,
    /// The CA bundle to put in `clientConfig.caBundle` (base64 of the PEM).
    pub(crate) ca_bundle: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl WebhookServer {
    /// Starts a webhook answering `decide(request)` (merged into a response with the
    /// request's `uid`).
    pub(crate) async fn start(decide: impl Fn(&Value) -> Value + Send + Sync + 'static) -> Self {
        Self::start_with(&[], Duration::ZERO, decide).await
    }

    /// [`WebhookServer::start`], with `names` in its certificate besides `localhost` and
    /// 127.0.0.1, answering each request after `delay`.
    #[allow(
        deprecated,
        reason = "ring, the workspace's provider, is deprecated only for lacking post-quantum kx"
    )]
    pub(crate) async fn start_with(
        names: &[&str],
        delay: Duration,
        decide: impl Fn(&Value) -> Value + Send + Sync + 'static,
    ) -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca, ca_key);
        let mut dns = vec!["localhost".to_owned()];
        dns.extend(names.iter().map(|n| (*n).to_owned()));
        let mut leaf = CertificateParams::new(dns).unwrap();
        leaf.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let leaf_key = KeyPair::generate().unwrap();
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf_cert.der().clone()], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let decide: Arc<Decide> = Arc::new(decide);
        let kept = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, decide, kept) = (acceptor.clone(), decide.clone(), kept.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(move |req| {
                        answer(req, delay, decide.clone(), kept.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        WebhookServer {
            url: format!("https://127.0.0.1:{port}"),
            ca_bundle: base64::engine::general_purpose::STANDARD.encode(ca_cert.pem()),
            requests,
        }
    }

    /// The AdmissionReview requests received so far.
    pub(crate) fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

async fn answer(
    req: hyper::Request<Incoming>,
    delay: Duration,
    decide: Arc<Decide>,
    kept: Arc<Mutex<Vec<Value>>>,
) -> Result<hyper::Response<Full<Bytes>>, hyper::Error> {
    let path = req.uri().to_string();
    let body = req.into_body().collect().await?.to_bytes();
    tokio::time::sleep(delay).await;
    let mut review: Value = serde_json::from_slice(&body).unwrap_or_default();
    review["path"] = json!(path);
    let mut response = decide(&review["request"]);
    response["uid"] = review["request"]["uid"].clone();
    kept.lock().unwrap().push(review.clone());
    let answer = json!({"apiVersion": review["apiVersion"], "kind": "AdmissionReview",
        "response": response});
    Ok(hyper::Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(answer.to_string())))
        .unwrap())
}

/// A JSONPatch for a response: `patchType` and the base64 `patch`.
pub(crate) fn json_patch(ops: &Value) -> Value {
    json!({"allowed": true, "patchType": "JSONPatch",
        "patch": base64::engine::general_purpose::STANDARD.encode(ops.to_string())})
}
