//! `Api<Pod>::port_forward`: ports of a pod as byte streams, over one WebSocket speaking the
//! kubelet's `v4.channel.k8s.io` port-forward framing.
//!
//! Port `i` of the request has data channel `2i` and error channel `2i + 1`; the first frame
//! the server sends on each starts with the port number (little-endian `u16`), which is checked
//! and removed. The protocol has no half-close: a stream ends when the server closes the
//! session, and the session is closed once every [`PortStream`] has been dropped.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_util::{SinkExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::RemoteError;
use super::connect::{self, Socket};
use super::process::PIPE_CAPACITY;
use super::protocol::{PORT_FORWARD_PROTOCOL, frame};
use crate::query::Query;
use crate::{Api, Error};

/// A port-forward session to a pod: one [`PortStream`] per requested port.
///
/// ```no_run
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// # async fn demo(client: kubeset_clientset::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let mut forward = client.pods("apps").port_forward("redis-0", &[6379]).await?;
/// let mut redis = forward.take_stream(6379).unwrap();
/// redis.write_all(b"PING\r\n").await?;
/// let mut reply = [0u8; 7];
/// redis.read_exact(&mut reply).await?;
/// assert_eq!(&reply, b"+PONG\r\n");
/// drop(redis);
/// forward.join().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct PortForward {
    streams: Vec<(u16, Option<PortStream>)>,
    done: Option<oneshot::Receiver<Result<(), RemoteError>>>,
    /// Detached on drop: the task ends by itself once the streams it serves are dropped.
    task: Option<JoinHandle<()>>,
    pod: String,
}

impl PortForward {
    /// The stream of `port` (once; `None` for a port not requested or already taken).
    pub fn take_stream(&mut self, port: u16) -> Option<PortStream> {
        self.streams
            .iter_mut()
            .find(|(p, s)| *p == port && s.is_some())
            .and_then(|(_, s)| s.take())
    }

    /// Waits for the session to end (the server closed it, or every stream was dropped); the
    /// first error a port reported, if any. Streams not taken are dropped first.
    pub async fn join(mut self) -> Result<(), Error> {
        self.streams.clear();
        let pod = self.pod.clone();
        let Some(done) = self.done.take() else {
            return Ok(());
        };
        let result = done.await;
        self.task = None;
        match result {
            Ok(result) => result.map_err(Error::from),
            Err(_) => Err(RemoteError::Ended { pod }.into()),
        }
    }
}

/// One forwarded port: `AsyncRead + AsyncWrite` to the pod's port.
///
/// A read fails with an `io::Error` whose source is [`RemoteError::PortForward`] when the
/// kubelet reported an error for this port (nothing listens there, say), instead of a plain
/// end-of-file.
#[derive(Debug)]
pub struct PortStream {
    inner: DuplexStream,
    failure: Arc<Mutex<Option<String>>>,
    port: u16,
    pod: String,
    /// Dropped with the stream: the session ends when every stream is gone.
    _alive: mpsc::Sender<()>,
}

impl PortStream {
    /// The pod's port this stream reaches.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl AsyncRead for PortStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 => {
                let failure = this.failure.lock().ok().and_then(|f| f.clone());
                match failure {
                    Some(message) => {
                        Poll::Ready(Err(std::io::Error::other(RemoteError::PortForward {
                            pod: this.pod.clone(),
                            port: this.port,
                            message,
                        })))
                    }
                    None => Poll::Ready(Ok(())),
                }
            }
            other => other,
        }
    }
}

impl AsyncWrite for PortStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Api<Pod> {
    /// Forwards `ports` of pod `name` (`pods/portforward`): one [`PortStream`] each, over one
    /// WebSocket. Needs `create` on `pods/portforward`.
    ///
    /// Each stream is one connection to the pod's port; for more connections, call again (as
    /// [`forward_local`](Self::forward_local) does for each accepted connection).
    ///
    /// ```no_run
    /// # async fn demo(client: kubeset_clientset::Client) -> Result<(), kubeset_clientset::Error> {
    /// let mut forward = client.pods("apps").port_forward("web-0", &[8080]).await?;
    /// let stream = forward.take_stream(8080);
    /// # let _ = stream;
    /// # Ok(()) }
    /// ```
    pub async fn port_forward(&self, name: &str, ports: &[u16]) -> Result<PortForward, Error> {
        let mut query = Query::new(self.item_path(name, Some("portforward"))?);
        for port in ports {
            query.push("ports", &port.to_string());
        }
        let url = query.finish();
        let (socket, _) = connect::open(&self.client, &url, &[PORT_FORWARD_PROTOCOL]).await?;
        let pod = match &self.base.namespace {
            Some(ns) => format!("{ns}/{name}"),
            None => name.to_owned(),
        };
        let (alive_tx, alive_rx) = mpsc::channel(1);
        let mut streams = Vec::with_capacity(ports.len());
        let mut ends = Vec::with_capacity(ports.len());
        for &port in ports {
            let (user, task) = tokio::io::duplex(PIPE_CAPACITY);
            let failure = Arc::new(Mutex::new(None));
            streams.push((
                port,
                Some(PortStream {
                    inner: user,
                    failure: failure.clone(),
                    port,
                    pod: pod.clone(),
                    _alive: alive_tx.clone(),
                }),
            ));
            ends.push(PortEnd {
                port,
                pipe: Some(task),
                failure,
                data_prefix: false,
                error_prefix: false,
                error_text: Vec::new(),
            });
        }
        drop(alive_tx);
        let (done_tx, done_rx) = oneshot::channel();
        let task = tokio::spawn(run(socket, ends, alive_rx, done_tx, pod.clone()));
        Ok(PortForward {
            streams,
            done: Some(done_rx),
            task: Some(task),
            pod,
        })
    }
}

