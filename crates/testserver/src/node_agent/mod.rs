//! A kubelet you can script: what `pods/exec`, `pods/attach` and `pods/portforward` reach.
//!
//! The test server runs no containers, so tests register handlers on the [`NodeAgent`]
//! ([`TestServer::node_agent`](crate::TestServer::node_agent)): an exec or attach handler
//! receives an [`ExecSession`] (the command, container, terminal flag, stdin, stdout, stderr
//! and terminal resizes) and returns an [`Outcome`]; a port-forward target says where a pod's
//! port leads ([`PortTarget`]). The sessions speak what kube-apiserver proxying to a kubelet
//! speaks: the WebSocket channel protocols `v5.channel.k8s.io` down to `channel.k8s.io` for
//! exec and attach (the error channel's `Status`, the close signal), and the
//! `v4.channel.k8s.io` port-forward framing (port-prefixed first frames, an error channel per
//! port).
//!
//! Handlers for one pod take precedence over handlers for any pod; the latest registration
//! wins.

mod portforward;
mod session;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::DuplexStream;
use tokio::sync::mpsc;

pub(crate) use portforward::{Pod as ForwardedPod, serve as serve_port_forward};
pub(crate) use session::{PROTOCOLS, Request as SessionRequest, serve as serve_session};

/// Which pods a handler serves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pods {
    /// Every pod without a handler of its own.
    Any,
    /// One pod.
    Named {
        /// Its namespace.
        namespace: String,
        /// Its name.
        name: String,
    },
}

impl Pods {
    /// One pod.
    pub fn named(namespace: &str, name: &str) -> Self {
        Self::Named {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }
}

/// How an exec or attach session ends.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The process exited with this code (0: the error channel says `Success`; otherwise
    /// `NonZeroExitCode` with the code as the `ExitCode` cause).
    Exit(i32),
    /// The runtime failed (an `InternalError` Status with this message, as when the
    /// executable does not exist).
    Error(String),
    /// The connection drops without an exit status or a close frame (a node that went away).
    Disconnect,
}

/// One exec or attach session, as a handler sees it.
///
/// Write output to `stdout`/`stderr` and read input from `stdin`; dropping (or shutting down)
/// an output ends that stream. Under a terminal there is no stderr.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExecSession {
    /// The pod's namespace.
    pub namespace: String,
    /// The pod's name.
    pub pod: String,
    /// The container (resolved: the pod's only container when none was named).
    pub container: String,
    /// The command (`pods/exec`), empty for `pods/attach`.
    pub command: Vec<String>,
    /// Whether the session runs under a terminal.
    pub tty: bool,
    /// The channel protocol the client and server agreed on.
    pub protocol: String,
    /// Input, when the client opened stdin; end-of-file when the client half-closed it
    /// (v5) or went away.
    pub stdin: Option<DuplexStream>,
    /// Output to the client's stdout, when opened.
    pub stdout: Option<DuplexStream>,
    /// Output to the client's stderr, when opened.
    pub stderr: Option<DuplexStream>,
    /// Terminal sizes the client sent, as `(width, height)`.
    pub resizes: mpsc::UnboundedReceiver<(u16, u16)>,
}

/// Where a forwarded pod port leads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PortTarget {
    /// Echo every byte back.
    Echo,
    /// A TCP service (on loopback).
    Tcp(SocketAddr),
}

type BoxFuture = Pin<Box<dyn Future<Output = Outcome> + Send>>;
pub(crate) type Handler = Arc<dyn Fn(ExecSession) -> BoxFuture + Send + Sync>;

/// Which session kind a handler serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Exec,
    Attach,
}

#[derive(Default)]
struct Handlers {
    sessions: HashMap<(Kind, Pods), Handler>,
    ports: HashMap<(Pods, u16), PortTarget>,
}

/// The scripted node agent of a test server; cheap to clone.
///
/// ```no_run
/// use kubeset_testserver::node_agent::{Outcome, Pods};
/// use tokio::io::AsyncWriteExt;
///
/// # async fn demo() -> Result<(), kubeset_testserver::Error> {
/// let server = kubeset_testserver::TestServer::start().await?;
/// server.node_agent().on_exec(Pods::Any, |mut session| async move {
///     if let Some(out) = session.stdout.as_mut() {
///         let _ = out.write_all(session.command.join(" ").as_bytes()).await;
///     }
///     Outcome::Exit(0)
/// });
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct NodeAgent {
    handlers: Arc<Mutex<Handlers>>,
}

impl std::fmt::Debug for NodeAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeAgent").finish_non_exhaustive()
    }
}

impl NodeAgent {
    /// Serves `pods/exec` sessions of `pods` with `handler`.
    pub fn on_exec<F, Fut>(&self, pods: Pods, handler: F)
    where
        F: Fn(ExecSession) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        self.register(Kind::Exec, pods, handler);
    }

    /// Serves `pods/attach` sessions of `pods` with `handler` (its `command` is empty).
    pub fn on_attach<F, Fut>(&self, pods: Pods, handler: F)
    where
        F: Fn(ExecSession) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        self.register(Kind::Attach, pods, handler);
    }

    /// Makes `port` of `pods` lead to `target` for `pods/portforward`; other ports refuse
    /// connections (the kubelet's error on the port's error channel).
    pub fn on_port_forward(&self, pods: Pods, port: u16, target: PortTarget) {
        self.lock().ports.insert((pods, port), target);
    }

    fn register<F, Fut>(&self, kind: Kind, pods: Pods, handler: F)
    where
        F: Fn(ExecSession) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Outcome> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |session| Box::pin(handler(session)));
        self.lock().sessions.insert((kind, pods), handler);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Handlers> {
        self.handlers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The handler for a session of `kind` in a pod.
    pub(crate) fn session_handler(
        &self,
        kind: Kind,
        namespace: &str,
        name: &str,
    ) -> Option<Handler> {
        let handlers = self.lock();
        handlers
            .sessions
            .get(&(kind, Pods::named(namespace, name)))
            .or_else(|| handlers.sessions.get(&(kind, Pods::Any)))
            .cloned()
    }

    /// Where a pod's port leads.
    pub(crate) fn port_target(&self, namespace: &str, name: &str, port: u16) -> Option<PortTarget> {
        let handlers = self.lock();
        handlers
            .ports
            .get(&(Pods::named(namespace, name), port))
            .or_else(|| handlers.ports.get(&(Pods::Any, port)))
            .cloned()
    }
}
