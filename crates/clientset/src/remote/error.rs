//! What can fail in an exec, attach or port-forward session once the API server agreed to it.

/// A failed exec, attach or port-forward session.
///
/// API errors before the session starts (the pod is missing, RBAC denies `create` on
/// `pods/exec`, the container is not running) are [`Error::Api`](crate::Error::Api), as for any
/// request; these are the failures of the WebSocket session itself. A command that exits
/// non-zero is not an error: it is an [`ExitStatus`](crate::ExitStatus).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The server answered `101 Switching Protocols` but not as the WebSocket handshake says.
    #[error("the WebSocket handshake with {url} failed: {reason}")]
    Handshake {
        /// The request path and query.
        url: String,
        /// What was wrong (a wrong `Sec-WebSocket-Accept`, a protocol that was not offered).
        reason: String,
    },
    /// The upgraded connection could not be taken over from the HTTP client.
    #[error("failed to take over the upgraded connection to {url}")]
    Upgrade {
        /// The request path and query.
        url: String,
        /// What hyper reported.
        #[source]
        source: hyper::Error,
    },
    /// The connection broke during the session.
    #[error("the connection to pod {pod}{} broke", in_container(container.as_deref()))]
    ConnectionLost {
        /// `namespace/name` of the pod.
        pod: String,
        /// The container, when one was named.
        container: Option<String>,
        /// What the WebSocket reported.
        #[source]
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// The server closed the session before it sent the command's exit status.
    #[error(
        "the connection to pod {pod}{} closed before the exit status arrived",
        in_container(container.as_deref())
    )]
    Closed {
        /// `namespace/name` of the pod.
        pod: String,
        /// The container, when one was named.
        container: Option<String>,
    },
    /// The error channel reported a failure that is not an exit code (the command could not
    /// be started, the container went away).
    #[error("running in pod {pod}{} failed: {message}", in_container(container.as_deref()))]
    Failed {
        /// `namespace/name` of the pod.
        pod: String,
        /// The container, when one was named.
        container: Option<String>,
        /// The server's message.
        message: String,
        /// The `Status` reason, when the protocol carries one.
        reason: Option<String>,
    },
    /// The session is over; a terminal resize cannot be sent.
    #[error("the session in pod {pod} has ended")]
    Ended {
        /// `namespace/name` of the pod.
        pod: String,
    },
    /// The port-forward error stream reported a failure for a port.
    #[error("an error occurred forwarding port {port} of pod {pod}: {message}")]
    PortForward {
        /// `namespace/name` of the pod.
        pod: String,
        /// The pod's port.
        port: u16,
        /// The kubelet's message.
        message: String,
    },
    /// The port-forward session broke or ended before a port's stream was done.
    #[error("the port-forward connection to pod {pod} broke")]
    PortForwardLost {
        /// `namespace/name` of the pod.
        pod: String,
        /// What the WebSocket reported.
        #[source]
        source: tokio_tungstenite::tungstenite::Error,
    },
    /// A frame broke the port-forward protocol (a port prefix that names another port).
    #[error("pod {pod} sent a port-forward frame for port {got} on the channel of port {port}")]
    PortMismatch {
        /// `namespace/name` of the pod.
        pod: String,
        /// The port of the channel.
        port: u16,
        /// The port the frame named.
        got: u16,
    },
}

fn in_container(container: Option<&str>) -> String {
    container.map_or_else(String::new, |c| format!(" (container {c})"))
}
