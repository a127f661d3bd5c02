//! What can stop a soak before it reports (a broken invariant is a figure, not an error).

/// Why the soak could not run to its report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The test server failed to start or to make a ServiceAccount's files.
    #[error("the test server failed")]
    Server {
        /// What the test server said.
        #[source]
        source: kubeset_testserver::Error,
    },
    /// The admin kubeconfig the server wrote could not be loaded.
    #[error("failed to load the test server's kubeconfig")]
    Kubeconfig {
        /// Why.
        #[source]
        source: kubeset_config::KubeconfigConfigError,
    },
    /// A daemon's in-cluster configuration could not be loaded.
    #[error("failed to load a daemon's in-cluster configuration")]
    InCluster {
        /// Why.
        #[source]
        source: kubeset_config::InClusterError,
    },
    /// A request of the set-up or of the final comparison failed.
    #[error("failed to {what}")]
    Api {
        /// What the soak was doing.
        what: &'static str,
        /// The client's error.
        #[source]
        source: kubeset_clientset::Error,
    },
    /// A file could not be read or written.
    #[error("failed to {what}")]
    Io {
        /// What the soak was doing.
        what: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server's audit log could not be read.
    #[error("failed to read the audit log")]
    Audit {
        /// Why.
        #[source]
        source: kubeset_audit::Error,
    },
    /// Another tracing subscriber was installed first, so attempts cannot be counted.
    #[error(
        "a global tracing subscriber is already installed; the soak counts attempts with its own"
    )]
    Subscriber,
}
