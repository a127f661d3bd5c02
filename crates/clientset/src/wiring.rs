//! THE SEAM: where `Client::new`/`Client::infer` meet the transport and config crates.
//!
//! [`connect`] builds the transport with `kubeset_transport::connect` (default
//! `TransportOptions`); [`infer_config`] resolves the configuration with
//! `kubeset_config::Config::infer` (kubeconfig, else in-cluster). Nothing else in the crate
//! knows how a transport is built.
//!
//! When wiring: map the transport's error into [`Error::Connect`] and the config loader's into
//! [`Error::Config`]; then delete [`Error::TransportNotWired`].
//!
//! Contract for the transport: requests carry origin-form URIs (path and query, e.g.
//! `/api/v1/namespaces/default/pods?limit=500`); the transport resolves them against
//! `Config::cluster_url` (including any path prefix), adds authentication and compression.
//!
//! Error mapping: the clientset `Error` has no variant for "the transport could not be built"
//! or "no configuration was found", so both failures surface as [`Error::Transport`] with
//! `GET` and the cluster URL (or `<config>` when there is none yet); the real cause is the
//! error's `source()`.

use http::Method;
use kubeset_config::Config;
use kubeset_transport::BoxService;

use crate::Error;

/// Builds the transport stack for `config` (CA bundle and client certificate are loaded now;
/// connections, token files and exec plugins on the first request).
pub(crate) fn connect(config: &Config) -> Result<BoxService, Error> {
    kubeset_transport::connect(config).map_err(|source| Error::Transport {
        method: Method::GET,
        url: config.cluster_url.to_string(),
        source: Box::new(source),
    })
}

/// Resolves the configuration as a pod or kubectl would (`Config::infer`).
///
/// `Config::infer` only reads a few small files (kubeconfig, ServiceAccount token and CA), so
/// it runs on the calling task rather than on the blocking pool.
pub(crate) async fn infer_config() -> Result<Config, Error> {
    Config::infer().map_err(|source| Error::Transport {
        method: Method::GET,
        url: String::from("<config>"),
        source: Box::new(source),
    })
}