/// The task's side of one port.
struct PortEnd {
    port: u16,
    pipe: Option<DuplexStream>,
    failure: Arc<Mutex<Option<String>>>,
    data_prefix: bool,
    error_prefix: bool,
    error_text: Vec<u8>,
}

async fn run(
    socket: Socket,
    mut ends: Vec<PortEnd>,
    mut alive: mpsc::Receiver<()>,
    done: oneshot::Sender<Result<(), RemoteError>>,
    pod: String,
) {
    let (mut sink, mut stream) = socket.split();
    // what users write, as frames for the socket
    let (frames_tx, mut frames_rx) = mpsc::channel::<Vec<u8>>(16);
    let mut writers = Vec::new();
    for (index, end) in ends.iter_mut().enumerate() {
        let Some(pipe) = end.pipe.take() else {
            continue;
        };
        let (mut reader, writer) = tokio::io::split(pipe);
        end.pipe = None;
        writers.push(Some(writer));
        let frames = frames_tx.clone();
        let channel = (index * 2) as u8;
        tokio::spawn(async move {
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if frames.send(frame(channel, &buf[..n])).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
    drop(frames_tx);
    let mut first_error: Option<RemoteError> = None;
    let mut broken = None;
    let mut frames_open = true;
    loop {
        tokio::select! {
            message = stream.next() => match message {
                Some(Ok(Message::Binary(data))) => {
                    let Some((&channel, payload)) = data.split_first() else { continue };
                    let index = usize::from(channel / 2);
                    let Some(end) = ends.get_mut(index) else { continue };
                    let is_error = channel % 2 == 1;
                    let seen = if is_error { &mut end.error_prefix } else { &mut end.data_prefix };
                    let payload = if *seen {
                        payload
                    } else {
                        *seen = true;
                        let got = payload
                            .get(..2)
                            .map(|b| u16::from_le_bytes([b[0], b[1]]));
                        if got != Some(end.port) {
                            first_error.get_or_insert(RemoteError::PortMismatch {
                                pod: pod.clone(),
                                port: end.port,
                                got: got.unwrap_or(0),
                            });
                            break;
                        }
                        &payload[2..]
                    };
                    if payload.is_empty() {
                        continue;
                    }
                    if is_error {
                        end.error_text.extend_from_slice(payload);
                        let message = String::from_utf8_lossy(&end.error_text).trim().to_owned();
                        if let Ok(mut slot) = end.failure.lock() {
                            *slot = Some(message.clone());
                        }
                        tracing::debug!(%pod, port = end.port, %message, "port-forward error");
                        first_error.get_or_insert(RemoteError::PortForward {
                            pod: pod.clone(),
                            port: end.port,
                            message,
                        });
                        // the kubelet ends a failed port's stream
                        if let Some(mut writer) = writers.get_mut(index).and_then(Option::take) {
                            let _ = writer.shutdown().await;
                        }
                    } else if let Some(slot) = writers.get_mut(index)
                        && let Some(writer) = slot
                        && writer.write_all(payload).await.is_err()
                    {
                        *slot = None;
                    }
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(err)) => {
                    broken = Some(err);
                    break;
                }
            },
            next = frames_rx.recv(), if frames_open => match next {
                Some(bytes) => {
                    if let Err(err) = sink.send(Message::binary(bytes)).await {
                        broken = Some(err);
                        break;
                    }
                }
                None => frames_open = false,
            },
            _ = alive.recv() => break,
        }
    }
    for writer in writers.iter_mut() {
        if let Some(mut writer) = writer.take() {
            let _ = writer.shutdown().await;
        }
    }
    // a normal-closure code: Go clients treat a close frame without one (1005) as an error
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
    let result = match (first_error, broken) {
        (Some(err), _) => Err(err),
        (None, Some(source)) => Err(RemoteError::PortForwardLost { pod, source }),
        (None, None) => Ok(()),
    };
    let _ = done.send(result);
}
