//! Errors of starting and running the test server.

use std::path::PathBuf;

/// Why the test server could not start or write its files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Generating a certificate or key failed.
    #[error("failed to generate the {what}")]
    Certificate {
        /// Which certificate or key.
        what: &'static str,
        /// The cause.
        #[source]
        source: rcgen::Error,
    },
    /// Building the TLS configuration failed.
    #[error("failed to configure TLS ({what})")]
    Tls {
        /// Which part of the configuration.
        what: &'static str,
        /// The cause.
        #[source]
        source: rustls::Error,
    },
    /// Generating the ServiceAccount token signing key failed.
    #[error("failed to generate the ServiceAccount signing key")]
    SigningKey {
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Binding the listening socket failed.
    #[error("failed to listen on {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing a file (kubeconfig, ServiceAccount environment) failed.
    #[error("failed to write {}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
