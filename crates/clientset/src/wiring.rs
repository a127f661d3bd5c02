//! THE SEAM: where `Client::new`/`Client::infer` meet the transport and config crates.
//!
//! [`connect`] builds the transport with `kubeset_transport::connect` (default
//! `TransportOptions`); its failure (a CA or client certificate that does not load, a bad
//! cluster or proxy URL) becomes [`Error::Connect`]. [`infer_config`] resolves the
//! configuration with `kubeset_config::Config::infer` (kubeconfig, else in-cluster); its
//! failure becomes [`Error::Config`]. Nothing else in the crate knows how a transport is built.
//!
//! Contract for the transport: requests carry origin-form URIs (path and query, e.g.
//! `/api/v1/namespaces/default/pods?limit=500`); the transport resolves them against
//! `Config::cluster_url` (including any path prefix), adds authentication and compression.

use kubeset_config::Config;
use kubeset_transport::BoxService;

use crate::Error;

/// Builds the transport stack for `config`: the CA bundle and client certificate are loaded
/// now; connections, token files and exec plugins are used on the first request.
pub(crate) fn connect(config: &Config) -> Result<BoxService, Error> {
    kubeset_transport::connect(config).map_err(|source| Error::Connect {
        url: config.cluster_url.to_string(),
        source: Box::new(source),
    })
}

/// Resolves the configuration as a pod or kubectl would (`Config::infer`).
///
/// `Config::infer` only reads a few small files (kubeconfig, ServiceAccount token and CA), so
/// it runs on the calling task rather than on the blocking pool.
pub(crate) async fn infer_config() -> Result<Config, Error> {
    Config::infer().map_err(|source| Error::Config {
        source: Box::new(source),
    })
}
