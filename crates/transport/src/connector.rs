//! Opening connections: TCP (with keepalive and a connect timeout), through a proxy when the
//! [`ProxyPolicy`] says so, then TLS with ALPN `h2`/`http/1.1` via hyper-rustls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::{SocksV5, Tunnel};
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use tower::{Service, ServiceExt};

use crate::body::BoxError;
use crate::error::{ConnectError, Error, TlsFailure};
use crate::proxy::{ProxyAuth, ProxyKind, ProxyPolicy, ProxySpec};
use crate::tls::Tls;

/// Any byte stream hyper can speak over.
trait Io: Read + Write + Send + Unpin + 'static {}
impl<T: Read + Write + Send + Unpin + 'static> Io for T {}

/// A connection to the server or through a proxy, type-erased.
pub(crate) struct BoxedIo {
    inner: Box<dyn Io>,
    /// True when requests must use absolute-form (plain HTTP through an HTTP proxy).
    proxied: bool,
}

impl std::fmt::Debug for BoxedIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoxedIo")
            .field("proxied", &self.proxied)
            .finish()
    }
}

impl Connection for BoxedIo {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
}

impl Read for BoxedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.inner).poll_read(cx, buf)
    }
}

impl Write for BoxedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.inner).poll_write_vectored(cx, bufs)
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// TCP, or TCP through a proxy: everything below TLS to the API server.
#[derive(Clone, Debug)]
struct ProxyConnector {
    http: HttpConnector,
    proxy: ProxyPolicy,
    /// TLS to an `https://` proxy (platform roots plus the cluster's trust).
    proxy_tls: Arc<rustls::ClientConfig>,
}

impl Service<Uri> for ProxyConnector {
    type Response = BoxedIo;
    type Error = ConnectError;
    type Future = BoxFuture<Result<BoxedIo, ConnectError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let http = self.http.clone();
        let route = self.proxy.route(&dst);
        let proxy_tls = self.proxy_tls.clone();
        Box::pin(async move {
            let address = address_of(&dst);
            let Some(spec) = route else {
                let tcp = http
                    .oneshot(dst)
                    .await
                    .map_err(|source| ConnectError::Tcp {
                        address,
                        source: source.into(),
                    })?;
                return Ok(BoxedIo {
                    inner: Box::new(tcp),
                    proxied: false,
                });
            };
            tracing::debug!(proxy = %spec, %address, "connecting through a proxy");
            let proxy_err = |source: BoxError| ConnectError::Proxy {
                proxy: spec.to_string(),
                address: address.clone(),
                source,
            };
            let is_https = dst.scheme_str() == Some("https");
            match spec.kind {
                ProxyKind::Http if !is_https => {
                    // Plain HTTP is forwarded in absolute-form over a connection to the proxy.
                    let tcp = http
                        .oneshot(spec.uri.clone())
                        .await
                        .map_err(|e| proxy_err(e.into()))?;
                    Ok(BoxedIo {
                        inner: Box::new(tcp),
                        proxied: true,
                    })
                }
                ProxyKind::Http => {
                    let tunnel = with_basic(Tunnel::new(spec.uri.clone(), http), &spec);
                    let io = tunnel.oneshot(dst).await.map_err(|e| proxy_err(e.into()))?;
                    Ok(BoxedIo {
                        inner: Box::new(io),
                        proxied: false,
                    })
                }
                ProxyKind::Https => {
                    let to_proxy = hyper_rustls::HttpsConnectorBuilder::new()
                        .with_tls_config((*proxy_tls).clone())
                        .https_only()
                        .enable_http1()
                        .wrap_connector(http);
                    let tunnel = with_basic(Tunnel::new(spec.uri.clone(), to_proxy), &spec);
                    let io = tunnel.oneshot(dst).await.map_err(|e| proxy_err(e.into()))?;
                    Ok(BoxedIo {
                        inner: Box::new(io),
                        proxied: false,
                    })
                }
                ProxyKind::Socks5 => {
                    let mut socks = SocksV5::new(spec.uri.clone(), http).local_dns(false);
                    if let Some(ProxyAuth::Raw(user, pass)) = &spec.auth {
                        socks = socks.with_auth(user.clone(), pass.expose().clone());
                    }
                    // hyper-util's error says "SOCKS error: ..." itself; keep it as the source.
                    let io = socks
                        .oneshot(dst)
                        .await
                        .map_err(|e| proxy_err(Box::new(e)))?;
                    Ok(BoxedIo {
                        inner: Box::new(io),
                        proxied: false,
                    })
                }
            }
        })
    }
}

