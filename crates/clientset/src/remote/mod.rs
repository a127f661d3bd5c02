//! Streams into pods: `exec`, `attach` and `port-forward` over WebSocket.
//!
//! Each session is one WebSocket on an HTTP/1.1 connection of its own, opened through the
//! client's transport like every other request (same TLS, credentials, impersonation and
//! proxy), speaking the channel protocols of kube-apiserver and the kubelet (see
//! [`ChannelProtocol`]). Exec and attach offer `v5.channel.k8s.io` first and fall back to what
//! the server picks; port-forward speaks `v4.channel.k8s.io` framing, one WebSocket per
//! forwarded connection (the SPDY-over-WebSocket tunnel of Kubernetes 1.31+ is not spoken).
//!
//! Guarantees: a session always ends (its streams reach end-of-file and its status resolves)
//! when the server closes it or the connection breaks, never hanging on a dead socket; a
//! non-zero exit code is an [`ExitStatus`], while a broken or refused session is an error that
//! names the pod and container.

mod connect;
mod error;
mod exec;
mod forward;
mod params;
mod portforward;
mod process;
mod protocol;
mod session;

pub use error::RemoteError;
pub use exec::ExecOutput;
pub use forward::{ForwardEvent, LocalForward};
pub use params::ExecParams;
pub use portforward::{PortForward, PortStream};
pub use process::{AttachedProcess, Stderr, Stdin, Stdout, TerminalResizer};
pub use protocol::{ChannelProtocol, ExitStatus, TerminalSize};
