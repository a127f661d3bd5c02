//! tower layers that carry requests to a Kubernetes API server.
//!
//! [`connect`] turns a resolved [`Config`] into one [`BoxService`]:
//! requests go in with a fully buffered [`RequestBody`] (cheap to clone, so they can be retried)
//! and responses come back with a streaming [`ResponseBody`]. Request URIs may be relative
//! (`/api/v1/namespaces`): the cluster URL is prepended.
//!
//! ```no_run
//! use http_body_util::{BodyExt, Full};
//! use kubeset_config::Config;
//! use tower::ServiceExt;
//!
//! # async fn demo() -> Result<(), kubeset_transport::BoxError> {
//! let config = Config::new("https://127.0.0.1:6443".parse()?);
//! let service = kubeset_transport::connect(&config)?;
//! let request = http::Request::get("/version").body(Full::default())?;
//! let response = service.oneshot(request).await?;
//! let body = response.into_body().collect().await?.to_bytes();
//! println!("{}", String::from_utf8_lossy(&body));
//! # Ok(())
//! # }
//! ```
//!
//! Every concern is its own public layer, usable alone or beside tower-http's:
//!
//! | layer | does |
//! |---|---|
//! | [`TraceLayer`] | a `tracing` span and metrics per request |
//! | [`BaseUriLayer`] | relative URIs to the cluster URL (keeping its path prefix) |
//! | [`UserAgentLayer`] | `User-Agent: kubeset/<version> (<os>/<arch>)` |
//! | [`ImpersonateLayer`] | `Impersonate-User`, `-Uid`, `-Group`, `-Extra-*` |
//! | [`WarningsLayer`] | server `Warning`s to a [`WarningHandler`] (logged once by default) and to the caller |
//! | [`RetryLayer`] | retries that know what is safe to repeat, with a budget |
//! | [`RateLimitLayer`] | client-side QPS/burst token bucket |
//! | [`AuthLayer`] | `Authorization` from a [`CredentialSource`] ([`StaticCredential`], [`TokenFile`], [`ExecCredentials`]), one retry after a `401` |
//! | [`HttpLogLayer`] | kubectl's `-v=6`…`-v=10` request logging, credentials masked (off by default) |
//! | [`BodyLimitLayer`] | bounds on response bodies: total size, watch event size, idle time ([`BodyLimits`]) |
//! | [`CompressionLayer`] | `Accept-Encoding: gzip` and decoding |
//! | [`ResponseTimeoutLayer`] | a per-attempt limit on the wait for response headers; watches exempt |
//!
//! Below them, a pooled hyper client over hyper-rustls on the `ring` provider (no process-wide
//! provider is installed): HTTP/2 when the server offers it, HTTP/1.1 otherwise; the CA bundle
//! and client certificate files are re-read when they change; proxies from `proxy-url` or
//! `HTTPS_PROXY`/`NO_PROXY`.
//!
//! # Errors
//!
//! The service fails with a [`BoxError`] only when no HTTP response was received; HTTP errors
//! (401, 403, 404, ...) are ordinary responses whose body is the server's `Status`. Each error
//! says one level and keeps its cause in `source()`, so print the whole chain:
//!
//! - [`RequestError`]: `GET https://10.0.0.1:6443/api: could not connect`, or
//!   `gave up after 5 attempts` around the last attempt's error;
//! - [`ConnectError`]: TCP, proxy or TLS; a TLS failure carries a [`TlsFailure`] (unknown CA,
//!   with the CA file and why it could not be loaded; name mismatch; expired certificate; ...),
//!   found anywhere in a chain with [`find_connect_error`];
//! - [`BodyError`] (from a response body, not the service): the body broke a [`BodyLimits`]
//!   bound, naming the request and the limit;
//! - [`AuthError`]: the token file (named) or the exec plugin ([`ExecError`], with the
//!   plugin's `installHint` when it is missing).
//!
//! ```no_run
//! # async fn demo(service: kubeset_transport::BoxService) {
//! use tower::ServiceExt;
//!
//! let request = http::Request::get("/api").body(Default::default()).unwrap();
//! if let Err(err) = service.oneshot(request).await {
//!     let mut text = err.to_string();
//!     let mut source = err.source();
//!     while let Some(cause) = source {
//!         text = format!("{text}: {cause}");
//!         source = cause.source();
//!     }
//!     eprintln!("error: {text}");
//! }
//! # }
//! ```
//!
//! Metrics (through the `metrics` facade; install any recorder to collect them):
//! `kubeset_request_duration_seconds`, `kubeset_requests_total`,
//! `kubeset_request_retries_total`, `kubeset_rate_limited_requests_total`,
//! `kubeset_token_reloads_total`, `kubeset_token_issued_timestamp_seconds`,
//! `kubeset_token_expiry_timestamp_seconds`, `kubeset_unauthorized_refreshes_total`,
//! `kubeset_ca_reloads_total`, `kubeset_exec_plugin_calls_total`.

