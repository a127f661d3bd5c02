//! THE SEAM: where `Client::new`, `Client::infer` and the `ClientBuilder` meet the transport and
//! config crates.
//!
//! [`connect`] builds the transport with `kubeset_transport::connect_with` (and [`connect_over`]
//! with `kubeset_transport::connect_with_service`, over a caller's service); their failure (a CA
//! or client certificate that does not load, a bad cluster or proxy URL, a bad User-Agent)
//! becomes [`Error::Connect`] holding the transport's `kubeset_transport::Error`.
//! [`infer_config`] resolves the configuration with `kubeset_config::Config::infer`
//! (kubeconfig, else in-cluster); its failure becomes [`Error::Config`] holding the config
//! crate's `InferError`. Nothing else in the crate knows how a transport is built.
//!
//! Contract for the transport: requests carry origin-form URIs (path and query, e.g.
//! `/api/v1/namespaces/default/pods?limit=500`); the transport resolves them against
//! `Config::cluster_url` (including any path prefix), adds authentication and compression.

use bytes::Bytes;
use http::{Request, Response};
use kubeset_config::Config;
use kubeset_transport::{BoxError, BoxService, RequestBody, TransportOptions};
use tower::Service;

use crate::Error;

/// Builds the transport stack for `config`: the CA bundle and client certificate are loaded
/// now; connections, token files and exec plugins are used on the first request.
pub(crate) fn connect(config: &Config, options: &TransportOptions) -> Result<BoxService, Error> {
    kubeset_transport::connect_with(config, options).map_err(|source| connect_error(config, source))
}

/// The transport's layers for `config` over `service` instead of a network connection.
pub(crate) fn connect_over<S, B>(
    config: &Config,
    options: &TransportOptions,
    service: S,
) -> Result<BoxService, Error>
where
    S: Service<Request<RequestBody>, Response = Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError> + Send + 'static,
{
    kubeset_transport::connect_with_service(config, options, service)
        .map_err(|source| connect_error(config, source))
}

fn connect_error(config: &Config, source: kubeset_transport::Error) -> Error {
    Error::Connect {
        url: config.cluster_url.to_string(),
        source: Box::new(source),
    }
}

/// Resolves the configuration as a pod or kubectl would (`Config::infer`).
///
/// `Config::infer` only reads a few small files (kubeconfig, ServiceAccount token and CA), so
/// it runs on the calling task rather than on the blocking pool.
pub(crate) async fn infer_config() -> Result<Config, Error> {
    Config::infer().map_err(Error::from)
}
