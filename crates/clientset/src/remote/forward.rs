//! [`LocalForward`]: a loopback listener whose every accepted connection is forwarded to a
//! pod's port, each over a port-forward session of its own.

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::Pod;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::{Api, Error};

/// What happened on a [`LocalForward`], as kubectl reports it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ForwardEvent {
    /// A local connection was accepted (kubectl: `Handling connection for PORT`).
    Connection {
        /// The local port.
        local_port: u16,
        /// The pod's port it goes to.
        remote_port: u16,
    },
    /// Forwarding one connection failed (the pod refused it, the session broke).
    Failed {
        /// The pod's port.
        remote_port: u16,
        /// Why.
        error: Error,
    },
}

/// Forwards connections accepted on a local address to a pod's port, until dropped.
///
/// Each connection gets a port-forward session of its own. The protocol cannot half-close, so
/// a connection is closed as soon as either side stops sending.
///
/// ```no_run
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let pods = client.pods("apps");
/// let mut forward = pods.forward_local("web-0", "127.0.0.1:0".parse()?, 8080).await?;
/// println!("Forwarding from {} -> 8080", forward.local_addr());
/// while let Some(event) = forward.next_event().await {
///     println!("{event:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct LocalForward {
    local_addr: SocketAddr,
    events: mpsc::UnboundedReceiver<ForwardEvent>,
    task: JoinHandle<()>,
}

impl LocalForward {
    /// The address the listener is bound to (with the port the system picked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The next event; `None` once the listener has stopped.
    pub async fn next_event(&mut self) -> Option<ForwardEvent> {
        self.events.recv().await
    }
}

impl Drop for LocalForward {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Api<Pod> {
    /// Listens on `local` and forwards each accepted connection to `remote_port` of pod
    /// `name` (kubectl's `port-forward`). Binding fails with the I/O error as
    /// [`Error::Bind`](crate::Error::Bind).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let forward = client.pods("apps").forward_local("db-0", "127.0.0.1:5432".parse()?, 5432).await?;
    /// assert_eq!(forward.local_addr().port(), 5432);
    /// # Ok(()) }
    /// ```
    pub async fn forward_local(
        &self,
        name: &str,
        local: SocketAddr,
        remote_port: u16,
    ) -> Result<LocalForward, Error> {
        let listener = TcpListener::bind(local)
            .await
            .map_err(|source| Error::Bind {
                address: local,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            address: local,
            source,
        })?;
        let (events_tx, events) = mpsc::unbounded_channel();
        let pods = self.clone();
        let name = name.to_owned();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let _ = events_tx.send(ForwardEvent::Connection {
                    local_port: local_addr.port(),
                    remote_port,
                });
                let pods = pods.clone();
                let name = name.clone();
                let events = events_tx.clone();
                tokio::spawn(async move {
                    if let Err(error) = forward_one(&pods, &name, remote_port, tcp).await {
                        let _ = events.send(ForwardEvent::Failed { remote_port, error });
                    }
                });
            }
        });
        Ok(LocalForward {
            local_addr,
            events,
            task,
        })
    }
}

async fn forward_one(
    pods: &Api<Pod>,
    name: &str,
    port: u16,
    mut tcp: TcpStream,
) -> Result<(), Error> {
    let mut forward = pods.port_forward(name, &[port]).await?;
    let Some(stream) = forward.take_stream(port) else {
        return Ok(());
    };
    let (mut local_read, mut local_write) = tcp.split();
    let (mut remote_read, mut remote_write) = tokio::io::split(stream);
    let failed = tokio::select! {
        _ = tokio::io::copy(&mut local_read, &mut remote_write) => None,
        copied = tokio::io::copy(&mut remote_read, &mut local_write) => copied.err(),
    };
    drop((remote_read, remote_write));
    let joined = forward.join().await;
    match (joined, failed) {
        (Err(err), _) => Err(err),
        (Ok(()), Some(io)) => Err(Error::Forward { port, source: io }),
        (Ok(()), None) => Ok(()),
    }
}
