//! The pooled hyper client at the bottom of the stack: HTTP/2 when the server offers it (with
//! keepalive pings), HTTP/1.1 otherwise, errors mapped to [`RequestError`]s.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tower::Service;

use crate::body::{BoxError, RequestBody};
use crate::connector::{Connector, Protocol};
use crate::error::{ConnectError, RequestError};
use crate::tls::ClientIdentity;
use arc_swap::ArcSwap;

/// HTTP/2 and pool tuning.
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub(crate) idle_timeout: Duration,
    pub(crate) keepalive_interval: Duration,
    pub(crate) keepalive_timeout: Duration,
}

/// A connection pool, the client identity its connections were opened with, and whether it
/// speaks only HTTP/2.
struct Pool {
    client: Client<Connector, RequestBody>,
    identity_generation: u64,
    http2_only: bool,
}

/// The innermost service: sends a request on a pooled connection.
///
/// When the client certificate changes (an exec plugin ran again, the certificate files were
/// rewritten), the pool is replaced so new requests open connections with the new identity;
/// requests in flight finish on the old connections, which close when they are done.
///
/// HTTP/2 multiplexing from the first request: `https://` servers are assumed to offer `h2`
/// (every kube-apiserver does), so the pool starts HTTP/2-only, where hyper opens one
/// connection and queues concurrent requests on it instead of racing one connection per
/// request. A server that negotiates HTTP/1.1 fails that first connection before anything is
/// sent; the request is then resent on an HTTP/1.1 pool, which is used from then on.
///
/// A request with an `Upgrade` header (a WebSocket handshake) goes over HTTP/1.1 on a new
/// connection of its own, through the same proxy and TLS settings; after a `101` answer,
/// `hyper::upgrade::on(response)` yields the connection.
/// The pooled client under the layers. Cloned for every request (by the boxed stack above it
/// and by the retry layer), so a clone is one reference count: everything lives in [`Shared`].
#[derive(Clone)]
pub(crate) struct HyperClient {
    shared: Arc<Shared>,
}

struct Shared {
    pool: ArcSwap<Pool>,
    connector: Connector,
    settings: PoolSettings,
    identity: Arc<ClientIdentity>,
    protocol: Arc<Protocol>,
    /// The cluster URL is `https://`, so HTTP/2 may be negotiated.
    https: bool,
    /// Connection upgrades (WebSocket: exec, attach, port-forward): HTTP/1.1, each on a
    /// connection of its own that is never pooled (the upgraded connection belongs to the
    /// caller).
    upgrades: Client<Connector, RequestBody>,
}

impl std::fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperClient")
            .field("settings", &self.shared.settings)
            .finish_non_exhaustive()
    }
}

impl HyperClient {
    pub(crate) fn new(connector: Connector, settings: &PoolSettings, https: bool) -> Self {
        let identity = connector.identity();
        let pool = Pool {
            client: build_client(&connector, settings, https),
            identity_generation: identity.check(),
            http2_only: https,
        };
        let upgrades = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_max_idle_per_host(0)
            .build(connector.for_upgrades());
        Self {
            shared: Arc::new(Shared {
                upgrades,
                pool: ArcSwap::from_pointee(pool),
                protocol: connector.protocol(),
                connector,
                settings: settings.clone(),
                identity,
                https,
            }),
        }
    }
}

impl Shared {
    /// The pool for the current client identity.
    fn pool(&self) -> Arc<Pool> {
        let generation = self.identity.check();
        let http2_only = self.https && !self.protocol.http1_only();
        let pool = self.pool.load_full();
        if pool.identity_generation == generation && pool.http2_only == http2_only {
            return pool;
        }
        if pool.identity_generation != generation {
            tracing::debug!("the client certificate changed; opening new connections");
        }
        let pool = Arc::new(Pool {
            client: build_client(&self.connector, &self.settings, http2_only),
            identity_generation: generation,
            http2_only,
        });
        self.pool.store(pool.clone());
        pool
    }