fn with_basic<C>(tunnel: Tunnel<C>, spec: &ProxySpec) -> Tunnel<C> {
    match &spec.auth {
        Some(ProxyAuth::Basic(value)) => tunnel.with_auth(value.clone()),
        _ => tunnel,
    }
}

/// `host:port` of a destination, for messages.
pub(crate) fn address_of(dst: &Uri) -> String {
    let host = dst.host().unwrap_or("<no host>");
    let port = dst.port_u16().unwrap_or(match dst.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    format!("{host}:{port}")
}

/// Settings for opening connections.
#[derive(Debug, Clone)]
pub(crate) struct ConnectSettings {
    pub(crate) connect_timeout: Duration,
    pub(crate) tcp_keepalive: Duration,
}

/// The connector the pooled hyper client uses: proxy, TLS, timeout, clear errors.
#[derive(Clone, Debug)]
pub(crate) struct Connector {
    /// What every copy shares: hyper-util clones its connector for every request, so a copy
    /// is one reference count and two flags.
    parts: Arc<Parts>,
    /// Open connections offering only `http/1.1`.
    http1: bool,
    /// Refuse connections that do not negotiate `h2` (for the HTTP/2-only pool).
    require_h2: bool,
}

#[derive(Debug)]
struct Parts {
    inner: HttpsConnector<ProxyConnector>,
    /// The same, offering only `http/1.1` in ALPN: for connection upgrades (WebSocket), which
    /// kube-apiserver serves over HTTP/1.1 only.
    inner_http1: HttpsConnector<ProxyConnector>,
    tls: Arc<Tls>,
    timeout: Duration,
    protocol: Arc<Protocol>,
    /// The proxy policy, also consulted for `Proxy-Authorization` on forwarded requests.
    proxy: ProxyPolicy,
}

/// Whether the server has been seen to refuse HTTP/2 (negotiate only HTTP/1.1 over TLS), and
/// whether it has been seen to accept it.
#[derive(Debug, Default)]
pub(crate) struct Protocol {
    http1_only: std::sync::atomic::AtomicBool,
    h2_seen: std::sync::atomic::AtomicBool,
}

impl Protocol {
    /// True once a TLS connection negotiated HTTP/1.1.
    pub(crate) fn http1_only(&self) -> bool {
        self.http1_only.load(std::sync::atomic::Ordering::Acquire)
    }

    /// True once a TLS connection negotiated HTTP/2.
    pub(crate) fn h2_seen(&self) -> bool {
        self.h2_seen.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl Connector {
    pub(crate) fn new(
        tls: Tls,
        server_name: Option<&str>,
        proxy: ProxyPolicy,
        settings: &ConnectSettings,
    ) -> Result<Self, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_keepalive(Some(settings.tcp_keepalive));
        http.set_connect_timeout(Some(settings.connect_timeout));
        let proxy_tls = Arc::new(tls.config.clone());
        let server_name = match server_name {
            Some(name) => Some(
                rustls_pki_types::ServerName::try_from(name.to_owned()).map_err(|_| {
                    Error::ServerName {
                        name: name.to_owned(),
                    }
                })?,
            ),
            None => None,
        };
        let builder = || {
            let builder = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.config.clone())
                .https_or_http();
            match &server_name {
                Some(name) => builder.with_server_name_resolver(
                    hyper_rustls::FixedServerNameResolver::new(name.clone()),
                ),
                None => builder,
            }
        };
        let proxy_connector = ProxyConnector {
            http,
            proxy: proxy.clone(),
            proxy_tls,
        };
        let inner_http1 = builder()
            .enable_http1()
            .wrap_connector(proxy_connector.clone());
        let inner = builder()
            .enable_all_versions()
            .wrap_connector(proxy_connector);
        Ok(Self {
            parts: Arc::new(Parts {
                inner,
                inner_http1,
                proxy,
                tls: Arc::new(tls),
                timeout: settings.connect_timeout,
                protocol: Arc::new(Protocol::default()),
            }),
            http1: false,
            require_h2: false,
        })
    }
}

impl Connector {
    /// The client identity behind this connector's TLS.
    pub(crate) fn identity(&self) -> Arc<crate::tls::ClientIdentity> {
        self.parts.tls.identity.clone()
    }

    /// What the server's connections negotiate.
    pub(crate) fn protocol(&self) -> Arc<Protocol> {
        self.parts.protocol.clone()
    }

    /// `Proxy-Authorization` for a plain-HTTP request forwarded through an HTTP proxy.
    pub(crate) fn forward_proxy_auth(&self, uri: &Uri) -> Option<http::HeaderValue> {
        if uri.scheme_str() != Some("http") {
            return None;
        }
        match self.parts.proxy.route(uri)? {
            ProxySpec {
                kind: ProxyKind::Http,
                auth: Some(ProxyAuth::Basic(value)),
                ..
            } => Some(value),
            _ => None,
        }
    }

    /// This connector, offering only HTTP/1.1: for connection upgrades.
    pub(crate) fn for_upgrades(&self) -> Self {
        Self {
            http1: true,
            require_h2: false,
            ..self.clone()
        }
    }

    /// This connector, failing connections that do not negotiate HTTP/2.
    pub(crate) fn requiring_h2(&self) -> Self {
        Self {
            require_h2: true,
            ..self.clone()
        }
    }
}

impl Service<Uri> for Connector {
    type Response = MaybeHttpsStream<BoxedIo>;
    type Error = ConnectError;
    type Future = BoxFuture<Result<Self::Response, ConnectError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let address = address_of(&dst);
        let http1 = self.http1;
        let mut inner = if http1 {
            self.parts.inner_http1.clone()
        } else {
            self.parts.inner.clone()
        };
        let connecting = inner.call(dst);
        let tls = self.parts.tls.clone();
        let timeout = self.parts.timeout;
        let protocol = self.parts.protocol.clone();
        let require_h2 = self.require_h2;
        Box::pin(async move {
            let result = match tokio::time::timeout(timeout, connecting).await {
                Err(_elapsed) => Err(ConnectError::Timeout {
                    address: address.clone(),
                    after: timeout,
                }),
                Ok(Ok(io)) => Ok(io),
                Ok(Err(err)) => Err(classify(err, address.clone(), &tls)),
            };
            if let Ok(MaybeHttpsStream::Https(stream)) = &result
                && !http1
            {
                if stream.inner().get_ref().1.alpn_protocol() == Some(b"h2") {
                    protocol
                        .h2_seen
                        .store(true, std::sync::atomic::Ordering::Release);
                } else {
                    protocol
                        .http1_only
                        .store(true, std::sync::atomic::Ordering::Release);
                    if require_h2 {
                        return Err(ConnectError::Http2Unavailable { address });
                    }
                }
            }
            result
        })
    }
}

/// Turns a hyper-rustls error into a [`ConnectError`] that says what failed.
fn classify(err: BoxError, address: String, tls: &Tls) -> ConnectError {
    let err = match err.downcast::<ConnectError>() {
        Ok(connect) => return *connect,
        Err(err) => err,
    };
    let failure = match crate::tls::find_rustls_error(&*err) {
        Some(tls_err) => tls.explain(tls_err),
        None => TlsFailure::Other {
            detail: err.to_string(),
        },
    };
    ConnectError::Tls {
        address,
        failure,
        source: err,
    }
}
