//! Assembling the layers into one [`BoxService`] for a [`Config`].
//!
//! Order, outermost first: trace, base URI, user agent, impersonation, warnings, retry, rate
//! limit, authentication, HTTP logging (when asked for: it sees each attempt's headers, and
//! the bodies decoded, as kubectl logs them), body limits, compression, per-attempt response timeout, pooled HTTP
//! client. Body limits sit above compression, so they count decoded bytes. Retries
//! sit outside authentication so each attempt carries the freshest credential, and outside the
//! rate limit so retries are paced too; the timeout sits inside all of them, so it limits one
//! attempt on the wire and never the wait for a rate-limit token.
//!
//! [`build_over`] puts the same layers over any service in place of the pooled client (tests,
//! custom connections); the config's TLS and proxy settings are then unused.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use kubeset_config::{BearerToken, Config};
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceBuilder, ServiceExt};

use crate::auth::{AuthLayer, CredentialSource, StaticCredential};
use crate::base_uri::BaseUriLayer;
use crate::body::{BoxError, BoxService, RequestBody};
use crate::body_limit::BodyLimitLayer;
use crate::client::{HyperClient, PoolSettings};
use crate::compression::CompressionLayer;
use crate::connector::{ConnectSettings, Connector};
use crate::error::Error;
use crate::exec::ExecCredentials;
use crate::http_log::HttpLogLayer;
use crate::impersonate::ImpersonateLayer;
use crate::options::TransportOptions;
use crate::proxy::ProxyPolicy;
use crate::rate_limit::RateLimitLayer;
use crate::retry::RetryLayer;
use crate::timeout::ResponseTimeoutLayer;
use crate::tls::Tls;
use crate::token_file::TokenFile;
use crate::trace::TraceLayer;
use crate::user_agent::UserAgentLayer;
use crate::warnings::WarningsLayer;

pub(crate) fn build(config: &Config, options: &TransportOptions) -> Result<BoxService, Error> {
    check_cluster_url(config)?;
    let exec = exec_plugin(config, options);
    let identity = exec
        .as_ref()
        .map_or_else(Default::default, |exec| exec.identity_slot());
    let url = &config.cluster_url;
    let tls = Tls::new(&config.tls, identity)?;
    let proxy = ProxyPolicy::new(config.proxy_url.as_ref())?;
    let connector = Connector::new(
        tls,
        config.tls.server_name.as_deref(),
        proxy,
        &ConnectSettings {
            connect_timeout: options.connect_timeout,
            tcp_keepalive: options.tcp_keepalive,
        },
    )?;
    let client = HyperClient::new(
        connector,
        &PoolSettings {
            idle_timeout: options.pool_idle_timeout,
            keepalive_interval: options.http2_keepalive_interval,
            keepalive_timeout: options.http2_keepalive_timeout,
        },
        url.scheme_str() == Some("https"),
    );
    layered(config, options, exec, client)
}

/// The layers of [`build`] over `inner` instead of a pooled connection.
pub(crate) fn build_over<S, B>(
    config: &Config,
    options: &TransportOptions,
    inner: S,
) -> Result<BoxService, Error>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    check_cluster_url(config)?;
    let exec = exec_plugin(config, options);
    layered(config, options, exec, inner.map_err(Into::into))
}

fn check_cluster_url(config: &Config) -> Result<(), Error> {
    let url = &config.cluster_url;
    if !matches!(url.scheme_str(), Some("http" | "https")) || url.authority().is_none() {
        return Err(Error::ClusterUrl {
            url: crate::trace::redacted_url(url),
        });
    }
    Ok(())
}

/// The exec plugin to run, if any.
fn exec_plugin(config: &Config, options: &TransportOptions) -> Option<Arc<ExecCredentials>> {
    // As client-go: a token, basic auth or a client certificate in the config wins, and the
    // exec plugin is then not run at all.
    let has_other_auth = config.auth.bearer.is_some()
        || config.auth.basic.is_some()
        || config.tls.client_cert.is_some();
    let plugin = match &options.exec {
        Some(plugin) => Some(plugin),
        None if has_other_auth => None,
        None => config.auth.exec.as_ref(),
    };
    plugin.map(ExecCredentials::shared)
}

/// Every layer above the connection, over `inner`.
fn layered<S, B>(
    config: &Config,
    options: &TransportOptions,
    exec: Option<Arc<ExecCredentials>>,
    inner: S,
) -> Result<BoxService, Error>
where
    S: Service<Request<RequestBody>, Response = Response<B>, Error = BoxError>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    let user_agent = match &options.user_agent {
        Some(ua) => UserAgentLayer::new(ua)?,
        None => UserAgentLayer::default(),
    };
    let impersonate = if config.impersonate.is_empty() {
        None
    } else {
        Some(ImpersonateLayer::new(&config.impersonate)?)
    };
    let warnings = WarningsLayer::from_shared(options.warning_handler.clone())
        .deduplicate(options.deduplicate_warnings);
    let auth = credentials(config, exec, options)?.map(AuthLayer::from_shared);

    let service = ServiceBuilder::new()
        .layer(TraceLayer::default())
        .layer(BaseUriLayer::new(config.cluster_url.clone()))
        .layer(user_agent)
        .option_layer(impersonate)
        .layer(warnings)
        .layer(RetryLayer::new(options.retry.clone()))
        .option_layer(
            options
                .rate_limit
                .map(|q| RateLimitLayer::new(q.qps, q.burst)),
        )
        .option_layer(auth)
        .option_layer(
            options
                .http_log
                .filter(|level| *level >= 6)
                .map(HttpLogLayer::new),
        )
        .layer(BodyLimitLayer::new(options.body_limits))
        .layer(CompressionLayer::new(!config.disable_compression))
        .option_layer(options.request_timeout.map(ResponseTimeoutLayer::new))
        .service(inner);
    Ok(BoxCloneSyncService::new(service))
}

/// The credential source for the config: a bearer token (static or file) first, then basic
/// auth, then the exec plugin.
fn credentials(
    config: &Config,
    exec: Option<Arc<ExecCredentials>>,
    options: &TransportOptions,
) -> Result<Option<Arc<dyn CredentialSource>>, Error> {
    let auth = &config.auth;
    if auth.auth_provider.is_some() {
        tracing::warn!(
            "the kubeconfig user has a legacy auth-provider, which kubeset does not run; \
             use an exec plugin (e.g. kubelogin) instead"
        );
    }
    Ok(match (&auth.bearer, &auth.basic, exec) {
        (Some(BearerToken::Static(token)), _, _) => {
            Some(Arc::new(StaticCredential::bearer(token)?))
        }
        (Some(BearerToken::File { path, initial }), _, _) => Some(Arc::new(
            TokenFile::new(path.clone(), initial.clone())
                .with_check_interval(options.token_check_interval),
        )),
        (None, Some(basic), _) => Some(Arc::new(StaticCredential::basic(basic)?)),
        (None, None, Some(exec)) => Some(exec),
        (None, None, None) => None,
    })
}