mod auth;
mod base_uri;
mod body;
mod body_limit;
mod client;
mod compression;
mod connector;
mod error;
mod exec;
#[doc(hidden)]
pub mod fuzzing;
mod http_log;
mod impersonate;
mod jwt;
mod options;
mod pem;
mod proxy;
mod rate_limit;
mod retry;
mod stack;
mod timeout;
mod tls;
mod token_file;
mod trace;
mod user_agent;
mod warning;
mod warnings;

pub use auth::{Auth, AuthLayer, Credential, CredentialFuture, CredentialSource, StaticCredential};
pub use base_uri::{BaseUri, BaseUriLayer};
pub use body::{BoxError, BoxService, RequestBody, ResponseBody};
pub use body_limit::{BodyLimit, BodyLimitLayer, BodyLimits};
pub use compression::{Compression, CompressionLayer};
pub use error::{
    AuthError, BodyError, ConnectError, Error, PemError, RequestError, TlsFailure,
    find_connect_error,
};
pub use exec::{ExecCredentials, ExecError};
pub use http_log::{HttpLog, HttpLogLayer};
pub use impersonate::{Impersonate, ImpersonateLayer};
pub use options::{Qps, TransportOptions};
pub use rate_limit::{RateLimit, RateLimitLayer};
pub use retry::{Retry, RetryLayer, RetryPolicy};
pub use timeout::{ResponseTimeout, ResponseTimeoutLayer};
pub use token_file::TokenFile;
pub use trace::{Trace, TraceLayer};
pub use user_agent::{UserAgent, UserAgentLayer, default_user_agent};
pub use warning::{CollectWarnings, LogWarnings, Warning, WarningHandler};
pub use warnings::{Warnings, WarningsFuture, WarningsLayer, WarningsService};

use kubeset_config::Config;

/// Builds the transport for `config` with default [`TransportOptions`].
///
/// Nothing is sent yet: the CA bundle and client certificate are loaded now (so a broken file
/// is reported here, naming it), while connections, token files and exec plugins are used on
/// the first request. Must be called inside a Tokio runtime only when requests are sent.
///
/// ```no_run
/// use kubeset_config::Config;
///
/// let config = Config::new("https://10.96.0.1:443".parse().unwrap());
/// let service = kubeset_transport::connect(&config)?;
/// # Ok::<(), kubeset_transport::Error>(())
/// ```
pub fn connect(config: &Config) -> Result<BoxService, Error> {
    connect_with(config, &TransportOptions::default())
}

/// Builds the transport for `config` with `options` (retry policy, rate limit, timeouts,
/// User-Agent).
///
/// ```no_run
/// use kubeset_config::Config;
/// use kubeset_transport::{Qps, TransportOptions};
///
/// let config = Config::new("https://10.96.0.1:443".parse().unwrap());
/// let mut options = TransportOptions::default();
/// options.rate_limit = Some(Qps { qps: 50.0, burst: 100 });
/// let service = kubeset_transport::connect_with(&config, &options)?;
/// # Ok::<(), kubeset_transport::Error>(())
/// ```
pub fn connect_with(config: &Config, options: &TransportOptions) -> Result<BoxService, Error> {
    stack::build(config, options)
}

/// The layers of [`connect_with`] over `service` instead of a network connection: for tests
/// (a `tower::service_fn` or `tower_test` mock sees exactly what would go on the wire) and for
/// custom connections (an SSH tunnel, a port-forward).
///
/// `service` receives absolute URIs (the cluster URL's scheme, host and path prefix) with every
/// header set; the config's TLS and proxy settings are not used, since `service` owns the
/// connection. Authentication, retries, rate limit, timeout and warnings apply as usual.
///
/// ```
/// use http_body_util::Full;
/// use kubeset_config::Config;
/// use kubeset_transport::{RequestBody, TransportOptions};
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), kubeset_transport::BoxError> {
/// let fake = tower::service_fn(|request: http::Request<RequestBody>| async move {
///     let agent = request.headers()[http::header::USER_AGENT].clone();
///     Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(
///         bytes::Bytes::copy_from_slice(agent.as_bytes()),
///     )))
/// });
/// let mut options = TransportOptions::default();
/// options.user_agent = Some("my-controller/1.0".into());
/// let config = Config::new("https://10.96.0.1".parse()?);
/// let service = kubeset_transport::connect_with_service(&config, &options, fake)?;
/// let response = service.oneshot(http::Request::get("/version").body(Full::default())?).await?;
/// # let _ = response;
/// # Ok(()) }
/// ```
pub fn connect_with_service<S, B>(
    config: &Config,
    options: &TransportOptions,
    service: S,
) -> Result<BoxService, Error>
where
    S: tower::Service<http::Request<RequestBody>, Response = http::Response<B>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    stack::build_over(config, options, service)
}

/// `err` and its sources, joined with `: `, for one log line.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
