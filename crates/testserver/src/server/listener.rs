//! Accepting TLS connections and serving HTTP/2 and HTTP/1.1 on them.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;

use http::{Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::api::respond::{self, Body};
use crate::api::status::ApiError;
use crate::api::{self, App};
use crate::audit;
use crate::auth::{self, Credentials, TokenCheck};
use crate::clock;
use crate::pki::subject_of;
use crate::rbac::reviews::subject::client_cert_credential_id;

/// The largest request body accepted (kube-apiserver's limit is 3 MiB for most requests).
const MAX_BODY: usize = 3 * 1024 * 1024;

/// Accepts connections until the task is aborted.
pub(crate) async fn serve(
    mut listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Arc<App>,
) {
    let mut restarts = app.faults.restart_watch();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            downtime = restarts.next() => {
                listener = crate::faults::rebind(listener, downtime).await;
                continue;
            }
        };
        let Ok((tcp, peer)) = accepted else {
            continue;
        };
        let acceptor = TlsAcceptor::from(app.faults.serving_tls().unwrap_or_else(|| tls.clone()));
        let app = app.clone();
        let mut restarted = app.faults.restart_watch();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let cert = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| {
                    let (name, groups) = subject_of(c.as_ref())?;
                    Some((name, groups, client_cert_credential_id(c.as_ref())))
                });
            let service = hyper::service::service_fn(move |req| {
                let app = app.clone();
                let cert = cert.clone();
                let method = req.method().clone();
                async move {
                    let response = answer(app.clone(), cert, peer.ip(), req).await;
                    Ok::<_, Infallible>(app.faults.deliver(&method, response))
                }
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
            // a restart drops every connection at once
            tokio::select! {
                _ = connection => {}
                _ = restarted.next() => {}
            }
        });
    }
}

async fn answer(
    app: Arc<App>,
    cert: Option<(String, Vec<String>, String)>,
    peer: IpAddr,
    req: Request<Incoming>,
) -> Response<Body> {
    let received = time::OffsetDateTime::now_utc();
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(err) = app.faults.take_failure() {
        return respond::error(&err);
    }
    let creds = match cert {
        Some((name, groups, credential_id)) => Credentials::ClientCert {
            name,
            groups,
            credential_id,
        },
        None => match req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            Some(token) => Credentials::Bearer(crate::Secret::new(token.trim())),
            None => Credentials::None,
        },
    };
    let check = TokenCheck {
        signer: &app.signer,
        store: &*app.store,
        now: clock::unix_now(),
        not_before: app.faults.tokens_not_before(),
        cache: &app.token_cache,
    };
    let Some(user) = auth::authenticate(&creds, &check) else {
        return respond::error(&ApiError::unauthorized());
    };
    let mut pending = audit::Pending::new(
        &audit::Arrival {
            method: req.method().as_str(),
            uri: request_uri(&req),
            path: req.uri().path(),
            query: req.uri().query().unwrap_or_default(),
            headers: req.headers(),
            peer,
            received,
        },
        &user,
    );
    let log = app.audit.clone();
    let ((response, body), annotations) =
        audit::with_annotations(authorized(app, user, req, &mut pending)).await;
    if annotations
        .get(audit::DECISION)
        .is_some_and(|d| d == "allow")
    {
        // the handler decoded the body: the objectRef takes what it names
        pending.request_object(&body);
    }
    audit::finish(&log, pending, response, annotations)
}

/// Answers a request from an authenticated user (impersonation, the body, the API), with the
/// request body read.
async fn authorized(
    app: Arc<App>,
    user: auth::User,
    mut req: Request<Incoming>,
    pending: &mut audit::Pending,
) -> (Response<Body>, bytes::Bytes) {
    // Impersonate-* headers: the authenticated user must be allowed to `impersonate` each value
    let impersonating = req
        .headers()
        .keys()
        .any(|k| k.as_str().starts_with("impersonate-"));
    let user = match crate::rbac::seam::impersonate(user, req.headers(), &*app.store) {
        Ok(user) => user,
        Err(refused) => {
            use crate::rbac::impersonation::Refused;
            let e = match refused {
                Refused::Forbidden { answer: f } => ApiError::forbidden(f.message, f.details),
                Refused::WithoutUser { message } => {
                    ApiError::plain_internal(request_uri(&req), &message)
                }
            };
            return (respond::error(&e), bytes::Bytes::new());
        }
    };
    if impersonating {
        pending.impersonated(&user);
    }
    let upgrade = req
        .headers()
        .contains_key(http::header::UPGRADE)
        .then(|| hyper::upgrade::on(&mut req));
    let (parts, body) = req.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return (respond::error(&ApiError::too_large()), bytes::Bytes::new()),
    };
    let response = api::handle(
        app,
        user,
        parts.method,
        parts.uri.path().to_owned(),
        parts.uri.query().map(str::to_owned),
        parts.headers,
        body.clone(),
        upgrade,
    )
    .await;
    (response, body)
}

/// Go's `Request.RequestURI`: the path and query as sent (HTTP/2 requests carry the scheme and
/// authority separately).
fn request_uri<B>(req: &Request<B>) -> &str {
    req.uri().path_and_query().map_or("/", |p| p.as_str())
}
