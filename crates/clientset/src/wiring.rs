//! THE SEAM: where `Client::new`/`Client::infer` will meet the transport and config crates.
//!
//! The transport crate (`kubeset_transport`) does not yet expose a constructor that turns a
//! [`Config`] into a [`BoxService`], and `kubeset_config` has no `Config::infer` yet. Until the
//! lead wires them at merge time, both functions below return [`Error::TransportNotWired`].
//! Nothing else in the crate knows how a transport is built: replace these two bodies only.
//!
//! Contract for the transport: requests carry origin-form URIs (path and query, e.g.
//! `/api/v1/namespaces/default/pods?limit=500`); the transport resolves them against
//! `Config::cluster_url` (including any path prefix), adds authentication and compression.

use kubeset_config::Config;
use kubeset_transport::BoxService;

use crate::Error;

/// Builds the transport stack for `config`. SEAM: wire `kubeset_transport`'s constructor here.
pub(crate) fn connect(config: &Config) -> Result<BoxService, Error> {
    let _ = config;
    Err(Error::TransportNotWired)
}

/// Resolves the configuration as a pod or kubectl would. SEAM: wire `Config::infer` here.
pub(crate) async fn infer_config() -> Result<Config, Error> {
    Err(Error::TransportNotWired)
}