    /// Sends `req`, first waiting for the first connection to the server if there is none yet.
    fn send(
        self: Arc<Self>,
        req: Request<RequestBody>,
    ) -> Pin<
        Box<
            dyn Future<Output = Result<Response<Incoming>, hyper_util::client::legacy::Error>>
                + Send,
        >,
    > {
        Box::pin(async move {
            if req.headers().contains_key(http::header::UPGRADE) {
                return self.upgrades.request(req).await;
            }
            // Once the server has negotiated h2, the fallback below is not needed: no request
            // pays for a copy of itself (should the server later refuse h2, that connection
            // error is one the retry layer repeats, on the HTTP/1.1 pool).
            if !self.https || self.protocol.http1_only() || self.protocol.h2_seen() {
                return self.pool().client.request(req).await;
            }
            let fallback = crate::body::clone_request(&req);
            match self.pool().client.request(req).await {
                Err(err) if err.is_connect() && self.protocol.http1_only() => {
                    tracing::debug!("the server offers only HTTP/1.1; switching to it");
                    self.pool().client.request(fallback).await
                }
                other => other,
            }
        })
    }
}

fn build_client(
    connector: &Connector,
    settings: &PoolSettings,
    http2_only: bool,
) -> Client<Connector, RequestBody> {
    let connector = if http2_only {
        connector.requiring_h2()
    } else {
        connector.clone()
    };
    Client::builder(TokioExecutor::new())
        .http2_only(http2_only)
        .timer(TokioTimer::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(settings.idle_timeout)
        .http2_keep_alive_interval(settings.keepalive_interval)
        .http2_keep_alive_timeout(settings.keepalive_timeout)
        .http2_keep_alive_while_idle(true)
        .build(connector)
}

impl Service<Request<RequestBody>> for HyperClient {
    type Response = Response<Incoming>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Incoming>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<RequestBody>) -> Self::Future {
        if let Some(auth) = self.shared.connector.forward_proxy_auth(req.uri()) {
            req.headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        let method = req.method().clone();
        // A cheap copy (shared bytes); it is redacted into a string only for an error.
        let uri = req.uri().clone();
        let sending = self.shared.clone().send(req);
        Box::pin(async move {
            let result = sending.await;
            result.map_err(|err| {
                let url = crate::trace::redacted_url(&uri);
                let err = if err.is_connect() {
                    let source = unwrap_connect(err);
                    RequestError::Connect {
                        method,
                        url,
                        source,
                    }
                } else {
                    RequestError::Send {
                        method,
                        url,
                        source: Box::new(err),
                    }
                };
                BoxError::from(err)
            })
        })
    }
}

/// The connector's own error, without hyper-util's generic wrapper around it.
fn unwrap_connect(err: hyper_util::client::legacy::Error) -> BoxError {
    use std::error::Error as _;
    match err.source().and_then(|s| s.downcast_ref::<ConnectError>()) {
        Some(_) => {
            // hyper-util keeps the connector's error as its source; rebuild a displayable chain
            // that starts at it.
            BoxError::from(ConnectErrorRef(err))
        }
        None => Box::new(err),
    }
}

/// Displays a hyper-util connect error as the [`ConnectError`] inside it.
#[derive(Debug)]
pub(crate) struct ConnectErrorRef(hyper_util::client::legacy::Error);

impl ConnectErrorRef {
    pub(crate) fn inner(&self) -> Option<&ConnectError> {
        use std::error::Error as _;
        self.0
            .source()
            .and_then(|s| s.downcast_ref::<ConnectError>())
    }
}

impl std::fmt::Display for ConnectErrorRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.inner() {
            Some(inner) => std::fmt::Display::fmt(inner, f),
            None => std::fmt::Display::fmt(&self.0, f),
        }
    }
}

impl std::error::Error for ConnectErrorRef {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.inner() {
            Some(inner) => inner.source(),
            None => Some(&self.0),
        }
    }
}
